"""The Safeguarding Adults Collection (SAC) for a reporting year, counted live from the record.

The rules (../shared/specs/next-capabilities.md §(a), docs/safeguarding.md):

- SG1a–SG1f: concerns **received** and enquiries **started** in the year (1 April to 31 March). A concern that became
  an enquiry counts as a concern and as an enquiry. Concerns cancelled as recorded in error are not counted.
  SG1a–SG1c count **individuals**, each adult once per column; SG1d and SG1e count **cases** (concerns, or
  enquiries), so an adult with two enquiries counts twice. Age is on the last day of the year, or at death if that
  came first.
- SG2–SG4: **section 42** enquiries **concluded** in the year. SG2a and SG2b count one per *different* category
  per enquiry (two sources of the same type count once).
- SG5: Safeguarding Adults Reviews completed in the year (the national period rule is NOT FOUND; a note says so).

Every count keeps its contributors (the concern, enquiry or review, the adult, and the rule that placed it), so that
each cell opens the people behind it (selected and audited in `cell_people`). The mapping from the record's codes to
the SAC's demographic categories is reference data (reference/sac_mappings.csv, or the file a council names in
OPENASC_SAC_MAPPINGS_FILE), each row with its status."""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import io
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings
from django.utils import timezone

from openasc.core import periods
from openasc.safeguarding import codes

TOTAL = "Total"
CONCERNS = "Safeguarding Concerns"
S42 = "Section 42 Enquiries"
OTHER = "Other Enquiries"
CONCLUDED = "Concluded Section 42 Enquiries"
SG1_COLUMNS = [CONCERNS, S42, OTHER]

AGE_BANDS = ["18-64", "65-74", "75-84", "85-94", "95+"]
GENDERS = ["Male", "Female", "Not Known"]
ETHNIC_GROUPS = [
    "White",
    "Mixed / Multiple",
    "Asian / Asian British",
    "Black / African / Caribbean / Black British",
    "Other Ethnic Group",
    "Refused",
    "Undeclared / Not Known",
]
SUPPORT_REASONS = [
    "Physical Support",
    "Sensory Support",
    "Support with Memory and Cognition",
    "Learning Disability Support",
    "Mental Health Support",
    "Social Support",
    "No Support Reason",
    "Not Known",
]
SG1F_ROWS = {
    CONCERNS: "Total Number of Safeguarding Concerns",
    S42: "Total Number of Section 42 Safeguarding Enquiries",
    OTHER: "Total Number of Other Safeguarding Enquiries",
}
ADVOCACY_ROW = (
    "Of the enquiries recorded as Yes, in how many of these cases was support provided by an advocate, family or "
    "friend"
)
SG5A_DIED, SG5A_NONE_DIED = "Where one or more individuals died", "Where no individuals died"
SG5B_DIED, SG5B_SURVIVED = "Who suffered serious harm and died", "Who suffered serious harm and survived"

TABLE_IDS = [
    "SG1a",
    "SG1b",
    "SG1c",
    "SG1d",
    "SG1e",
    "SG1f",
    "SG2a",
    "SG2b",
    "SG2c",
    "SG2e",
    "SG3a",
    "SG4a",
    "SG5a",
    "SG5b",
]


class YearError(ValueError):
    pass


def parse_year(value: str) -> int:
    """ "2025-26" -> 2025 (the year the reporting year starts in)."""
    try:
        return periods.parse(value).starts_on.year
    except ValueError:
        raise YearError(
            f"{value!r} is not a reporting year: write it as 2025-26 (1 April 2025 to 31 March 2026)"
        ) from None


def year_label(start_year: int) -> str:
    return periods.starting(start_year).label


def period(start_year: int) -> tuple[dt.date, dt.date]:
    year = periods.starting(start_year)
    return year.starts_on, year.ends_on


def current_year(today: dt.date) -> int:
    """The reporting year (by the year it starts in) that `today` falls in."""
    return periods.year_of(today).starts_on.year


def age_unknown_label() -> str:
    """SG1a's column for adults whose age is not recorded: its national label is NOT FOUND (a council setting)."""
    return getattr(settings, "OPENASC_SAC_AGE_UNKNOWN_LABEL", "Age unknown")


# ---------------------------------------------------------------------------------------------------------------
# Reference data: the record's codes -> the SAC's demographic categories
# ---------------------------------------------------------------------------------------------------------------
MAPPINGS_FILE = Path(__file__).parent / "reference" / "sac_mappings.csv"


@dataclass(frozen=True)
class Mapping:
    dimension: str  # gender, ethnicity, primary_support_reason
    begins_with: str  # the record's value begins with this (case and "&"/"and" ignored); "" is an empty value
    category: str
    status: str  # CONFIRMED, DERIVED or LOCAL
    note: str


