"""Commitments and the forecast outturn: what every service recorded will cost in a financial year, split at a date
"as at" into what has been spent and what is committed to the year end, per cost centre and care category, with the
people and unit costs behind it and the year's months for the trend chart (docs/finance.md).

Pure functions over `finance.costing.CostedService` lists (the loader and the cache are in
`finance.selectors.budgets`), so the whole council is worked out in one pass, and every figure is the one cost
calculation (`costing.cost_between`) over its days:

- spent to date = cost from the year's first day to `as_at` (both included);
- committed = cost from the day after `as_at` to the year's last day: services running on, planned services that
  have not started yet, services ending (they stop at their end date), and cost versions dated in the future (known
  uplifts) from their date;
- forecast outturn = spent + committed; variance = forecast - budget (above zero is an overspend).

Current people are the distinct people with a service in the group running on `as_at`; the current average unit
cost is, for a weekly category, the weekly cost of those services divided by the people among them whose cost is
known (a cost per person per week), and for an hourly category their weekly cost divided by their planned weekly
hours (a cost per hour). Trends compare both with the last day of the month before `as_at`'s month.

Figures are kept per cell (cost centre x care category of the service) and added up for any set of cells, so the
cost centre table, the committee table by care category and the totals come from the same numbers and agree."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from openasc.finance.categories import CategoryRule, CentreRule, categorise, cost_centre
from openasc.finance.costing import CostedService, over_days

ONE_DAY = dt.timedelta(days=1)
NONE = 0  # the key of "not in a cost centre" / "in no care category"


def month_ends(first: dt.date, last: dt.date) -> list[tuple[dt.date, dt.date]]:
    """The calendar months from `first` to `last`, as (first day, last day), clipped to the window."""
    out = []
    a = first
    while a <= last:
        nxt = dt.date(a.year + (a.month == 12), a.month % 12 + 1, 1)
        out.append((a, min(nxt - ONE_DAY, last)))
        a = nxt
    return out


def previous_month_end(day: dt.date) -> dt.date:
    """The last day of the month before `day`'s month (what a trend compares with)."""
    return day.replace(day=1) - ONE_DAY


def clip_as_at(as_at: dt.date, starts_on: dt.date, ends_on: dt.date) -> dt.date:
    """`as_at` within the year: a year that has not started yet is forecast as at the day before it starts (nothing
    spent), a year that has ended as at its last day."""
    return min(max(as_at, starts_on - ONE_DAY), ends_on)


def no_cost_known(service: CostedService) -> bool:
    """No cost version, or none that says what the service costs (units unknown, or a frequency not costed)."""
    return not any(v.weekly_pence is not None or (v.one_off and v.unit_cost_pence) for v in service.versions)


@dataclass
class Cell:
    """The figures of the services of one care category in one cost centre."""

    services: int = 0
    no_cost: int = 0
    spent: int = 0
    committed: int = 0
    months_spent: list[int] = field(default_factory=list)
    months_committed: list[int] = field(default_factory=list)
    # running on as_at, and on the previous month end: people, the people whose weekly cost is known, weekly cost,
    # and for hourly costs the weekly cost and hours of the services costed in hours
    people: set[int] = field(default_factory=set)
    costed_people: set[int] = field(default_factory=set)
    weekly: int = 0
    hourly_weekly: int = 0
    hours: float = 0.0
    prev_people: set[int] = field(default_factory=set)
    prev_costed_people: set[int] = field(default_factory=set)
    prev_weekly: int = 0
    prev_hourly_weekly: int = 0
    prev_hours: float = 0.0


@dataclass(frozen=True)
class BudgetFigures:
    net_budget_pence: int
    budgeted_people: int
    budgeted_unit_cost_pence: int
    adjustment_pence: int = 0  # the budget holders' forecast adjustments (finance.models.ForecastAdjustment)


