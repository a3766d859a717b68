"""Load services with their cost versions, in two queries, as `finance.costing.CostedService` (no names).

This is a bulk read for figures; it discloses nothing. Whoever shows people from it (the services behind a figure)
audits each person it names."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable

from django.db.models import OuterRef, Q, Subquery

from openasc.finance.costing import CostedService, version
from openasc.services.models import Service, ServiceCost

_FIELDS = (
    "pk",
    "person_id",
    "service_type",
    "service_component",
    "delivery_mechanism",
    "start_on",
    "end_on",
    "provider_location_id",
    "provider_location__provider_id",
    "plan_id",
    "person__primary_support_reason",
    "person__date_of_birth",
)
_COST_FIELDS = ("service_id", "effective_from", "unit_cost_pence", "cost_frequency", "planned_units_per_week")
_CHUNK = 900  # below SQLite's limit on parameters


def costed_services(
    *,
    first: dt.date | None = None,
    last: dt.date | None = None,
    ids: Iterable[int] | None = None,
    provider_ids: Iterable[int] | None = None,
    extra: Q | None = None,
    window_only: bool = False,
) -> list[CostedService]:
    """Services running on any day from `first` to `last` (either may be left open), optionally only `ids` or those at
    `provider_ids`' locations, with every cost version, ordered by id.

    `window_only` (with both dates, for the whole council): only the cost versions in force in the window (the one in
    force on `first`, and those from after it to `last`), without the years of older versions (a quarter of the rows
    at 200,000 people). `costing.cost_between` and `weekly_on` over any days in the window are the same either way
    (tests/test_spend_selectors.py)."""
    if window_only:
        if first is None or last is None or ids is not None or provider_ids is not None:
            raise ValueError("window_only needs both dates, for the whole council")
        return _in_window(first, last, extra)
    query = Q()
    if last is not None:
        query &= Q(start_on__lte=last)
    if first is not None:
        query &= Q(end_on__isnull=True) | Q(end_on__gte=first)
    if provider_ids is not None:
        query &= Q(provider_location__provider_id__in=list(provider_ids))
    if extra is not None:
        query &= extra
    rows = Service.objects.filter(query)
    if ids is not None:
        wanted = sorted(set(ids))
        found = []
        for i in range(0, len(wanted), _CHUNK):
            found.extend(rows.filter(pk__in=wanted[i : i + _CHUNK]).values_list(*_FIELDS))
        raw = found
    else:
        raw = list(rows.values_list(*_FIELDS))
    raw.sort(key=lambda r: r[0])
    versions = _versions(
        [r[0] for r in raw], all_of=ids is None and provider_ids is None and extra is None, q=query
    )
    return [_costed(r, versions) for r in raw]


def _in_window(first: dt.date, last: dt.date, extra: Q | None) -> list[CostedService]:
    running = Q(start_on__lte=last) & (Q(end_on__isnull=True) | Q(end_on__gte=first))
    if extra is not None:
        running &= extra
    raw = sorted(Service.objects.filter(running).values_list(*_FIELDS), key=lambda r: r[0])
    in_force = (
        ServiceCost.objects.filter(service_id=OuterRef("service_id"), effective_from__lte=first)
        .order_by("-effective_from")
        .values("effective_from")[:1]
    )
    rows = ServiceCost.objects.filter(service__in=Service.objects.filter(running).values("pk")).filter(
        Q(effective_from__gt=first, effective_from__lte=last) | Q(effective_from=Subquery(in_force))
    )
    versions: dict[int, list] = defaultdict(list)
    for sid, eff, unit, freq, units in rows.values_list(*_COST_FIELDS):
        versions[sid].append(version(eff, unit, freq, units))
    return [_costed(r, versions) for r in raw]


def _costed(r, versions) -> CostedService:
    return CostedService(
        id=r[0],
        person_id=r[1],
        service_type=r[2],
        service_component=r[3],
        delivery_mechanism=r[4],
        start_on=r[5],
        end_on=r[6],
        provider_location_id=r[7],
        provider_id=r[8],
        plan_id=r[9],
        support_reason=r[10] or "",
        date_of_birth=r[11],
        versions=tuple(versions.get(r[0], ())),
    )


def _versions(service_ids: list[int], *, all_of: bool, q: Q) -> dict[int, list]:
    out: dict[int, list] = defaultdict(list)
    fields = _COST_FIELDS
    if all_of:
        # one query joined to the same filter, rather than thousands of ids
        rows = ServiceCost.objects.filter(service__in=Service.objects.filter(q).values("pk")).values_list(
            *fields
        )
    else:
        rows = []
        for i in range(0, len(service_ids), _CHUNK):
            rows.extend(
                ServiceCost.objects.filter(service_id__in=service_ids[i : i + _CHUNK]).values_list(*fields)
            )
    for sid, eff, unit, freq, units in rows:
        out[sid].append(version(eff, unit, freq, units))
    return out
