"""ASCOF computed live from the record, with the people behind every figure.

The case record is projected to CLD rows (projection.py) and the measures computed in DuckDB by the same engine
that reads a council's CLD file, so the figures on screen are the figures the file gives. Results are cached for a
few minutes per period; every view of the people behind a figure is audited.
"""

from __future__ import annotations

import datetime as dt
import tempfile
from dataclasses import dataclass
from pathlib import Path

import duckdb
from django.core.cache import cache
from django.utils import timezone

from openasc.core import access, audit
from openasc.core.models import AuditAction, User
from openasc.people.models import Person
from openasc.reporting import population, projection, selectors
from openasc.reporting.engine.load import load_cld_csv, scratch
from openasc.reporting.engine.measures import MEASURE_KEYS, all_details, compute_measures

CACHE_SECONDS = 300

TITLES = {
    "2A": "Proportion of people who received short-term support who needed no long-term support",
    "2B": "Younger adults (18 to 64) whose long-term needs were met by admission to residential and nursing care "
    "homes, per 100,000 population",
    "2C": "Older adults (65 and over) whose long-term needs were met by admission to residential and nursing care "
    "homes, per 100,000 population",
    "2E": "Proportion of people who receive long-term support who live in their home or with family",
    "2E LD": "Proportion of people with a learning disability who receive long-term support who live in their home "
    "or with family",
    "3D 1a": "Proportion of people who use services who receive self-directed support",
    "3D 2a": "Proportion of people who use services who receive direct payments",
    "3D 1b": "Proportion of carers who receive self-directed support",
    "3D 2b": "Proportion of carers who receive direct payments",
}


class NotAllowed(PermissionError):
    pass


def can_see_returns(user: User) -> bool:
    return access.has(user, access.Capability.SEE_RETURNS)


def financial_year(start_year: int) -> tuple[dt.date, dt.date]:
    return dt.date(start_year, 4, 1), dt.date(start_year + 1, 3, 31)


def default_population(period_start: dt.date) -> dict[str, int]:
    """The council's population reference for the year the period starts in (see reporting.population)."""
    return population.for_period(period_start)


@dataclass
class Results:
    period_start: dt.date
    period_end: dt.date
    figures: dict
    details: dict
    population: dict[str, int]
    computed_at: dt.datetime
    rows: int


