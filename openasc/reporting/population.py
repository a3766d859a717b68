"""The council's population reference for ASCOF 2B and 2C: read it, load the defaults, change a year's figures."""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

from django.db import transaction
from django.utils import timezone

from openasc.core import access, audit
from openasc.core.errors import ValidationFailed
from openasc.core.models import AuditAction, User

POPULATION_FILE = Path(__file__).parent / "reference" / "ons_population.csv"
AGE_BANDS = ("18-64", "65+")
MAX_POPULATION = 20_000_000  # more adults than any English council area has: a typing slip


def can_change(user: User) -> bool:
    return access.has(user, access.Capability.SET_POPULATION)


def file_rows(path: Path = POPULATION_FILE) -> list[dict]:
    with path.open(newline="", encoding="utf-8") as f:
        return [
            {
                "year": int(r["year"]),
                "age_band": r["age_band"].strip(),
                "population": int(r["population"]),
                "source": (r.get("note") or "").strip()[:300],
            }
            for r in csv.DictReader(f)
        ]


def load_defaults(model=None, path: Path = POPULATION_FILE) -> int:
    """Add the shipped defaults for years the council has not set (also used by the data migration)."""
    if model is None:
        from openasc.reporting.models import PopulationEstimate as model
    have = set(model.objects.values_list("year", "age_band"))
    new = [model(**r) for r in file_rows(path) if (r["year"], r["age_band"]) not in have]
    model.objects.bulk_create(new)
    return len(new)


def for_period(period_start: dt.date) -> dict[str, int]:
    """The figures for the year the period starts in; before the first year the first, after the last the last."""
    from openasc.reporting.models import PopulationEstimate

    rows = list(PopulationEstimate.objects.values_list("year", "age_band", "population"))
    if not rows:  # an emptied table: the shipped defaults rather than no denominator at all
        rows = [(r["year"], r["age_band"], r["population"]) for r in file_rows()]
    years = sorted({y for y, _, _ in rows})
    year = max([y for y in years if y <= period_start.year] or years[:1])
    return {band: n for y, band, n in rows if y == year}


def table() -> list[dict]:
    """Each year with its two figures, newest first."""
    from openasc.reporting.models import PopulationEstimate

    years: dict[int, dict] = {}
    for e in PopulationEstimate.objects.select_related("changed_by").order_by("-year", "age_band"):
        row = years.setdefault(
            e.year, {"year": e.year, "source": e.source, "changed_by": None, "changed_at": None}
        )
        row[e.age_band] = e.population
        if e.changed_at and (row["changed_at"] is None or e.changed_at > row["changed_at"]):
            row["changed_at"], row["changed_by"] = e.changed_at, e.changed_by
    return list(years.values())


@transaction.atomic
def population_set(*, actor: User, year: int | str | None, figures: dict[str, object], source: str):
    """Set one year's figures (both age bands together); the change is audited with the figures before it."""
    from openasc.reporting.models import PopulationEstimate

    if not can_change(actor):
        raise PermissionError(
            "Only performance analysts and administrators can change the population figures."
        )
    errors: dict[str, str] = {}
    raw_year = str(year if year is not None else "").strip()
    year = int(raw_year) if raw_year.isdigit() else None
    if not raw_year:
        errors["year"] = "Enter the year the figures are for, for example 2025"
    elif year is None:
        errors["year"] = "Enter the year as four digits, for example 2025"
    elif not 2000 <= year <= timezone.localdate().year + 1:
        errors["year"] = f"Enter a year from 2000 to {timezone.localdate().year + 1}"
    values: dict[str, int] = {}
    for band in AGE_BANDS:
        field = "population_" + band.replace("-", "_").replace("+", "_plus")
        raw = str(figures.get(band) if figures.get(band) is not None else "").replace(",", "").strip()
        if not raw:
            errors[field] = f"Enter the population aged {band.replace('-', ' to ').replace('+', ' and over')}"
        elif not raw.isdigit() or int(raw) == 0:
            errors[field] = "Enter a whole number of people, like 482000"
        elif int(raw) > MAX_POPULATION:
            errors[field] = f"Enter a number no bigger than {MAX_POPULATION:,}"
        else:
            values[band] = int(raw)
    source = (source or "").strip()
    if not source:
        errors["source"] = "Say where the figures come from, for example 'ONS mid-2024 population estimates'"
    elif len(source) > 300:
        errors["source"] = "The source must be 300 characters or fewer"
    if errors:
        raise ValidationFailed(errors)
    now = timezone.now()
    saved = []
    for band, n in values.items():
        before = PopulationEstimate.objects.filter(year=year, age_band=band).values_list(
            "population", flat=True
        )
        before = before.first()
        estimate, _ = PopulationEstimate.objects.update_or_create(
            year=year,
            age_band=band,
            defaults={"population": n, "source": source, "changed_by": actor, "changed_at": now},
        )
        audit.record(
            actor=actor,
            action=AuditAction.UPDATE if before is not None else AuditAction.CREATE,
            obj=estimate,
            basis="Statutory returns reference data",
            details={"year": year, "age_band": band, "population": n, "previous": before, "source": source},
        )
        saved.append(estimate)
    return saved