def _key(value: str) -> str:
    return re.sub(r"\s+", " ", (value or "").replace("&", "and").strip().lower())


def mappings(path: Path | None = None) -> list[Mapping]:
    path = Path(path or getattr(settings, "OPENASC_SAC_MAPPINGS_FILE", None) or MAPPINGS_FILE)
    with path.open(newline="", encoding="utf-8") as f:
        return [
            Mapping(
                r["dimension"].strip(),
                r["begins_with"],
                r["sac_category"].strip(),
                r["status"].strip(),
                r.get("note", "").strip(),
            )
            for r in csv.DictReader(f)
        ]


class _Mapper:
    """First matching row wins, longest prefix first; a value nothing matches falls to the dimension's default."""

    DEFAULTS = {
        "gender": "Not Known",
        "ethnicity": "Undeclared / Not Known",
        "primary_support_reason": "Not Known",
    }

    def __init__(self, rows: list[Mapping]):
        self.rows: dict[str, list[Mapping]] = {}
        for r in rows:
            self.rows.setdefault(r.dimension, []).append(r)
        for v in self.rows.values():
            v.sort(key=lambda r: -len(r.begins_with))
        self.cache: dict[tuple[str, str], tuple[str, str]] = {}

    def __call__(self, dimension: str, value: str) -> tuple[str, str]:
        """(category, why) for the record's value."""
        hit = self.cache.get((dimension, value))
        if hit is None:
            k = _key(value)
            for r in self.rows.get(dimension, []):
                b = _key(r.begins_with)
                if (k == "" and b == "") or (b and k.startswith(b)):
                    hit = (
                        r.category,
                        f"{value or 'not recorded'!r} maps to {r.category} ({r.status.lower()})",
                    )
                    break
            else:
                default = self.DEFAULTS[dimension]
                hit = (default, f"{value or 'not recorded'!r} is not in the mappings: {default}")
            self.cache[(dimension, value)] = hit
        return hit


# ---------------------------------------------------------------------------------------------------------------
# Result objects
# ---------------------------------------------------------------------------------------------------------------
@dataclass
class Contribution:
    row: str
    column: str
    unit: tuple  # what is counted once in a cell: ("person", id), ("concern", id), ("enquiry", id), ("review", id), ...
    person_id: int
    rule: str
    concern_id: int | None = None
    enquiry_id: int | None = None


@dataclass
class Table:
    id: str
    title: str
    unit: str  # individuals, concerns and enquiries, enquiries, reviews
    rows: list[str]
    columns: list[str]
    notes: list[str] = field(default_factory=list)
    contributions: list[Contribution] = field(default_factory=list)
    totals: bool = True  # a Total row and column (distinct units, never a sum that counts one twice)

    def add(self, row: str, column: str, unit: tuple, person_id: int, rule: str, **ids) -> None:
        self.contributions.append(Contribution(row, column, unit, person_id, rule, **ids))
        self.__dict__.pop("_counts_memo", None)

    def cell_contributions(self, row: str = TOTAL, column: str = TOTAL) -> list[Contribution]:
        """The contributors to one cell ("Total" for any row or column), each unit once."""
        if self.__dict__.get("_slim"):
            raise ValueError(f"{self.id} was kept without its contributors: ask results_for(..., full=True)")
        seen: set[tuple] = set()
        out = []
        for c in self.contributions:
            if (
                (row == TOTAL or c.row == row)
                and (column == TOTAL or c.column == column)
                and c.unit not in seen
            ):
                seen.add(c.unit)
                out.append(c)
        return out

    def count(self, row: str = TOTAL, column: str = TOTAL) -> int:
        return self._counts().get((row, column), 0)

    def _counts(self) -> dict[tuple[str, str], int]:
        """How many distinct units in every cell, every row's and column's Total and the whole table, in one pass
        over the contributions (kept, so a return is counted once however often it is drawn)."""
        counts = self.__dict__.get("_counts_memo")
        if counts is None:
            units: dict[tuple[str, str], set] = {}
            for c in self.contributions:
                for key in ((c.row, c.column), (c.row, TOTAL), (TOTAL, c.column), (TOTAL, TOTAL)):
                    units.setdefault(key, set()).add(c.unit)
            counts = {key: len(v) for key, v in units.items()}
            self.__dict__["_counts_memo"] = counts
        return counts

    def slim(self) -> Table:
        """The table's counts without its contributors (what a page of counts needs, cheap to cache)."""
        out = dataclasses.replace(self, contributions=[])
        out.__dict__["_counts_memo"] = self._counts()
        out.__dict__["_slim"] = True
        return out

    def grid(self) -> dict[str, dict[str, int]]:
        """row -> column -> count, with the Total row and column where the table has them."""
        counts = self._counts()
        rows = [*self.rows, *([TOTAL] if self.totals else [])]
        return {r: {col: counts.get((r, col), 0) for col in self.all_columns} for r in rows}

    @property
    def all_columns(self) -> list[str]:
        return [*self.columns, *([TOTAL] if self.totals and len(self.columns) > 1 else [])]

    def as_json(self) -> dict[str, Any]:
        return {"title": self.title, "unit": self.unit, "rows": self.grid(), "notes": list(self.notes)}


