"""Reads for rate uplifts: the uplifts themselves (no personal data), the services in an uplift's scope as
`CostedService` (no names), and the provider names for the preview's table. The preview names nobody; nothing here is
disclosed to a page without the caller auditing it."""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass

from django.core.cache import cache
from django.core.paginator import Page, Paginator
from django.db.models import Max, Q

from openasc.finance import categories
from openasc.finance.models import CareCategory, RateUplift, RateUpliftLine, UpliftStatus
from openasc.finance.uplifts import calc
from openasc.providers.models import Provider
from openasc.services.models import Service, ServiceCost

PAGE_SIZE = 25
CACHE_SECONDS = 300


def year_end(day: dt.date) -> dt.date:
    """The last day (31 March) of the financial year `day` falls in."""
    return dt.date(day.year + 1 if day.month >= 4 else day.year, 3, 31)


def uplift_get(uplift_id: int) -> RateUplift:
    return RateUplift.objects.select_related("provider", "care_category", "created_by", "applied_by").get(
        pk=uplift_id
    )


def uplifts_list() -> list[RateUplift]:
    return list(
        RateUplift.objects.select_related("provider", "care_category").order_by("-effective_from", "-pk")
    )


def scope_of(uplift: RateUplift) -> calc.Scope:
    return calc.Scope(
        provider_id=uplift.provider_id,
        service_type=uplift.service_type,
        care_category_id=uplift.care_category_id,
        age_under=uplift.age_under,
        age_from=uplift.age_from,
    )


def method_of(uplift: RateUplift) -> calc.Method:
    return calc.Method(
        kind=uplift.method,
        percent=uplift.percent,
        benchmark_unit_cost_pence=uplift.benchmark_unit_cost_pence,
        skip_uplifted_within_days=uplift.skip_uplifted_within_days or 0,
    )


def services_in_reach(uplift: RateUplift) -> list:
    """The services running on the effective date, narrowed in the database by provider and service type (the rest
    of the scope is decided by calc, on the same rows)."""
    from openasc.finance.spend.selectors import costed_in_window

    extra = Q(start_on__lte=uplift.effective_from)
    if uplift.service_type:
        extra &= Q(service_type__iexact=uplift.service_type)
    if uplift.provider_id:
        extra &= Q(provider_location__provider_id=uplift.provider_id)
    # the versions in force from the date on are all the preview needs (the year after it included)
    return costed_in_window(uplift.effective_from, year_end(uplift.effective_from), extra=extra)


def compute(uplift: RateUplift) -> calc.Preview:
    """The uplift's effect now, from the record (no cache): what `uplift_apply` writes."""
    return calc.preview(
        services_in_reach(uplift),
        scope=scope_of(uplift),
        method=method_of(uplift),
        effective_from=uplift.effective_from,
        year_last=year_end(uplift.effective_from),
        categories=categories.rules(CareCategory.objects.all()),
    )


def _version() -> str:
    """The newest service and cost row: a preview cached before a service or cost was added is never shown after."""
    s = Service.objects.aggregate(v=Max("pk"))["v"] or 0
    c = ServiceCost.objects.aggregate(v=Max("pk"))["v"] or 0
    return f"{s}-{c}"


@dataclass
class Summary:
    """What the preview page shows of a preview (its totals, the table by provider, why services were left alone),
    cheap to keep in the cache and to take from it; the services themselves are cached apart (`Cached.items`)."""

    year_last: dt.date
    services: int
    people: int
    providers: int
    weekly_change_pence: int
    annual_change_pence: int
    in_year_before_pence: int
    in_year_after_pence: int
    in_year_change_pence: int
    skipped: int
    skip_reasons: list[tuple[str, int]]
    by_provider: list[calc.ProviderRow]


def summary_of(preview: calc.Preview) -> Summary:
    return Summary(
        preview.year_last,
        preview.services,
        preview.people,
        preview.providers,
        preview.weekly_change_pence,
        preview.annual_change_pence,
        preview.in_year_before_pence,
        preview.in_year_after_pence,
        preview.in_year_change_pence,
        len(preview.skipped),
        preview.skip_reasons(),
        preview.by_provider(),
    )


def _preview_key(uplift: RateUplift) -> str:
    fields = (
        uplift.effective_from,
        uplift.method,
        uplift.percent,
        uplift.benchmark_unit_cost_pence,
        uplift.skip_uplifted_within_days,
        uplift.provider_id,
        uplift.service_type,
        uplift.care_category_id,
        uplift.age_under,
        uplift.age_from,
    )
    digest = hashlib.sha256("|".join(map(str, fields)).encode()).hexdigest()[:24]
    return f"openasc-uplift-{uplift.pk}-{digest}-{_version()}"


def preview_for(uplift: RateUplift, *, refresh: bool = False) -> Summary:
    """The preview's summary for the page, cached a few minutes (the uplift's own fields are in the key, so editing
    it, or any new service or cost, shows a fresh one)."""
    key = _preview_key(uplift)
    found = None if refresh else cache.get(key)
    if found is None:
        found = _cache_preview(uplift, key)[0]
    return found


