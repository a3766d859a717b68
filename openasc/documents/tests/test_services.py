"""Storing letters and attachments: both sides of every rule, errors on their fields, nothing written (no row, no
file) when refused, placeholders filled only from the record opened, and what the audit trail says."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from openasc.assessments.models import OutcomeAssessment
from openasc.assessments.tests.factories import AssessmentFactory
from openasc.core import audit
from openasc.core.errors import ValidationFailed
from openasc.core.models import AuditEvent, RelationshipKind
from openasc.core.tests.factories import CareRelationshipFactory, opened
from openasc.documents import files, selectors, services
from openasc.documents.models import Document, DocumentKind, LetterTemplate
from openasc.documents.tests.factories import DocumentFactory, LetterTemplateFactory
from openasc.documents.tests.test_files import PDF
from openasc.people.tests.factories import PersonFactory
from openasc.planning.tests.factories import PlanFactory, PlanNeedFactory, ReviewFactory


@pytest.fixture
def person(staff):
    p = PersonFactory(first_name="Edith", last_name="Marlow", address_line_1="4 Mill Lane", town="Northby")
    CareRelationshipFactory(person=p, user=staff.social_worker, kind=RelationshipKind.ALLOCATED_WORKER)
    return p


@pytest.fixture
def record(staff, person):
    return opened(staff.social_worker, person)


def stored_files(root) -> list:
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


# --- letters -----------------------------------------------------------------------------------------------------


def test_a_standard_letter_is_filled_from_the_record_and_stored_as_edited(record, person, staff):
    plan = PlanFactory(person=person, agreed_weekly_pence=28750, starts_on=dt.date(2026, 11, 2))
    PlanNeedFactory(plan=plan, outcome_code="nutrition", description="Help with meals", meet_by="service")
    ReviewFactory(person=person, plan=plan, due_on=dt.date(2027, 2, 1))
    title, body = services.letter_draft(
        record=record, template="care-and-support-plan", link=f"plan:{plan.pk}"
    )
    assert title == "Your care and support plan"
    assert body.startswith("Dear Edith\n\n")
    assert "It starts on 2 November 2026." in body
    assert "Your personal budget is £287.50 a week (agreed)." in body
    assert "- Managing and maintaining nutrition: Help with meals" in body
    assert "by 1 February 2027" in body and staff.social_worker.display_name in body
    edited = body.replace("Dear Edith", "Dear Mrs Marlow")
    letter = services.letter_store(
        record=record, template="care-and-support-plan", link=f"plan:{plan.pk}", title=title, body=edited
    )
    letter.refresh_from_db()
    assert (
        letter.kind == DocumentKind.LETTER
        and letter.body.startswith("Dear Mrs Marlow")
        and letter.plan == plan
    )
    event = AuditEvent.objects.get(
        action="create", object_type="documents.document", object_id=str(letter.pk)
    )
    assert event.person_id == person.pk and event.details["template"] == "care-and-support-plan"
    assert "Marlow" not in str(event.details)  # never the letter's words


def test_placeholders_never_carry_another_persons_data(record, person, staff):
    other = PersonFactory(first_name="Zebedee", last_name="Quinton")
    other_plan = PlanFactory(person=other, agreed_weekly_pence=99999)
    PlanNeedFactory(plan=other_plan, description="Zebedee's own support")
    ReviewFactory(person=other, due_on=dt.date(2027, 3, 3))
    AssessmentFactory(person=other, completed=True)
    template = LetterTemplateFactory(
        subject="About {person_name}",
        body="{person_name} {first_name} {address} {person_number} {plan_budget} {how_needs_are_met} "
        "{review_due} {assessment_outcome} {eligible_needs}",
    )
    title, body = services.letter_draft(record=record, template=template.key)
    assert "Zebedee" not in title + body and "£999.99" not in body and "3 March 2027" not in body
    assert "Edith Marlow" in body and person.la_person_id in body
    with pytest.raises(ValidationFailed) as refused:  # another person's plan as what the letter is about
        services.letter_draft(record=record, template=template.key, link=f"plan:{other_plan.pk}")
    assert refused.value.errors == {
        "link": f"That care and support plan belongs to another person's record, not {person.la_person_id}'s: "
        "a document can only be about this person's own records"
    }


def test_the_assessment_outcome_letter_lists_the_eligible_needs(record, person):
    a = AssessmentFactory(person=person, completed=True)
    with audit.exempt_from_safety_net():
        OutcomeAssessment.objects.create(assessment=a, code="nutrition", can_achieve=False, limbs=["a"])
        OutcomeAssessment.objects.create(assessment=a, code="hygiene", can_achieve=True)
    _title, body = services.letter_draft(
        record=record, template="assessment-outcome", link=f"assessment:{a.pk}"
    )
    assert "You have eligible needs for care and support under the Care Act 2014." in body
    assert "- Managing and maintaining nutrition" in body and "hygiene" not in body.lower()


def test_a_value_the_record_does_not_have_says_so(record, person):
    _title, body = services.letter_draft(record=record, template="review-due")
    assert "reviewed by (not recorded)." in body
    assert services.letter_gaps(record=record, template="review-due") == ["When the next review is due"]
    ReviewFactory(person=person, due_on=dt.date(2027, 1, 4))
    assert services.letter_gaps(record=record, template="review-due") == []


def test_a_template_with_an_unknown_placeholder_is_refused_naming_it(record):
    bad = LetterTemplateFactory(body="Dear {first_name}, see {fullname}.")
    with pytest.raises(ValidationFailed) as refused:
        services.letter_draft(record=record, template=bad.key)
    message = refused.value.errors["template"]
    assert message.startswith(
        f"The letter template {bad.name!r} cannot be used: its words: {{fullname}} is not"
    )
    with pytest.raises(ValidationFailed):
        services.letter_store(record=record, template=bad.key, title="A", body="B")
    assert not Document.objects.exists()


@pytest.mark.parametrize(
    "template,error",
    [
        ("", "Choose the letter to write"),
        ("no-such-letter", "There is no letter template 'no-such-letter' in use: choose one from the list"),
    ],
)
def test_the_template_must_be_one_in_use(record, template, error):
    with pytest.raises(ValidationFailed) as refused:
        services.letter_store(record=record, template=template, title="A", body="B")
    assert refused.value.errors == {"template": error}


def test_a_template_no_longer_in_use_is_refused(record):
    old = LetterTemplateFactory(active=False)
    with pytest.raises(ValidationFailed) as refused:
        services.letter_store(record=record, template=old, title="A", body="B")
    assert "no longer in use" in refused.value.errors["template"]


def test_every_mistake_in_a_letter_is_reported_at_once_and_nothing_is_stored(record):
    with pytest.raises(ValidationFailed) as refused:
        services.letter_store(
            record=record, template="review-due", title="", body="x" * 50_001, link="plan:x"
        )
    assert set(refused.value.errors) == {"title", "body", "link"}
    assert refused.value.errors["title"] == "Enter the letter's title"
    assert refused.value.errors["body"] == "The letter must be 50,000 characters or fewer"
    assert not Document.objects.exists()


def test_a_letter_at_the_length_limit_is_stored(record):
    letter = services.letter_store(record=record, template="review-due", title="T" * 200, body="x" * 50_000)
    assert len(letter.body) == 50_000 and len(letter.title) == 200


def test_a_placeholder_left_in_the_edited_letter_is_refused(record):
    with pytest.raises(ValidationFailed) as refused:
        services.letter_store(record=record, template="review-due", title="Hello", body="Dear {first_name}")
    assert refused.value.errors == {
        "body": "The letter still has {first_name} in it: write the words in its place"
    }


def test_a_role_that_does_not_write_to_people_cannot_store_a_letter(staff, person):
    record = opened(staff.performance_analyst, person)
    with pytest.raises(PermissionError, match="Your role cannot write letters"):
        services.letter_store(record=record, template="review-due", title="A", body="B")


def test_changing_a_letter_stores_a_new_version_and_keeps_the_old(record, person):
    first = services.letter_store(
        record=record, template="review-due", title="Your review", body="Version one"
    )
    second = services.letter_revise(record=record, document=first, title="Your review", body="Version two")
    first.refresh_from_db()
    assert first.body == "Version one" and (second.version, second.previous_id) == (2, first.pk)
    assert [d.pk for d in selectors.versions_of(first)] == [first.pk, second.pk]
    assert [d.pk for d in selectors.documents_for_person(record=record)] == [second.pk]
    with pytest.raises(ValidationFailed) as stale:
        services.letter_revise(record=record, document=first, title="x", body="Version three")
    assert stale.value.errors == {"body": "A later version of this letter is stored: change that one instead"}
    with pytest.raises(ValidationFailed) as same:
        services.letter_revise(record=record, document=second, title="Your review", body="Version two")
    assert same.value.errors == {"body": "The letter is the same as version 2: change it, or go back"}
    assert AuditEvent.objects.filter(action="update", object_id=str(second.pk)).count() == 1


def test_a_stored_document_cannot_be_changed_in_place(record):
    letter = services.letter_store(record=record, template="review-due", title="A", body="B")
    letter.body = "changed"
    with pytest.raises(ValueError, match="never changes"):
        letter.save()
    with pytest.raises(ValueError):
        letter.delete()


def test_another_persons_letter_cannot_be_changed_through_this_record(record, staff):
    theirs = DocumentFactory()
    with pytest.raises(ValidationFailed):
        services.letter_revise(record=record, document=theirs, title="x", body="y")


# --- attachments -------------------------------------------------------------------------------------------------


def upload(name="consent.pdf", data=PDF):
    return SimpleUploadedFile(name, data, content_type="application/octet-stream")


def test_an_attachment_is_stored_outside_the_database_under_a_random_name(record, person, documents_dir):
    review = ReviewFactory(person=person)
    doc = services.attachment_store(
        record=record, upload=upload(), title="Signed consent", link=f"review:{review.pk}"
    )
    doc.refresh_from_db()
    on_disk = stored_files(documents_dir)
    assert [p.name for p in on_disk] == [doc.file_name] and on_disk[0].read_bytes() == PDF
    assert "consent" not in doc.file_name and doc.original_name == "consent.pdf"
    assert (doc.content_type, doc.size, doc.review) == ("application/pdf", len(PDF), review)
    row = Document.objects.filter(pk=doc.pk).values()[0]
    assert PDF not in [v for v in row.values() if isinstance(v, bytes)] and PDF.decode("latin-1") not in str(
        row
    )
    assert services.attachment_bytes(record=record, document=doc) == PDF
    event = AuditEvent.objects.get(action="create", object_id=str(doc.pk))
    assert event.details["content_type"] == "application/pdf" and event.details["size"] == len(PDF)


def test_the_title_defaults_to_the_files_name(record):
    doc = services.attachment_store(record=record, upload=upload("Scan 2026-11-03.pdf"))
    assert doc.title == "Scan 2026-11-03.pdf"


def test_size_at_the_limit_is_stored_and_one_byte_over_is_refused(record, settings, documents_dir):
    settings.OPENASC_DOCUMENT_MAX_BYTES = 2048
    at_limit = PDF + b"0" * (2048 - len(PDF))
    assert services.attachment_store(record=record, upload=upload(data=at_limit)).size == 2048
    with pytest.raises(ValidationFailed) as refused:
        services.attachment_store(record=record, upload=upload(data=at_limit + b"0"))
    assert refused.value.errors == {
        "file": "The selected file must be 2 KB (2,048 bytes) or smaller; this one is 2,049 bytes"
    }
    assert Document.objects.count() == 1 and len(stored_files(documents_dir)) == 1


def test_a_wrong_type_with_a_right_extension_is_refused_and_nothing_kept(record, documents_dir):
    with pytest.raises(ValidationFailed) as refused:
        services.attachment_store(record=record, upload=upload("form.pdf", b"MZ\x90\x00\x03\x00\x00\x00"))
    assert refused.value.errors["file"].startswith("The selected file (its name ends .pdf) is not a PDF")
    assert not Document.objects.exists() and stored_files(documents_dir) == []


def test_no_file_is_refused(record):
    with pytest.raises(ValidationFailed) as refused:
        services.attachment_store(record=record, upload=None)
    assert refused.value.errors == {"file": "Select a file to upload"}


def test_a_failed_row_takes_its_file_back(record, documents_dir, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("database went away")

    monkeypatch.setattr(services, "_audit_document", broken)
    with pytest.raises(RuntimeError):
        services.attachment_store(record=record, upload=upload())
    assert not Document.objects.exists() and stored_files(documents_dir) == []


def test_a_file_changed_on_disk_is_not_served(record):
    doc = services.attachment_store(record=record, upload=upload())
    files.path_of(doc.file_name).write_bytes(b"%PDF-tampered")
    with pytest.raises(OSError, match="has changed since it was uploaded"):
        services.attachment_bytes(record=record, document=doc)


def test_a_role_that_does_not_write_to_people_cannot_upload(staff, person, documents_dir):
    record = opened(staff.information_governance, person)
    with pytest.raises(PermissionError):
        services.attachment_store(record=record, upload=upload())
    assert stored_files(documents_dir) == []


# --- templates ---------------------------------------------------------------------------------------------------


def template_data(**overrides):
    data = {
        "key": "carers-centre",
        "name": "The carers' centre",
        "about": "person",
        "subject": "Support for carers, {first_name}",
        "body": "Dear {first_name}\n\nThe carers' centre can help.\n\n{worker_name}",
        "active": True,
    }
    return {**data, **overrides}


def test_an_administrator_adds_and_changes_a_template(staff):
    made = services.letter_template_save(actor=staff.administrator, template=None, **template_data())
    changed = services.letter_template_save(
        actor=staff.administrator, template=made, **template_data(name="Carers' centre")
    )
    assert changed.pk == made.pk and LetterTemplate.objects.get(pk=made.pk).name == "Carers' centre"
    assert (
        AuditEvent.objects.filter(object_type="documents.lettertemplate", object_id=str(made.pk)).count() == 2
    )


def test_a_template_with_an_unknown_placeholder_cannot_be_saved(staff):
    with pytest.raises(ValidationFailed) as refused:
        services.letter_template_save(
            actor=staff.administrator,
            template=None,
            **template_data(body="Dear {frist_name}", subject="{x.y}"),
        )
    assert refused.value.errors["body"].startswith("{frist_name} is not a placeholder")
    assert refused.value.errors["subject"].startswith("{x.y} is not a placeholder")
    assert not LetterTemplate.objects.filter(key="carers-centre").exists()


@pytest.mark.parametrize("role", ["social_worker", "team_manager", "information_governance"])
def test_only_administrators_change_templates(staff, role):
    with pytest.raises(PermissionError):
        services.letter_template_save(actor=getattr(staff, role), template=None, **template_data())


def test_a_templates_short_name_is_checked(staff):
    with pytest.raises(ValidationFailed) as refused:
        services.letter_template_save(
            actor=staff.administrator, template=None, **template_data(key="review due!")
        )
    assert refused.value.errors == {
        "key": "The short name can only have letters, digits and hyphens, like assessment-outcome"
    }
    with pytest.raises(ValidationFailed) as clash:
        services.letter_template_save(
            actor=staff.administrator, template=None, **template_data(key="review-due")
        )
    assert clash.value.errors == {"key": "Another template is called 'review-due': choose another short name"}


def test_a_merge_moves_the_duplicates_documents_to_the_kept_record(staff):
    from openasc.people import services as people_services

    keep = PersonFactory(nhs_number="")
    dup = PersonFactory(nhs_number="9434765919")
    first = DocumentFactory(person=dup)
    DocumentFactory(person=dup, version=2, previous=first)
    DocumentFactory(person=dup, attachment=True)
    people_services.person_merge(actor=staff.team_manager, keep=keep, duplicate=dup, reason="Same person")
    assert (
        not Document.objects.filter(person=dup).exists() and Document.objects.filter(person=keep).count() == 3
    )
    event = AuditEvent.objects.filter(action="merge", person_id=keep.pk, object_type="people.person").get()
    assert event.details["moved"]["documents"] == 3
