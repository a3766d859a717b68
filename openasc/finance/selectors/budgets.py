"""Reads for budgets and the forecast: the reference data (years, categories, cost centres, budgets), the teams that
work with each person, the forecast of a year (cached, keyed by what it was computed from), which cost centres a
user may see, and the services behind a figure (one audit event per person named).

Which team works with a person: the team of an active 'allocated team' relationship, and the teams of the user in an
active 'allocated worker' relationship (docs/finance.md). A cost centre with a team holds the services of the people
one of those teams works with."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections import defaultdict
from dataclasses import dataclass

from django.core.paginator import Page, Paginator
from django.db.models import Count, Max, Q, Sum
from django.utils import timezone

from openasc.core import access, audit
from openasc.core.access import Capability
from openasc.core.models import AuditAction, CareRelationship, RelationshipKind, Team, User
from openasc.finance import commitments
from openasc.finance.categories import centre_rules, rules
from openasc.finance.costing import CostedService, cost_between
from openasc.finance.models import Budget, CareCategory, CostCentre, FinancialYear, ForecastAdjustment
from openasc.finance.selectors.costed import costed_services
from openasc.people.models import Person
from openasc.services.models import Service, ServiceCost

CACHE_SECONDS = 15 * 60
_CHUNK = 900
PAGE_SIZE = 25
BASIS = "budget monitoring"


class NotAllowed(Exception):
    """The user may not see this (the caller shows the refusal page; the refusal is already audited)."""


# ---------------------------------------------------------------------------------------------------------------------
# Reference data


def years() -> list[FinancialYear]:
    return list(FinancialYear.objects.order_by("starts_on"))


def year_get(label: str) -> FinancialYear | None:
    return FinancialYear.objects.filter(label=label).first()


def year_of(day: dt.date) -> FinancialYear | None:
    return FinancialYear.objects.filter(starts_on__lte=day, ends_on__gte=day).first()


def categories(*, active_only: bool = False) -> list[CareCategory]:
    rows = CareCategory.objects.order_by("order", "code")
    return list(rows.filter(active=True) if active_only else rows)


def centres(*, active_only: bool = False) -> list[CostCentre]:
    rows = CostCentre.objects.select_related("care_category", "team", "holder").order_by("code")
    return list(rows.filter(active=True) if active_only else rows)


def centre_get(centre_id: int) -> CostCentre | None:
    return CostCentre.objects.select_related("care_category", "team", "holder").filter(pk=centre_id).first()


def budgets_for(year: FinancialYear) -> dict[int, Budget]:
    return {b.cost_centre_id: b for b in Budget.objects.filter(year=year).select_related("updated_by")}


def budget_get(year: FinancialYear, centre: CostCentre) -> Budget | None:
    return Budget.objects.filter(year=year, cost_centre=centre).first()


def teams() -> list[Team]:
    return list(Team.objects.filter(closed_at__isnull=True).order_by("name"))


def holders() -> list[User]:
    """Who may be named as a budget holder: the users who may see budgets."""
    return [
        u
        for u in User.objects.filter(is_active=True).order_by("last_name", "first_name", "username")
        if access.has(u, Capability.SEE_BUDGETS)
    ]


# ---------------------------------------------------------------------------------------------------------------------
# Who sees which cost centres


def may_see(user) -> bool:
    return access.has(user, Capability.SEE_BUDGETS)


def visible_centre_ids(user) -> set[int] | None:
    """The cost centres `user` may see: None for all (SEE_ALL_BUDGETS), else those of their teams or that name them
    as the holder."""
    if access.has(user, Capability.SEE_ALL_BUDGETS):
        return None
    if not may_see(user):
        return set()
    team_ids = list(user.teams.values_list("pk", flat=True))
    return set(
        CostCentre.objects.filter(Q(team_id__in=team_ids) | Q(holder=user)).values_list("pk", flat=True)
    )


def refuse(user, explanation: str) -> NotAllowed:
    if user and user.is_authenticated and user.is_active:
        access.refuse(user, person_id=None, purpose=BASIS, explanation=explanation)
    return NotAllowed(explanation)


def require_see(user) -> None:
    if not may_see(user):
        raise refuse(
            user, "Budget monitoring is for finance officers and the team managers who hold budgets."
        )


def require_centre(user, centre_key: int) -> None:
    """`centre_key` a cost centre's id, or commitments.NONE for 'not in a cost centre' (finance only)."""
    require_see(user)
    visible = visible_centre_ids(user)
    if visible is not None and centre_key not in visible:
        raise refuse(user, "This cost centre's budget is held by another team.")


# ---------------------------------------------------------------------------------------------------------------------
# The forecast


