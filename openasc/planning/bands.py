"""The resource allocation table: assessed need points to an indicative weekly personal budget.

The bands are configurable reference data (reference/resource_allocation_bands.csv, see reference/README.md); the
shipped values are illustrative defaults a council replaces with its own.
"""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Iterable
from pathlib import Path

from django.db import transaction

BANDS_FILE = Path(__file__).parent / "reference" / "resource_allocation_bands.csv"
POINTS_PER_UNMET_OUTCOME = 10
POINTS_PER_LIMB = 5


def need_points(unmet: Iterable[tuple[str, Iterable[str]]]) -> int:
    """10 points per unmet outcome plus 5 per limb (a-d) recorded against it: simple, documented, replaceable."""
    total = 0
    for _code, limbs in unmet:
        total += POINTS_PER_UNMET_OUTCOME + POINTS_PER_LIMB * len(set(limbs or ()))
    return total


def read_rows(path: Path = BANDS_FILE) -> list[dict]:
    with path.open(newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    return [
        {
            "setting": r["setting"].strip(),
            "min_points": int(r["min_points"]),
            "max_points": int(r["max_points"]),
            "weekly_pence": int(r["weekly_pence"]),
            "valid_from": dt.date.fromisoformat(r["valid_from"].strip()),
            "valid_to": dt.date.fromisoformat(r["valid_to"].strip())
            if (r.get("valid_to") or "").strip()
            else None,
        }
        for r in rows
    ]


def load_bands(model=None, path: Path = BANDS_FILE) -> int:
    """Replace the table with the file's rows (also used by the data migration with the historical model)."""
    if model is None:
        from openasc.planning.models import ResourceAllocationBand as model
    rows = read_rows(path)
    with transaction.atomic():
        model.objects.all().delete()
        model.objects.bulk_create([model(**r) for r in rows])
    return len(rows)


def indicative_weekly_pence(
    points: int, *, on: dt.date | None = None, setting: str = "community"
) -> int | None:
    """The weekly amount of the band holding `points` on the date, or None if the table has no such band."""
    from django.db.models import Q

    from openasc.planning.models import ResourceAllocationBand

    on = on or dt.date.today()
    band = (
        ResourceAllocationBand.objects.filter(
            setting=setting, min_points__lte=points, max_points__gte=points, valid_from__lte=on
        )
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=on))
        .order_by("-valid_from")
        .first()
    )
    return band.weekly_pence if band else None