@dataclass
class Results:
    start_year: int
    period_start: dt.date
    period_end: dt.date
    tables: dict[str, Table]
    derived: dict[str, Any]
    reference: list[
        dict[str, str]
    ]  # the choices made where the national material is silent, with their status
    problems: list[str]  # records the rules could not place, by id (no names)
    computed_at: dt.datetime

    @property
    def year(self) -> str:
        return year_label(self.start_year)

    def slim(self) -> Results:
        return dataclasses.replace(self, tables={tid: t.slim() for tid, t in self.tables.items()})

    def as_json(self) -> dict[str, Any]:
        return {
            "return": "Safeguarding Adults Collection",
            "year": self.year,
            "period": {"start": self.period_start.isoformat(), "end": self.period_end.isoformat()},
            "computed_at": self.computed_at.isoformat(timespec="seconds"),
            "tables": {tid: t.as_json() for tid, t in self.tables.items()},
            "derived": self.derived,
            "reference": self.reference,
            "problems": self.problems,
        }


# ---------------------------------------------------------------------------------------------------------------
# Counting
# ---------------------------------------------------------------------------------------------------------------
def _age(born: dt.date | None, died: dt.date | None, at: dt.date) -> int | None:
    if born is None:
        return None
    on = min(at, died) if died else at
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


def _age_band(age: int | None) -> str:
    if age is None or age < 18:
        return age_unknown_label()
    if age < 65:
        return "18-64"
    if age >= 95:
        return "95+"
    low = 65 + (age - 65) // 10 * 10
    return f"{low}-{low + 9}"


def _people(ids: set[int]) -> dict[int, dict]:
    from openasc.people.models import Person

    out: dict[int, dict] = {}
    ordered = sorted(ids)
    for i in range(0, len(ordered), 2000):
        for p in Person.objects.filter(pk__in=ordered[i : i + 2000]).values(
            "id", "date_of_birth", "date_of_death", "gender", "ethnicity", "primary_support_reason"
        ):
            out[p["id"]] = p
    return out


def _d(day: dt.date) -> str:
    return f"{day.day} {day:%B %Y}"


