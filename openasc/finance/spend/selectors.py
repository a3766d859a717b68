"""Reads for the spend report: the year's figures (cached a few minutes, the figures name nobody) and the services
behind a figure with the minimum identity needed to pay for care (LA person id, name, service, provider, dates,
spend). Whoever shows those rows audits each person named (`spend.views`)."""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass

from django.core.cache import cache
from django.db.models import Max, Q
from django.utils import timezone

from openasc.core import access
from openasc.finance import categories
from openasc.finance.costing import CostedService
from openasc.finance.models import CareCategory, FinancialYear
from openasc.finance.selectors import budgets
from openasc.finance.selectors.costed import costed_services
from openasc.finance.spend import calc
from openasc.people.models import Person
from openasc.services.models import Service, ServiceCost

CACHE_SECONDS = 300
PAGE_SIZE = 25
TO_DATE = "to-date"
WHOLE_YEAR = "year"
MODES = {TO_DATE: "Spend to date", WHOLE_YEAR: "The whole year, with commitments to 31 March"}


class NotAllowed(PermissionError):
    pass


def can_see(user) -> bool:
    return access.has(user, access.Capability.SEE_SPEND)


def years() -> list[FinancialYear]:
    return list(FinancialYear.objects.order_by("-starts_on"))


def year_get(label: str | None, today: dt.date) -> FinancialYear:
    """The year asked for, or the one `today` falls in (or the latest seeded)."""
    found = (budgets.year_get(label) if label else None) or budgets.year_of(today)
    if found is None:
        found = FinancialYear.objects.order_by("-starts_on").first()
    if found is None:
        raise FinancialYear.DoesNotExist("No financial years are set up")
    return found


def window(year: FinancialYear, mode: str, today: dt.date) -> tuple[dt.date, dt.date]:
    """To date: from 1 April to today (the whole year once it has ended); the whole year: to 31 March."""
    if mode == WHOLE_YEAR:
        return year.starts_on, year.ends_on
    return year.starts_on, max(min(today, year.ends_on), year.starts_on - dt.timedelta(days=1))


def costed_in_window(first: dt.date, last: dt.date, *, extra: Q | None = None) -> list[CostedService]:
    """Services running on any day from `first` to `last`, each with only the cost versions in force then."""
    return costed_services(first=first, last=last, extra=extra, window_only=True)


def _version() -> str:
    s = Service.objects.aggregate(v=Max("pk"))["v"] or 0
    c = ServiceCost.objects.aggregate(v=Max("pk"))["v"] or 0
    return f"{s}-{c}"


def compute(first: dt.date, last: dt.date, year_end: dt.date) -> calc.Spend:
    cats = list(CareCategory.objects.all())
    if last < first:
        result = calc.aggregate([], first=first, last=last, year_end=year_end, categories=[])
    else:
        result = calc.aggregate(
            costed_in_window(first, last),
            first=first,
            last=last,
            year_end=year_end,
            categories=categories.rules(cats),
            category_order=[c.name for c in cats] + [calc.NO_CATEGORY],
        )
    result.computed_at = timezone.now()
    return result


def _key(year: FinancialYear, first: dt.date, last: dt.date) -> str:
    return f"openasc-spend-{year.label}-{first}-{last}-{_version()}"


def spend_for(
    user, year: FinancialYear, mode: str, *, today: dt.date, refresh: bool = False, full: bool = False
) -> calc.Spend:
    """The year's spend for someone with Capability.SEE_SPEND (others: NotAllowed), from a cache of a few minutes
    keyed by what it was counted from. `full` keeps the services behind each figure."""
    if not can_see(user):
        raise NotAllowed("Only finance officers and performance analysts can see the spend report.")
    first, last = window(year, mode, today)
    key = _key(year, first, last)
    found = None if refresh else cache.get(key + ("-full" if full else ""))
    if found is None:
        found = compute(first, last, year.ends_on)
        cache.set(key + "-full", found, CACHE_SECONDS)
        cache.set(key, found.slim(), CACHE_SECONDS)
        if not full:
            found = found.slim()
    return found


def behind_for(
    user, year: FinancialYear, mode: str, dimension: str, label: str, *, today: dt.date
) -> tuple[calc.Spend, calc.Row | None, list[tuple[int, int, int]]]:
    """The figure and the services behind it (the biggest spend first), each figure's list cached on its own so that
        paging through one does not take the whole council's services from the cache each time. The services come as
    (service id, person id, spend) tuples: `as_spends` for the ones shown."""
    slim = spend_for(user, year, mode, today=today)
    row = slim.row(dimension, label)
    if row is None:
        return slim, None, []
    first, last = window(year, mode, today)
    figure = hashlib.sha256(f"{dimension}\n{label}".encode()).hexdigest()[:24]
    key = f"{_key(year, first, last)}-behind-{figure}"
    items = cache.get(key)
    if items is None:
        full = spend_for(user, year, mode, today=today, full=True)
        items = [(s.service_id, s.person_id, s.spend_pence) for s in full.behind(dimension, label)]
        cache.set(key, items, CACHE_SECONDS)
    return slim, row, items


def as_spends(items) -> list[calc.ServiceSpend]:
    return [calc.ServiceSpend(sid, pid, pence, {}) for sid, pid, pence in items]


@dataclass
class ServiceRow:
    service_id: int
    person_id: int
    la_person_id: str
    name: str
    service_type: str
    service_component: str
    provider: str
    start_on: dt.date
    end_on: dt.date | None
    spend_pence: int


def service_rows(user, items: list[calc.ServiceSpend]) -> tuple[list[ServiceRow], list[Person]]:
    """The services and people for rows of the services behind a figure, and the people to audit. The LA person id
    is always shown (as in the statutory returns); the name only to finance, who pay for the care (SEE_ALL_BUDGETS),
    and to anyone else for the people whose record they may open."""
    ids = [s.service_id for s in items]
    found = {}
    for i in range(0, len(ids), 900):
        for r in Service.objects.filter(pk__in=ids[i : i + 900]).values(
            "pk",
            "person_id",
            "person__la_person_id",
            "person__first_name",
            "person__last_name",
            "service_type",
            "service_component",
            "provider_location__provider__name",
            "provider_location__name",
            "start_on",
            "end_on",
        ):
            found[r["pk"]] = r
    named = access.has(user, access.Capability.SEE_ALL_BUDGETS)
    openable: set[int] = set()
    if not named:
        people_ids = sorted({r["person_id"] for r in found.values()})
        for i in range(0, len(people_ids), 900):
            openable.update(
                access.people_visible_to(
                    user, Person.objects.filter(pk__in=people_ids[i : i + 900])
                ).values_list("pk", flat=True)
            )
    rows = []
    for s in items:
        r = found.get(s.service_id)
        if r is None:
            continue
        provider = r["provider_location__provider__name"] or ""
        if provider and r["provider_location__name"]:
            provider = f"{provider} ({r['provider_location__name']})"
        rows.append(
            ServiceRow(
                service_id=s.service_id,
                person_id=r["person_id"],
                la_person_id=r["person__la_person_id"],
                name=f"{r['person__first_name']} {r['person__last_name']}".strip()
                if named or r["person_id"] in openable
                else "",
                service_type=r["service_type"],
                service_component=r["service_component"],
                provider=provider,
                start_on=r["start_on"],
                end_on=r["end_on"],
                spend_pence=s.spend_pence,
            )
        )
    person_ids = sorted({r.person_id for r in rows})
    people = []
    for i in range(0, len(person_ids), 900):
        people.extend(Person.objects.filter(pk__in=person_ids[i : i + 900]).only("id"))
    return rows, people
