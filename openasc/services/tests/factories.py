"""Services delivered and their costs (set-up data, exempt from the audit safety net; the code under test audits its
own writes).

`ServiceFactory()` is a current home care service; `ServiceFactory(ended=True)` one that ended as planned;
`ServiceCostFactory(service=...)` its first cost (hourly, 10 hours a week, from the day it started)."""

import datetime as dt

import factory

from openasc.core.models import Role
from openasc.core.tests.factories import AuditExemptFactory, UserFactory
from openasc.people.tests.factories import PersonFactory
from openasc.services.models import Service, ServiceCost


class ServiceFactory(AuditExemptFactory):
    class Meta:
        model = Service

    class Params:
        ended = factory.Trait(
            end_on=factory.LazyAttribute(lambda o: o.start_on + dt.timedelta(days=90)),
            end_outcome="NFA: Support ended as planned",
        )
        reablement = factory.Trait(
            service_type="Short term support: ST-Max",
            service_component="Reablement",
            delivery_mechanism="CASSR commissioned support",
        )

    person = factory.SubFactory(PersonFactory)
    service_type = "Long term support: Community"
    service_component = "Home support or domiciliary care"
    start_on = dt.date(2026, 1, 5)
    delivery_mechanism = "CASSR commissioned support"
    created_by = factory.SubFactory(UserFactory, username="broker-factory", role=Role.BROKER)


class ServiceCostFactory(AuditExemptFactory):
    class Meta:
        model = ServiceCost

    class Params:
        weekly = factory.Trait(cost_frequency="Weekly", planned_units_per_week=None, unit_cost_pence=85000)

    service = factory.SubFactory(ServiceFactory)
    effective_from = factory.LazyAttribute(lambda o: o.service.start_on)
    unit_cost_pence = 2200
    cost_frequency = "Hourly"
    planned_units_per_week = 10
    created_by = factory.LazyAttribute(lambda o: o.service.created_by)
