import pytest

from openasc.core import services as core_services
from openasc.core.models import AuditEvent, Role
from openasc.core.tests.factories import CareRelationshipFactory, UserFactory
from openasc.people.models import Person
from openasc.people.tests.factories import PersonFactory


@pytest.fixture
def token(staff):
    system = UserFactory(username="hospital-integration", role=Role.SYSTEM)
    admin = UserFactory(username="admin-user", role=Role.ADMINISTRATOR)
    return system, core_services.api_token_create(actor=admin, user=system, name="Hospital discharge feed")


def auth(token_value):
    return {"HTTP_AUTHORIZATION": f"Bearer {token_value}"}


def test_api_needs_authentication(client, db):
    response = client.get("/api/people", {"q": "smith"})
    assert response.status_code == 401
    assert response.json()["detail"].startswith("Authentication required")


def test_revoked_or_wrong_tokens_are_refused(client, token):
    from django.utils import timezone

    from openasc.core.models import ApiToken

    assert client.get("/api/people", {"q": "x"}, **auth("oasc_wrong")).status_code == 401
    ApiToken.objects.update(revoked_at=timezone.now())
    assert client.get("/api/people", {"q": "x"}, **auth(token[1])).status_code == 401


def test_search_read_create_update_with_audit(client, token):
    system, plain = token
    PersonFactory(first_name="Agnes", last_name="Whitfield", nhs_number="9434765919")
    found = client.get("/api/people", {"q": "943 476 5919"}, **auth(plain)).json()
    assert found["interpreted_as"] == ["NHS number 943 476 5919"]
    [hit] = found["results"]
    person = client.get(f"/api/people/{hit['id']}", **auth(plain)).json()
    assert (person["first_name"], person["nhs_number"]) == ("Agnes", "9434765919")

    created = client.post(
        "/api/people",
        {
            "first_name": "Bert",
            "last_name": "Ng",
            "nhs_number": "6541003238",
            "date_of_birth": "1950-02-01",
            "postcode": "ns2 1ab",
        },
        content_type="application/json",
        **auth(plain),
    )
    assert created.status_code == 201
    body = created.json()
    assert (body["postcode"], body["la_person_id"]) == ("NS2 1AB", f"P{body['id']:07d}")

    changed = client.patch(
        f"/api/people/{body['id']}", {"phone": "01632 960001"}, content_type="application/json", **auth(plain)
    )
    assert changed.status_code == 200 and changed.json()["phone"] == "01632 960001"
    actions = set(AuditEvent.objects.filter(actor=system).values_list("action", flat=True))
    assert actions == {"search", "disclose", "view", "create", "update"}


def test_field_level_errors(client, token):
    _, plain = token
    response = client.post(
        "/api/people",
        {"first_name": "Bert", "last_name": "Ng", "nhs_number": "0000000000", "postcode": "nope"},
        content_type="application/json",
        **auth(plain),
    )
    assert response.status_code == 422
    assert response.json()["errors"] == [
        {"field": "nhs_number", "message": "Enter a real NHS number: this number is never issued"},
        {"field": "postcode", "message": "Enter a real postcode, like AA1 1AA"},
    ]
    schema = client.post(
        "/api/people",
        {"first_name": "Bert", "date_of_birth": "31/02/1950"},
        content_type="application/json",
        **auth(plain),
    )
    assert schema.status_code == 422
    fields = {e["field"] for e in schema.json()["errors"]}
    assert {"last_name", "date_of_birth"} <= fields
    assert not Person.objects.exists()


def test_every_invalid_field_is_reported_at_once_when_the_schema_refuses_one(client, token):
    # A date that is no date (the schema's) and an NHS number, postcode and gender the service refuses: one answer.
    _, plain = token
    response = client.post(
        "/api/people",
        {
            "first_name": "",
            "nhs_number": "123",
            "date_of_birth": "31/02/1941",
            "postcode": "zzz",
            "gender": "Nope",
        },
        content_type="application/json",
        **auth(plain),
    )
    assert response.status_code == 422
    assert response.json()["errors"] == [
        {"field": "last_name", "message": "This field is required"},
        {"field": "date_of_birth", "message": "Enter a date as YYYY-MM-DD, for example 1941-02-14"},
        {"field": "first_name", "message": "Enter the person's first name"},
        {"field": "nhs_number", "message": "NHS number must be 10 digits"},
        {"field": "postcode", "message": "Enter a real postcode, like AA1 1AA"},
        {"field": "gender", "message": "Select a gender from the list"},
    ]
    assert not Person.objects.exists()


def test_a_change_with_a_bad_date_also_reports_its_other_bad_fields(client, token):
    _, plain = token
    person = PersonFactory(postcode="NS1 4AB")
    response = client.patch(
        f"/api/people/{person.pk}",
        {"date_of_birth": "yesterday", "postcode": "zzz"},
        content_type="application/json",
        **auth(plain),
    )
    assert response.status_code == 422
    assert [e["field"] for e in response.json()["errors"]] == ["date_of_birth", "postcode"]
    person.refresh_from_db()
    assert person.postcode == "NS1 4AB"


def test_duplicate_is_a_conflict_with_candidates(client, token):
    _, plain = token
    existing = PersonFactory(nhs_number="9434765919")
    response = client.post(
        "/api/people",
        {"first_name": "A", "last_name": "B", "nhs_number": "9434765919"},
        content_type="application/json",
        **auth(plain),
    )
    assert response.status_code == 409
    assert [c["id"] for c in response.json()["candidates"]] == [existing.pk]


def test_staff_sessions_follow_the_same_access_rules(client, staff):
    person = PersonFactory()
    client.force_login(staff.social_worker)
    response = client.get(f"/api/people/{person.pk}")
    assert response.status_code == 403
    assert "working relationship" in response.json()["detail"]
    CareRelationshipFactory(person=person, user=staff.social_worker)
    assert client.get(f"/api/people/{person.pk}").status_code == 200
    assert client.get("/api/people/999999").status_code == 404


def test_openapi_schema_documents_people(client, staff):
    schema = client.get("/api/openapi.json").json()
    assert {"/api/people", "/api/people/{person_id}"} <= set(schema["paths"])
    client.force_login(staff.social_worker)
    assert client.get("/api/docs").status_code == 200


def test_a_good_date_beside_a_refused_field_reaches_the_checks_as_a_date(client, token):
    # The fuzzer found this: a body missing last_name with a valid date of birth crashed the extra checks (500).
    _, plain = token
    response = client.post(
        "/api/people",
        {"first_name": "Bert", "date_of_birth": "2999-01-01", "postcode": "zzz"},
        content_type="application/json",
        **auth(plain),
    )
    assert response.status_code == 422
    fields = [e["field"] for e in response.json()["errors"]]
    assert fields[0] == "last_name" and {"date_of_birth", "postcode"} <= set(fields)
