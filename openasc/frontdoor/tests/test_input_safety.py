"""Finding 12 at the front door: a request's text is checked before the database (NUL, longer than the column),
every problem at once, on the service and the API (422, never a DataError)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from openasc.core import services as core_services
from openasc.core.errors import ValidationFailed
from openasc.core.models import Role
from openasc.core.tests.factories import UserFactory, opened
from openasc.frontdoor import services
from openasc.frontdoor.models import SupportRequest
from openasc.frontdoor.tests.factories import SupportRequestFactory
from openasc.people.tests.factories import PersonFactory

TODAY = timezone.localdate()


def record(actor, person, **overrides):
    data = {
        "received_on": TODAY - dt.timedelta(days=2),
        "route_of_access": "Discharge from hospital",
        "contact_by": "family",
        "contact_name": "June Marsh",
        "contact_phone": "01632 960123",
        "what_matters": "Getting home to my cat",
        "reason": "Fall at home",
        "urgency": "soon",
        "client_type": "Service user",
    }
    data.update(overrides)
    return services.request_record(record=opened(actor, person), **data)


def test_contact_name_and_phone_are_accepted_at_their_max_length(staff):
    req = record(
        staff.front_door,
        PersonFactory(),
        contact_name="n" * 200,
        contact_phone="0" * 30,
        what_matters="Line one\nLine two\twith a tab",
    )
    req.refresh_from_db()
    assert (req.contact_name, req.contact_phone, req.what_matters) == (
        "n" * 200,
        "0" * 30,
        "Line one\nLine two\twith a tab",
    )


def test_every_bad_text_field_is_reported_at_once(staff):
    with pytest.raises(ValidationFailed) as exc:
        record(
            staff.front_door,
            PersonFactory(),
            contact_name="n" * 201,
            contact_phone="0" * 31,
            what_matters="Home\x00",
            reason="Fell\x00",
        )
    assert exc.value.errors == {
        "contact_name": "The name of the person who made contact must be 200 characters or fewer",
        "contact_phone": "The phone number of the person who made contact must be 30 characters or fewer",
        "what_matters": "The what matters to the person cannot contain a NUL character: remove it and try again",
        "reason": "The reason for contacting us cannot contain a NUL character: remove it and try again",
    }
    assert not SupportRequest.objects.exists()


def test_a_single_line_field_refuses_a_new_line(staff):
    with pytest.raises(ValidationFailed) as exc:
        record(staff.front_door, PersonFactory(), contact_name="June\nMarsh")
    assert set(exc.value.errors) == {"contact_name"}


def test_received_on_before_1900_is_refused(staff):
    with pytest.raises(ValidationFailed) as exc:
        record(staff.front_door, PersonFactory(date_of_birth=None), received_on=dt.date(1899, 12, 31))
    assert exc.value.errors == {"received_on": "The date received must be on or after 1 January 1900"}


def test_triage_and_cancel_text_with_a_nul_is_a_field_error(staff, teams):
    req = SupportRequestFactory()
    with pytest.raises(ValidationFailed) as exc:
        services.request_triage(
            record=opened(staff.front_door, req.person),
            request=req,
            decision="information_and_advice",
            information_given="Leaflet\x00",
        )
    assert set(exc.value.errors) == {"information_given"}
    with pytest.raises(ValidationFailed) as exc:
        services.request_cancel(
            record=opened(staff.front_door, req.person), request=req, reason="Duplicate\x00"
        )
    assert set(exc.value.errors) == {"reason"}


@pytest.fixture
def token(staff):
    system = UserFactory(username="online-referrals", role=Role.SYSTEM)
    admin = UserFactory(username="admin-user", role=Role.ADMINISTRATOR)
    return core_services.api_token_create(actor=admin, user=system, name="Online referral form")


def test_api_gives_422_for_a_nul_and_an_over_length_name(client, token):
    person = PersonFactory()
    response = client.post(
        "/api/requests",
        {
            "person_id": person.pk,
            "received_on": (TODAY - dt.timedelta(days=1)).isoformat(),
            "route_of_access": "Community or other route",
            "contact_by": "family",
            "contact_name": "n" * 10_000,
            "contact_phone": "0" * 31,
            "what_matters": "Keeping my allotment\u0000",
            "urgency": "routine",
            "client_type": "Service user",
        },
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {token}",
    )
    assert response.status_code == 422, response.content
    assert {e["field"] for e in response.json()["errors"]} == {
        "contact_name",
        "contact_phone",
        "what_matters",
    }
    assert not SupportRequest.objects.exists()