@dataclass
class Figures:
    """Cells added up: a cost centre's line, a care category's line, or the total."""

    services: int
    no_cost: int
    spent: int
    committed: int
    months_spent: list[int]
    months_committed: list[int]
    unit: str
    people: int
    unit_cost: int | None
    prev_people: int
    prev_unit_cost: int | None
    budget: int | None = None
    budgeted_people: int | None = None
    budgeted_unit_cost: int | None = None
    adjustment: int = 0

    @property
    def forecast(self) -> int:
        return self.spent + self.committed

    @property
    def adjusted_forecast(self) -> int:
        """The forecast from the record with the budget holders' adjustments."""
        return self.forecast + self.adjustment

    @property
    def variance(self) -> int | None:
        return None if self.budget is None else self.forecast - self.budget

    @property
    def people_trend(self) -> int:
        return self.people - self.prev_people

    @property
    def unit_cost_trend(self) -> int | None:
        if self.unit_cost is None or self.prev_unit_cost is None:
            return None
        return self.unit_cost - self.prev_unit_cost


def _unit_cost(unit: str, weekly: int, costed: int, hourly_weekly: int, hours: float) -> int | None:
    if unit == "hour":
        return round(hourly_weekly / hours) if hours else None
    return round(weekly / costed) if costed else None


def add_up(
    cells: Iterable[Cell], *, unit: str, months: int, budgets: Sequence[BudgetFigures] | None = None
) -> Figures:
    """The figures of `cells` together (people counted once however many of the cells they are in); `budgets` the
    budgets of the cost centres they make up (None: no budget applies, as for 'not in a cost centre')."""
    cells = list(cells)
    people, costed, prev_people, prev_costed = set(), set(), set(), set()
    weekly = hourly_weekly = prev_weekly = prev_hourly_weekly = 0
    hours = prev_hours = 0.0
    ms, mc = [0] * months, [0] * months
    services = no_cost = spent = committed = 0
    for c in cells:
        services += c.services
        no_cost += c.no_cost
        spent += c.spent
        committed += c.committed
        for i, v in enumerate(c.months_spent):
            ms[i] += v
        for i, v in enumerate(c.months_committed):
            mc[i] += v
        people |= c.people
        costed |= c.costed_people
        prev_people |= c.prev_people
        prev_costed |= c.prev_costed_people
        weekly += c.weekly
        hourly_weekly += c.hourly_weekly
        hours += c.hours
        prev_weekly += c.prev_weekly
        prev_hourly_weekly += c.prev_hourly_weekly
        prev_hours += c.prev_hours
    out = Figures(
        services=services,
        no_cost=no_cost,
        spent=spent,
        committed=committed,
        months_spent=ms,
        months_committed=mc,
        unit=unit,
        people=len(people),
        unit_cost=_unit_cost(unit, weekly, len(costed), hourly_weekly, hours),
        prev_people=len(prev_people),
        prev_unit_cost=_unit_cost(unit, prev_weekly, len(prev_costed), prev_hourly_weekly, prev_hours),
    )
    if budgets is not None:
        out.budget = sum(b.net_budget_pence for b in budgets) if budgets else None
        out.adjustment = sum(b.adjustment_pence for b in budgets)
        out.budgeted_people = sum(b.budgeted_people for b in budgets) if budgets else None
        total_people = sum(b.budgeted_people for b in budgets)
        if budgets and total_people:
            out.budgeted_unit_cost = round(
                sum(b.budgeted_unit_cost_pence * b.budgeted_people for b in budgets) / total_people
            )
        elif len(budgets) == 1:
            out.budgeted_unit_cost = budgets[0].budgeted_unit_cost_pence
    return out


