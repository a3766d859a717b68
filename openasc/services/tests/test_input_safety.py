"""Finding 12 (and 10) for services: units and costs bounded, any script's digits read as 0-9, free text checked
before the database; the API answers 422 with the field, never 500."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse

from openasc.core import services as core_services
from openasc.core.errors import ValidationFailed
from openasc.core.models import Role
from openasc.core.money import MoneyError, parse_pounds
from openasc.core.tests.factories import UserFactory, opened
from openasc.people.tests.factories import PersonFactory
from openasc.services import services as service_writes
from openasc.services.models import Service, ServiceCost

UNITS_TOO_MANY = "The planned units per week must be 10,000 or fewer"
COST_TOO_MUCH = "The unit cost must be £100,000.00 or less"


@pytest.fixture
def token(staff):
    system = UserFactory(username="brokerage-system", role=Role.SYSTEM)
    admin = UserFactory(username="admin-user", role=Role.ADMINISTRATOR)
    return core_services.api_token_create(actor=admin, user=system, name="Brokerage feed")


def auth(plain):
    return {"HTTP_AUTHORIZATION": f"Bearer {plain}"}


def _start(actor, person, **overrides):
    data = {
        "service_type": "Long term support: Community",
        "service_component": "Home support or domiciliary care",
        "start_on": dt.date(2026, 3, 2),
        "unit_cost": "22.50",
        "cost_frequency": "Hourly",
        "planned_units_per_week": "14",
        "delivery_mechanism": "CASSR commissioned support",
    }
    data.update(overrides)
    return service_writes.service_start(record=opened(actor, person), **data)


def _errors(actor, **overrides) -> dict[str, str]:
    with pytest.raises(ValidationFailed) as exc:
        _start(actor, PersonFactory(), **overrides)
    return exc.value.errors


# -- the services ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("units", ["10000", Decimal("10000"), 10000, "10000.00"])
def test_10000_units_a_week_are_accepted(staff, units):
    service = _start(staff.broker, PersonFactory(), planned_units_per_week=units)
    assert ServiceCost.objects.get(service=service).planned_units_per_week == Decimal("10000")


@pytest.mark.parametrize(
    "units", ["10000.01", "10001", Decimal("1e30"), "1e30", 1e30, "99999999999999999999999999999"]
)
def test_more_than_10000_units_a_week_are_refused(staff, units):
    errors = _errors(staff.broker, planned_units_per_week=units)
    expected = (
        UNITS_TOO_MANY
        if not isinstance(units, str) or "e" not in units
        else "Enter the planned units per week as a number, like 14 or 3.5"
    )
    assert errors == {"planned_units_per_week": expected}
    assert not Service.objects.exists()


@pytest.mark.parametrize("cost", ["100000", "100,000.00", Decimal("100000"), 100000])
def test_a_unit_cost_of_100000_pounds_is_accepted(staff, cost):
    service = _start(
        staff.broker, PersonFactory(), unit_cost=cost, cost_frequency="Annually", planned_units_per_week=None
    )
    assert ServiceCost.objects.get(service=service).unit_cost_pence == 10_000_000


@pytest.mark.parametrize("cost", ["100000.01", Decimal("1E+30"), 1e30, "99999999999999999999999999999999"])
def test_a_unit_cost_over_100000_pounds_is_refused(staff, cost):
    assert _errors(staff.broker, unit_cost=cost) == {"unit_cost": COST_TOO_MUCH}


@pytest.mark.parametrize("cost", ["1e30", "NaN", "Infinity", "1_000", "--5", "0x10", "£", "12.5.0"])
def test_a_unit_cost_that_is_not_an_amount_is_refused(staff, cost):
    assert _errors(staff.broker, unit_cost=cost) == {"unit_cost": "Enter the unit cost in pounds, like 18.50"}


def test_digits_in_other_scripts_are_read_as_0_to_9(staff):
    service = _start(staff.broker, PersonFactory(), unit_cost="２２.５０", planned_units_per_week="١٤")
    cost = ServiceCost.objects.get(service=service)
    assert (cost.unit_cost_pence, cost.planned_units_per_week) == (2250, Decimal("14"))


def test_parse_pounds_never_raises_invalid_operation():
    for value in (Decimal("1E+30"), Decimal("1E-30"), Decimal("sNaN"), "1" * 40, Decimal("-1E+30")):
        with pytest.raises(MoneyError):
            parse_pounds(value)
    assert parse_pounds("9999999.99") == 999_999_999


def test_a_nul_in_the_description_or_reason_is_a_field_error(staff):
    assert _errors(staff.broker, description="Morning calls\x00") == {
        "description": "The description cannot contain a NUL character: remove it and try again"
    }
    service = _start(staff.broker, PersonFactory())
    with pytest.raises(ValidationFailed) as exc:
        service_writes.service_cost_change(
            record=opened(staff.broker, service.person),
            service=service,
            effective_from=dt.date(2026, 4, 6),
            unit_cost="1e30",
            cost_frequency="Hourly",
            planned_units_per_week="1e30",
            reason="r" * 201,
        )
    assert exc.value.errors == {
        "unit_cost": "Enter the unit cost in pounds, like 18.50",
        "planned_units_per_week": "Enter the planned units per week as a number, like 14 or 3.5",
        "reason": "The reason for the change must be 200 characters or fewer",
    }


# -- the API --------------------------------------------------------------------------------------------------------


def _body(person, **overrides):
    return {
        "person_id": person.pk,
        "service_type": "Long term support: Community",
        "service_component": "Home support or domiciliary care",
        "start_on": "2026-01-05",
        "unit_cost": "22.50",
        "cost_frequency": "Hourly",
        "planned_units_per_week": 14,
        **overrides,
    }


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"planned_units_per_week": "1e30"}, "planned_units_per_week", UNITS_TOO_MANY),
        ({"planned_units_per_week": 1e30}, "planned_units_per_week", UNITS_TOO_MANY),
        ({"planned_units_per_week": "10000.01"}, "planned_units_per_week", UNITS_TOO_MANY),
        ({"unit_cost": "1e30"}, "unit_cost", COST_TOO_MUCH),
        ({"unit_cost": 1e30}, "unit_cost", COST_TOO_MUCH),
        ({"unit_cost": "100000.01"}, "unit_cost", COST_TOO_MUCH),
        (
            {"description": "x\u0000"},
            "description",
            "The description cannot contain a NUL character: remove it and try again",
        ),
    ],
)
def test_api_start_gives_422_naming_the_field(client, token, overrides, field, message):
    response = client.post(
        "/api/services", _body(PersonFactory(), **overrides), content_type="application/json", **auth(token)
    )
    assert response.status_code == 422, response.content
    assert response.json()["errors"] == [{"field": field, "message": message}]
    assert not Service.objects.exists()


def test_api_start_accepts_the_largest_values(client, token):
    response = client.post(
        "/api/services",
        _body(PersonFactory(), unit_cost="100000", planned_units_per_week="10000"),
        content_type="application/json",
        **auth(token),
    )
    assert response.status_code == 201, response.content
    assert response.json()["costs"][0]["unit_cost_pence"] == 10_000_000


def test_api_cost_change_gives_422_for_1e30(client, token):
    created = client.post(
        "/api/services", _body(PersonFactory()), content_type="application/json", **auth(token)
    )
    url = f"/api/services/{created.json()['id']}/costs"
    response = client.post(
        url,
        {
            "effective_from": "2026-04-06",
            "unit_cost": "1e30",
            "cost_frequency": "Hourly",
            "planned_units_per_week": "1e30",
        },
        content_type="application/json",
        **auth(token),
    )
    assert response.status_code == 422, response.content
    assert {e["field"]: e["message"] for e in response.json()["errors"]} == {
        "unit_cost": COST_TOO_MUCH,
        "planned_units_per_week": UNITS_TOO_MANY,
    }
    ok = client.post(
        url,
        {
            "effective_from": "2026-04-06",
            "unit_cost": "100000",
            "cost_frequency": "Hourly",
            "planned_units_per_week": "10000",
        },
        content_type="application/json",
        **auth(token),
    )
    assert ok.status_code == 201


# -- the pages ------------------------------------------------------------------------------------------------------


def test_the_start_page_reports_both_bounds(client, staff):
    from openasc.core.tests.factories import CareRelationshipFactory

    person = PersonFactory()
    CareRelationshipFactory(person=person, user=staff.social_worker)
    client.force_login(staff.social_worker)
    response = client.post(
        reverse("services:create", args=[person.pk]),
        {
            "service_type": "Long term support: Community",
            "start_on-day": "5",
            "start_on-month": "1",
            "start_on-year": "2026",
            "unit_cost": "100000.01",
            "cost_frequency": "Hourly",
            "planned_units_per_week": "10001",
        },
    )
    html = response.content.decode()
    assert response.status_code == 400
    assert COST_TOO_MUCH in html and UNITS_TOO_MANY in html
    assert not Service.objects.exists()
