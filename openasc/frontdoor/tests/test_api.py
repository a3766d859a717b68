import datetime as dt

import pytest
from django.utils import timezone

from openasc.core import services as core_services
from openasc.core.models import AuditEvent, Role
from openasc.core.tests.factories import CareRelationshipFactory, UserFactory
from openasc.frontdoor.models import SupportRequest
from openasc.frontdoor.tests.factories import SupportRequestFactory, routed
from openasc.people.tests.factories import PersonFactory

TODAY = timezone.localdate()


@pytest.fixture
def token(staff):
    system = UserFactory(username="online-referrals", role=Role.SYSTEM)
    admin = UserFactory(username="admin-user", role=Role.ADMINISTRATOR)
    return system, core_services.api_token_create(actor=admin, user=system, name="Online referral form")


def auth(plain):
    return {"HTTP_AUTHORIZATION": f"Bearer {plain}"}


def body(person, **overrides):
    data = {
        "person_id": person.pk,
        "received_on": (TODAY - dt.timedelta(days=1)).isoformat(),
        "route_of_access": "Community or other route",
        "contact_by": "self",
        "what_matters": "Keeping my allotment",
        "urgency": "routine",
        "client_type": "Service user",
    }
    data.update(overrides)
    return data


def test_api_needs_authentication(client, db):
    assert client.get("/api/requests/waiting").status_code == 401


def test_create_and_read_with_a_token(client, token):
    system, plain = token
    person = PersonFactory()
    created = client.post("/api/requests", body(person), content_type="application/json", **auth(plain))
    assert created.status_code == 201
    data = created.json()
    assert (data["person_id"], data["status"], data["what_matters"], data["decision"]) == (
        person.pk,
        "open",
        "Keeping my allotment",
        "",
    )
    read = client.get(f"/api/requests/{data['id']}", **auth(plain))
    assert read.status_code == 200 and read.json()["route_of_access"] == "Community or other route"
    assert {"create", "view"} <= set(AuditEvent.objects.filter(actor=system).values_list("action", flat=True))


def test_field_level_errors(client, token):
    _, plain = token
    person = PersonFactory()
    response = client.post(
        "/api/requests",
        body(
            person,
            route_of_access="Walk-in",
            what_matters=" ",
            received_on=(TODAY + dt.timedelta(days=1)).isoformat(),
        ),
        content_type="application/json",
        **auth(plain),
    )
    assert response.status_code == 422
    assert response.json()["errors"] == [
        {"field": "received_on", "message": "The date received must be today or in the past"},
        {"field": "route_of_access", "message": "Select the route of access from the list"},
        {"field": "what_matters", "message": "Enter what matters to the person, in their words"},
    ]
    missing = client.post(
        "/api/requests",
        {"person_id": 999999, "contact_by": "self", "what_matters": "x"},
        content_type="application/json",
        **auth(plain),
    )
    assert missing.status_code == 422
    assert missing.json()["errors"] == [
        {"field": "person_id", "message": "There is no person with that id: find or add them first"}
    ]
    schema = client.post(
        "/api/requests", {"person_id": person.pk}, content_type="application/json", **auth(plain)
    )
    assert schema.status_code == 422
    assert {"contact_by", "what_matters"} <= {e["field"] for e in schema.json()["errors"]}
    assert not SupportRequest.objects.exists()


def test_triage_follows_the_role_check_and_access(client, token, staff, teams):
    _, plain = token
    req = SupportRequestFactory()
    refused = client.post(
        f"/api/requests/{req.pk}/triage",
        {"decision": "safeguarding"},
        content_type="application/json",
        **auth(plain),
    )
    assert refused.status_code == 403  # system accounts read and record, they do not triage
    client.force_login(staff.social_worker)
    assert (
        client.post(
            f"/api/requests/{req.pk}/triage", {"decision": "safeguarding"}, content_type="application/json"
        ).status_code
        == 403
    )  # no relationship
    client.force_login(staff.front_door)
    errors = client.post(
        f"/api/requests/{req.pk}/triage", {"decision": "assessment"}, content_type="application/json"
    )
    assert errors.status_code == 422
    assert errors.json()["errors"] == [{"field": "team", "message": "Select the team to pass the request to"}]
    bad_team = client.post(
        f"/api/requests/{req.pk}/triage",
        {"decision": "assessment", "team": 999999},
        content_type="application/json",
    )
    assert bad_team.json()["errors"] == [{"field": "team", "message": "There is no team with that id"}]
    done = client.post(
        f"/api/requests/{req.pk}/triage",
        {"decision": "assessment", "team": teams.north.pk},
        content_type="application/json",
    )
    assert done.status_code == 200
    assert (done.json()["status"], done.json()["outcome"], done.json()["team_name"]) == (
        "routed",
        "Progress to assessment, review or reassessment",
        "Locality team north",
    )
    assert client.get("/api/requests/999999").status_code == 404


def test_waiting_list_over_json(client, staff, teams):
    north = routed(teams.north, received_on=TODAY - dt.timedelta(days=12), urgency="urgent")
    routed(teams.south)
    CareRelationshipFactory(person=routed(teams.north).person, user=staff.social_worker)
    client.force_login(staff.team_manager)
    data = client.get("/api/requests/waiting", {"list": "allocation"}).json()
    assert data["counts"] == {"triage": 0, "allocation": 1, "assessment": 2}
    assert data["teams"] == [teams.north.pk]
    [row] = data["results"]
    assert (row["person_id"], row["waited_days"], row["urgency"], row["team_name"]) == (
        north.person_id,
        12,
        "urgent",
        "Locality team north",
    )
    client.force_login(staff.front_door)
    everyone = client.get("/api/requests/waiting", {"list": "allocation", "team": "all"}).json()
    assert everyone["total"] == 2 and everyone["teams"] == []
    bad = client.get("/api/requests/waiting", {"list": "review"})
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "list"


def test_openapi_schema_documents_requests(client, db):
    paths = set(client.get("/api/openapi.json").json()["paths"])
    assert {
        "/api/requests",
        "/api/requests/waiting",
        "/api/requests/{request_id}",
        "/api/requests/{request_id}/triage",
    } <= paths


def test_a_request_can_be_marked_recorded_in_error_over_json(client, staff):
    req = SupportRequestFactory()
    client.force_login(staff.front_door)
    url = f"/api/requests/{req.pk}/recorded-in-error"
    blank = client.post(url, {"reason": " "}, content_type="application/json")
    assert blank.status_code == 422
    assert blank.json()["errors"] == [
        {"field": "reason", "message": "Explain why the request was recorded in error"}
    ]
    done = client.post(url, {"reason": "Duplicate of yesterday's call"}, content_type="application/json")
    assert done.status_code == 200 and done.json()["status"] == "cancelled"
    again = client.post(url, {"reason": "Duplicate"}, content_type="application/json")
    assert again.status_code == 422