def _tables() -> dict[str, Table]:
    unknown = age_unknown_label()
    sg1 = "concerns received and enquiries started in the year"
    t = {
        "SG1a": Table(
            "SG1a",
            f"Individuals involved, by age band ({sg1})",
            "individuals",
            [*AGE_BANDS, unknown],
            SG1_COLUMNS,
        ),
        "SG1b": Table(
            "SG1b", f"Individuals involved, by gender ({sg1})", "individuals", GENDERS, SG1_COLUMNS
        ),
        "SG1c": Table(
            "SG1c", f"Individuals involved, by ethnicity ({sg1})", "individuals", ETHNIC_GROUPS, SG1_COLUMNS
        ),
        "SG1d": Table(
            "SG1d",
            f"Cases by primary support reason ({sg1})",
            "concerns and enquiries",
            SUPPORT_REASONS,
            SG1_COLUMNS,
        ),
        "SG1e": Table(
            "SG1e",
            f"Cases by health condition: autism ({sg1})",
            "concerns and enquiries",
            [a.value for a in codes.Autism if a.value],
            SG1_COLUMNS,
        ),
        "SG1f": Table(
            "SG1f",
            "Safeguarding concerns raised and enquiries started in the year",
            "cases",
            list(SG1F_ROWS.values()),
            ["Count"],
            totals=False,
        ),
        "SG2a": Table(
            "SG2a",
            "Concluded section 42 enquiries: type of risk by source of risk",
            "enquiries",
            list(codes.TypeOfRisk.values),
            list(codes.SourceOfRisk.values),
        ),
        "SG2b": Table(
            "SG2b",
            "Concluded section 42 enquiries: location of risk by source of risk",
            "enquiries",
            list(codes.LocationOfRisk.values),
            list(codes.SourceOfRisk.values),
        ),
        "SG2c": Table(
            "SG2c",
            "Concluded section 42 enquiries: risk assessment outcome",
            "enquiries",
            list(codes.RiskAssessmentOutcome.values),
            [CONCLUDED],
        ),
        "SG2e": Table(
            "SG2e",
            "Concluded section 42 enquiries where a risk was identified: risk outcome",
            "enquiries",
            list(codes.RiskOutcome.values),
            [CONCLUDED],
        ),
        "SG3a": Table(
            "SG3a",
            "Concluded section 42 enquiries: did the adult lack capacity to make decisions about the enquiry",
            "enquiries",
            [*codes.LackedCapacity.values, ADVOCACY_ROW],
            [CONCLUDED],
            totals=False,
        ),
        "SG4a": Table(
            "SG4a",
            "Concluded section 42 enquiries: Making Safeguarding Personal",
            "enquiries",
            [*codes.MspAsked.values, *codes.MspAchieved.values],
            [CONCLUDED],
            totals=False,
        ),
        "SG5a": Table(
            "SG5a",
            "Safeguarding Adults Reviews completed in the year",
            "reviews",
            [SG5A_DIED, SG5A_NONE_DIED],
            ["Count"],
        ),
        "SG5b": Table(
            "SG5b",
            "Individuals involved in Safeguarding Adults Reviews completed in the year",
            "individuals",
            [SG5B_DIED, SG5B_SURVIVED],
            ["Count"],
        ),
    }
    t["SG1a"].notes.append(
        f"The label of the column for adults whose age is not recorded is NOT FOUND in the "
        f"national material; OpenASC uses {unknown!r} (setting OPENASC_SAC_AGE_UNKNOWN_LABEL)."
    )
    t["SG1d"].notes.append("Counts cases: an adult with two enquiries in the year counts twice.")
    t["SG1e"].notes.append(
        "Only the two mandatory autism items are recorded (on the enquiry); the longer voluntary "
        "list of health conditions is NOT FOUND. An adult's concern counts here when one of its "
        "enquiries records the item."
    )
    for tid in ("SG2a", "SG2b"):
        t[tid].notes.append(
            "One count per different category per enquiry: two sources of the same type count "
            "once. The Total column and row count enquiries, not the sum of the cells."
        )
    t["SG2e"].notes.append(
        'Asked where the risk assessment outcome was either "Risk identified" value: the '
        "national wording is NOT FOUND; this follows the Hackney recording form."
    )
    t["SG3a"].notes.append("Mandatory or voluntary status NOT FOUND: always recorded and counted.")
    t["SG4a"].notes.append(
        "The last three rows count, of the enquiries where outcomes were expressed, whether they "
        "were achieved."
    )
    for tid in ("SG5a", "SG5b"):
        t[tid].notes.append(
            "The national period rule is NOT FOUND: OpenASC counts reviews completed in the year."
        )
    return t