def _from_projection(project_from: dt.date, period_end: dt.date, compute):
    """Project the record to CLD rows from `project_from`, load them into DuckDB and run `compute(con)`;
    returns (its result, the number of CLD rows)."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "cld.csv"
        n = projection.write_csv(projection.project(project_from, period_end), path)
        con = duckdb.connect()
        try:
            with scratch(con):
                load_cld_csv(con, [path])
                return compute(con), n
        finally:
            con.close()


def _cached(
    *, user: User, key: str, what: str, period_start: dt.date, period_end: dt.date, refresh: bool, compute
):
    """Results a returns page shows: for those allowed, from the cache unless asked to recalculate; audited."""
    if not can_see_returns(user):
        raise NotAllowed(
            "Only performance analysts, team managers and information governance can see the returns."
        )
    results = None if refresh else cache.get(key)
    if results is None:
        results = compute()
        cache.set(key, results, CACHE_SECONDS)
    audit.record(
        actor=user,
        action=AuditAction.VIEW,
        basis="Statutory returns",
        details={"what": what, "period": [str(period_start), str(period_end)]},
    )
    return results


def _compute(period_start: dt.date, period_end: dt.date, population: dict[str, int]) -> Results:
    def measures(con):
        figures = compute_measures(
            con, period_start=period_start, period_end=period_end, population=population
        )
        return figures, all_details(con)

    (figures, details), n = _from_projection(period_start, period_end, measures)
    return Results(period_start, period_end, figures, details, population, timezone.now(), n)


def ascof(*, user: User, period_start: dt.date, period_end: dt.date, refresh: bool = False) -> Results:
    population = default_population(period_start)
    key = "openasc-ascof-{}-{}-{}".format(
        period_start, period_end, "-".join(f"{k}={v}" for k, v in sorted(population.items()))
    )
    return _cached(
        user=user,
        key=key,
        what="ASCOF figures",
        period_start=period_start,
        period_end=period_end,
        refresh=refresh,
        compute=lambda: _compute(period_start, period_end, population),
    )


NOT_SHOWN = "Not shown: you cannot open this record"


@dataclass
class DetailRow:
    person_id: (
        str  # the CLD person id (an NHS number where the record has one): never shown unless nhs_number is
    )
    person: Person | None
    can_open: bool
    age_band: str
    in_numerator: bool
    in_denominator: bool
    rule: str
    la_person_id: str = ""
    name: str = ""  # only for people the user may open
    nhs_number: str = ""  # only for roles that see NHS numbers in returns (access.returns_show_nhs_numbers)


def _identity(cld_id: str, person: Person | None, visible: set[int], show_nhs: bool) -> dict:
    """What a row may show of the person: LA id always, name if they may open them, NHS number if the role needs it."""
    can_open = person is not None and person.pk in visible
    if person is not None:
        la_id, nhs = person.la_person_id, person.nhs_number or ""
    else:  # counted in the CLD but not (or no longer) on the record: an NHS number, "<LA code>_<LA id>" or an LA id
        nhs = cld_id if cld_id.isdigit() and len(cld_id) == 10 else ""
        la_id = "" if nhs else (cld_id.split("_", 1)[1] if "_" in cld_id else cld_id)
    return {
        "can_open": can_open,
        "la_person_id": la_id,
        "name": f"{person.first_name} {person.last_name}".strip() if can_open else "",
        "nhs_number": nhs if show_nhs else "",
    }


def _audit_people(
    user: User, people: list[Person | None], *, what: str, cell: dict, fmt: str, results
) -> None:
    """One audit event per person shown ("view") or downloaded ("export"), in each person's access log; rows not
    matched to a record are counted on one further event."""
    action = AuditAction.EXPORT if fmt else AuditAction.VIEW
    details = {
        "what": what,
        **cell,
        "format": fmt or "page",
        "period": [str(results.period_start), str(results.period_end)],
    }
    unique = list({p.pk: p for p in people if p is not None}.values())
    _audit_each(user, action, unique, unmatched=sum(1 for p in people if p is None), details=details)


def _audit_each(user: User, action: str, people: list[Person], *, unmatched: int, details: dict) -> None:
    """One event per person, and one further event counting the rows not matched to a record (core.audit.disclosed)."""
    audit.disclosed(
        actor=user,
        action=action,
        people=people,
        basis="Statutory returns",
        details=details,
        unmatched=unmatched,
    )


def detail(
    *,
    user: User,
    results: Results,
    measure: str,
    age_group: str = "Total",
    part: str = "denominator",
    gender: str = "",
    fmt: str = "",
) -> list[DetailRow]:
    """The people or episodes behind one figure, with the rule that placed each one; audited per person (`fmt`
    "csv" or "xlsx" for a download, else a page view)."""
    if measure not in MEASURE_KEYS:
        raise ValueError(f"Unknown measure {measure!r}")
    rows = results.details.get(measure, [])
    flag = "in_numerator" if part == "numerator" else "in_denominator"
    if measure in ("2B", "2C"):
        flag = "in_numerator"  # the denominator is the ONS population
    chosen = [
        r
        for r in rows
        if r.get(flag)
        and (age_group in ("Total", "") or r.get("age_band") == age_group)
        and (not gender or gender == "Total" or r.get("gender") == gender)
    ]
    people, visible, show_nhs = selectors.people_behind_figure(
        user=user, cld_ids={r["person_id"] for r in chosen}
    )
    out = [
        DetailRow(
            person_id=r["person_id"],
            person=people.get(r["person_id"]),
            age_band=r.get("age_band") or "Unknown",
            in_numerator=bool(r.get("in_numerator")),
            in_denominator=bool(r.get("in_denominator")),
            rule=r.get("rule", ""),
            **_identity(r["person_id"], people.get(r["person_id"]), visible, show_nhs),
        )
        for r in chosen
    ]
    _audit_people(
        user,
        [r.person for r in out],
        what=f"people behind ASCOF {measure} {age_group} {part}",
        cell={"measure": measure, "age_group": age_group, "part": part, "gender": gender},
        fmt=fmt,
        results=results,
    )
    return out


# ---------------------------------------------------------------------------------------------------------------
# SALT-style tables (engine/salt.py), same roles, cache and audit as ASCOF
# ---------------------------------------------------------------------------------------------------------------


@dataclass
class SaltResults:
    period_start: dt.date
    period_end: dt.date
    tables: dict  # table id -> engine.salt.Table
    computed_at: dt.datetime
    rows: int


def _compute_salt(period_start: dt.date, period_end: dt.date) -> SaltResults:
    from openasc.reporting.engine.salt import LOOKBACK_DAYS, salt_tables

    tables, n = _from_projection(
        period_start - dt.timedelta(days=LOOKBACK_DAYS),
        period_end,
        lambda con: salt_tables(con, period_start, period_end),
    )
    return SaltResults(period_start, period_end, tables, timezone.now(), n)


def salt(*, user: User, period_start: dt.date, period_end: dt.date, refresh: bool = False) -> SaltResults:
    return _cached(
        user=user,
        key=f"openasc-salt-{period_start}-{period_end}",
        what="SALT tables",
        period_start=period_start,
        period_end=period_end,
        refresh=refresh,
        compute=lambda: _compute_salt(period_start, period_end),
    )


@dataclass
class SaltDetailRow:
    person_id: str  # the CLD person id: see DetailRow
    person: Person | None
    can_open: bool
    unit: str
    group: str
    row: str
    column: str
    rule: str
    la_person_id: str = ""
    name: str = ""
    nhs_number: str = ""


def salt_detail(
    *,
    user: User,
    results: SaltResults,
    table: str,
    group: str = "",
    row: str = "Total",
    column: str = "Total",
    fmt: str = "",
) -> list[SaltDetailRow]:
    """The people, requests, episodes or reviews behind one SALT cell, with the rule that placed each one; audited
    per person as `detail`."""
    if table not in results.tables:
        raise ValueError(f"Unknown table {table!r}")
    chosen = results.tables[table].cell_details(group, row, column)
    people, visible, show_nhs = selectors.people_behind_figure(
        user=user, cld_ids={d["person_id"] for d in chosen}
    )
    out = [
        SaltDetailRow(
            person_id=d["person_id"],
            person=people.get(d["person_id"]),
            unit=d["unit"],
            group=d["group"],
            row=d["row"],
            column=d["column"],
            rule=d["rule"],
            **_identity(d["person_id"], people.get(d["person_id"]), visible, show_nhs),
        )
        for d in chosen
    ]
    _audit_people(
        user,
        [r.person for r in out],
        what=f"people behind SALT {table} {group} {row} {column}".replace("  ", " "),
        cell={"table": table, "group": group, "row": row, "column": column},
        fmt=fmt,
        results=results,
    )
    return out


def audit_detail_files(
    *,
    user: User,
    la_person_ids: set[str],
    command: str,
    files: list[str],
    with_nhs: bool,
    period: tuple[dt.date, dt.date],
) -> int:
    """The people in the detail files `openasc measures/salt --detail` wrote from the record: one export event per
    person, against the account the command ran as (--as-user), so each appears in that person's access log; rows
    not matched to a record (people since removed) are counted on one further event. Returns the people audited."""
    people = selectors.people_with_la_ids(user=user, la_person_ids=la_person_ids)
    details = {
        "what": f"openasc {command} --detail",
        "files": sorted(files),
        "with_nhs_numbers": with_nhs,
        "period": [period[0].isoformat(), period[1].isoformat()],
    }
    _audit_each(user, AuditAction.EXPORT, people, unmatched=len(la_person_ids) - len(people), details=details)
    return len(people)
