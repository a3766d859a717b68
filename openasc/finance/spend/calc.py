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
HEADINGS = {
    SETTING: "By setting (care category)",
    SERVICE_TYPE: "By CLD service type",
    CLIENT_GROUP: "By client group (primary support reason)",
    AGE_BAND: "By age band on 31 March",
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
    unit_days: int = 0  # hourly costs' planned hours a week in hundredths, times the days at them (exact)

    @property
    def hours(self) -> Decimal:
        return Decimal(self.unit_days) / 700

    @property
    def average_weekly_pence(self) -> int | None:
        if not self.person_days:
            return None
        return _penny(Decimal(self.spend_pence) * 7 / Decimal(self.person_days))

    @property
    def hourly_rate_pence(self) -> int | None:
        if not self.unit_days:
            return None
        return _penny(Decimal(self.hourly_spend_pence) * 700 / Decimal(self.unit_days))


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
    if len(intervals) == 1:
        a, b = intervals[0]
        return (b - a).days + 1
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


def _hundredths(units) -> int:
    return int(Decimal(units) * 100)


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
    setting_of: dict[tuple, str] = {}  # the care category depends only on these four values
    bands: dict[dt.date | None, str] = {}
    for svc in services:
        segs = costing.segments(svc, first, last)
        spend = 0
        hourly_spend = unit_days = 0
        for seg in segs:
            pence = seg.pence
            spend += pence
            v = seg.version
            if v.planned_units_per_week and v.cost_frequency[:4].lower() == "hour":
                hourly_spend += pence
                unit_days += _hundredths(v.planned_units_per_week) * seg.days
        if svc.versions and first <= svc.start_on <= last and svc.versions[0].one_off:
            spend += svc.versions[0].unit_cost_pence
        if spend <= 0:
            continue
        key = (svc.service_type, svc.service_component, svc.delivery_mechanism, svc.support_reason)
        setting = setting_of.get(key)
        if setting is None:
            category = categorise(svc, categories)
            setting = setting_of[key] = category.name if category else NO_CATEGORY
        band = bands.get(svc.date_of_birth)
        if band is None:
            band = bands[svc.date_of_birth] = age_band(age_on(svc.date_of_birth, year_end))
        groups = {
            SETTING: setting,
            SERVICE_TYPE: svc.service_type or NOT_RECORDED,
            CLIENT_GROUP: svc.support_reason or NOT_RECORDED,
            AGE_BAND: band,
        }
        kept.append(ServiceSpend(svc.id, svc.person_id, spend, groups))
        window = costing.clip(svc, first, last)
        targets = [(total, total_spans)]
        for group in groups.items():
            row = rows.get(group)
            if row is None:
                row = rows[group] = Row(group[1])
                spans[group] = {}
            targets.append((row, spans[group]))
        for row, where in targets:
            row.spend_pence += spend
            row.services += 1
            if unit_days:
                row.hourly_spend_pence += hourly_spend
                row.unit_days += unit_days
            if window is not None:
                mine = where.get(svc.person_id)
                if mine is None:
                    where[svc.person_id] = [window]
                else:
                    mine.append(window)
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
