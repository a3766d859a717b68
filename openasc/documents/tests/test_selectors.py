"""Who can open a document and what a person's list holds: the access rules applied, refusals audited, only the
person's own documents, each letter once at its latest version; the timeline's entries."""

from __future__ import annotations

import pytest

from openasc.core.errors import AccessDenied
from openasc.core.models import AuditEvent, RelationshipKind
from openasc.core.tests.factories import CareRelationshipFactory, opened
from openasc.core.timeline import entries_for
from openasc.documents import selectors
from openasc.documents.models import Document
from openasc.documents.tests.factories import DocumentFactory
from openasc.people.tests.factories import PersonFactory


@pytest.fixture
def person(staff):
    p = PersonFactory()
    CareRelationshipFactory(person=p, user=staff.social_worker, kind=RelationshipKind.ALLOCATED_WORKER)
    return p


def test_a_document_is_opened_with_its_purpose_audited(staff, person):
    doc = DocumentFactory(person=person)
    got, record = selectors.document_get(
        user=staff.social_worker, document_id=doc.pk, purpose="download document"
    )
    assert got == doc and record.person_id == person.pk
    event = AuditEvent.objects.get(action="view", object_id=str(doc.pk))
    assert event.details["purpose"] == "download document" and event.basis == "Allocated worker"


@pytest.mark.parametrize(
    "role", ["social_worker", "broker", "finance_officer", "nhs_partner", "administrator"]
)
def test_a_document_is_refused_without_a_relationship_and_audited(staff, role):
    doc = DocumentFactory()
    user = getattr(staff, role)
    with pytest.raises(AccessDenied):
        selectors.document_get(user=user, document_id=doc.pk, purpose="download document")
    event = AuditEvent.objects.get(actor=user, action="access_refused")
    assert event.person_id == doc.person_id and event.details["purpose"] == "download document"


def test_the_front_door_may_open_anyones_documents(staff):
    doc = DocumentFactory()
    got, _record = selectors.document_get(user=staff.front_door, document_id=doc.pk)
    assert got == doc


def test_a_persons_list_has_only_their_documents_each_letter_at_its_latest(staff, person):
    first = DocumentFactory(person=person, title="Letter")
    second = DocumentFactory(person=person, title="Letter", version=2, previous=first)
    attachment = DocumentFactory(person=person, attachment=True)
    DocumentFactory()  # someone else's
    listed = selectors.documents_for_person(record=opened(staff.social_worker, person))
    assert {d.pk for d in listed} == {second.pk, attachment.pk}
    assert [d.pk for d in selectors.versions_of(second)] == [first.pk, second.pk]
    assert selectors.latest_version(first) == second and not selectors.is_latest(first)


def test_the_timeline_shows_letters_and_attachments(staff, person):
    DocumentFactory(person=person, title="Your review is due")
    DocumentFactory(person=person, attachment=True, title="Signed consent")
    titles = {e.title for e in entries_for(person) if e.kind == "document"}
    assert titles == {"Letter: Your review is due", "Document added: Signed consent"}
    assert Document.objects.count() == 2