@dataclass
class Forecast:
    """Every cell of a year as at a date, and which services are behind each (by id, for the lists behind figures)."""

    year: str
    starts_on: dt.date
    ends_on: dt.date
    as_at: dt.date
    previous: dt.date
    months: list[tuple[dt.date, dt.date]]
    cells: dict[tuple[int, int], Cell]
    # (centre id or NONE, category id or NONE) -> service ids in the year, and those running on as_at
    service_ids: dict[tuple[int, int], list[int]] = field(default_factory=dict)
    current_ids: dict[tuple[int, int], list[int]] = field(default_factory=dict)

    def slim(self) -> Forecast:
        """Without the service ids (what the pages of figures need; cheap to keep in the cache)."""
        return Forecast(
            self.year, self.starts_on, self.ends_on, self.as_at, self.previous, self.months, self.cells
        )

    def meta(self) -> Forecast:
        """Only the year, the dates and the months (what a page of figures already added up needs)."""
        return Forecast(self.year, self.starts_on, self.ends_on, self.as_at, self.previous, self.months, {})

    def cells_of(self, *, centres: Iterable[int] | None = None, category: int | None = None) -> list[Cell]:
        wanted = None if centres is None else set(centres)
        return [
            c
            for (centre, cat), c in self.cells.items()
            if (wanted is None or centre in wanted) and (category is None or cat == category)
        ]

    def ids_of(
        self, *, centres: Iterable[int] | None = None, category: int | None = None, current: bool = False
    ) -> list[int]:
        source = self.current_ids if current else self.service_ids
        wanted = None if centres is None else set(centres)
        out: list[int] = []
        for (centre, cat), ids in source.items():
            if (wanted is None or centre in wanted) and (category is None or cat == category):
                out.extend(ids)
        return sorted(out)


def _running(cell_people, cell_costed, service, weekly, units, unit_is_hour) -> tuple[int, int, float]:
    """Count one service running on a day: its person, and its weekly cost (and hours) where known."""
    cell_people.add(service.person_id)
    if weekly is None:
        return 0, 0, 0.0
    cell_costed.add(service.person_id)
    if units is not None and units > 0:
        return weekly, weekly, float(units)
    return weekly, 0, 0.0


def _runs(svc: CostedService, lo: int, hi: int) -> list[tuple[int, int, int]] | None:
    """The service's days from ordinal `lo` to `hi` as runs (first, last, weekly pence) at one known weekly cost,
    exactly as `costing.segments` splits them; None when it does not run in the window at all."""
    a = max(lo, svc.start_on.toordinal())
    b = hi if svc.end_on is None else min(hi, svc.end_on.toordinal())
    if a > b:
        return None
    versions = svc.versions
    last = len(versions) - 1
    out = []
    for i, v in enumerate(versions):
        s = a if i == 0 else max(a, v.effective_from.toordinal())
        e = b if i == last else min(b, versions[i + 1].effective_from.toordinal() - 1)
        if s <= e and v.weekly_pence:
            out.append((s, e, v.weekly_pence))
    return out


def _over(runs, first: int, last: int, start: int, one_off: int) -> int:
    """`costing.cost_between` over ordinals `first`..`last` from the runs (the same rounding, per run of days)."""
    total = one_off if first <= start <= last else 0
    for s, e, weekly in runs:
        lo = s if s > first else first
        hi = e if e < last else last
        if lo <= hi:
            days = hi - lo + 1
            total += (2 * weekly * days + 7) // 14 if weekly >= 0 else over_days(weekly, days)
    return total


