"""What each provider is expected to be paid for a period: every service the schedule pays, its days in the period
and its cost (`finance.costing.cost_between`, the one calculation), a line for each run of days at one cost (a cost
that changes mid-period gives two lines, one at each rate). Figures only: nothing here names anyone."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Q
from django.utils import timezone

from openasc.finance import costing
from openasc.finance.selectors.costed import costed_services
from openasc.payments.periods import Period
from openasc.payments.selectors.schedules import Rules, ScheduleRule

_CHUNK = 900


@dataclass(frozen=True)
class ExpectedLine:
    service_id: int
    person_id: int
    first: dt.date
    last: dt.date
    days: int
    weekly_pence: int | None
    pence: int
    units: Decimal
    cost_centre_code: str = ""
    one_off: bool = False


@dataclass
class Expected:
    provider_id: int
    schedule: ScheduleRule
    period: Period
    lines: list[ExpectedLine] = field(default_factory=list)

    @property
    def total_pence(self) -> int:
        return sum(line.pence for line in self.lines)


def lines_for(
    service: costing.CostedService, first: dt.date, last: dt.date, centre: str = ""
) -> list[ExpectedLine]:
    """The service's lines for the days from `first` to `last`; their pence add up to `costing.cost_between`."""
    out = []
    for seg in costing.segments(service, first, last):
        units = seg.version.planned_units_per_week
        out.append(
            ExpectedLine(
                service.id,
                service.person_id,
                seg.first,
                seg.last,
                seg.days,
                seg.version.weekly_pence,
                seg.pence,
                Decimal(units) * seg.days / 7 if units is not None else Decimal(0),
                centre,
            )
        )
    if service.versions and first <= service.start_on <= last and service.versions[0].one_off:
        v = service.versions[0]
        out.append(
            ExpectedLine(
                service.id,
                service.person_id,
                service.start_on,
                service.start_on,
                1,
                None,
                v.unit_cost_pence,
                Decimal(0),
                centre,
                one_off=True,
            )
        )
    return out


def team_ids_by_person(on: dt.date) -> dict[int, frozenset[int]]:
    """The teams working with each person at the end of a day (finance's one rule: allocated teams, and the teams of
    allocated workers), for the cost centres held by a team."""
    from openasc.finance.selectors.budgets import teams_of_people

    at = timezone.make_aware(dt.datetime.combine(on, dt.time(23, 59, 59)))
    return {pid: frozenset(t) for pid, t in teams_of_people(at).items()}


def expected_for(
    rules: Rules,
    schedule: ScheduleRule,
    period: Period,
    *,
    provider_ids: Iterable[int] | None = None,
    services: list[costing.CostedService] | None = None,
    teams: dict[int, frozenset[int]] | None = None,
) -> dict[int, Expected]:
    """provider id -> what the schedule is expected to pay it for the period (only providers with a service in it).
    `services` and `teams` (team_ids_by_person of the period's last day) may be given when already loaded."""
    if services is None:
        services = costed_services(
            first=period.first,
            last=period.last,
            provider_ids=list(provider_ids) if provider_ids is not None else None,
            extra=Q(provider_location__isnull=False),
        )
    mine = [s for s in services if s.provider_id is not None and rules.schedule_for(s) == schedule]
    if teams is None:
        teams = team_ids_by_person(period.last) if any(c.team_id is not None for c in rules.centres) else {}
    out: dict[int, Expected] = {}
    for s in mine:
        lines = lines_for(
            s, period.first, period.last, rules.centre_code(s, teams.get(s.person_id, frozenset()))
        )
        if not lines:
            continue
        exp = out.get(s.provider_id)
        if exp is None:
            exp = out[s.provider_id] = Expected(s.provider_id, schedule, period)
        exp.lines.extend(lines)
    return out


def expected_for_run(rules: Rules, run_day: dt.date, *, provider_ids=None) -> list[Expected]:
    """Every schedule's expected payments for the period a run on `run_day` pays (services loaded once a period)."""
    by_period: dict[Period, list[ScheduleRule]] = defaultdict(list)
    for schedule in rules.schedules:
        period = schedule.period_paid_by(run_day)
        if period is not None:
            by_period[period].append(schedule)
    out: list[Expected] = []
    for period, schedules in sorted(by_period.items()):
        services = costed_services(
            first=period.first,
            last=period.last,
            provider_ids=list(provider_ids) if provider_ids is not None else None,
            extra=Q(provider_location__isnull=False),
        )
        for schedule in schedules:
            out.extend(expected_for(rules, schedule, period, services=services).values())
    return out