def preview_items(uplift: RateUplift) -> list[tuple]:
    """The services the draft changes as `changed_items` tuples, from the cache made with its summary."""
    key = _preview_key(uplift)
    found = cache.get(key + "-items")
    if found is None:
        found = _cache_preview(uplift, key)[1]
    return found


def _cache_preview(uplift: RateUplift, key: str) -> tuple[Summary, list[tuple]]:
    preview = compute(uplift)
    summary = summary_of(preview)
    items = [
        (
            x.service_id,
            x.provider_id,
            x.old_unit_cost_pence,
            x.new_unit_cost_pence,
            x.cost_frequency,
            x.weekly_change_pence,
        )
        for x in preview.lines
    ]
    cache.set(key, summary, CACHE_SECONDS)
    cache.set(key + "-items", items, CACHE_SECONDS)
    return summary, items


def provider_names(ids) -> dict[int, str]:
    wanted = [i for i in set(ids) if i is not None]
    return dict(Provider.objects.filter(pk__in=wanted).values_list("pk", "name")) if wanted else {}


def providers_page(rows: list[calc.ProviderRow], page: int | str | None) -> Page:
    return Paginator(rows, PAGE_SIZE).get_page(page)


def provider_choices() -> list[tuple[int, str]]:
    return list(Provider.objects.order_by("name").values_list("pk", "name"))


def category_choices() -> list[tuple[int, str]]:
    return list(CareCategory.objects.filter(active=True).order_by("order", "code").values_list("pk", "name"))


def applied_by_provider(uplift: RateUplift) -> list[calc.ProviderRow]:
    """An applied uplift's lines by provider (what it wrote), the biggest cost a year first."""
    from django.db.models import Count, Sum

    from openasc.core.money import annual_from_weekly

    rows = (
        RateUpliftLine.objects.filter(uplift=uplift)
        .values("service__provider_location__provider_id")
        .annotate(
            people=Count("service__person_id", distinct=True),
            services=Count("pk"),
            weekly=Sum("weekly_change_pence"),
        )
    )
    out = [
        calc.ProviderRow(
            r["service__provider_location__provider_id"],
            r["people"],
            r["services"],
            r["weekly"] or 0,
            annual_from_weekly(r["weekly"] or 0),
            0,
        )
        for r in rows
    ]
    out.sort(key=lambda r: (r.provider_id is None, -r.annual_change_pence, r.provider_id or 0))
    return out


@dataclass
class ChangedRow:
    """One service an uplift changes (or changed), with the minimum identity needed to pay for the care."""

    service_id: int
    person_id: int
    la_person_id: str
    name: str
    service: str
    provider: str
    old_unit_cost_pence: int
    new_unit_cost_pence: int
    cost_frequency: str
    weekly_change_pence: int


def changed_items(uplift: RateUplift, provider: str | None) -> list[tuple]:
    """(service id, provider id, old unit, new unit, frequency, weekly change) for the services a draft changes (from
    its cached preview) or an applied uplift changed (its lines), at one provider when `provider` is given ("none":
    those without one), the biggest weekly change first."""
    if uplift.status == UpliftStatus.DRAFT:
        items = list(preview_items(uplift))
    else:
        items = list(
            RateUpliftLine.objects.filter(uplift=uplift).values_list(
                "service_id",
                "service__provider_location__provider_id",
                "old_unit_cost_pence",
                "new_unit_cost_pence",
                "new_cost__cost_frequency",
                "weekly_change_pence",
            )
        )
    if provider == "none":
        items = [i for i in items if i[1] is None]
    elif provider:
        items = [i for i in items if str(i[1]) == provider]
    items.sort(key=lambda i: (-i[5], i[0]))
    return items


def changed_rows(items: list[tuple]) -> tuple[list[ChangedRow], list]:
    """The rows for a page of `changed_items`, and the people on it (for the caller to audit)."""
    from openasc.people.models import Person

    ids = [i[0] for i in items]
    found = {
        r["pk"]: r
        for r in Service.objects.filter(pk__in=ids).values(
            "pk",
            "person_id",
            "person__la_person_id",
            "person__first_name",
            "person__last_name",
            "service_type",
            "service_component",
            "provider_location__provider__name",
        )
    }
    rows = []
    for sid, _pid, old, new, freq, weekly in items:
        r = found.get(sid)
        if r is None:
            continue
        service = r["service_type"] + (f": {r['service_component']}" if r["service_component"] else "")
        rows.append(
            ChangedRow(
                service_id=sid,
                person_id=r["person_id"],
                la_person_id=r["person__la_person_id"],
                name=f"{r['person__first_name']} {r['person__last_name']}".strip(),
                service=service,
                provider=r["provider_location__provider__name"] or "",
                old_unit_cost_pence=old,
                new_unit_cost_pence=new,
                cost_frequency=freq,
                weekly_change_pence=weekly,
            )
        )
    people = list(Person.objects.filter(pk__in={r.person_id for r in rows}).only("id").order_by("pk"))
    return rows, people
