"""Documents over JSON: list, read, download and store a letter under the pages' rules; every invalid field at
once; refusals audited; nothing about a person to someone who may not open their record."""

from __future__ import annotations

import io
import json

import pypdf
import pytest

from openasc.core.models import AuditEvent, RelationshipKind
from openasc.core.tests.factories import CareRelationshipFactory, TeamFactory, UserFactory
from openasc.documents.models import Document
from openasc.documents.tests.factories import PDF_BYTES, DocumentFactory
from openasc.people.tests.factories import PersonFactory
from openasc.planning.tests.factories import PlanFactory


@pytest.fixture
def person(teams):
    p = PersonFactory(first_name="Alma", last_name="Reid")
    CareRelationshipFactory(person=p, user=None, team=teams.north, kind=RelationshipKind.ALLOCATED_TEAM)
    return p


def post(client, path, body):
    return client.post(path, json.dumps(body), content_type="application/json")


def test_store_a_standard_letter_as_the_template_fills_it(client, staff, person):
    plan = PlanFactory(person=person, agreed_weekly_pence=12345)
    client.force_login(staff.social_worker)
    made = post(
        client,
        f"/api/documents/people/{person.pk}/letters",
        {"template": "care-and-support-plan", "link": f"plan:{plan.pk}"},
    )
    assert made.status_code == 201, made.content
    body = made.json()
    assert (
        body["kind"] == "letter"
        and body["link"] == f"plan:{plan.pk}"
        and body["template"] == "care-and-support-plan"
    )
    assert body["body"].startswith("Dear Alma") and "£123.45 a week (agreed)" in body["body"]
    listed = client.get(f"/api/documents/people/{person.pk}").json()
    assert listed["count"] == 1 and "body" not in {k for k, v in listed["documents"][0].items() if v}


def test_store_a_letter_as_written(client, staff, person):
    client.force_login(staff.social_worker)
    made = post(
        client,
        f"/api/documents/people/{person.pk}/letters",
        {"template": "review-due", "title": "Your review", "body": "Dear Ms Reid"},
    )
    assert made.status_code == 201 and Document.objects.get().body == "Dear Ms Reid"


def test_every_invalid_field_at_once(client, staff, person):
    client.force_login(staff.social_worker)
    bad = post(
        client,
        f"/api/documents/people/{person.pk}/letters",
        {"template": "nope", "link": "plan:x", "title": "", "body": ""},
    )
    assert bad.status_code == 422
    fields = {e["field"] for e in bad.json()["errors"]}
    assert fields == {"template", "link", "title", "body"} and not Document.objects.exists()


def test_a_role_that_does_not_write_to_people_cannot_store_a_letter(client, staff, person):
    CareRelationshipFactory(
        person=person, user=staff.nhs_partner, kind=RelationshipKind.NHS_SHARING, basis="Care"
    )
    client.force_login(staff.nhs_partner)
    refused = post(client, f"/api/documents/people/{person.pk}/letters", {"template": "review-due"})
    assert refused.status_code == 403 and not Document.objects.exists()


def test_files_and_pdfs_are_downloaded_and_refused_to_others(client, staff, person):
    attachment = DocumentFactory(person=person, attachment=True)
    letter = DocumentFactory(person=person, body="Dear Alma\n\nHello.")
    client.force_login(staff.social_worker)
    got = client.get(f"/api/documents/{attachment.pk}/file")
    assert got.status_code == 200 and got.content == PDF_BYTES and got["X-Content-Type-Options"] == "nosniff"
    pdf = client.get(f"/api/documents/{letter.pk}/file")
    assert pdf["Content-Type"] == "application/pdf"
    assert "Hello." in pypdf.PdfReader(io.BytesIO(pdf.content)).pages[0].extract_text()
    assert client.get(f"/api/documents/{letter.pk}").json()["body"] == "Dear Alma\n\nHello."

    outsider = UserFactory(username="east", teams=[TeamFactory(code="east-z", name="East Z")])
    client.force_login(outsider)
    for path in (
        f"/api/documents/{attachment.pk}/file",
        f"/api/documents/{attachment.pk}",
        f"/api/documents/people/{person.pk}",
    ):
        refused = client.get(path)
        assert refused.status_code == 403 and b"consent" not in refused.content.lower()
    assert (
        AuditEvent.objects.filter(actor=outsider, person_id=person.pk, action="access_refused").count() == 3
    )


def test_a_missing_file_is_not_found_not_a_server_error(client, staff, person, documents_dir):
    attachment = DocumentFactory(person=person, attachment=True)
    for f in documents_dir.rglob("*"):
        if f.is_file():
            f.unlink()
    client.force_login(staff.social_worker)
    assert client.get(f"/api/documents/{attachment.pk}/file").status_code == 404
    assert client.get("/api/documents/999999").status_code == 404