def teams_of_people(at: dt.datetime | None = None) -> dict[int, tuple[int, ...]]:
    """person id -> the teams working with them at `at` (now): allocated teams, and the teams of allocated workers
    (as tuples, shared between people with the same teams)."""
    at = at or timezone.now()
    worker_teams: dict[int, list[int]] = defaultdict(list)
    for user_id, team_id in User.teams.through.objects.values_list("user_id", "team_id"):
        worker_teams[user_id].append(team_id)
    rows = (
        CareRelationship.objects.filter(
            Q(ends_at__isnull=True) | Q(ends_at__gt=at),
            starts_at__lte=at,
            kind__in=(RelationshipKind.ALLOCATED_TEAM, RelationshipKind.ALLOCATED_WORKER),
        )
        .values_list("person_id", "team_id", "user_id")
        .iterator(chunk_size=5000)
    )
    found: dict[int, set[int] | int] = {}
    for person_id, team_id, user_id in rows:
        teams_here = (team_id,) if team_id is not None else worker_teams.get(user_id, ())
        for t in teams_here:
            had = found.get(person_id)
            if had is None:
                found[person_id] = t
            elif isinstance(had, int):
                if had != t:
                    found[person_id] = {had, t}
            else:
                had.add(t)
    shared: dict[tuple[int, ...], tuple[int, ...]] = {}
    out: dict[int, tuple[int, ...]] = {}
    for person_id, v in found.items():
        key = (v,) if isinstance(v, int) else tuple(sorted(v))
        out[person_id] = shared.setdefault(key, key)
    return out


def version() -> str:
    """What a cached forecast was computed from: the newest service and cost version (a new one, or a change of cost:
    costs are never edited), the services ended (an end is an update: their count and the latest end date), the
    newest working relationship and team membership, and every cost centre and care category as they are now. A
    forecast cached before any of these changes is never shown after it (budgets are added to it afterwards, with
    their own mark: `budget_mark`). A change of a person's primary
    support reason, or the end of an allocation, shows at the cache's expiry (CACHE_SECONDS) or with "Recalculate
    now" (counting those on every page view took longer than the page may)."""
    marks = [
        Service.objects.aggregate(v=Max("pk"), e=Count("pk", filter=~Q(end_outcome="")), d=Max("end_on")),
        ServiceCost.objects.aggregate(v=Max("pk")),
        CareRelationship.objects.aggregate(v=Max("pk")),
        User.teams.through.objects.aggregate(v=Max("pk"), n=Count("pk")),
    ]
    reference = [
        list(
            CostCentre.objects.order_by("pk").values_list(
                "pk", "code", "name", "care_category_id", "support_reasons", "team_id", "holder_id", "active"
            )
        ),
        list(
            CareCategory.objects.order_by("pk").values_list(
                "pk",
                "name",
                "unit",
                "priority",
                "service_types",
                "service_components",
                "delivery_mechanisms",
                "support_reasons",
                "active",
            )
        ),
    ]
    return hashlib.sha256(repr((marks, reference)).encode()).hexdigest()[:20]


def budget_mark() -> str:
    """The budgets as they are now (a change of budget re-adds the figures, without working the forecast out again)."""
    found = Budget.objects.aggregate(v=Max("updated_at"), n=Count("pk"), m=Max("pk"))
    adjusted = ForecastAdjustment.objects.aggregate(m=Max("pk"))  # never changed, only added to
    return f"{found['v'].isoformat() if found['v'] else ''}-{found['n']}-{found['m']}-{adjusted['m']}"


def load(year: FinancialYear, as_at: dt.date) -> list[CostedService]:
    as_at = commitments.clip_as_at(as_at, year.starts_on, year.ends_on)
    first = min(year.starts_on, commitments.previous_month_end(as_at))
    return costed_services(first=first, last=year.ends_on, window_only=True)  # only the costs in force then


def compute(year: FinancialYear, as_at: dt.date) -> commitments.Forecast:
    """The forecast uncached: every service of the year, the rules, and the teams."""
    cats = categories()
    ccs = CostCentre.objects.all()
    return commitments.compute(
        load(year, as_at),
        year=year.label,
        starts_on=year.starts_on,
        ends_on=year.ends_on,
        as_at=as_at,
        categories=rules(cats),
        centres=centre_rules(ccs),
        teams_of=teams_of_people(),
    )


