"""Spend aggregation: pure functions of `finance.costing.CostedService` (no names, no database).

- Gross spend of a service over the window (both days included) is `costing.cost_between`: each run of days at one
  weekly cost pro rata by the day, and a one-off cost on the day it starts. A service is counted in a figure when it
  costs something in the window (more than £0.00).
- Client group: the person's primary support reason (CLD), as recorded; empty is "Not recorded".
- Age band: on the last day of the financial year (31 March, as SALT counts long-term support at the year end), in the
  bands 18-64, 65-74, 75-84 and 85+ (SALT's 18-64 and 65+, with 65+ split as the spend tables of councils' finance
  reports are); "Under 18" and "Age not recorded" where that is so.
- Setting: the council's care category (finance.CareCategory, `categories.categorise`); "Not in a care category"
  otherwise.
- Average weekly cost per person: the row's spend divided by its person-weeks (the days each person had at least one
  of the row's services in the window, over 7), half up to the penny.
- Hourly rate: spend at hourly costs divided by the hours planned at those costs (`costing.units_between`), half up;
  shown only where the row has hourly services.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from openasc.finance import costing
from openasc.finance.categories import CategoryRule, categorise

SERVICE_TYPE = "service-type"
CLIENT_GROUP = "client-group"
AGE_BAND = "age-band"
SETTING = "setting"
DIMENSIONS = {
    SETTING: "Setting (care category)",
    SERVICE_TYPE: "CLD service type",
    CLIENT_GROUP: "Client group (primary support reason)",
    AGE_BAND: "Age band on 31 March",
}
TOTAL = "All services"
AGE_BANDS = ["18-64", "65-74", "75-84", "85+", "Under 18", "Age not recorded"]
NOT_RECORDED = "Not recorded"
NO_CATEGORY = "Not in a care category"


def _penny(value: Decimal) -> int:
    return int(value.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def age_on(born: dt.date | None, day: dt.date) -> int | None:
    if born is None:
        return None
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


def age_band(age: int | None) -> str:
    if age is None:
        return "Age not recorded"
    if age < 18:
        return "Under 18"
    if age < 65:
        return "18-64"
    if age < 75:
        return "65-74"
    if age < 85:
        return "75-84"
    return "85+"


@dataclass
class Row:
    label: str
    spend_pence: int = 0
    people: int = 0
    services: int = 0
    person_days: int = 0
    hourly_spend_pence: int = 0
    hours: Decimal = Decimal(0)

    @property
    def average_weekly_pence(self) -> int | None:
        if not self.person_days:
            return None
        return _penny(Decimal(self.spend_pence) * 7 / Decimal(self.person_days))

    @property
    def hourly_rate_pence(self) -> int | None:
        if not self.hours:
            return None
        return _penny(Decimal(self.hourly_spend_pence) / self.hours)


@dataclass
class ServiceSpend:
    """One service's part in the figures (what the services behind a figure list)."""

    service_id: int
    person_id: int
    spend_pence: int
    groups: dict[str, str]  # dimension -> its row label


@dataclass
class Spend:
    first: dt.date
    last: dt.date
    year_end: dt.date
    total: Row
    tables: dict[str, list[Row]]
    computed_at: dt.datetime | None = None
    services: list[ServiceSpend] = field(default_factory=list)  # empty in a slim copy
    slim_copy: bool = False

    def slim(self) -> Spend:
        return dataclasses.replace(self, services=[], slim_copy=True)

    def row(self, dimension: str, label: str) -> Row | None:
        if dimension == "" and label == TOTAL:
            return self.total
        return next((r for r in self.tables.get(dimension, []) if r.label == label), None)

    def behind(self, dimension: str, label: str) -> list[ServiceSpend]:
        """The services behind one figure, the biggest spend first (then by service id)."""
        if self.slim_copy:
            raise ValueError("This spend was kept without its services: compute it in full")
        if dimension == "" and label == TOTAL:
            chosen = list(self.services)
        else:
            chosen = [s for s in self.services if s.groups.get(dimension) == label]
        chosen.sort(key=lambda s: (-s.spend_pence, s.service_id))
        return chosen


def _merged_days(intervals: list[tuple[dt.date, dt.date]]) -> int:
    intervals.sort()
    days = 0
    cur_a, cur_b = intervals[0]
    for a, b in intervals[1:]:
        if a > cur_b + costing.ONE_DAY:
            days += (cur_b - cur_a).days + 1
            cur_a, cur_b = a, b
        elif b > cur_b:
            cur_b = b
    return days + (cur_b - cur_a).days + 1


def aggregate(
    services: list[costing.CostedService],
    *,
    first: dt.date,
    last: dt.date,
    year_end: dt.date,
    categories: list[CategoryRule],
    category_order: list[str] | None = None,
) -> Spend:
    """Spend from `first` to `last` (both included) by each dimension, with the services behind every figure."""
    rows: dict[tuple[str, str], Row] = {}
    spans: dict[tuple[str, str], dict[int, list]] = {}
    total = Row(TOTAL)
    total_spans: dict[int, list] = {}
    kept: list[ServiceSpend] = []
    for svc in services:
        segs = costing.segments(svc, first, last)
        spend = sum(s.pence for s in segs)
        if svc.versions and first <= svc.start_on <= last and svc.versions[0].one_off:
            spend += svc.versions[0].unit_cost_pence
        if spend <= 0:
            continue
        hourly_spend, hours = 0, Decimal(0)
        for s in segs:
            if (s.version.cost_frequency or "").strip().lower().startswith(
                "hour"
            ) and s.version.planned_units_per_week:
                hourly_spend += s.pence
                hours += Decimal(s.version.planned_units_per_week) * s.days / 7
        window = costing.clip(svc, first, last)
        category = categorise(svc, categories)
        groups = {
            SETTING: category.name if category else NO_CATEGORY,
            SERVICE_TYPE: svc.service_type or NOT_RECORDED,
            CLIENT_GROUP: svc.support_reason or NOT_RECORDED,
            AGE_BAND: age_band(age_on(svc.date_of_birth, year_end)),
        }
        kept.append(ServiceSpend(svc.id, svc.person_id, spend, groups))
        for target, where in [(total, total_spans)] + [
            (
                rows.setdefault((d, label), Row(label)),
                spans.setdefault((d, label), {}),
            )
            for d, label in groups.items()
        ]:
            target.spend_pence += spend
            target.services += 1
            target.hourly_spend_pence += hourly_spend
            target.hours += hours
            if window is not None:
                where.setdefault(svc.person_id, []).append(window)
    for key, people in spans.items():
        rows[key].people = len(people)
        rows[key].person_days = sum(_merged_days(v) for v in people.values())
    total.people = len(total_spans)
    total.person_days = sum(_merged_days(v) for v in total_spans.values())
    tables: dict[str, list[Row]] = {}
    for d in DIMENSIONS:
        mine = [r for (dim, _), r in rows.items() if dim == d]
        if d == AGE_BAND:
            mine.sort(key=lambda r: AGE_BANDS.index(r.label))
        elif d == SETTING and category_order is not None:
            order = {name: i for i, name in enumerate(category_order)}
            mine.sort(key=lambda r: (order.get(r.label, len(order)), r.label))
        else:
            mine.sort(key=lambda r: (r.label == NOT_RECORDED, -r.spend_pence, r.label))
        tables[d] = mine
    return Spend(first, last, year_end, total, tables, services=kept)