def compute(
    services: Iterable[CostedService],
    *,
    year: str,
    starts_on: dt.date,
    ends_on: dt.date,
    as_at: dt.date,
    categories: Sequence[CategoryRule],
    centres: Sequence[CentreRule],
    teams_of: Mapping[int, Collection[int]],
) -> Forecast:
    """The forecast of the year `starts_on`..`ends_on` as at `as_at` (clipped to the year) from `services` (those
    running on any day of the year, or on the month end before `as_at`), with the care categories and cost centres
    as rules (most specific first) and the teams that work with each person (`teams_of`, by person id)."""
    as_at = clip_as_at(as_at, starts_on, ends_on)
    previous = previous_month_end(as_at)
    months = month_ends(starts_on, ends_on)
    n = len(months)
    cells: dict[tuple[int, int], Cell] = {}
    ids: dict[tuple[int, int], list[int]] = {}
    current: dict[tuple[int, int], list[int]] = {}
    empty: tuple[int, ...] = ()
    after = as_at + ONE_DAY
    # the windows each service's cost is worked out over (ordinals): spent, committed, and each month split at as_at
    year_lo, year_hi = starts_on.toordinal(), ends_on.toordinal()
    spent_w = (year_lo, as_at.toordinal()) if as_at >= starts_on else None
    committed_w = (after.toordinal(), year_hi) if after <= ends_on else None
    month_w: list[tuple[int, int, int, bool]] = []  # (first, last, month index, spent?)
    for i, (first, last) in enumerate(months):
        if last <= as_at:
            month_w.append((first.toordinal(), last.toordinal(), i, True))
        elif first > as_at:
            month_w.append((first.toordinal(), last.toordinal(), i, False))
        else:
            month_w.append((first.toordinal(), as_at.toordinal(), i, True))
            month_w.append((after.toordinal(), last.toordinal(), i, False))
    category_of: dict[tuple, CategoryRule | None] = {}
    centre_of: dict[tuple, CentreRule | None] = {}
    for svc in services:
        ckey = (svc.service_type, svc.service_component, svc.delivery_mechanism, svc.support_reason)
        if ckey in category_of:
            category = category_of[ckey]
        else:
            category = category_of[ckey] = categorise(svc, categories)
        person_teams = teams_of.get(svc.person_id, empty)
        tkey = (category.id if category else NONE, svc.support_reason, person_teams)
        if tkey in centre_of:
            centre = centre_of[tkey]
        else:
            centre = centre_of[tkey] = cost_centre(svc, category, person_teams, centres)
        key = (centre.id if centre else NONE, category.id if category else NONE)
        cell = cells.get(key)
        if cell is None:
            cell = cells[key] = Cell(months_spent=[0] * n, months_committed=[0] * n)
            ids[key] = []
            current[key] = []
        hourly = category is not None and category.unit == "hour"
        runs = _runs(svc, year_lo, year_hi)
        if runs is not None:  # runs on some day of the year
            cell.services += 1
            ids[key].append(svc.id)
            if no_cost_known(svc):
                cell.no_cost += 1
            else:
                start = svc.start_on.toordinal()
                one_off = svc.versions[0].unit_cost_pence if svc.versions[0].one_off else 0
                if spent_w is not None:
                    cell.spent += _over(runs, spent_w[0], spent_w[1], start, one_off)
                if committed_w is not None:
                    cell.committed += _over(runs, committed_w[0], committed_w[1], start, one_off)
                lo = min(runs[0][0], start) if runs else start
                hi = runs[-1][1] if runs else start
                for first, last, i, spent in month_w:
                    if last < lo or first > hi:
                        continue
                    pence = _over(runs, first, last, start, one_off)
                    if spent:
                        cell.months_spent[i] += pence
                    else:
                        cell.months_committed[i] += pence
        if svc.runs_on(as_at):
            current[key].append(svc.id)
            v = svc.version_on(as_at)
            w, hw, h = _running(
                cell.people,
                cell.costed_people,
                svc,
                v.weekly_pence if v else None,
                v.planned_units_per_week if v else None,
                hourly,
            )
            cell.weekly += w
            cell.hourly_weekly += hw
            cell.hours += h
        if svc.runs_on(previous):
            v = svc.version_on(previous)
            w, hw, h = _running(
                cell.prev_people,
                cell.prev_costed_people,
                svc,
                v.weekly_pence if v else None,
                v.planned_units_per_week if v else None,
                hourly,
            )
            cell.prev_weekly += w
            cell.prev_hourly_weekly += hw
            cell.prev_hours += h
    return Forecast(year, starts_on, ends_on, as_at, previous, months, cells, ids, current)
