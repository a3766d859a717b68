"""Reference codes (CLD defined lists and local lists), loaded from versioned files."""

from __future__ import annotations

import csv
from pathlib import Path

from django.db import transaction

from openasc.core.models import ReferenceCode

REFERENCE_FILE = Path(__file__).parent / "reference" / "codes.csv"
REFERENCE_VERSION = "cld-r2-2025-05+openasc-1"

# The release a list is taken from when the product stores a value.
CURRENT_RELEASE = "R2"


class ListName:
    GENDER = "Gender"
    ETHNICITY = "Ethnicity"
    PRIMARY_SUPPORT_REASON = "Primary Support Reason"
    ACCOMMODATION_STATUS = "Accommodation Status"
    EMPLOYMENT_STATUS = "Employment Status"
    CLIENT_TYPE = "Client Type"
    CLIENT_FUNDING_STATUS = "Client Funding Status"
    HAS_UNPAID_CARER = "Has Unpaid Carer"
    EVENT_OUTCOME = "Event Outcome"
    ROUTE_OF_ACCESS = "Request: Route of Access"
    ASSESSMENT_TYPE = "Assessment Type"
    METHOD_OF_ASSESSMENT = "Method of Assessment"
    SERVICE_TYPE = "Service Type"
    SERVICE_COMPONENT = "Service Component"
    DELIVERY_MECHANISM = "Delivery Mechanism"
    COST_FREQUENCY = "Cost Frequency (Unit Type)"
    REVIEW_REASON = "Review Reason"
    METHOD_OF_REVIEW = "Method of Review"
    REVIEW_OUTCOMES_ACHIEVED = "Review Outcomes Achieved"
    TOTAL_HOURS_CARING = "Total Hrs Caring per week"


def load_reference_codes(path: Path = REFERENCE_FILE, version: str = REFERENCE_VERSION) -> int:
    """Create or update every code in the file; codes no longer listed are deactivated, never deleted."""
    with path.open(newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    seen = set()
    with transaction.atomic():
        for row in rows:
            for release in _releases(row["release"]):
                key = (row["list_name"], release, row["value"])
                seen.add(key)
                ReferenceCode.objects.update_or_create(
                    list_name=row["list_name"],
                    release=release,
                    value=row["value"],
                    defaults={
                        "order": int(row["order"]),
                        "source": row["source"],
                        "note": row["note"],
                        "is_confirmed": row["confirmed"] == "yes",
                        "version": version,
                        "active": True,
                    },
                )
        for code in ReferenceCode.objects.filter(active=True).exclude(release="local"):
            if (code.list_name, code.release, code.value) not in seen:
                code.active = False
                code.save(update_fields=["active"])
    clear_cache()
    return len(seen)


def bulk_load_rows(model, path: Path = REFERENCE_FILE, version: str = REFERENCE_VERSION) -> None:
    """Insert codes not yet present (for migrations, given the historical model)."""
    with path.open(newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    model.objects.bulk_create(
        [
            model(
                list_name=row["list_name"],
                release=release,
                value=row["value"],
                order=int(row["order"]),
                source=row["source"],
                note=row["note"],
                is_confirmed=row["confirmed"] == "yes",
                version=version,
            )
            for row in rows
            for release in _releases(row["release"])
        ],
        ignore_conflicts=True,
    )


def _releases(release: str) -> list[str]:
    return ["R1", "R2"] if release == "R1+R2" else [release]


_cache: dict[tuple[str, str], tuple[str, ...]] = {}


def values(list_name: str, release: str = CURRENT_RELEASE) -> tuple[str, ...]:
    """The active values of a list in its display order (local additions after national ones)."""
    key = (list_name, release)
    if key not in _cache:
        found = _query(list_name, release)
        if not found and not ReferenceCode.objects.exists():
            # An emptied table (a flushed test database, a restored backup without reference data)
            # is refilled from the versioned file rather than leaving every coded field unusable.
            load_reference_codes()
            found = _query(list_name, release)
        if not found:
            return ()
        _cache[key] = found
    return _cache[key]


def _query(list_name: str, release: str) -> tuple[str, ...]:
    return tuple(
        ReferenceCode.objects.filter(list_name=list_name, release__in=[release, "local"], active=True)
        .order_by("release", "order")
        .values_list("value", flat=True)
    )


def clear_cache() -> None:
    _cache.clear()


def choices(list_name: str, release: str = CURRENT_RELEASE) -> list[tuple[str, str]]:
    return [(v, v) for v in values(list_name, release)]


def is_valid(list_name: str, value: str, release: str = CURRENT_RELEASE) -> bool:
    return value in values(list_name, release)
