"""Read and check CLD files row by row (streamed), map Release 1 values, and choose one row per event.

Nothing here writes to the database. ``check_files`` returns a ``Plan``: the errors and warnings, and, when there
are no errors, the people (their latest row) and the de-duplicated events to load.

Submissions and de-duplication (specs/national-data.md 1.4, engine/prepare.py). A file may hold several stacked
rolling 12-month submissions: each distinct (Reporting Period Start Date, Reporting Period End Date) is one
submission, and a later end date is a later submission. The same event appears in several. One row is kept per
*unique event*, DHSC's key without the derived end date:

    person id (NHS number, else LA person id) + event type + event start date + client type
    + route of access (requests, case-insensitive) + assessment type (assessments, case-insensitive)
    + service type + service component (services, component case-insensitive)

The end date is left out (DHSC keeps it because it only counts ended requests, assessments and reviews; a history
load must see the request that was open in one submission and concluded in the next as one request). The row kept
is DHSC's: latest reporting period end, then open (no end date) before ended, then latest end, then the event
outcome hierarchy, then the later row in the input. As DHSC crops services, an event still open in the submission
it was last seen in but missing from the latest submission is ended at that submission's reporting period end
(reported as a warning).

Person id (as DHSC): the NHS number where given, else the LA person id; an LA person id given elsewhere in the
files with an NHS number is the same person.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import gzip
import hashlib
import io
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from operator import itemgetter
from pathlib import Path
from typing import Any

from openasc.core import nhs_number
from openasc.reporting.engine import refdata
from openasc.reporting.engine.schema import CLD_COLUMNS, HEADER_LOOKUP, normalise_header

from .rules import DATE_FIELDS, INTEGER_FIELDS, MONEY_FIELDS, SUBMITTED, Rules, load_rules

FIELDS = [sub for sub, _, _ in CLD_COLUMNS]
POS = {name: i for i, name in enumerate(FIELDS)}
EVENT_TYPES = refdata.EVENT_TYPES
MIN_DATE, MAX_DATE = dt.date.min, dt.date.max
# ASCII digits only: \d (and int(), Decimal()) would also take full-width and other scripts' digits
MONEY_RE = re.compile(r"-?[0-9]{1,16}(\.[0-9]+)?")
NUMBER_RE = re.compile(r"-?[0-9]+(\.[0-9]+)?")  # a number, however long (MONEY_RE: one the record can hold)
INT_RE = re.compile(r"[0-9]{1,6}")
DATE_RE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}|[0-9]{2}/[0-9]{2}/[0-9]{4}")
# The largest unit cost a service cost holds (ServiceCost.unit_cost_pence, a PositiveIntegerField), in pounds
MAX_UNIT_COST = Decimal("21474836.47")
# A date of birth before this is taken as a mistake (nobody alive was born before it)
EARLIEST_BIRTH = dt.date(1900, 1, 1)
LINKED = ["Adult 1 Linked Person_ID", "Adult 2 Linked Person_ID", "Adult 3 Linked Person_ID"]
CARER_TYPES = ("Unpaid carer", "Unpaid carer known by association")
OUTCOME_HIERARCHY = refdata.EVENT_OUTCOME_HIERARCHY
P_NHS, P_LA, P_EVENT_TYPE = POS["NHS Number"], POS["LA Person Unique Identifier"], POS["Event Type"]
P_START, P_END = POS["Event Start Date"], POS["Event End Date"]
P_RPS, P_RPE = POS["Reporting Period Start Date"], POS["Reporting Period End Date"]
P_DOB, P_DOD = POS["Date of Birth"], POS["Date of Death"]
P_CLIENT, P_OUTCOME, P_ROUTE = POS["Client Type"], POS["Event Outcome"], POS["Request: Route of Access"]
P_ASSESSMENT, P_SERVICE, P_COMPONENT = POS["Assessment Type"], POS["Service Type"], POS["Service Component"]
# The fields about the person (the same on each of their rows): one group of the fast path's checks.
PERSON_GROUP = {
    "NHS Number",
    "LA Person Unique Identifier",
    "First Name",
    "Last Name",
    "GP Practice Name",
    "GP Practice Code",
    "Gender",
    "Ethnicity",
    "Date of Birth",
    "Date of Death",
    "Primary Support Reason",
    "Postcode",
    "Accommodation Status",
    "Employment Status",
    "Has Unpaid Carer",
    "Autism Spectrum Disorder (ASD)",
    "Visual Impairment",
    "Hearing Impairment",
    "Dementia",
    "Client Funding Status",
}


@dataclass
class Issue:
    file: str
    row: int
    field: str
    value: str
    reason: str


@dataclass
class Warning_:
    field: str
    value: str
    reason: str
    count: int
    file: str
    first_row: int


@dataclass
class Plan:
    files: list[str]
    rows: int = 0
    error_count: int = 0
    errors: list[Issue] = field(default_factory=list)  # the first MAX_KEPT; all are passed to on_error
    warnings: dict[tuple[str, str, str], Warning_] = field(default_factory=dict)
    people: dict[str, tuple] = field(default_factory=dict)  # person id -> latest row (mapped)
    events: dict[tuple, tuple] = field(default_factory=dict)  # unique event key -> (rank, row)
    links: dict[tuple[str, str], tuple] = field(
        default_factory=dict
    )  # (carer pid, linked id) -> (hours, start)
    submissions: int = 0
    cropped: int = 0
    staged: Any = None  # fastcheck.Staged: the rows to load, kept in DuckDB (a first import; see setload)

    @property
    def ok(self) -> bool:
        return self.error_count == 0

    @property
    def warning_count(self) -> int:
        return sum(w.count for w in self.warnings.values())


MAX_KEPT = 200


UNKNOWN_COLUMN = (
    "Not a CLD field: correct the column's name or remove the column (every column must be a CLD field)"
)
DUPLICATE_COLUMN = "This CLD field has two columns: keep one"
NAMELESS_COLUMN = "A column with no name: remove it (an extra comma at the end of the first row makes one)"
NO_REPORTING_END = "Required: every row belongs to a submission, named by its reporting period end date"
NON_ASCII_DIGITS = "Write numbers with the digits 0-9 only"
NOT_UTF8 = (
    "Not UTF-8 text (a spreadsheet saved as plain 'CSV' writes Latin-1 or Windows-1252): save the file as "
    "'CSV UTF-8' and import it again"
)
UTF16 = "The file is UTF-16 text: save it as 'CSV UTF-8' and import it again"
CROPPED = (
    "Open in an earlier submission but missing from the latest one: ended at the end of the last reporting "
    "period it appeared in (as DHSC crops it)"
)


def two_la_ids(nhs: str, first_la: str) -> str:
    """The warning for an NHS number given with a second LA person id."""
    return (
        f"NHS number {nhs} also has LA person id {first_la}: treated as one person (NHS number first), keeping "
        "the LA person id already recorded"
    )


def is_gzip(path: Path) -> bool:
    """Whether the file starts with the gzip magic bytes (whatever it is called)."""
    with path.open("rb") as f:
        return f.read(2) == b"\x1f\x8b"


def open_text(path: Path):
    """Text stream of a CSV file, gunzipped when it is gzip; returns (text, raw)."""
    raw = path.open("rb")
    stream = gzip.GzipFile(fileobj=raw) if is_gzip(path) else raw
    return io.TextIOWrapper(stream, encoding="utf-8-sig", newline=""), raw


def _validate_nhs(raw: str) -> str | Exception:
    """The NHS number a value gives, or the error (only the digits 0-9: isdigit() also takes other scripts')."""
    if not raw.isascii():
        return nhs_number.InvalidNhsNumber("NHS number must be written with the digits 0-9")
    try:
        return nhs_number.validate(raw)
    except nhs_number.InvalidNhsNumber as exc:
        return exc


def _foreign_digits(v: str) -> bool:
    """Whether a value holds digits other than 0-9 (full-width, Arabic-Indic, ...)."""
    return not v.isascii() and any(c.isdigit() for c in v)


def _getter(positions: list[int]) -> Callable[[list], tuple]:
    """The values at ``positions`` of a row, as a tuple (also for one position)."""
    if len(positions) == 1:
        p = positions[0]
        return lambda row: (row[p],)
    return itemgetter(*positions)


def parse_date(text: str) -> dt.date | None:
    """YYYY-MM-DD or DD/MM/YYYY (ASCII digits); None when it is neither or not a real date."""
    if not DATE_RE.fullmatch(text):  # int() would also read full-width digits, signs and underscores
        return None
    try:
        if len(text) == 10 and text[4] == "-" and text[7] == "-":
            return dt.date(int(text[:4]), int(text[5:7]), int(text[8:]))
        if len(text) == 10 and text[2] == "/" and text[5] == "/":
            return dt.date(int(text[6:]), int(text[3:5]), int(text[:2]))
    except ValueError:
        return None
    return None


class Checker:
    def __init__(self, rules: Rules, plan: Plan, on_error: Callable[[Issue], None]):
        self.rules = rules
        self.plan = plan
        self.on_error = on_error
        self.coded = [(POS[name], lst) for name, lst in rules.lists.items() if name in POS]
        self.coded_cache: dict[int, dict[str, tuple]] = {p: {} for p, _ in self.coded}
        self.date_pos = [POS[n] for n in DATE_FIELDS]
        self.date_cache: dict[str, dt.date | None] = {}
        self.money_pos = [POS[n] for n in MONEY_FIELDS]
        self.money_cache: dict[
            tuple[int, str], object
        ] = {}  # (field position, text): each field has its own rules
        self.int_pos = [POS[n] for n in INTEGER_FIELDS]
        self.length_pos = [(POS[n], n, m) for n, m in rules.max_length.items() if m]
        self.required = {
            et: [(POS[f], f, ended) for f, ended in rules.required.get("*", []) + rules.required.get(et, [])]
            for et in EVENT_TYPES
        }
        self.nhs_cache: dict[str, str | Exception] = {}
        self.la_nhs: dict[str, tuple[str, int]] = {}
        self.nhs_la: dict[str, tuple[str, int]] = {}
        self.rownum = 0
        self.today = dt.date.today()  # (dates of birth after it are refused; the set check uses the same day)
        # the fast path (check_row): what is checked where, and the groups of checked fields
        self.coded_at = dict(self.coded)
        self.date_set, self.money_set, self.int_set = (
            set(self.date_pos),
            set(self.money_pos),
            set(self.int_pos),
        )
        self.max_length_at = {p: m for p, _, m in self.length_pos}
        checked = (
            set(self.coded_at)
            | self.date_set
            | self.money_set
            | self.int_set
            | set(self.max_length_at)
            | {P_NHS, P_LA, P_EVENT_TYPE}
        )
        person = [p for p in sorted(checked) if FIELDS[p] in PERSON_GROUP]
        reporting, dates, money = [P_RPS, P_RPE], [P_START, P_END], sorted(self.money_set)
        event = [p for p in sorted(checked) if p not in {*person, *reporting, *dates, *money}]
        self.groups = [(_getter(g), {}, tuple(g)) for g in (person, reporting, event, dates, money)]
        self.required_fast = {
            et: (
                _getter([p for p, _, ended in req if not ended] or [P_EVENT_TYPE]),
                _getter([p for p, _, ended in req if ended] or [P_EVENT_TYPE]),
            )
            for et, req in self.required.items()
        }
        self.file = ""

    # -- reporting ----------------------------------------------------------------------------------------------
    def error(self, row: int, name: str, value: str, reason: str) -> None:
        issue = Issue(self.file, row, name, value, reason)
        self.plan.error_count += 1
        if len(self.plan.errors) < MAX_KEPT:
            self.plan.errors.append(issue)
        self.on_error(issue)

    def warn(self, row: int, name: str, value: str, reason: str) -> None:
        key = (name, value, reason)
        w = self.plan.warnings.get(key)
        if w is None:
            self.plan.warnings[key] = Warning_(name, value, reason, 1, self.file, row)
        else:
            w.count += 1

    # -- one coded value ----------------------------------------------------------------------------------------
    def _classify(self, lst, value: str) -> tuple:
        """(stored value, 'ok'|'warn'|'error', reason)."""
        if value in lst.values:
            return value, "ok", ""
        if value in lst.release1:
            r2 = lst.release1[value]
            return r2, "warn", f"Release 1 value, stored as the Release 2 value '{r2}'"
        if value in lst.release1_unmapped:
            if lst.confirmed:
                return (
                    value,
                    "error",
                    (
                        "This is a Release 1 value with no Release 2 equivalent: choose the "
                        f"Release 2 value of {lst.name} that applies"
                    ),
                )
            return value, "warn", "Release 1 value with no Release 2 equivalent, stored as given"
        if not lst.confirmed:
            return (
                value,
                "warn",
                (
                    f"Unfamiliar value: the Release 2 list for {lst.name} is not published, so it "
                    "is stored as given"
                ),
            )
        close = [v for v in lst.values if v.lower() == value.lower()]
        hint = f" (did you mean '{close[0]}'? values must match exactly, including capitals)" if close else ""
        return value, "error", f"Not a value of the {lst.name} list{hint}"

    # -- one row --------------------------------------------------------------------------------------------------
    def check_row(self, row: list[str], n: int) -> bool:
        """Check one row (mapping Release 1 values in place) and keep it for loading; False when it has errors.

        The fast path: the row's fields fall into groups (the person, the reporting period, the event's coded
        values, its dates, its money), and the outcome of the checks on one group's values is remembered, so a value
        combination seen before is not checked again (a file repeats the person on each of their rows and the event
        in each submission). Only rows whose groups were all seen clean, whose required fields are there and whose
        warnings have all been seen before go this way: anything else takes the full path (``_check_row_full``),
        which reports errors and first warnings in their usual order."""
        entries = []
        for getter, cache, positions in self.groups:
            k = getter(row)
            e = cache.get(k)
            if e is None:
                e = cache[k] = self._entry(positions, k)
            if not e[0]:
                return self._check_row_full(row, n)
            if e[2] is None:
                found = [self.plan.warnings.get(key) for key in e[1]]
                if any(w is None for w in found):
                    return self._check_row_full(row, n)
                e[2] = found
            entries.append(e)
        person, reporting, event, dates = entries[0], entries[1], entries[2], entries[3]
        dob = person[4].get(P_DOB)
        if dob and dob > reporting[4][P_RPE]:  # (a row reaching here has a reporting period end)
            return self._check_row_full(row, n)
        et = event[4][P_EVENT_TYPE]
        required = self.required_fast.get(et)
        if required is None:
            return self._check_row_full(row, n)
        always, when_ended = required  # all there (when the event has ended, those needed then too)
        if not all(always(row)) or (row[P_END] and not all(when_ended(row))):
            return self._check_row_full(row, n)
        la, nhs_raw = row[P_LA], row[P_NHS]
        for e in entries:
            for w in e[2]:
                w.count += 1
            for p, v in e[3]:
                row[p] = v
        nhs = person[5]
        if nhs and la and not self._same_person(nhs, la, n, nhs_raw):
            return False
        if self.plan.error_count:  # no point keeping rows that will not be loaded
            return True
        self._keep_row(row, n, nhs, la, et, dates[4][P_START], dates[4][P_END], reporting[4][P_RPE])
        return True

    def _same_person(self, nhs: str, la: str, n: int, nhs_raw: str) -> bool:
        """The NHS number and LA person id of a row agree with the rows before it (as ``_check_row_full``)."""
        other = self.nhs_la.setdefault(nhs, (la, n))
        if other[0] != la:
            self.warn(other[1], "LA Person Unique Identifier", la, two_la_ids(nhs, other[0]))
        seen = self.la_nhs.get(la)
        if seen is None:
            self.la_nhs[la] = (nhs, n)
        elif seen[0] != nhs:
            self.error(
                n,
                "NHS Number",
                nhs_raw,
                f"LA person id {la} has NHS number {seen[0]} at row {seen[1]}: "
                "one person cannot have two NHS numbers",
            )
            return False
        return True

    def date_of(self, text: str) -> dt.date | None:
        """The date a non-blank value gives (None when it is not one), parsed once per distinct value."""
        d = self.date_cache.get(text, MIN_DATE)
        if d is MIN_DATE:
            d = self.date_cache[text] = parse_date(text)
        return d

    def money_of(self, p: int, text: str):
        """The amount a non-blank value of money field ``p`` gives, or the reason it is not one (checked once per
        distinct value)."""
        money = self.money_cache.get((p, text))
        if money is None:
            money = self.money_cache[(p, text)] = self._money(FIELDS[p], text)
        return money

    def _entry(self, positions: tuple[int, ...], values: tuple) -> list:
        """The checks on one group of fields, without reporting anything: [clean, warning keys, the warnings (once
        they all exist), replacements (position, stored value), {position: value as checked: mapped, or the date},
        the NHS number]."""
        clean = True
        warnings: list[tuple[str, str, str]] = []
        replace: list[tuple[int, object]] = []
        parsed: dict[int, object] = {}
        for p, v in zip(positions, values, strict=True):
            lst = self.coded_at.get(p)
            if lst is not None and v:
                cache = self.coded_cache[p]
                hit = cache.get(v)
                if hit is None:
                    hit = cache[v] = self._classify(lst, v)
                if hit[1] == "error":
                    clean = False
                elif hit[1] == "warn":
                    warnings.append((FIELDS[p], v, hit[2]))
                    v = hit[0]
                    replace.append((p, v))
            if p in self.date_set:
                d = None
                if v:
                    d = self.date_of(v)
                    if d is None or (p == P_DOB and self._birth_problem(d)):
                        clean = False
                elif p == P_RPE:
                    clean = False
                parsed[p] = d
                replace.append((p, d))
            elif p in self.money_set:
                if v:
                    money = self.money_of(p, v)
                    if isinstance(money, str):
                        clean = False
                    else:
                        replace.append((p, money))
            elif p in self.int_set and v and not INT_RE.fullmatch(v):
                clean = False
            m = self.max_length_at.get(p)
            if m and len(v) > m:
                clean = False
            parsed.setdefault(p, v)
        nhs = ""
        if P_NHS in parsed:
            nhs_raw = parsed[P_NHS]
            if nhs_raw:
                got = self.nhs_cache.get(nhs_raw)
                if got is None:
                    got = self.nhs_cache[nhs_raw] = _validate_nhs(nhs_raw)
                if isinstance(got, Exception):
                    clean = False
                else:
                    nhs = got
                    replace.append((P_NHS, nhs))
            elif not parsed.get(P_LA):
                clean = False
        for first, then in ((P_START, P_END), (P_RPS, P_RPE), (P_DOB, P_DOD)):
            if parsed.get(first) and parsed.get(then) and parsed[then] < parsed[first]:
                clean = False
        return [clean, tuple(warnings), None if warnings else [], tuple(replace), parsed, nhs]

    def _check_row_full(self, row: list[str], n: int) -> bool:
        ok = True
        err = self.error
        for p, lst in self.coded:
            v = row[p]
            if not v:
                continue
            cache = self.coded_cache[p]
            hit = cache.get(v)
            if hit is None:
                hit = cache[v] = self._classify(lst, v)
            if hit[1] == "ok":
                continue
            if hit[1] == "error":
                err(n, FIELDS[p], v, hit[2])
                ok = False
            else:
                self.warn(n, FIELDS[p], v, hit[2])
                row[p] = hit[0]
        dates = {}
        for p in self.date_pos:
            v = row[p]
            if not v:
                dates[p] = None
                continue
            d = self.date_of(v)
            if d is None:
                err(
                    n,
                    FIELDS[p],
                    v,
                    NON_ASCII_DIGITS
                    if _foreign_digits(v)
                    else "Not a date: use YYYY-MM-DD or DD/MM/YYYY, and a real day of the month",
                )
                ok = False
            dates[p] = d
        for p in self.money_pos:
            v = row[p]
            if not v:
                continue
            parsed = self.money_of(p, v)
            if isinstance(parsed, str):
                err(n, FIELDS[p], v, parsed)
                ok = False
        for p in self.int_pos:
            v = row[p]
            if v and not INT_RE.fullmatch(v):
                err(
                    n,
                    FIELDS[p],
                    v,
                    NON_ASCII_DIGITS if _foreign_digits(v) else "Must be a whole number, e.g. 1",
                )
                ok = False
        for p, name, m in self.length_pos:
            v = row[p]
            if len(v) > m:
                err(n, name, v, f"Too long: at most {m} characters can be stored")
                ok = False
        # person identifier
        nhs_raw, la = row[POS["NHS Number"]], row[POS["LA Person Unique Identifier"]]
        nhs = ""
        if nhs_raw:
            got = self.nhs_cache.get(nhs_raw)
            if got is None:
                got = self.nhs_cache[nhs_raw] = _validate_nhs(nhs_raw)
            if isinstance(got, Exception):
                err(n, "NHS Number", nhs_raw, f"{got} (Modulus 11); leave it blank if it is not known")
                ok = False
            else:
                nhs = got
        if not nhs_raw and not la:
            err(
                n,
                "LA Person Unique Identifier",
                "",
                "Every row needs the person's NHS number or LA person id",
            )
            ok = False
        if nhs and la and not self._same_person(nhs, la, n, nhs_raw):
            ok = False
        # event type and required fields
        et = row[POS["Event Type"]]
        start, end = dates[POS["Event Start Date"]], dates[POS["Event End Date"]]
        if et in self.required:
            for p, name, only_ended in self.required[et]:
                if not row[p] and not (only_ended and not row[POS["Event End Date"]]):
                    reason = f"Required for a {et.lower()} event" + (" that has ended" if only_ended else "")
                    err(n, name, "", reason)
                    ok = False
        elif not et:
            err(n, "Event Type", "", "Required: Request, Assessment, Service or Review")
            ok = False
        if start and end and end < start:
            err(
                n,
                "Event End Date",
                row[POS["Event End Date"]],
                f"The end date is before the start date ({row[POS['Event Start Date']]})",
            )
            ok = False
        rps, rpe = dates[POS["Reporting Period Start Date"]], dates[POS["Reporting Period End Date"]]
        if rps and rpe and rpe < rps:
            err(
                n,
                "Reporting Period End Date",
                row[POS["Reporting Period End Date"]],
                "The reporting period ends before it starts",
            )
            ok = False
        if not row[P_RPE]:
            err(n, "Reporting Period End Date", "", NO_REPORTING_END)
            ok = False
        dob, dod = dates[POS["Date of Birth"]], dates[POS["Date of Death"]]
        if dob:
            problem = self._birth_problem(dob) or (
                rpe and dob > rpe and f"After the end of the reporting period ({row[P_RPE]})"
            )
            if problem:
                err(n, "Date of Birth", row[P_DOB], problem)
                ok = False
        if dob and dod and dod < dob:
            err(
                n, "Date of Death", row[POS["Date of Death"]], "The date of death is before the date of birth"
            )
            ok = False
        if not ok:
            return False
        if self.plan.error_count:  # no point keeping rows that will not be loaded
            return True
        self._keep(row, n, dates, nhs, la, et, start, end, rpe)
        return True

    def _birth_problem(self, dob: dt.date) -> str:
        """Why a date of birth cannot be right ('' when it can be)."""
        if dob > self.today:
            return "In the future"
        if dob < EARLIEST_BIRTH:
            return f"Before {EARLIEST_BIRTH:%Y}: check the year"
        return ""

    def _money(self, name: str, v: str):
        if not MONEY_RE.fullmatch(v):
            if _foreign_digits(v):
                return NON_ASCII_DIGITS
            if NUMBER_RE.fullmatch(v):
                return "Too large: no amount has more than 16 digits before the decimal point"
            return "Must be a number such as 123.45 (no £ sign, commas or exponent)"
        if "." in v and len(v.split(".")[1]) > 2:
            return "Has more than two decimal places: round it to pence (two decimal places)"
        value = Decimal(v)
        if value < 0:  # a cost, or a number of units a week
            return "Cannot be negative"
        if name == "Unit Cost" and value > MAX_UNIT_COST:
            return f"Too large: at most {MAX_UNIT_COST}"
        if name == "Planned units per week" and value >= 1_000_000:
            return "Too large: at most 999999.99"
        return value

    # -- de-duplication -----------------------------------------------------------------------------------------
    def _keep(self, row, n, dates, nhs, la, et, start, end, rpe) -> None:
        for p in self.date_pos:
            row[p] = dates[p]
        if nhs:
            row[POS["NHS Number"]] = nhs
        for p in self.money_pos:
            if row[p]:
                row[p] = self.money_cache[(p, row[p])]
        self._keep_row(row, n, nhs, la, et, start, end, rpe)

    def _keep_row(self, row, n, nhs, la, et, start, end, rpe) -> None:
        """Keep a checked row whose values are already converted (dates, decimals, NHS number, mapped values).

        Ranks: an event's is (reporting period end, end date (open last), -outcome hierarchy, order in the files,
        file row); a person's (reporting period end, order in the files, file row). The largest wins."""
        plan = self.plan
        g = row.__getitem__
        pid = f"NHS:{nhs}" if nhs else f"LA:{la}"
        key = (
            pid,
            et,
            start,
            g(P_CLIENT),
            g(P_ROUTE).lower() if et == "Request" else "",
            g(P_ASSESSMENT).lower() if et == "Assessment" else "",
            g(P_SERVICE) if et == "Service" else "",
            g(P_COMPONENT).lower() if et == "Service" else "",
        )
        hierarchy = OUTCOME_HIERARCHY.get(g(P_OUTCOME), 999)
        self.rownum += 1
        rank = (rpe or MIN_DATE, end or MAX_DATE, -hierarchy, self.rownum, n)
        row = tuple(row)
        current = plan.events.get(key)
        if current is None or current[0] < rank:
            plan.events[key] = (rank, row)
        prank = (rpe or MIN_DATE, self.rownum, n)
        current = plan.people.get(pid)
        if current is None or current[0] < prank:
            plan.people[pid] = (prank, row)
        if g(P_CLIENT) in CARER_TYPES:
            for name in LINKED:
                linked = g(POS[name])
                if linked:
                    lk = (pid, linked)
                    link = (g(POS["Total Hrs Caring per week"]), start)
                    prev = plan.links.get(lk)
                    if prev is None or _earlier_link(link, prev):
                        plan.links[lk] = link

    def finish(self) -> None:
        """Merge LA-id-only people into their NHS-numbered selves, then crop events that disappeared."""
        plan = self.plan
        to_nhs = {f"LA:{la}": f"NHS:{nhs}" for la, (nhs, _) in self.la_nhs.items()}
        if any(pid in to_nhs for pid in plan.people):
            for key in [k for k in plan.events if k[0] in to_nhs]:
                value = plan.events.pop(key)
                new = (to_nhs[key[0]], *key[1:])
                if new not in plan.events or plan.events[new][0] < value[0]:
                    plan.events[new] = value
            for pid in [p for p in plan.people if p in to_nhs]:
                value = plan.people.pop(pid)
                if to_nhs[pid] not in plan.people or plan.people[to_nhs[pid]][0] < value[0]:
                    plan.people[to_nhs[pid]] = value
            for lk in [k for k in plan.links if k[0] in to_nhs]:
                value, new = plan.links.pop(lk), (to_nhs[lk[0]], lk[1])
                if new not in plan.links or _earlier_link(value, plan.links[new]):
                    plan.links[new] = value
        ends = {rank[0] for rank, _ in plan.events.values()}
        plan.submissions = len(ends)
        latest = max(ends) if ends else None
        if latest and latest != MIN_DATE and len(ends) > 1:
            e_end, rpe_p = POS["Event End Date"], POS["Reporting Period End Date"]
            for key, (rank, row) in plan.events.items():
                if row[e_end] is None and rank[0] != MIN_DATE and rank[0] < latest:
                    cropped = list(row)
                    cropped[e_end] = row[rpe_p]
                    plan.events[key] = (rank, tuple(cropped))
                    plan.cropped += 1
                    self.warn(rank[4], "Event End Date", "", CROPPED)


def _earlier_link(link: tuple, than: tuple) -> bool:
    """Whether a carer link (hours, start) started before another: the earliest start is kept (an unknown start
    gives way to a known one)."""
    return link[1] is not None and (than[1] is None or link[1] < than[1])


def header_problems(header: list[str]) -> list[tuple[int, str, str]]:
    """What is wrong with a file's first row: (column number, the name as written, reason) for each column that is
    not a CLD field, that has no name, or that repeats a field an earlier column holds."""
    seen: dict[str, int] = {}
    out = []
    for i, h in enumerate(header, 1):
        db = HEADER_LOOKUP.get(normalise_header(h))
        if not h.strip():
            out.append((i, f"Column {i}", NAMELESS_COLUMN))
        elif not db:
            out.append((i, h, UNKNOWN_COLUMN))
        elif db in seen:
            out.append((i, h, f"{DUPLICATE_COLUMN} (columns {seen[db]} and {i})"))
        else:
            seen[db] = i
    return out


def wrong_width(n: int, got: int, want: int) -> str:
    """The reason a row with the wrong number of fields is refused."""
    return (
        f"Row {n} has {got} fields but the first row has {want}: the row is cut short, or has values "
        "beyond the last column"
    )


def read_header(header: list[str]) -> tuple[list[int], list[str]]:
    """Column index in the file of each CLD field (-1 when absent), and the unknown headers."""
    found: dict[str, int] = {}
    unknown = []
    for i, h in enumerate(header):
        db = HEADER_LOOKUP.get(normalise_header(h))
        if db and db in SUBMITTED and SUBMITTED[db] not in found:
            found[SUBMITTED[db]] = i
        elif not db:
            unknown.append(h)
    return [found.get(name, -1) for name in FIELDS], unknown


def check_files(
    paths: list[Path],
    *,
    on_error: Callable[[Issue], None] = lambda issue: None,
    on_progress: Callable[[int, int], None] = lambda rows, nbytes: None,
    names: list[str] | None = None,
    fast: bool = True,
    stage: bool = False,
) -> Plan:
    """Validate every row of every file; return the plan (errors, warnings, people and events to load).

    Clean files are checked as sets in DuckDB (``fastcheck``); anything else, and always with ``fast=False``, row
    by row here, which words each error. With ``stage`` (a first import: see ``setload``), clean files' rows to
    load stay in DuckDB (``plan.staged``) rather than filling the plan."""
    rules = load_rules()
    names = names or [p.name for p in paths]
    plan = Plan(files=names)
    checker = Checker(rules, plan, on_error)
    if fast:
        from .fastcheck import check_clean

        if check_clean(checker, paths, names, on_progress, stage=stage):
            if plan.staged is not None:
                plan.staged.finish()
            else:
                checker.finish()
            return plan
    done_bytes = 0
    for path, name in zip(paths, names, strict=True):
        checker.file = name
        text, raw = open_text(path)
        with text:
            reader = csv.reader(
                text, strict=True
            )  # a quoted value never closed (a file cut short) is an error
            try:
                header = next(reader)
            except UnicodeDecodeError:
                _not_utf8(checker, path)
                continue
            except (StopIteration, csv.Error, OSError) as exc:
                checker.error(1, "", "", f"Cannot read the file as CSV: {exc or 'it is empty'}")
                continue
            idx, _unknown = read_header(header)
            if idx[POS["Event Type"]] < 0 or idx[POS["Event Start Date"]] < 0:
                checker.error(
                    1,
                    "",
                    "",
                    "The first row must hold the CLD field names (no 'Event Type' or "
                    "'Event Start Date' column found)",
                )
                continue
            if idx[POS["NHS Number"]] < 0 and idx[POS["LA Person Unique Identifier"]] < 0:
                checker.error(1, "", "", "No 'NHS Number' or 'LA Person Unique Identifier' column found")
                continue
            if idx[P_RPE] < 0:  # (rather than the same error on every row)
                checker.error(
                    1,
                    "Reporting Period End Date",
                    "",
                    f"No 'Reporting Period End Date' column found: {NO_REPORTING_END.lower()}",
                )
                continue
            for _col, h, reason in header_problems(header):  # (the rows are still checked, for the report)
                checker.error(1, h, "", reason)
            width = len(header)
            # each field's value from the file's column (a column the file lacks reads the "" put at the end)
            take = itemgetter(*[j if j >= 0 else -1 for j in idx])
            strip = str.strip
            n = 1
            try:
                for r in reader:
                    n += 1
                    if len(r) != width:
                        if len(r) <= 1 and not any(c.strip() for c in r):  # a blank line
                            continue
                        # cut short (a file that ends mid-row), or values beyond the last column: not guessed at
                        if len(r) < width:  # named by the first column it has no value for
                            where, value = header[len(r)], ""
                        else:
                            where, value = f"Column {width + 1}", ",".join(r[width:])[:100]
                        checker.error(n, where, value, wrong_width(n, len(r), width))
                        plan.rows += 1
                        continue
                    r.append("")
                    row = list(map(strip, take(r)))
                    if "NULL" in row:
                        row = ["" if v == "NULL" else v for v in row]
                    checker.check_row(row, n)
                    plan.rows += 1
                    if not plan.rows % 5000:
                        on_progress(plan.rows, done_bytes + raw.tell())
            except UnicodeDecodeError:
                _not_utf8(checker, path, after=n)
            except (csv.Error, OSError, EOFError) as exc:
                where = _unclosed(path, n + 1, header) if "unexpected end of data" in str(exc) else ""
                checker.error(
                    n + 1,
                    where,
                    "",
                    f"Cannot read the file from here: {exc}"
                    + (" (a quoted value is never closed: the file is cut short)" if where else ""),
                )
            done_bytes += path.stat().st_size
            on_progress(plan.rows, done_bytes)
    checker.finish()
    if not plan.ok:
        plan.people.clear()
        plan.events.clear()
        plan.links.clear()
    return plan


def _unclosed(path: Path, row: int, header: list[str]) -> str:
    """The column of a row whose quoted value runs to the end of the file (read again leniently: an error only)."""
    text, _raw = open_text(path)
    with text:
        for n, r in enumerate(csv.reader(text), 1):
            if n == row:
                return header[len(r) - 1] if 0 < len(r) <= len(header) else ""
    return ""


def _not_utf8(checker: Checker, path: Path, after: int = 0) -> None:
    """Report each line of a file that is not UTF-8 (its row, and the field holding the bytes), or that the file
    is UTF-16; lines up to ``after`` were read (and reported) already."""

    def lines():
        with gzip.open(path, "rb") if is_gzip(path) else path.open("rb") as f:
            yield from f

    head = next(lines(), b"")[:4]
    if head[:2] in (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE) or b"\x00" in head:
        checker.error(1, "", "", UTF16)
        return
    header: list[str] = []
    for n, line in enumerate(lines(), 1):
        try:
            text = line.decode("utf-8-sig" if n == 1 else "utf-8")
        except UnicodeDecodeError:
            text = line.decode("utf-8", "replace")
            if n > after:
                values = next(csv.reader([text]), [])
                at = next((i for i, v in enumerate(values) if "\ufffd" in v), None)
                name = header[at] if at is not None and at < len(header) else ""
                checker.error(n, name, values[at] if at is not None else "", NOT_UTF8)
        if n == 1:
            header = next(csv.reader([text]), [])


def row_hash(row: tuple) -> str:
    """A fingerprint of a mapped row, to tell whether an event's row changed since it was last loaded.

    Each value as ``str()`` gives it (a date in ISO form, an amount as given, 'None' for a blank date: only dates
    are ever None, so that cannot be mistaken for text), joined by the unit separator; it only ever compares rows of
    one field layout. (Until 2026-11 it hashed ``repr(row)``, three times as slow: a row loaded then and loaded
    again looks changed once, finds nothing to update, and takes the new fingerprint.)"""
    return hashlib.md5("\x1f".join(map(str, row)).encode(), usedforsecurity=False).hexdigest()


def file_hash(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()