def compute(start_year: int) -> Results:
    """The whole return for the reporting year starting 1 April `start_year`."""
    from openasc.safeguarding.models import (
        Allegation,
        Concern,
        ConcernStatus,
        Enquiry,
        SafeguardingAdultsReview,
        SarIndividual,
    )

    ps, pe = period(start_year)
    tables = _tables()
    problems: list[str] = []
    mapper = _Mapper(mappings())

    concerns = list(
        Concern.objects.filter(received_on__range=(ps, pe))
        .exclude(status=ConcernStatus.CANCELLED)
        .values("id", "person_id", "received_on")
    )
    started = list(
        Enquiry.objects.filter(started_on__range=(ps, pe)).values(
            "id", "person_id", "concern_id", "kind", "started_on", "autism"
        )
    )
    autism_by_concern = {
        e["concern_id"]: e["autism"]
        for e in Enquiry.objects.filter(concern__received_on__range=(ps, pe))
        .exclude(autism="")
        .values("concern_id", "autism")
    }
    people = _people({c["person_id"] for c in concerns} | {e["person_id"] for e in started})

    def demographics(pid: int) -> dict[str, tuple[str, str]]:
        p = people[pid]
        age = _age(p["date_of_birth"], p["date_of_death"], pe)
        band = _age_band(age)
        if age is None:
            age_why = "date of birth not recorded"
        elif age < 18:
            age_why = f"age {age} on {_d(pe)}: under 18, so the date of birth cannot be right"
        else:
            at = "at death" if p["date_of_death"] and p["date_of_death"] < pe else f"on {_d(pe)}"
            age_why = f"age {age} {at}"
        return {
            "SG1a": (band, age_why),
            "SG1b": mapper("gender", p["gender"]),
            "SG1c": mapper("ethnicity", p["ethnicity"]),
            "SG1d": mapper("primary_support_reason", p["primary_support_reason"]),
        }

    cases: list[tuple[str, tuple, int, str, dict]] = []
    for c in concerns:
        cases.append(
            (
                CONCERNS,
                ("concern", c["id"]),
                c["person_id"],
                f"concern received {_d(c['received_on'])}",
                {"concern_id": c["id"], "autism": autism_by_concern.get(c["id"], "")},
            )
        )
    for e in started:
        column = S42 if e["kind"] == codes.EnquiryKind.SECTION_42 else OTHER
        what = "section 42 enquiry" if column == S42 else "other safeguarding enquiry"
        cases.append(
            (
                column,
                ("enquiry", e["id"]),
                e["person_id"],
                f"{what} started {_d(e['started_on'])}",
                {"concern_id": e["concern_id"], "enquiry_id": e["id"], "autism": e["autism"]},
            )
        )

    for column, unit, pid, why, ids in cases:
        autism = ids.pop("autism")
        d = demographics(pid)
        for tid in ("SG1a", "SG1b", "SG1c"):
            row, how = d[tid]
            tables[tid].add(row, column, ("person", pid), pid, f"{why}; {how}", **ids)
        row, how = d["SG1d"]
        tables["SG1d"].add(row, column, unit, pid, f"{why}; {how}", **ids)
        if autism:
            tables["SG1e"].add(autism, column, unit, pid, f"{why}; autism recorded on the enquiry", **ids)
        tables["SG1f"].add(SG1F_ROWS[column], "Count", unit, pid, why, **ids)

    # --- SG2 to SG4: section 42 enquiries concluded in the year ---------------------------------------------------
    concluded = list(
        Enquiry.objects.filter(kind=codes.EnquiryKind.SECTION_42, concluded_on__range=(ps, pe)).values(
            "id",
            "person_id",
            "concern_id",
            "concluded_on",
            "risk_assessment_outcome",
            "risk_outcome",
            "lacked_capacity",
            "supported_by_advocate",
            "msp_asked",
            "msp_achieved",
        )
    )
    lines: dict[int, list[dict]] = {}
    for a in Allegation.objects.filter(
        enquiry__kind=codes.EnquiryKind.SECTION_42, enquiry__concluded_on__range=(ps, pe)
    ).values("enquiry_id", "type_of_risk", "location_of_risk", "source_of_risk"):
        lines.setdefault(a["enquiry_id"], []).append(a)
    for e in concluded:
        ids = {"concern_id": e["concern_id"], "enquiry_id": e["id"]}
        unit, pid = ("enquiry", e["id"]), e["person_id"]
        why = f"section 42 enquiry concluded {_d(e['concluded_on'])}"
        own = lines.get(e["id"], [])
        if not own:
            problems.append(
                f"Enquiry {e['id']} was concluded with no allegation line: not counted in SG2a or SG2b."
            )
        for a in own:  # the same pair twice on one enquiry is one unit, so counted once
            tables["SG2a"].add(a["type_of_risk"], a["source_of_risk"], unit, pid, why, **ids)
            tables["SG2b"].add(a["location_of_risk"], a["source_of_risk"], unit, pid, why, **ids)
        rao = e["risk_assessment_outcome"]
        if rao:
            tables["SG2c"].add(rao, CONCLUDED, unit, pid, why, **ids)
        else:
            problems.append(f"Enquiry {e['id']} was concluded with no risk assessment outcome: not in SG2c.")
        if rao in codes.RISK_IDENTIFIED:
            if e["risk_outcome"]:
                tables["SG2e"].add(e["risk_outcome"], CONCLUDED, unit, pid, f"{why}; {rao}", **ids)
            else:
                problems.append(
                    f"Enquiry {e['id']}: a risk was identified but no risk outcome is recorded: not in SG2e."
                )
        capacity = e["lacked_capacity"] or codes.LackedCapacity.NOT_RECORDED
        tables["SG3a"].add(
            capacity,
            CONCLUDED,
            unit,
            pid,
            why if e["lacked_capacity"] else f"{why}; capacity not recorded",
            **ids,
        )
        if capacity == codes.LackedCapacity.YES and e["supported_by_advocate"]:
            tables["SG3a"].add(
                ADVOCACY_ROW,
                CONCLUDED,
                unit,
                pid,
                f"{why}; supported by an advocate, family or friend",
                **ids,
            )
        asked = e["msp_asked"] or codes.MspAsked.NOT_RECORDED
        tables["SG4a"].add(
            asked,
            CONCLUDED,
            unit,
            pid,
            why if e["msp_asked"] else f"{why}; Making Safeguarding Personal not recorded",
            **ids,
        )
        if asked == codes.MspAsked.EXPRESSED:
            if e["msp_achieved"]:
                tables["SG4a"].add(
                    e["msp_achieved"], CONCLUDED, unit, pid, f"{why}; outcomes expressed", **ids
                )
            else:
                problems.append(
                    f"Enquiry {e['id']}: outcomes were expressed but whether they were achieved is not "
                    "recorded: not in SG4a's achieved rows."
                )

    # --- SG5: Safeguarding Adults Reviews ---------------------------------------------------------------------------
    individuals: dict[int, list[dict]] = {}
    for i in SarIndividual.objects.filter(review__completed_on__range=(ps, pe)).values(
        "id", "review_id", "person_id", "outcome"
    ):
        individuals.setdefault(i["review_id"], []).append(i)
    for r in SafeguardingAdultsReview.objects.filter(completed_on__range=(ps, pe)).values(
        "id", "reference", "completed_on"
    ):
        own = individuals.get(r["id"], [])
        why = f"review {r['reference']} completed {_d(r['completed_on'])}"
        if not own:
            problems.append(f"Review {r['reference']} has no individuals recorded: not counted in SG5.")
            continue
        died = any(i["outcome"] == codes.SarOutcome.DIED for i in own)
        for i in own:
            tables["SG5a"].add(
                SG5A_DIED if died else SG5A_NONE_DIED, "Count", ("review", r["id"]), i["person_id"], why
            )
            tables["SG5b"].add(
                SG5B_DIED if i["outcome"] == codes.SarOutcome.DIED else SG5B_SURVIVED,
                "Count",
                ("individual", i["id"]),
                i["person_id"],
                why,
            )

    return Results(
        start_year=start_year,
        period_start=ps,
        period_end=pe,
        tables=tables,
        derived=_derived(tables, ps),
        reference=_reference_notes(),
        problems=problems,
        computed_at=timezone.now(),
    )


