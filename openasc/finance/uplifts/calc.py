"""The uplift calculation: which services an uplift changes, their new unit cost, and what that does to the cost a
year and to the financial year's commitment. Pure functions of `finance.costing.CostedService`, so the preview and the
apply (`uplifts.services.uplift_apply`) are the same call; the apply only writes what this returns.

Rules (docs/uplifts-and-spend.md):

- In scope: services *running on the effective date* (started on or before it, not ended before it) that match every
  condition set (provider, CLD service type, care category, age on the date: `age_from` or older, younger than
  `age_under`). A service starting after the date was priced at the new rate already and is left alone.
- A service with a cost version already starting on the date (including one that starts that day) is skipped with
  that reason: cost versions are never edited.
- Percent: new unit cost = old x (1 + percent / 100), rounded half up to the penny.
- To the benchmark: a unit cost below the benchmark is raised to it; one at or above it is left alone, and so is one
  whose cost *changed* (a version after the first) within `skip_uplifted_within_days` days before the date.
- One-off, no-charge and costs whose weekly figure cannot be worked out (hours not recorded) are skipped, each with
  its reason. A cost version already planned after the date stands: the uplift changes the cost until then.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from openasc.core.money import annual_from_weekly
from openasc.finance import costing
from openasc.finance.categories import CategoryRule, categorise

PERCENT = "percent"
TO_BENCHMARK = "to_benchmark"

SKIP_NO_COST = "No cost recorded on the date"
SKIP_SAME_DAY = "A cost already starts on the effective date (costs are never edited)"
SKIP_ONE_OFF = "A one-off or no-charge cost"
SKIP_NO_WEEKLY = "The weekly cost cannot be worked out (planned units not recorded)"
SKIP_AT_BENCHMARK = "At or above the benchmark"
SKIP_RECENT = "Cost changed within the days before the date that the uplift leaves alone"
SKIP_NO_CHANGE = "The new unit cost rounds to the old one"
SKIP_NO_BIRTH = "Date of birth not recorded (the uplift is for an age group)"


@dataclass(frozen=True)
class Scope:
    provider_id: int | None = None
    service_type: str = ""
    care_category_id: int | None = None
    age_under: int | None = None
    age_from: int | None = None

    @property
    def by_age(self) -> bool:
        return self.age_under is not None or self.age_from is not None


@dataclass(frozen=True)
class Method:
    kind: str = PERCENT
    percent: Decimal | None = None
    benchmark_unit_cost_pence: int | None = None
    skip_uplifted_within_days: int = 0


@dataclass(frozen=True, slots=True)
class Line:
    """What the uplift does to one service."""

    service_id: int
    person_id: int
    provider_id: int | None
    old_unit_cost_pence: int
    new_unit_cost_pence: int
    cost_frequency: str
    planned_units_per_week: Decimal | None
    old_weekly_pence: int
    new_weekly_pence: int
    in_year_before_pence: int
    in_year_after_pence: int

    @property
    def weekly_change_pence(self) -> int:
        return self.new_weekly_pence - self.old_weekly_pence

    @property
    def annual_change_pence(self) -> int:
        return annual_from_weekly(self.weekly_change_pence)

    @property
    def in_year_change_pence(self) -> int:
        return self.in_year_after_pence - self.in_year_before_pence


@dataclass(frozen=True, slots=True)
class Skip:
    service_id: int
    person_id: int
    provider_id: int | None
    reason: str


@dataclass
class ProviderRow:
    provider_id: int | None
    people: int
    services: int
    weekly_change_pence: int
    annual_change_pence: int
    in_year_change_pence: int


@dataclass
class Preview:
    effective_from: dt.date
    year_last: dt.date  # the last day of the financial year the date falls in
    lines: list[Line] = field(default_factory=list)
    skipped: list[Skip] = field(default_factory=list)

    @property
    def services(self) -> int:
        return len(self.lines)

    @property
    def people(self) -> int:
        return len({x.person_id for x in self.lines})

    @property
    def providers(self) -> int:
        return len({x.provider_id for x in self.lines if x.provider_id is not None})

    @property
    def weekly_change_pence(self) -> int:
        return sum(x.weekly_change_pence for x in self.lines)

    @property
    def annual_change_pence(self) -> int:
        """The cost a year: 52 weeks of each service's weekly change (each rounded as money.annual_from_weekly)."""
        return sum(x.annual_change_pence for x in self.lines)

    @property
    def in_year_before_pence(self) -> int:
        return sum(x.in_year_before_pence for x in self.lines)

    @property
    def in_year_after_pence(self) -> int:
        return sum(x.in_year_after_pence for x in self.lines)

    @property
    def in_year_change_pence(self) -> int:
        return self.in_year_after_pence - self.in_year_before_pence

    def skip_reasons(self) -> list[tuple[str, int]]:
        return Counter(s.reason for s in self.skipped).most_common()

    def by_provider(self) -> list[ProviderRow]:
        """One row per provider (no provider: None, last), the biggest cost a year first."""
        groups: dict[int | None, list[Line]] = {}
        for x in self.lines:
            groups.setdefault(x.provider_id, []).append(x)
        rows = [
            ProviderRow(
                pid,
                len({x.person_id for x in xs}),
                len(xs),
                sum(x.weekly_change_pence for x in xs),
                sum(x.annual_change_pence for x in xs),
                sum(x.in_year_change_pence for x in xs),
            )
            for pid, xs in groups.items()
        ]
        rows.sort(key=lambda r: (r.provider_id is None, -r.annual_change_pence, r.provider_id or 0))
        return rows


