"""Reading the CSV files providers send: invoice lines and electronic call monitoring (ECM) visits. Every bad row is
reported with its row number (the header is row 1) and column; nothing is kept from a file with any error.

Invoice lines (docs/payments.md): la_person_id, service_id (optional), from, to (dates as 2026-05-04 or 04/05/2026),
units (hours, optional), unit_cost (pounds, optional), amount (pounds; optional when units and unit_cost are given).
ECM visits: la_person_id or service_id, visit_date, and minutes or hours delivered."""

from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from openasc.core.money import MoneyError, parse_pounds

MAX_ROWS = 20_000
INVOICE_COLUMNS = ("la_person_id", "service_id", "from", "to", "units", "unit_cost", "amount")
ECM_COLUMNS = ("la_person_id", "service_id", "visit_date", "minutes", "hours")


@dataclass
class LineIn:
    row: int
    la_person_id: str
    service_id: int | None
    from_on: dt.date
    to_on: dt.date
    units: Decimal | None
    unit_cost_pence: int | None
    amount_pence: int


@dataclass
class VisitIn:
    row: int
    la_person_id: str
    service_id: int | None
    visit_on: dt.date
    minutes: int


def parse_date(text: str) -> dt.date:
    text = (text or "").strip()
    for fmt in ("%Y-%m-%d", "%d/%m/%Y"):
        try:
            return dt.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    raise ValueError("Enter a date like 2026-05-04 or 04/05/2026")


def parse_units(text: str, what: str = "units") -> Decimal | None:
    text = (text or "").strip()
    if not text:
        return None
    try:
        value = Decimal(text)
    except InvalidOperation:
        value = None
    if value is None or not value.is_finite() or value < 0 or value >= 100000:
        raise ValueError(f"Enter the {what} as a number of 0 or more, like 3.5")
    if value != value.quantize(Decimal("0.01")):
        raise ValueError(f"The {what} can have at most 2 decimal places, like 3.25")
    return value


def parse_id(text: str) -> int | None:
    text = (text or "").strip()
    if not text:
        return None
    if not text.isascii() or not text.isdigit() or len(text) > 12:
        raise ValueError(
            "A service id is a whole number, like 1234 (leave it empty to match by person and dates)"
        )
    return int(text)


def _reader(
    text: str, required: tuple[str, ...], known: tuple[str, ...]
) -> tuple[list[tuple[int, dict]], dict]:
    errors: dict[str, str] = {}
    text = text.lstrip("\ufeff")
    reader = csv.DictReader(io.StringIO(text))
    header = [h.strip().lower() for h in (reader.fieldnames or [])]
    if not header:
        return [], {"file": "The file is empty: it needs a header row, then one row a line"}
    missing = [c for c in required if c not in header]
    if missing:
        errors["file"] = (
            f"The header row has no column {', '.join(missing)}: the columns are {', '.join(known)} "
            "(see docs/payments.md)"
        )
        return [], errors
    reader.fieldnames = header
    rows = []
    for i, raw in enumerate(reader, start=2):
        if i - 1 > MAX_ROWS:
            return [], {"file": f"The file has more than {MAX_ROWS:,} rows: split it"}
        row = {k: (v or "").strip() for k, v in raw.items() if k is not None}
        if not any(row.values()):
            continue
        rows.append((i, row))
    if not rows:
        errors["file"] = "The file has a header row but no lines"
    return rows, errors


def invoice_lines(text: str) -> tuple[list[LineIn], dict[str, str]]:
    """The lines of an invoice CSV, and the errors: {"row 3, from": "Enter a date like ..."}."""
    rows, errors = _reader(text, ("la_person_id", "from", "to"), INVOICE_COLUMNS)
    out = []
    for i, row in rows:
        bad = {}
        la = row.get("la_person_id", "")
        if not la:
            bad["la_person_id"] = "Enter the person's LA person id"
        elif len(la) > 20:
            bad["la_person_id"] = "An LA person id has at most 20 characters"
        sid = first = last = units = unit_cost = amount = None
        try:
            sid = parse_id(row.get("service_id", ""))
        except ValueError as exc:
            bad["service_id"] = str(exc)
        for col in ("from", "to"):
            try:
                value = parse_date(row.get(col, ""))
                first, last = (value, last) if col == "from" else (first, value)
            except ValueError as exc:
                bad[col] = str(exc)
        if first and last and last < first:
            bad["to"] = "The last day must be on or after the first"
        try:
            units = parse_units(row.get("units", ""), "units (hours)")
        except ValueError as exc:
            bad["units"] = str(exc)
        if row.get("unit_cost"):
            try:
                unit_cost = parse_pounds(row["unit_cost"], what="unit cost")
            except MoneyError as exc:
                bad["unit_cost"] = str(exc)
        if row.get("amount"):
            try:
                amount = parse_pounds(row["amount"], what="amount")
            except MoneyError as exc:
                bad["amount"] = str(exc)
        elif "units" not in bad and "unit_cost" not in bad:
            if units is not None and unit_cost is not None:
                amount = int((units * unit_cost).quantize(Decimal(1), rounding=ROUND_HALF_UP))
            else:
                bad["amount"] = "Enter the amount in pounds (or both units and unit_cost)"
        for col, msg in bad.items():
            errors[f"row {i}, {col}"] = msg
        if not bad:
            out.append(LineIn(i, la, sid, first, last, units, unit_cost, amount))
    return (out if not errors else []), errors


def ecm_visits(text: str) -> tuple[list[VisitIn], dict[str, str]]:
    rows, errors = _reader(text, ("visit_date",), ECM_COLUMNS)
    out = []
    for i, row in rows:
        bad = {}
        la = row.get("la_person_id", "")
        sid = None
        try:
            sid = parse_id(row.get("service_id", ""))
        except ValueError as exc:
            bad["service_id"] = str(exc)
        if not la and sid is None and "service_id" not in bad:
            bad["la_person_id"] = "Enter the person's LA person id or the service id"
        day = None
        try:
            day = parse_date(row.get("visit_date", ""))
        except ValueError as exc:
            bad["visit_date"] = str(exc)
        minutes = None
        try:
            if row.get("minutes"):
                m = parse_units(row["minutes"], "minutes")
                minutes = int(m.quantize(Decimal(1), rounding=ROUND_HALF_UP))
            elif row.get("hours"):
                h = parse_units(row["hours"], "hours")
                minutes = int((h * 60).quantize(Decimal(1), rounding=ROUND_HALF_UP))
            else:
                bad["minutes"] = "Enter the minutes (or hours) delivered"
        except ValueError as exc:
            bad["minutes" if row.get("minutes") else "hours"] = str(exc)
        if minutes is not None and minutes > 24 * 60:
            bad["minutes"] = "A visit is at most 24 hours (1440 minutes)"
        for col, msg in bad.items():
            errors[f"row {i}, {col}"] = msg
        if not bad:
            out.append(VisitIn(i, la, sid, day, minutes))
    return (out if not errors else []), errors