def forecast(
    year: FinancialYear, as_at: dt.date, *, refresh: bool = False, full: bool = False, mark: str | None = None
):
    """The forecast of `year` as at `as_at`, from the cache unless anything it was computed from has changed (or
    `refresh`). `full` keeps the service ids behind each cell (the lists behind figures need them)."""
    from django.core.cache import cache

    as_at = commitments.clip_as_at(as_at, year.starts_on, year.ends_on)
    key = f"openasc-forecast-{year.label}-{as_at.isoformat()}-{mark or version()}"
    found = None if refresh else cache.get(key + ("-full" if full else ""))
    if found is None:
        computed = compute(year, as_at)
        cache.set(key + "-full", computed, CACHE_SECONDS)
        cache.set(key, computed.slim(), CACHE_SECONDS)
        found = computed if full else computed.slim()
    return found


def budget_figures(year: FinancialYear) -> dict[int, commitments.BudgetFigures]:
    adjusted = dict(
        ForecastAdjustment.objects.filter(year=year)
        .values("cost_centre_id")
        .annotate(total=Sum("amount_pence"))
        .values_list("cost_centre_id", "total")
    )
    return {
        b.cost_centre_id: commitments.BudgetFigures(
            b.net_budget_pence,
            b.budgeted_people,
            b.budgeted_unit_cost_pence,
            adjusted.get(b.cost_centre_id, 0),
        )
        for b in Budget.objects.filter(year=year)
    }


def adjustments_of(year: FinancialYear, centre: CostCentre) -> list[ForecastAdjustment]:
    return list(
        ForecastAdjustment.objects.filter(year=year, cost_centre=centre)
        .select_related("created_by")
        .order_by("pk")
    )


def figures_for(user, year: FinancialYear, as_at: dt.date, *, refresh: bool = False, visible=...) -> dict:
    """What the monitoring page (and `openasc budget`) shows for `user`: only the cost centres they may see (all, for
    finance): a line per cost centre (label, id, Figures), 'not in a cost centre' for those who see all, the total of
    what they see, and the committee table's lines (care category, Figures). `visible` overrides the user's."""
    from django.core.cache import cache

    if visible is ...:
        visible = visible_centre_ids(user)
    mark = version()
    day = commitments.clip_as_at(as_at, year.starts_on, year.ends_on)
    scope = "all" if visible is None else hashlib.sha256(repr(sorted(visible)).encode()).hexdigest()[:16]
    budgets_now = hashlib.sha256(budget_mark().encode()).hexdigest()[:12]
    key = f"openasc-budget-figures-{year.label}-{day.isoformat()}-{mark}-{budgets_now}-{scope}"
    found = None if refresh else cache.get(key)
    if found is None:
        found = _figures(year, day, visible, refresh=refresh, mark=mark)
        cache.set(key, found, CACHE_SECONDS)
    return found


def _figures(year: FinancialYear, as_at: dt.date, visible, *, refresh: bool, mark: str) -> dict:
    result = forecast(year, as_at, refresh=refresh, mark=mark)
    budgets = budget_figures(year)
    cats = categories()
    all_centres = centres()
    shown = [
        c
        for c in all_centres
        if (visible is None or c.pk in visible)
        and (c.active or result.cells_of(centres=[c.pk]) or c.pk in budgets)
    ]
    n = len(result.months)
    centre_lines = []
    for c in shown:
        unit = c.care_category.unit if c.care_category else "week"
        f = commitments.add_up(
            result.cells_of(centres=[c.pk]),
            unit=unit,
            months=n,
            budgets=[budgets[c.pk]] if c.pk in budgets else [],
        )
        centre_lines.append((f"{c.code} {c.name}", c.pk, f))
    scope = None if visible is None else [c.pk for c in shown]
    if visible is None:
        f = commitments.add_up(
            result.cells_of(centres=[commitments.NONE]), unit="week", months=n, budgets=None
        )
        if f.services or f.people:
            centre_lines.append(("Not in a cost centre", commitments.NONE, f))
    total = commitments.add_up(
        result.cells_of(centres=scope),
        unit="week",
        months=n,
        budgets=[budgets[c.pk] for c in shown if c.pk in budgets],
    )
    committee = []
    for cat in cats:
        cells = result.cells_of(centres=scope, category=cat.pk)
        cat_budgets = [budgets[c.pk] for c in shown if c.care_category_id == cat.pk and c.pk in budgets]
        if not cat.active and not cells:
            continue
        committee.append((cat, commitments.add_up(cells, unit=cat.unit, months=n, budgets=cat_budgets)))
    uncategorised = result.cells_of(centres=scope, category=commitments.NONE)
    if any(c.services for c in uncategorised):
        committee.append((None, commitments.add_up(uncategorised, unit="week", months=n, budgets=[])))
    return {
        "result": result.meta(),
        "visible": visible,
        "centre_lines": centre_lines,
        "committee": committee,
        "total": total,
        "centres": {c.pk: c for c in shown},
    }


# ---------------------------------------------------------------------------------------------------------------------
# The services behind a figure

