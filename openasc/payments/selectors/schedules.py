"""Which schedule pays a service, and the periods of a schedule (reference data; nothing about a person)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from openasc.finance import categories
from openasc.finance.costing import CostedService
from openasc.finance.models import CareCategory, CostCentre
from openasc.payments import periods
from openasc.payments.models import PaymentSchedule


def _fold(values) -> frozenset[str]:
    return frozenset(v.strip().casefold() for v in values or () if v and v.strip())


@dataclass(frozen=True)
class ScheduleRule:
    """A schedule as plain data, with the rule for the services it pays."""

    id: int
    code: str
    name: str
    frequency: str
    timing: str
    anchor: dt.date
    basis: str
    categories: frozenset[str]
    service_types: frozenset[str]
    service_components: frozenset[str]

    @classmethod
    def of(cls, s: PaymentSchedule) -> ScheduleRule:
        return cls(
            s.pk,
            s.code,
            s.name,
            s.frequency,
            s.timing,
            s.anchor,
            s.basis,
            frozenset(s.care_categories or ()),
            _fold(s.service_types),
            _fold(s.service_components),
        )

    def holds(self, service: CostedService, category_code: str | None) -> bool:
        if self.categories and category_code in self.categories:
            return True
        if not (self.service_types or self.service_components):
            return False
        return (not self.service_types or service.service_type.casefold() in self.service_types) and (
            not self.service_components or service.service_component.casefold() in self.service_components
        )

    def period_paid_by(self, run_day: dt.date) -> periods.Period | None:
        return periods.paid_by_run(self.frequency, self.anchor, self.timing, run_day)

    def containing(self, day: dt.date) -> periods.Period:
        return periods.containing(self.frequency, self.anchor, day)


@dataclass
class Rules:
    """Everything needed to say which schedule pays a service and which cost centre it is charged to."""

    schedules: list[ScheduleRule]
    categories: list[categories.CategoryRule]
    centres: list[categories.CentreRule]

    def category(self, service: CostedService):
        return categories.categorise(service, self.categories)

    def schedule_for(self, service: CostedService) -> ScheduleRule | None:
        category = self.category(service)
        code = category.code if category else None
        for rule in self.schedules:
            if rule.holds(service, code):
                return rule
        return None

    def centre_code(self, service: CostedService, team_ids: frozenset[int] = frozenset()) -> str:
        centre = categories.cost_centre(service, self.category(service), team_ids, self.centres)
        return centre.code if centre else ""


def schedule_rules() -> list[ScheduleRule]:
    return [
        ScheduleRule.of(s) for s in PaymentSchedule.objects.filter(active=True).order_by("priority", "code")
    ]


def load_rules() -> Rules:
    return Rules(
        schedule_rules(),
        categories.rules(CareCategory.objects.all()),
        categories.centre_rules(CostCentre.objects.all()),
    )


def schedules() -> list[PaymentSchedule]:
    return list(PaymentSchedule.objects.order_by("priority", "code"))


def schedule_get(schedule_id: int) -> PaymentSchedule | None:
    return PaymentSchedule.objects.filter(pk=schedule_id).first()