def _rate(n: int, d: int | None, per: int = 100) -> float | None:
    return round(n * per / d, 1) if d else None


def _derived(tables: dict[str, Table], ps: dt.date) -> dict[str, Any]:
    """As the national publication computes them (next-capabilities.md §a.5), from this return's counts."""
    from openasc.reporting import population as pop

    f = tables["SG1f"]
    concerns, s42, other = (f.count(SG1F_ROWS[k], "Count") for k in (CONCERNS, S42, OTHER))
    total = s42 + other
    figures = pop.for_period(ps)
    young, old = figures.get("18-64"), figures.get("65+")
    adults = (young or 0) + (old or 0) or None
    a = tables["SG1a"]
    s42_young = a.count("18-64", S42)
    s42_old = sum(a.count(b, S42) for b in AGE_BANDS[1:])
    return {
        "concerns": concerns,
        "section_42_enquiries": s42,
        "other_enquiries": other,
        "total_enquiries": total,
        "conversion_rate_percent": _rate(total, concerns),
        "proportion_section_42_percent": _rate(s42, total),
        "adult_population": adults,
        "concerns_per_100000_adults": _rate(concerns, adults, 100_000),
        "section_42_enquiries_per_100000_adults": _rate(s42, adults, 100_000),
        "other_enquiries_per_100000_adults": _rate(other, adults, 100_000),
        "total_enquiries_per_100000_adults": _rate(total, adults, 100_000),
        "section_42_individuals_per_100000_by_age": {
            "18-64": _rate(s42_young, young, 100_000),
            "65+": _rate(s42_old, old, 100_000),
        },
        # the national publication's "total concluded enquiries": the sum of SG3a's four capacity rows
        "concluded_section_42_enquiries": sum(
            tables["SG3a"].count(v, CONCLUDED) for v in codes.LackedCapacity.values
        ),
    }


def _reference_notes() -> list[dict[str, str]]:
    return [
        {
            "what": "Label of SG1a's column for adults whose age is not recorded",
            "status": "NOT FOUND",
            "choice": age_unknown_label(),
        },
        {
            "what": "SG1e's longer voluntary list of health conditions",
            "status": "NOT FOUND",
            "choice": "only the two mandatory autism items",
        },
        {"what": "SG2d", "status": "NOT FOUND", "choice": "not produced"},
        {
            "what": 'Whether SG2e covers both "Risk identified" outcomes',
            "status": "NOT FOUND",
            "choice": "both (the Hackney recording form)",
        },
        {"what": "SG5 period rule", "status": "NOT FOUND", "choice": "reviews completed in the year"},
        {
            "what": "Mappings of gender, ethnicity and primary support reason to the SAC's categories",
            "status": "DERIVED",
            "choice": "reference/sac_mappings.csv (setting OPENASC_SAC_MAPPINGS_FILE)",
        },
        {
            "what": "Rates for 65-74, 75-84 and 85+, and the age-standardised rate",
            "status": "NOT COMPUTED",
            "choice": "the population reference holds only 18-64 and 65+",
        },
    ]


