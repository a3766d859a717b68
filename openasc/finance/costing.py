"""What services cost over time: the one calculation behind commitments, forecasts, spend and expected payments.

A service's cost is a list of versions, each from its date (services.ServiceCost, never edited): the version in force
on a day is the latest one from on or before it (the first covers the service from its start). Over a run of days a
weekly cost is paid pro rata by the day, rounded half up to the penny once for each run of days at one cost, exactly
as `core.money.cost_over_days`. A one-off cost falls on the day the service starts. Pure functions of plain data, so
commitments for a whole council are worked out in one pass (the loader is `finance.selectors.costed`)."""

from __future__ import annotations

import datetime as dt
from bisect import bisect_right
from dataclasses import dataclass, field
from decimal import Decimal

from openasc.core.money import weekly_cost_pence

ONE_DAY = dt.timedelta(days=1)


@dataclass(frozen=True, slots=True)
class CostVersion:
    effective_from: dt.date
    unit_cost_pence: int
    cost_frequency: str
    planned_units_per_week: Decimal | None
    weekly_pence: int | None  # None: one-off, no charge, or units unknown

    @property
    def one_off(self) -> bool:
        return (self.cost_frequency or "").strip().lower().startswith("one-off")


def version(effective_from, unit_cost_pence, cost_frequency, planned_units_per_week) -> CostVersion:
    return CostVersion(
        effective_from,
        unit_cost_pence,
        cost_frequency,
        planned_units_per_week,
        weekly_cost_pence(unit_cost_pence, cost_frequency, planned_units_per_week),
    )


@dataclass(slots=True)
class CostedService:
    """A service with what the money needs of it and of its person (no names: identity is disclosed separately)."""

    id: int
    person_id: int
    service_type: str
    service_component: str
    delivery_mechanism: str
    start_on: dt.date
    end_on: dt.date | None
    provider_location_id: int | None = None
    provider_id: int | None = None
    plan_id: int | None = None
    support_reason: str = ""
    date_of_birth: dt.date | None = None
    versions: tuple[CostVersion, ...] = ()
    _starts: list[dt.date] = field(default_factory=list, repr=False)

    def __post_init__(self) -> None:
        self.versions = tuple(sorted(self.versions, key=lambda v: v.effective_from))
        self._starts = [v.effective_from for v in self.versions]

    def version_on(self, day: dt.date) -> CostVersion | None:
        """The cost in force on `day` (None when the service is not running then, or has no cost)."""
        if not self.versions or not self.runs_on(day):
            return None
        return self.versions[max(bisect_right(self._starts, day) - 1, 0)]

    def runs_on(self, day: dt.date) -> bool:
        return self.start_on <= day and (self.end_on is None or day <= self.end_on)

    def weekly_on(self, day: dt.date) -> int | None:
        found = self.version_on(day)
        return None if found is None else found.weekly_pence


@dataclass(frozen=True, slots=True)
class Segment:
    """A run of days (both ends included) at one cost version."""

    first: dt.date
    last: dt.date
    version: CostVersion

    @property
    def days(self) -> int:
        return (self.last - self.first).days + 1

    @property
    def pence(self) -> int:
        weekly = self.version.weekly_pence
        return 0 if weekly is None else over_days(weekly, self.days)


def over_days(weekly_pence: int, days: int) -> int:
    """`core.money.cost_over_days` in integers (the same result, half up, for any sign; many times faster)."""
    numerator = weekly_pence * days
    if numerator >= 0:
        return (2 * numerator + 7) // 14
    return -((-2 * numerator + 7) // 14)


def clip(service: CostedService, first: dt.date, last: dt.date) -> tuple[dt.date, dt.date] | None:
    """The days from `first` to `last` (both included) on which the service runs, or None."""
    a = max(first, service.start_on)
    b = last if service.end_on is None else min(last, service.end_on)
    return (a, b) if a <= b else None


def segments(service: CostedService, first: dt.date, last: dt.date) -> list[Segment]:
    """The service's days between `first` and `last`, split where its cost changes."""
    window = clip(service, first, last)
    if window is None or not service.versions:
        return []
    a, b = window
    out: list[Segment] = []
    i = max(bisect_right(service._starts, a) - 1, 0)
    versions = service.versions
    while a <= b:
        nxt = versions[i + 1].effective_from if i + 1 < len(versions) else None
        end = b if nxt is None or nxt > b else nxt - ONE_DAY
        if end >= a:
            out.append(Segment(a, end, versions[i]))
            a = end + ONE_DAY
        i += 1
        if i >= len(versions):
            break
    return out


def cost_between(service: CostedService, first: dt.date, last: dt.date) -> int:
    """Pence the service costs from `first` to `last` (both included): each run of days at one weekly cost pro rata by
    the day, plus a one-off cost if the service starts in the window."""
    total = sum(seg.pence for seg in segments(service, first, last))
    if service.versions and first <= service.start_on <= last:
        initial = service.versions[0]
        if initial.one_off:
            total += initial.unit_cost_pence
    return total


def units_between(service: CostedService, first: dt.date, last: dt.date) -> Decimal:
    """Planned units (hours, days, sessions) from `first` to `last`, pro rata by the day; 0 for costs not in units."""
    total = Decimal(0)
    for seg in segments(service, first, last):
        units = seg.version.planned_units_per_week
        if units is not None:
            total += Decimal(units) * seg.days / 7
    return total
