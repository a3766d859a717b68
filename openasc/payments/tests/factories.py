"""Payments set-up data (exempt from the audit safety net; the code under test audits its own writes).

The default schedules come from migration 0002: `schedule("home-care")` (four-weekly in arrears against invoices,
from Monday 6 April 2026) and `schedule("care-homes")` (four-weekly in arrears from the plan).
`home_care(person, location, start_on=..., costs=[...])` and `care_home(...)` make services with their costs."""

from __future__ import annotations

import datetime as dt

from openasc.core.models import Role
from openasc.core.tests.factories import UserFactory
from openasc.finance.tests.factories import service_with_costs
from openasc.payments.models import PaymentSchedule
from openasc.providers.tests.factories import ProviderLocationFactory

HOME_CARE = ("Long term support: Community", "Home support or domiciliary care")
NURSING = ("Long term support: Nursing care", "")
RESIDENTIAL = ("Long term support: Residential care", "")


def schedule(code: str) -> PaymentSchedule:
    return PaymentSchedule.objects.get(code=code)


def finance_officer(username: str):
    return UserFactory(username=username, role=Role.FINANCE_OFFICER)


def location(name: str = "", kind: str = "Home care agency"):
    return ProviderLocationFactory(kind=kind, **({"name": name} if name else {}))


def home_care(person, loc, *, start_on=dt.date(2026, 1, 5), end_on=None, costs=None):
    """Hourly home care: by default £22.00 an hour, 10 hours a week from its start."""
    return service_with_costs(
        person,
        service_type=HOME_CARE[0],
        component=HOME_CARE[1],
        start_on=start_on,
        end_on=end_on,
        costs=costs or [(start_on, 2200, "Hourly", 10)],
        provider_location=loc,
    )


def care_home(person, loc, *, start_on=dt.date(2026, 1, 5), end_on=None, costs=None, kind=RESIDENTIAL):
    """A weekly care home placement: by default £850.00 a week."""
    return service_with_costs(
        person,
        service_type=kind[0],
        component=kind[1],
        start_on=start_on,
        end_on=end_on,
        costs=costs or [(start_on, 85000, "Weekly", None)],
        provider_location=loc,
    )