# ---------------------------------------------------------------------------------------------------------------
# Files: CSV (long, one line per cell) and XLSX (one sheet per table, in the return's layout)
# ---------------------------------------------------------------------------------------------------------------
CSV_HEADER = ["TABLE_REFERENCE", "ROW", "COLUMN", "VALUE"]


def csv_text(results: Results) -> str:
    from openasc.core.cells import safe_row

    out = io.StringIO()
    w = csv.writer(out)
    w.writerow(CSV_HEADER)
    for tid, t in results.tables.items():
        for row, cols in t.grid().items():
            for col, n in cols.items():
                w.writerow(safe_row([tid, row, col, n]))
    return out.getvalue()


def xlsx_bytes(results: Results) -> bytes:
    from openpyxl import Workbook

    from openasc.core.cells import append_row

    book = Workbook()
    first = book.active
    book.remove(first)
    for tid, t in results.tables.items():
        sheet = book.create_sheet(tid)
        append_row(sheet, [f"{tid}: {t.title}", f"Reporting year {results.year}"])
        append_row(sheet, ["", *t.all_columns])
        for row, cols in t.grid().items():
            append_row(sheet, [row, *cols.values()])
        for note in t.notes:
            append_row(sheet, [note])
    derived = book.create_sheet("Derived")
    for k, v in results.derived.items():
        if isinstance(v, dict):
            for band, rate in v.items():
                append_row(derived, [f"{k} {band}", rate])
        else:
            append_row(derived, [k, v])
    notes = book.create_sheet("Notes")
    append_row(notes, ["What", "Status", "OpenASC's choice"])
    for r in results.reference:
        append_row(notes, [r["what"], r["status"], r["choice"]])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


# ---------------------------------------------------------------------------------------------------------------
# Who sees it: the return for those with Capability.SEE_SAC; the people behind a cell audited one by one
# ---------------------------------------------------------------------------------------------------------------
BASIS = "Safeguarding Adults Collection"
CACHE_SECONDS = 300
NOT_SHOWN = "Not shown: only safeguarding leads and team managers who may open the record see names here"


class NotAllowed(PermissionError):
    pass


def can_see(user) -> bool:
    from openasc.core import access
    from openasc.core.models import Role

    return bool(user and user.is_authenticated and user.is_active) and (
        user.role == Role.SYSTEM or access.has(user, access.Capability.SEE_SAC)
    )


def _require(user) -> None:
    if not can_see(user):
        raise NotAllowed(
            "Only safeguarding leads, team managers, performance analysts and information governance can see the "
            "Safeguarding Adults Collection."
        )


def _version() -> str:
    """What the cached return was counted from: the newest row of each table it reads, and the allegations' count (a
    line removed). A return cached before a change is never shown after it; other edits wait for the few minutes'
    expiry, or "Recalculate now"."""
    from django.db.models import Count, Max

    from openasc.safeguarding.models import (
        Allegation,
        Concern,
        ConcernStatusChange,
        Enquiry,
        EnquiryStatusChange,
        SarIndividual,
    )

    marks = [
        m.objects.aggregate(v=Max("pk"))["v"] or 0
        for m in (Concern, Enquiry, ConcernStatusChange, EnquiryStatusChange, SarIndividual)
    ]
    marks.append(Allegation.objects.aggregate(v=Count("pk"))["v"])
    return "-".join(map(str, marks))


def results_for(
    user, start_year: int, *, refresh: bool = False, fmt: str = "", full: bool = False
) -> Results:
    """The return for `user` (refused and audited unless they may see it), from a cache of a few minutes unless
    asked to recalculate; the view or download is audited (the counts name nobody). `full` keeps every count's
    contributors (for the people behind a cell, or the detail files); without it, only the counts, which is what a
    page of the return draws and is cheap to take from the cache."""
    from django.core.cache import cache

    from openasc.core import access, audit
    from openasc.core.models import AuditAction

    if not can_see(user):
        if user and user.is_authenticated and user.is_active:
            access.refuse(
                user,
                person_id=None,
                purpose="Safeguarding Adults Collection",
                explanation="the SAC is for safeguarding leads, team managers, analysts and IG",
            )
        _require(user)
    key = f"openasc-sac-{start_year}-{_version()}"
    results = None if refresh else cache.get(key + ("-full" if full else ""))
    if results is None:
        computed = compute(start_year)
        cache.set(key + "-full", computed, CACHE_SECONDS)
        cache.set(key, computed.slim(), CACHE_SECONDS)
        results = computed if full else computed.slim()
    audit.record(
        actor=user,
        action=AuditAction.EXPORT if fmt else AuditAction.VIEW,
        basis=BASIS,
        details={"what": "Safeguarding Adults Collection", "year": results.year, "format": fmt or "page"},
    )
    return results


