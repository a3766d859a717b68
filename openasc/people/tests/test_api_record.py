"""The rest of the record over the API: contacts, carers, alerts and allocations, under the same rules as the pages.

Each read opens the record (a view event with its purpose); a user without a relationship is refused (and the
refusal audited against the person); a bad body gets every invalid field at once; a thing of another person's record
is not found through this one.
"""

import datetime as dt

import pytest

from openasc.core.models import AuditAction, AuditEvent, CareRelationship, RelationshipKind
from openasc.core.tests.factories import CareRelationshipFactory
from openasc.people.models import Alert, CarerLink, Contact
from openasc.people.tests.factories import AlertFactory, ContactFactory, PersonFactory


@pytest.fixture
def person(staff):
    person = PersonFactory(first_name="Edith", last_name="Marsh")
    CareRelationshipFactory(person=person, user=staff.social_worker)
    return person


def post(client, url, body):
    return client.post(url, body, content_type="application/json")


def test_contacts_are_read_and_added_by_those_who_may_open_the_record(client, staff, person):
    ContactFactory(person=person, kind="next_of_kin", name="Mary Marsh", relationship="daughter")
    client.force_login(staff.social_worker)
    listed = client.get(f"/api/people/{person.pk}/contacts")
    assert listed.status_code == 200
    assert [(c["name"], c["relationship"]) for c in listed.json()] == [("Mary Marsh", "daughter")]
    assert AuditEvent.objects.filter(
        action=AuditAction.VIEW, person_id=person.pk, details__purpose="contacts"
    ).exists()
    made = post(client, f"/api/people/{person.pk}/contacts", {"kind": "friend", "name": "Joan Pike"})
    assert made.status_code == 201 and made.json()["name"] == "Joan Pike"
    assert AuditEvent.objects.filter(
        action=AuditAction.CREATE, person_id=person.pk, object_type="people.contact"
    ).exists()


def test_a_bad_contact_gets_every_error_and_saves_nothing(client, staff, person):
    client.force_login(staff.social_worker)
    response = post(client, f"/api/people/{person.pk}/contacts", {"kind": "pen pal", "name": ""})
    assert response.status_code == 422
    assert {e["field"] for e in response.json()["errors"]} == {"kind", "name"}
    assert not Contact.objects.exists()


def test_someone_without_a_relationship_learns_nothing_and_is_audited(client, staff, person):
    ContactFactory(person=person, name="Mary Marsh")
    AlertFactory(person=person, description="Dog in the house")
    client.force_login(staff.occupational_therapist)
    for path in ("contacts", "carers", "alerts", "allocations"):
        response = client.get(f"/api/people/{person.pk}/{path}")
        assert response.status_code == 403, path
        assert "Mary" not in response.content.decode() and "Dog" not in response.content.decode()
    assert AuditEvent.objects.filter(action=AuditAction.ACCESS_REFUSED, person_id=person.pk).count() == 4
    refused = post(client, f"/api/people/{person.pk}/alerts", {"kind": "other", "description": "x"})
    assert refused.status_code == 403 and Alert.objects.count() == 1


def test_alerts_are_added_and_ended_and_an_alert_of_someone_else_is_not_found(client, staff, person):
    client.force_login(staff.social_worker)
    made = post(
        client,
        f"/api/people/{person.pk}/alerts",
        {"kind": "risk_to_staff", "description": "Visit in pairs", "starts_on": "2026-01-05"},
    )
    assert made.status_code == 201
    alert_id = made.json()["id"]
    assert [a["description"] for a in client.get(f"/api/people/{person.pk}/alerts").json()] == [
        "Visit in pairs"
    ]
    too_early = post(client, f"/api/people/{person.pk}/alerts/{alert_id}/end", {"ends_on": "2026-01-04"})
    assert too_early.status_code == 422
    assert too_early.json()["errors"][0]["field"] == "ends_on"
    ended = post(client, f"/api/people/{person.pk}/alerts/{alert_id}/end", {"ends_on": "2026-01-05"})
    assert ended.status_code == 200 and ended.json()["ends_on"] == "2026-01-05"
    other = PersonFactory()
    CareRelationshipFactory(person=other, user=staff.social_worker)
    theirs = AlertFactory(person=other)
    assert post(client, f"/api/people/{person.pk}/alerts/{theirs.pk}/end", {}).status_code == 404
    theirs.refresh_from_db()
    assert theirs.ends_on is None


def test_a_carer_is_linked_only_if_the_user_may_open_both_records(client, staff, person):
    carer = PersonFactory(first_name="Albert", last_name="Marsh")
    client.force_login(staff.social_worker)
    body = {"carer_id": carer.pk, "relationship": "husband", "lives_with": True}
    refused = post(client, f"/api/people/{person.pk}/carers", body)
    assert refused.status_code == 403 and not CarerLink.objects.exists()
    CareRelationshipFactory(person=carer, user=staff.social_worker)
    made = post(client, f"/api/people/{person.pk}/carers", body)
    assert made.status_code == 201
    assert made.json() | {"id": 0} == {
        "id": 0,
        "carer_id": carer.pk,
        "cared_for_id": person.pk,
        "relationship": "husband",
        "lives_with": True,
        "started_on": None,
    }
    both = client.get(f"/api/people/{carer.pk}/carers").json()
    assert both["carers"] == [] and [x["cared_for_id"] for x in both["caring_for"]] == [person.pk]
    again = post(client, f"/api/people/{person.pk}/carers", body)
    assert again.status_code == 422 and again.json()["errors"][0]["field"] == "cared_for"


def test_allocation_by_a_manager_and_refused_to_a_worker(client, staff, teams, person):
    client.force_login(staff.social_worker)
    refused = post(client, f"/api/people/{person.pk}/allocations", {"team_id": teams.north.pk})
    assert refused.status_code == 403
    CareRelationshipFactory(person=person, user=staff.team_manager)
    client.force_login(staff.team_manager)
    bad = post(client, f"/api/people/{person.pk}/allocations", {"team_id": 999999, "worker_id": 999999})
    assert bad.status_code == 422
    assert {e["field"] for e in bad.json()["errors"]} == {"team_id", "worker_id"}
    made = post(client, f"/api/people/{person.pk}/allocations", {"team_id": teams.north.pk})
    assert made.status_code == 201
    [allocation] = made.json()
    assert (allocation["kind"], allocation["team"]) == (RelationshipKind.ALLOCATED_TEAM, teams.north.name)
    listed = client.get(f"/api/people/{person.pk}/allocations").json()
    assert allocation["id"] in [a["id"] for a in listed]
    ended = post(client, f"/api/people/{person.pk}/allocations/{allocation['id']}/end", {})
    assert ended.status_code == 200
    assert CareRelationship.objects.get(pk=allocation["id"]).ends_at <= dt.datetime.now(dt.UTC)


def test_the_new_endpoints_are_in_the_openapi_document(client):
    paths = set(client.get("/api/openapi.json").json()["paths"])
    for tail in ("contacts", "carers", "alerts", "allocations"):
        assert f"/api/people/{{person_id}}/{tail}" in paths
