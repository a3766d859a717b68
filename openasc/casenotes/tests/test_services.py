"""Writing, correcting and adding to case notes: both sides of every rule, the errors naming their fields, nothing
written when refused, and what the audit trail says (never the note's words)."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.utils import timezone

from openasc.casenotes import services
from openasc.casenotes.models import CaseNote, CaseNoteAddendum, CaseNoteVersion
from openasc.casenotes.tests.factories import CaseNoteFactory
from openasc.core.errors import AccessDenied, ValidationFailed
from openasc.core.models import AuditEvent, RelationshipKind
from openasc.core.tests.factories import CareRelationshipFactory, opened
from openasc.frontdoor.tests.factories import SupportRequestFactory
from openasc.people.tests.factories import ContactFactory, PersonFactory
from openasc.planning.tests.factories import PlanFactory, ReviewFactory

NOW = dt.datetime(2026, 11, 20, 15, 0, tzinfo=dt.UTC)


@pytest.fixture
def clock(monkeypatch):
    """timezone.now() under the test's control: `clock.at(t)`."""

    class Clock:
        now = NOW

        def at(self, when):
            self.now = when

    c = Clock()
    monkeypatch.setattr(timezone, "now", lambda: c.now)
    return c


@pytest.fixture
def person(staff):
    p = PersonFactory(first_name="Edith", last_name="Marlow")
    CareRelationshipFactory(
        person=p,
        user=staff.social_worker,
        kind=RelationshipKind.ALLOCATED_WORKER,
        starts_at=NOW - dt.timedelta(days=30),
    )
    return p


def write(record, **overrides):
    data = {
        "kind": "visit",
        "occurred_at": NOW - dt.timedelta(hours=2),
        "subject": "Home visit",
        "body": "Edith was well. Talked about the stairs.",
    }
    data.update(overrides)
    return services.case_note_create(record=record, **data)


def test_a_note_is_written_with_its_first_version_and_audited_without_its_words(staff, person, clock):
    contact = ContactFactory(person=person, name="Jean Marlow")
    req = SupportRequestFactory(person=person)
    record = opened(staff.social_worker, person)
    note = write(
        record,
        present="Edith Marlow\n  \nJean Marlow (daughter)",
        contact_ids=[contact.pk],
        link=f"request:{req.pk}",
        subject="Visit about the stairs",
        body="Secret words: the stairlift.",
    )
    assert (note.author, note.person, note.version, note.created_at) == (staff.social_worker, person, 1, NOW)
    assert note.present == "Edith Marlow\nJean Marlow (daughter)"
    assert list(note.contacts.all()) == [contact] and note.request == req
    assert list(note.teams.all()) == list(staff.social_worker.teams.all())
    [v1] = CaseNoteVersion.objects.filter(note=note)
    assert (v1.version, v1.subject, v1.contact_ids, v1.link_field, v1.link_id) == (
        1,
        "Visit about the stairs",
        [contact.pk],
        "request",
        req.pk,
    )
    event = AuditEvent.objects.get(object_type="casenotes.casenote", action="create")
    assert event.person_id == person.pk and event.basis == "Allocated worker"
    assert event.details == {
        "event": "case_note_created",
        "kind": "visit",
        "sensitive": False,
        "version": 1,
        "link": f"request:{req.pk}",
    }
    trail = json.dumps(list(AuditEvent.objects.values("details", "reason")))
    assert "stairlift" not in trail and "Visit about the stairs" not in trail and "Jean" not in trail


def test_the_time_may_be_now_but_not_in_the_future(staff, person, clock):
    record = opened(staff.social_worker, person)
    assert write(record, occurred_at=NOW).occurred_at == NOW
    assert write(record, occurred_at=NOW + dt.timedelta(seconds=60)).pk  # a minute's grace for clocks
    with pytest.raises(ValidationFailed) as e:
        write(record, occurred_at=NOW + dt.timedelta(seconds=61))
    assert e.value.errors == {"occurred_at": "The date and time it happened must be now or in the past"}
    with pytest.raises(ValidationFailed) as e:
        write(record, occurred_at=dt.datetime(1899, 12, 31, 23, 0, tzinfo=dt.UTC))
    assert e.value.errors == {"occurred_at": "The date and time it happened must be after 1900"}
    assert CaseNote.objects.count() == 2


def test_iso_text_is_read_as_uk_time_and_nonsense_is_refused(staff, person, clock):
    record = opened(staff.social_worker, person)
    note = write(record, occurred_at="2026-11-20T09:30")
    assert timezone.localtime(note.occurred_at).strftime("%H:%M") == "09:30"
    for bad, message in [
        ("20/11/2026", "Enter the date and time it happened, like 2026-11-20T14:30"),
        (dt.date(2026, 11, 20), "Enter the time it happened as well as the date"),
        (None, "Enter the date and time it happened"),
    ]:
        with pytest.raises(ValidationFailed) as e:
            write(record, occurred_at=bad)
        assert e.value.errors == {"occurred_at": message}