FIGURES = {
    "all": "every service counted in the year",
    "current": "the services running on the date",
    "no-cost": "the services with no cost known",
}


@dataclass
class Behind:
    service_id: int
    person_id: int
    la_person_id: str
    name: str
    service_type: str
    service_component: str
    provider: str
    start_on: dt.date
    end_on: dt.date | None
    weekly_now: int | None
    in_year: int


@dataclass
class Listing:
    rows: list[Behind]
    total: int
    page: Page | None


def _ids_behind(
    result, *, centre_key: int | None, category_id: int | None, figure: str, visible
) -> list[int]:
    wanted = visible if centre_key is None else [centre_key]  # visible None: every cost centre
    return result.ids_of(centres=wanted, category=category_id, current=figure == "current")


def _in_year(svc: CostedService, year: FinancialYear, as_at: dt.date) -> int:
    """Spent plus committed, split at `as_at` as the forecast is (so a list adds up to its figure to the penny)."""
    after = as_at + commitments.ONE_DAY
    spent = cost_between(svc, year.starts_on, as_at) if as_at >= year.starts_on else 0
    return spent + (cost_between(svc, after, year.ends_on) if after <= year.ends_on else 0)


def services_behind(
    *,
    user,
    year: FinancialYear,
    as_at: dt.date,
    centre_key: int | None,
    category_id: int | None = None,
    figure: str = "all",
    page: int | str = 1,
    export: bool = False,
) -> Listing:
    """The services behind a figure of the cost centre `centre_key` (NONE: not in a cost centre; None: every cost
    centre the user sees), optionally of one care category: a page of 25 (or every one for an export), each with its
    person (LA person id and name: the minimum identity to pay for care) and its weekly cost on `as_at` and cost in
    the year. One audit event per person listed (view, or export)."""
    require_see(user)
    visible = visible_centre_ids(user)
    if centre_key is not None:
        require_centre(user, centre_key)
    if figure not in FIGURES:
        figure = "all"
    result = forecast(year, as_at, full=True)
    ids = _ids_behind(result, centre_key=centre_key, category_id=category_id, figure=figure, visible=visible)
    if figure == "no-cost":
        chosen_all = {s.id: s for s in costed_services(ids=ids)}
        ids = [i for i in ids if i in chosen_all and commitments.no_cost_known(chosen_all[i])]
    shown: Page | None = None
    if export:
        page_ids = ids
    else:
        shown = Paginator(ids, PAGE_SIZE).get_page(page)
        page_ids = list(shown.object_list)
    costed = {s.id: s for s in costed_services(ids=page_ids)}
    meta = {}
    for i in range(0, len(page_ids), _CHUNK):  # below SQLite's limit on parameters, for a whole export
        for r in Service.objects.filter(pk__in=page_ids[i : i + _CHUNK]).values(
            "pk",
            "person_id",
            "person__la_person_id",
            "person__first_name",
            "person__last_name",
            "provider_location__name",
            "provider_location__provider__name",
        ):
            meta[r["pk"]] = r
    rows = []
    for sid in page_ids:
        svc, m = costed.get(sid), meta.get(sid)
        if svc is None or m is None:
            continue
        provider = m["provider_location__provider__name"] or ""
        location = m["provider_location__name"] or ""
        rows.append(
            Behind(
                service_id=sid,
                person_id=m["person_id"],
                la_person_id=m["person__la_person_id"] or "",
                name=f"{m['person__first_name'] or ''} {m['person__last_name'] or ''}".strip(),
                service_type=svc.service_type,
                service_component=svc.service_component,
                provider=(f"{provider}, {location}" if location and location != provider else provider),
                start_on=svc.start_on,
                end_on=svc.end_on,
                weekly_now=svc.weekly_on(result.as_at),
                in_year=_in_year(svc, year, result.as_at),
            )
        )
    person_ids = sorted({r.person_id for r in rows})
    people = []
    for i in range(0, len(person_ids), _CHUNK):
        people.extend(Person.objects.filter(pk__in=person_ids[i : i + _CHUNK]).only("id").order_by("pk"))
    details = {
        "what": "services behind a budget figure",
        "year": year.label,
        "as_at": result.as_at.isoformat(),
        "cost_centre": "all" if centre_key is None else (centre_key or "none"),
        "category": category_id or "",
        "figure": figure,
        "format": "csv" if export else "page",
    }
    action = AuditAction.EXPORT if export else AuditAction.VIEW
    audit.record_many(actor=user, action=action, objs=people, basis=BASIS, details=details)
    if not people:
        audit.record(actor=user, action=action, basis=BASIS, details={**details, "people": 0})
    return Listing(rows, len(ids), shown)