def age_on(born: dt.date | None, day: dt.date) -> int | None:
    if born is None:
        return None
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


def uplifted_unit_cost(old_pence: int, percent: Decimal) -> int:
    """old x (1 + percent/100), half up to the penny: 1000 at 2.5% is 1025; 1001 at 2.5% is 1026 (1026.025)."""
    exact = Decimal(old_pence) * (Decimal(100) + Decimal(percent)) / Decimal(100)
    return int(exact.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def _matches(svc: costing.CostedService, scope: Scope, category: CategoryRule | None) -> bool:
    if scope.provider_id is not None and svc.provider_id != scope.provider_id:
        return False
    if scope.service_type and svc.service_type.casefold() != scope.service_type.casefold():
        return False
    return scope.care_category_id is None or (category is not None and category.id == scope.care_category_id)


def age_in(age: int, scope: Scope) -> bool:
    if scope.age_from is not None and age < scope.age_from:
        return False
    return scope.age_under is None or age < scope.age_under


def decide(
    svc: costing.CostedService, *, scope: Scope, method: Method, day: dt.date, category: CategoryRule | None
) -> tuple[int, costing.CostVersion] | str | None:
    """(new unit cost, the version it replaces) for a service the uplift changes; a reason it is skipped; or None
    when it is not in scope at all."""
    if not svc.runs_on(day) or not _matches(svc, scope, category):
        return None
    if scope.by_age:
        age = age_on(svc.date_of_birth, day)
        if age is None:
            return SKIP_NO_BIRTH
        if not age_in(age, scope):
            return None
    current = svc.version_on(day)
    if current is None:
        return SKIP_NO_COST
    if current.effective_from == day:
        return SKIP_SAME_DAY
    freq = (current.cost_frequency or "").strip().lower()
    if current.one_off or freq.startswith("no charge"):
        return SKIP_ONE_OFF
    if current.weekly_pence is None:
        return SKIP_NO_WEEKLY
    if method.kind == TO_BENCHMARK:
        benchmark = method.benchmark_unit_cost_pence or 0
        if current.unit_cost_pence >= benchmark:
            return SKIP_AT_BENCHMARK
        window = method.skip_uplifted_within_days or 0
        changed = current.effective_from > svc.start_on  # a change of cost, not the cost it started at
        if window and changed and (day - current.effective_from).days <= window:
            return SKIP_RECENT
        new = benchmark
    else:
        new = uplifted_unit_cost(current.unit_cost_pence, method.percent or Decimal(0))
    if new == current.unit_cost_pence:
        return SKIP_NO_CHANGE
    return new, current


def _run_last(svc: costing.CostedService, day: dt.date, year_last: dt.date) -> dt.date:
    """The last day of the run at the cost in force on `day`: the day before the next version, the service's end, or
    the year's last day, whichever comes first."""
    last = year_last if svc.end_on is None else min(year_last, svc.end_on)
    for v in svc.versions:
        if v.effective_from > day:
            return min(last, v.effective_from - costing.ONE_DAY)
    return last


def preview(
    services: list[costing.CostedService],
    *,
    scope: Scope,
    method: Method,
    effective_from: dt.date,
    year_last: dt.date,
    categories: list[CategoryRule],
) -> Preview:
    """What the uplift does, service by service: the same call for the preview and the apply."""
    out = Preview(effective_from, year_last)
    need_category = scope.care_category_id is not None
    for svc in services:
        category = categorise(svc, categories) if need_category else None
        found = decide(svc, scope=scope, method=method, day=effective_from, category=category)
        if found is None:
            continue
        if isinstance(found, str):
            out.skipped.append(Skip(svc.id, svc.person_id, svc.provider_id, found))
            continue
        new_unit, current = found
        new_version = costing.version(
            effective_from, new_unit, current.cost_frequency, current.planned_units_per_week
        )
        before = costing.cost_between(svc, effective_from, year_last)
        # The new version changes only the run of days from the date until the next version (or the end of the
        # service or of the year); every other run, each rounded on its own, is as before. So the cost after is the
        # cost before with that one run priced again: costing.cost_between of the service with the version added.
        run_last = _run_last(svc, effective_from, year_last)
        days = (run_last - effective_from).days + 1
        after = (
            before
            - costing.over_days(current.weekly_pence, days)
            + costing.over_days(new_version.weekly_pence, days)
        )
        out.lines.append(
            Line(
                service_id=svc.id,
                person_id=svc.person_id,
                provider_id=svc.provider_id,
                old_unit_cost_pence=current.unit_cost_pence,
                new_unit_cost_pence=new_unit,
                cost_frequency=current.cost_frequency,
                planned_units_per_week=current.planned_units_per_week,
                old_weekly_pence=current.weekly_pence,
                new_weekly_pence=new_version.weekly_pence,
                in_year_before_pence=before,
                in_year_after_pence=after,
            )
        )
    return out