def test_every_invalid_field_is_reported_at_once_and_nothing_is_written(staff, person, clock):
    record = opened(staff.social_worker, person)
    with pytest.raises(ValidationFailed) as e:
        services.case_note_create(
            record=record,
            kind="letter",
            occurred_at="tomorrow",
            subject="   ",
            body="",
            present=["ok", 3],
            contact_ids=["x"],
            link="plan:abc",
            sensitive="yes",
        )
    assert set(e.value.errors) == {
        "kind",
        "occurred_at",
        "subject",
        "body",
        "present",
        "contact_ids",
        "link",
        "sensitive",
    }
    assert e.value.errors["subject"] == "Enter a subject: a few words that say what the note is about"
    assert not CaseNote.objects.exists() and not CaseNoteVersion.objects.exists()


def test_a_note_may_be_about_this_persons_things_but_not_someone_elses(staff, person, clock):
    record = opened(staff.social_worker, person)
    other = PersonFactory()
    mine_plan, mine_review = PlanFactory(person=person), ReviewFactory(person=person)
    theirs = PlanFactory(person=other)
    assert write(record, link=f"plan:{mine_plan.pk}").plan == mine_plan
    assert write(record, link=f"review:{mine_review.pk}").review == mine_review
    with pytest.raises(ValidationFailed) as e:
        write(record, link=f"plan:{theirs.pk}")
    assert e.value.errors["link"].startswith("That care and support plan belongs to another person's record")
    with pytest.raises(ValidationFailed) as e:
        write(record, link="plan:999999")
    assert e.value.errors == {
        "link": "There is no care and support plan with id 999999: choose one from the list"
    }
    with pytest.raises(ValidationFailed) as e:
        write(record, link="person:1")
    assert "a request for support, an assessment" in e.value.errors["link"]
    other_contact = ContactFactory(person=other)
    with pytest.raises(ValidationFailed) as e:
        write(record, contact_ids=[other_contact.pk])
    assert e.value.errors == {
        "contact_ids": "A contact chosen is not one of this person's contacts: choose from the list"
    }
    assert CaseNote.objects.filter(person=person).count() == 2 and not CaseNote.objects.filter(person=other)


def test_a_role_that_does_not_write_notes_is_refused(staff, person, clock):
    for role in ("nhs_partner", "performance_analyst", "information_governance"):
        with pytest.raises(PermissionError, match="Your role cannot write case notes"):
            write(opened(getattr(staff, role), person))
    assert not CaseNote.objects.exists()


def test_the_author_may_correct_until_the_window_closes_and_not_a_second_later(
    staff, person, clock, settings
):
    settings.OPENASC_CASE_NOTE_EDIT_MINUTES = 60
    record = opened(staff.social_worker, person)
    note = write(record)
    clock.at(NOW + dt.timedelta(minutes=60))  # the last moment
    assert services.may_edit(staff.social_worker, note)
    edited = services.case_note_edit(
        record=record,
        note=note,
        kind="phone_call",
        occurred_at=NOW - dt.timedelta(hours=3),
        subject="Phone call, not a visit",
        body="Rang Edith.",
        reason="Wrong kind",
    )
    assert (edited.version, edited.kind, edited.subject) == (2, "phone_call", "Phone call, not a visit")
    versions = list(CaseNoteVersion.objects.filter(note=note).order_by("version"))
    assert [(v.version, v.subject) for v in versions] == [(1, "Home visit"), (2, "Phone call, not a visit")]
    assert versions[1].reason == "Wrong kind"
    clock.at(NOW + dt.timedelta(minutes=60, seconds=1))
    assert not services.may_edit(staff.social_worker, edited)
    with pytest.raises(AccessDenied) as e:
        services.case_note_edit(
            record=record, note=edited, kind="visit", occurred_at=NOW, subject="Again", body="Again"
        )
    assert "only in the 60 minutes after it was written. Add an addendum instead." in str(e.value)
    assert CaseNote.objects.get(pk=note.pk).subject == "Phone call, not a visit"
    assert CaseNoteVersion.objects.filter(note=note).count() == 2
    refusal = AuditEvent.objects.filter(action="access_refused", object_id=str(note.pk)).get()
    assert refusal.person_id == person.pk and refusal.details["purpose"] == "edit case note"


def test_the_window_is_the_councils_setting(staff, person, clock, settings):
    settings.OPENASC_CASE_NOTE_EDIT_MINUTES = 5
    note = write(opened(staff.social_worker, person))
    assert services.may_edit(staff.social_worker, note, NOW + dt.timedelta(minutes=5))
    assert not services.may_edit(staff.social_worker, note, NOW + dt.timedelta(minutes=5, seconds=1))