@dataclass
class CellRow:
    person_id: int
    la_person_id: str
    name: str  # "" unless the user may open the record and sees safeguarding detail
    can_open: bool
    row: str
    column: str
    rule: str
    concern_id: int | None
    enquiry_id: int | None


def cell_people(
    *, user, results: Results, table: str, row: str = TOTAL, column: str = TOTAL, fmt: str = ""
) -> list[CellRow]:
    """The adults behind one cell with the rule that counted each. The LA person id is always shown (as in the other
    returns); a name only to those who see safeguarding detail (Capability.SEE_SAFEGUARDING) and may open the
    record. One audit event per adult, in their access log ("view", or "export" for a download)."""
    from openasc.core import access, audit
    from openasc.core.models import AuditAction
    from openasc.people.models import Person

    _require(user)
    if table not in results.tables:
        raise ValueError(f"There is no table {table!r} in the Safeguarding Adults Collection.")
    t = results.tables[table]
    if row not in (TOTAL, *t.rows) or column not in (TOTAL, *t.columns):
        raise ValueError(f"{table} has no cell {row!r} by {column!r}.")
    chosen = t.cell_contributions(row, column)
    ids = {c.person_id for c in chosen}
    people = {
        p.pk: p
        for p in Person.objects.filter(pk__in=ids).only("id", "la_person_id", "first_name", "last_name")
    }
    names = access.has(user, access.Capability.SEE_SAFEGUARDING)
    visible = (
        set(access.people_visible_to(user, Person.objects.filter(pk__in=ids)).values_list("pk", flat=True))
        if names
        else set()
    )
    out = []
    for c in chosen:
        p = people.get(c.person_id)
        can_open = c.person_id in visible
        out.append(
            CellRow(
                person_id=c.person_id,
                la_person_id=p.la_person_id if p else "",
                name=f"{p.first_name} {p.last_name}".strip() if (p and can_open) else "",
                can_open=can_open,
                row=c.row,
                column=c.column,
                rule=c.rule,
                concern_id=c.concern_id,
                enquiry_id=c.enquiry_id,
            )
        )
    details = {
        "what": f"people behind SAC {table}",
        "table": table,
        "row": row,
        "column": column,
        "year": results.year,
        "format": fmt or "page",
    }
    action = AuditAction.EXPORT if fmt else AuditAction.VIEW
    audit.disclosed(
        actor=user,
        action=action,
        people=[people[i] for i in sorted(ids) if i in people],
        basis=BASIS,
        details=details,
    )
    return out


def write_detail(results: Results, directory: Path) -> tuple[list[str], set[int]]:
    """One CSV per table in `directory`: every contribution with the adult's LA person id (never a name), the
    concern and enquiry ids and the rule. Returns the files written and the adults in them (to audit)."""
    from openasc.core.cells import safe_row
    from openasc.people.models import Person

    directory.mkdir(parents=True, exist_ok=True)
    ids = {c.person_id for t in results.tables.values() for c in t.contributions}
    la = dict(Person.objects.filter(pk__in=ids).values_list("pk", "la_person_id"))
    files = []
    for tid, t in results.tables.items():
        name = f"sac-{results.year}-{tid}.csv"
        with (directory / name).open("w", newline="", encoding="utf-8") as f:
            w = csv.writer(f)
            w.writerow(["table", "row", "column", "la_person_id", "concern_id", "enquiry_id", "rule"])
            for c in t.contributions:
                w.writerow(
                    safe_row(
                        [
                            tid,
                            c.row,
                            c.column,
                            la.get(c.person_id, ""),
                            c.concern_id or "",
                            c.enquiry_id or "",
                            c.rule,
                        ]
                    )
                )
        files.append(name)
    return files, ids


def audit_detail(user, ids: set[int], *, files: list[str], year: str) -> int:
    """One export event per adult in the detail files `openasc sac --detail` wrote, against the account it ran as
    (and one event when the files name nobody, so that the export itself is on the trail)."""
    from openasc.core import audit
    from openasc.core.models import AuditAction
    from openasc.people.models import Person

    people = list(Person.objects.filter(pk__in=ids).only("id").order_by("pk"))
    details = {"what": "openasc sac --detail", "year": year, "files": files}
    return audit.disclosed(actor=user, action=AuditAction.EXPORT, people=people, basis=BASIS, details=details)
