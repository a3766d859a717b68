"""Finance set-up data for tests (exempt from the audit safety net; the code under test audits its own writes).

Financial years and care categories are seeded by migration 0002: take them with
`FinancialYear.objects.get(label="2026-27")` and `CareCategory.objects.get(code="home-care")`.

`CostCentreFactory(care_category=..., team=...)` a cost centre; `BudgetFactory(cost_centre=..., year=...)` its budget;
`service_with_costs(person, service_type=..., component=..., start_on=..., costs=[(date, unit_pence, frequency,
units)])` a service with its cost versions."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import factory
from django.utils import timezone

from openasc.core.models import Role
from openasc.core.tests.factories import AuditExemptFactory, UserFactory
from openasc.finance.models import Budget, CostCentre, FinancialYear
from openasc.services.tests.factories import ServiceCostFactory, ServiceFactory


def year(label: str = "2026-27") -> FinancialYear:
    return FinancialYear.objects.get(label=label)


class CostCentreFactory(AuditExemptFactory):
    class Meta:
        model = CostCentre
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"CC{n:04d}")
    name = factory.Sequence(lambda n: f"Cost centre {n}")
    care_category = None
    support_reasons = factory.LazyFunction(list)
    team = None
    holder = None
    active = True


class BudgetFactory(AuditExemptFactory):
    class Meta:
        model = Budget

    year = factory.LazyFunction(lambda: FinancialYear.objects.get(label="2026-27"))
    cost_centre = factory.SubFactory(CostCentreFactory)
    net_budget_pence = 10_000_000
    budgeted_people = 10
    budgeted_unit_cost_pence = 80_000
    note = ""
    updated_by = factory.SubFactory(UserFactory, username="finance-factory", role=Role.FINANCE_OFFICER)
    updated_at = factory.LazyFunction(timezone.now)


def service_with_costs(
    person,
    *,
    service_type: str,
    component: str = "",
    start_on: dt.date,
    end_on: dt.date | None = None,
    costs: list[tuple[dt.date, int, str, int | float | Decimal | None]] = (),
    provider_location=None,
    delivery_mechanism: str = "CASSR commissioned support",
    plan=None,
):
    """A Service for `person` with one ServiceCost per `(effective_from, unit_cost_pence, cost_frequency,
    planned_units_per_week)` (set-up data, as the services' own factories make it)."""
    service = ServiceFactory(
        person=person,
        service_type=service_type,
        service_component=component,
        start_on=start_on,
        end_on=end_on,
        provider_location=provider_location,
        delivery_mechanism=delivery_mechanism,
        plan=plan,
    )
    for effective_from, unit, frequency, units in costs:
        ServiceCostFactory(
            service=service,
            effective_from=effective_from,
            unit_cost_pence=unit,
            cost_frequency=frequency,
            planned_units_per_week=None if units is None else Decimal(str(units)),
        )
    return service
