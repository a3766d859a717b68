import datetime as dt

import pytest

from openasc.core import services as core_services
from openasc.core.models import Role
from openasc.core.tests.factories import UserFactory
from openasc.people.tests.factories import PersonFactory
from openasc.planning.models import Review
from openasc.providers.tests.factories import ProviderLocationFactory


@pytest.fixture
def token(staff):
    system = UserFactory(username="brokerage-system", role=Role.SYSTEM)
    admin = UserFactory(username="admin-user", role=Role.ADMINISTRATOR)
    return system, core_services.api_token_create(actor=admin, user=system, name="Brokerage feed")


def auth(token_value):
    return {"HTTP_AUTHORIZATION": f"Bearer {token_value}"}


def test_start_change_cost_end_and_cost_on_a_date(client, token):
    _, plain = token
    person = PersonFactory()
    location = ProviderLocationFactory(cqc_location_id="1-123456789")
    response = client.post(
        "/api/services",
        {
            "person_id": person.pk,
            "service_type": "Long term support: Community",
            "service_component": "Home support or domiciliary care",
            "provider_location_id": location.pk,
            "start_on": "2026-01-05",
            "unit_cost": "22.50",
            "cost_frequency": "Hourly",
            "planned_units_per_week": 14,
        },
        content_type="application/json",
        **auth(plain),
    )
    assert response.status_code == 201
    body = response.json()
    assert body["provider_cqc_location_id"] == "1-123456789"
    assert body["costs"][0]["weekly_pence"] == 31500
    assert Review.objects.get(person=person).due_on == dt.date(2026, 2, 16)
    changed = client.post(
        f"/api/services/{body['id']}/costs",
        {
            "effective_from": "2026-04-06",
            "unit_cost": 23.1,
            "cost_frequency": "Hourly",
            "planned_units_per_week": "14",
        },
        content_type="application/json",
        **auth(plain),
    )
    assert changed.status_code == 201 and changed.json()["weekly_pence"] == 32340
    before = client.get(f"/api/services/{body['id']}/cost", {"on": "2026-04-05"}, **auth(plain)).json()
    on = client.get(f"/api/services/{body['id']}/cost", {"on": "2026-04-06"}, **auth(plain)).json()
    assert (before["weekly_pence"], on["weekly_pence"]) == (31500, 32340)
    ended = client.post(
        f"/api/services/{body['id']}/end",
        {"end_on": "2026-06-30", "outcome": "NFA: Support ended as planned"},
        content_type="application/json",
        **auth(plain),
    )
    assert ended.status_code == 200
    assert (ended.json()["end_on"], ended.json()["end_outcome"]) == (
        "2026-06-30",
        "NFA: Support ended as planned",
    )


def test_validation_errors_are_field_level(client, token):
    _, plain = token
    person = PersonFactory()
    response = client.post(
        "/api/services",
        {
            "person_id": person.pk,
            "service_type": "Home care",
            "start_on": "2026-01-05",
            "end_on": "2026-01-01",
            "unit_cost": "-3",
            "cost_frequency": "Daily",
        },
        content_type="application/json",
        **auth(plain),
    )
    assert response.status_code == 422
    assert {e["field"] for e in response.json()["errors"]} == {
        "service_type",
        "end_on",
        "unit_cost",
        "planned_units_per_week",
    }


def test_access_to_services_follows_the_person(client, staff):
    person = PersonFactory()
    client.force_login(staff.nhs_partner)
    response = client.post(
        "/api/services",
        {
            "person_id": person.pk,
            "service_type": "Long term support: Community",
            "start_on": "2026-01-05",
            "unit_cost": "10",
            "cost_frequency": "Weekly",
        },
        content_type="application/json",
    )
    assert response.status_code == 403
    assert "working relationship" in response.json()["detail"]
