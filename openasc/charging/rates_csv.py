"""Read the national charging rates file (reference/charging_rates_england.csv, from specs/data) into rate rows: the
rates the calculation uses, each with its year, amount in pence and the status of its source. Rows that are not
rates (the tariff rule, deferred payment figures, local examples, the NHS's nursing rate) are left out here."""

from __future__ import annotations

import csv
from decimal import Decimal
from pathlib import Path

FILE = Path(__file__).resolve().parent / "reference" / "charging_rates_england.csv"
ITEMS = {
    "Upper capital limit": "capital_upper",
    "Lower capital limit": "capital_lower",
    "Personal expenses allowance (care home)": "pea",
}


def _status(text: str, year: str) -> str:
    text = text.strip().lower()
    if f"{year} secondary" in text:  # "primary (2024/25 circular); 2025/26 secondary"
        return "secondary"
    for prefix in ("primary", "secondary", "derived", "local"):
        if text.startswith(prefix):
            return prefix
    return "secondary"


def rows(path: Path = FILE) -> list[dict]:
    out = []
    with path.open(newline="", encoding="utf-8") as f:
        for r in csv.DictReader(f):
            item = r["item"].strip()
            key = ITEMS.get(item) or (
                f"mig_{item.removeprefix('MIG ').strip()}" if item.startswith("MIG ") else None
            )
            year = r["year"].strip()
            if key is None or "/" not in year or not year[:4].isdigit():
                continue
            status = _status(r["status"], year) if r["status"].strip().lower() != "as above" else None
            out.append(
                {
                    "year": year.replace("/", "-"),
                    "key": key,
                    "amount_pence": int(Decimal(r["amount_gbp"]) * 100),
                    "status": status,
                    "source": f"{r['status'].strip()} — {r['provenance'].strip()}",
                }
            )
    # "as above": the row takes the status of the row before it for the same year
    last: dict[str, str] = {}
    for row in out:
        if row["status"] is None:
            row["status"] = last.get(row["year"], "secondary")
        last[row["year"]] = row["status"]
    return out