def test_only_the_author_may_correct_a_note(staff, person, clock, teams):
    note = write(opened(staff.social_worker, person))
    manager = staff.team_manager
    with pytest.raises(AccessDenied, match="Only the author can correct a case note"):
        services.case_note_edit(
            record=opened(manager, person), note=note, kind="visit", occurred_at=NOW, subject="X", body="Y"
        )
    assert CaseNote.objects.get(pk=note.pk).version == 1


def test_an_addendum_is_added_by_anyone_who_writes_notes_after_the_window(staff, person, clock):
    note = write(opened(staff.social_worker, person))
    clock.at(NOW + dt.timedelta(days=3))
    addendum = services.case_note_addendum_add(
        record=opened(staff.broker, person), note=note, body="  Provider confirmed the start date.  "
    )
    assert (addendum.body, addendum.written_by, addendum.written_at) == (
        "Provider confirmed the start date.",
        staff.broker,
        NOW + dt.timedelta(days=3),
    )
    event = AuditEvent.objects.get(object_type="casenotes.casenoteaddendum")
    assert event.person_id == person.pk and event.details["note"] == note.pk
    on_note = AuditEvent.objects.get(
        object_type="casenotes.casenote", object_id=str(note.pk), action="update"
    )
    assert on_note.person_id == person.pk and on_note.details["event"] == "case_note_added_to"
    assert on_note.details["addendum"] == addendum.pk and on_note.actor == staff.broker
    with pytest.raises(ValidationFailed) as e:
        services.case_note_addendum_add(record=opened(staff.broker, person), note=note, body=" ")
    assert e.value.errors == {"body": "Enter the addendum: what you are adding to the note"}
    with pytest.raises(PermissionError):
        services.case_note_addendum_add(record=opened(staff.nhs_partner, person), note=note, body="Hello")
    assert CaseNoteAddendum.objects.count() == 1


def test_a_note_of_another_person_cannot_be_changed_through_this_record(staff, person, clock):
    other = PersonFactory()
    theirs = CaseNoteFactory(person=other, author=staff.social_worker)
    with pytest.raises(ValidationFailed, match="another person's record"):
        services.case_note_addendum_add(record=opened(staff.social_worker, person), note=theirs, body="Hello")
    assert not CaseNoteAddendum.objects.exists()


def test_a_sensitive_note_cannot_be_added_to_by_someone_who_may_not_read_it(staff, person, clock, teams):
    note = write(opened(staff.social_worker, person), sensitive=True)
    outsider = staff.broker  # writes notes, but is in no team of the author's and holds no named role
    outsider.teams.set([teams.south])
    outsider._openasc_team_ids = None
    with pytest.raises(AccessDenied, match="This is a sensitive note"):
        services.case_note_addendum_add(record=opened(outsider, person), note=note, body="Hello")
    assert not CaseNoteAddendum.objects.exists()
    assert AuditEvent.objects.filter(
        action="access_refused", object_type="casenotes.casenote", object_id=str(note.pk)
    ).exists()


def test_what_cannot_be_stored_is_refused_on_its_field(staff, person, clock):
    record = opened(staff.social_worker, person)
    cases = [
        (
            {"subject": "Visit\x00"},
            "subject",
            "The subject cannot contain a NUL character: remove it and try again",
        ),
        ({"subject": "Two\nlines"}, "subject", "a tab, a new line or another control character"),
        ({"subject": "x" * 201}, "subject", "The subject must be 200 characters or fewer"),
        ({"body": "Fine\x07"}, "body", "The note cannot contain a control character"),
        ({"present": "Ann\x00"}, "present", "NUL"),
        ({"present": "\n".join(f"Person {i}" for i in range(51))}, "present", "at most 50 people"),
    ]
    for overrides, field, message in cases:
        with pytest.raises(ValidationFailed) as e:
            write(record, **overrides)
        assert list(e.value.errors) == [field] and message in e.value.errors[field], overrides
    assert write(record, subject="x" * 200, occurred_at="２０２６-11-20T09:30").subject == "x" * 200
    assert CaseNote.objects.count() == 1


def test_a_merge_moves_the_duplicates_notes_inside_its_audited_block(staff, person, clock):
    from openasc.core import audit
    from openasc.core.audit import UnauditedBulkWrite

    duplicate = PersonFactory()
    note = CaseNoteFactory(person=duplicate, author=staff.social_worker)
    with pytest.raises(UnauditedBulkWrite):
        services.case_notes_move(keep=person, duplicate=duplicate)
    with audit.bulk(actor=staff.team_manager, action="merge", reason="Same person", summary=True):
        assert services.case_notes_move(keep=person, duplicate=duplicate) == 1
    assert CaseNote.objects.get(pk=note.pk).person == person
    assert CaseNoteVersion.objects.get(note=note).note.person == person
