"""Case notes over JSON: list, search, read, create and add an addendum under the pages' rules; every invalid field
reported at once; a sensitive note's words never in an answer to someone not allowed."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.utils import timezone

from openasc.casenotes.models import CaseNote, CaseNoteAddendum
from openasc.casenotes.tests.factories import CaseNoteFactory
from openasc.core import services as core_services
from openasc.core.models import AuditEvent, RelationshipKind, Role
from openasc.core.tests.factories import CareRelationshipFactory, TeamFactory, UserFactory
from openasc.frontdoor.tests.factories import SupportRequestFactory
from openasc.people.tests.factories import PersonFactory


@pytest.fixture
def person(teams):
    p = PersonFactory(first_name="Alma", last_name="Reid")
    CareRelationshipFactory(person=p, user=None, team=teams.north, kind=RelationshipKind.ALLOCATED_TEAM)
    return p


def post(client, path, body):
    return client.post(path, json.dumps(body), content_type="application/json")


def test_create_read_and_add_an_addendum(client, staff, person):
    req = SupportRequestFactory(person=person)
    client.force_login(staff.social_worker)
    when = (timezone.localtime() - dt.timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M")
    made = post(
        client,
        f"/api/notes/people/{person.pk}",
        {
            "kind": "phone_call",
            "occurred_at": when,
            "subject": "Call with Alma",
            "body": "Alma asked about day centres.",
            "present": ["Alma Reid"],
            "link": f"request:{req.pk}",
        },
    )
    assert made.status_code == 201, made.content
    body = made.json()
    assert (body["kind"], body["link"], body["present"], body["version"], body["restricted"]) == (
        "phone_call",
        f"request:{req.pk}",
        ["Alma Reid"],
        1,
        False,
    )
    added = post(client, f"/api/notes/{body['id']}/addenda", {"body": "Sent the leaflet."})
    assert added.status_code == 201 and added.json()["addenda"][0]["body"] == "Sent the leaflet."
    read = client.get(f"/api/notes/{body['id']}").json()
    assert read["subject"] == "Call with Alma" and len(read["addenda"]) == 1
    listed = client.get(f"/api/notes/people/{person.pk}", {"q": "DAY CENTRE"}).json()
    assert (listed["count"], listed["notes"][0]["id"]) == (1, body["id"])
    assert AuditEvent.objects.filter(object_type="casenotes.casenote", action="create").count() == 1


def test_an_invalid_post_reports_every_field_at_once(client, staff, person):
    client.force_login(staff.social_worker)
    other = SupportRequestFactory(person=PersonFactory())
    tomorrow = (timezone.localtime() + dt.timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
    response = post(
        client,
        f"/api/notes/people/{person.pk}",
        {
            "kind": "fax",
            "occurred_at": tomorrow,
            "subject": 7,
            "link": f"request:{other.pk}",
            "sensitive": "no",
        },
    )
    assert response.status_code == 422
    errors = {e["field"]: e["message"] for e in response.json()["errors"]}
    assert set(errors) == {"kind", "occurred_at", "subject", "body", "link", "sensitive"}
    assert errors["occurred_at"] == "The date and time it happened must be now or in the past"
    assert "belongs to another person's record" in errors["link"]
    assert errors["subject"] == "Enter the subject as text"
    assert not CaseNote.objects.exists()
    empty = post(client, f"/api/notes/people/{person.pk}", {})
    assert {e["field"] for e in empty.json()["errors"]} == {"kind", "occurred_at", "subject", "body"}


def test_a_sensitive_note_is_listed_restricted_and_refused(client, staff, person):
    secret = CaseNoteFactory(
        person=person,
        author=staff.social_worker,
        sensitive=True,
        subject="Housing fear",
        body="Eviction letter",
    )
    outsider = UserFactory(username="api-outsider", teams=[TeamFactory(code="api-x", name="API X")])
    CareRelationshipFactory(
        person=person,
        user=outsider,
        kind=RelationshipKind.GRANT,
        ends_at=timezone.now() + dt.timedelta(days=1),
    )
    client.force_login(outsider)
    listed = client.get(f"/api/notes/people/{person.pk}")
    assert listed.status_code == 200
    [row] = listed.json()["notes"]
    assert row == {
        "id": secret.pk,
        "person_id": person.pk,
        "kind": "visit",
        "occurred_at": row["occurred_at"],
        "restricted": True,
        "subject": None,
        "body": None,
        "present": None,
        "contact_ids": None,
        "link": None,
        "sensitive": True,
        "author": None,
        "created_at": None,
        "version": None,
        "edited": None,
        "addenda": None,
    }
    assert client.get(f"/api/notes/people/{person.pk}", {"q": "eviction"}).json()["count"] == 0
    refused = client.get(f"/api/notes/{secret.pk}")
    assert refused.status_code == 403 and "Eviction" not in refused.content.decode()
    assert post(client, f"/api/notes/{secret.pk}/addenda", {"body": "x"}).status_code == 403
    assert not CaseNoteAddendum.objects.exists()
    assert AuditEvent.objects.filter(actor=outsider, action="access_refused").count() == 2


def test_no_relationship_and_no_capability_are_refused(client, staff, person):
    note = CaseNoteFactory(person=person, author=staff.social_worker)
    stranger = UserFactory(username="api-stranger", teams=[])
    client.force_login(stranger)
    assert client.get(f"/api/notes/people/{person.pk}").status_code == 403
    assert client.get(f"/api/notes/{note.pk}").status_code == 403
    assert client.get("/api/notes/999999").status_code == 404
    CareRelationshipFactory(
        person=person, user=staff.nhs_partner, kind=RelationshipKind.NHS_SHARING, basis="Care"
    )
    client.force_login(staff.nhs_partner)
    assert client.get(f"/api/notes/{note.pk}").status_code == 200
    refused = post(client, f"/api/notes/people/{person.pk}", {"kind": "visit"})
    assert refused.status_code == 403 and refused.json()["detail"] == "Your role cannot write case notes."
    assert CaseNote.objects.count() == 1


def test_a_system_account_writes_notes_with_a_token(client, staff, person):
    system = UserFactory(username="telephony", role=Role.SYSTEM)
    admin = UserFactory(username="api-admin", role=Role.ADMINISTRATOR)
    plain = core_services.api_token_create(actor=admin, user=system, name="Contact centre")
    response = client.post(
        f"/api/notes/people/{person.pk}",
        json.dumps(
            {
                "kind": "phone_call",
                "occurred_at": "2026-11-02T10:15:00+00:00",
                "subject": "Call logged by the contact centre",
                "body": "Alma rang to say she is home from hospital.",
            }
        ),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {plain}",
    )
    assert response.status_code == 201 and response.json()["author"] == system.display_name


def test_a_search_with_a_nul_or_control_character_is_read_as_a_search_box_reads_it(client, staff):
    # The fuzzer found it on PostgreSQL, which refuses NUL in text: "fall\x00s" searched as "fall s", never a 500.
    from openasc.casenotes.tests.factories import CaseNoteFactory
    from openasc.core.tests.factories import CareRelationshipFactory

    note = CaseNoteFactory(subject="Fall at home", body="Found on the floor")
    CareRelationshipFactory(person=note.person, user=staff.social_worker)
    client.force_login(staff.social_worker)
    response = client.get(f"/api/notes/people/{note.person_id}", {"q": "Fall\x00\x07"})
    assert response.status_code == 200
    assert [n["id"] for n in response.json()["notes"]] == [note.pk]
