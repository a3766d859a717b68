"""Who reads which note: the sensitive rule on both sides, in the list, the search, one note and the timeline; the
views and refusals audited; and a list of 2,000 notes in a fixed number of queries."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from openasc.casenotes import selectors
from openasc.casenotes.models import CaseNote
from openasc.casenotes.tests.factories import CaseNoteFactory
from openasc.core import audit, timeline
from openasc.core.errors import AccessDenied
from openasc.core.models import AuditEvent, RelationshipKind
from openasc.core.tests.factories import CareRelationshipFactory, TeamFactory, UserFactory
from openasc.people.tests.factories import PersonFactory


@pytest.fixture
def person(teams):
    p = PersonFactory(first_name="Ivy", last_name="Holt")
    CareRelationshipFactory(person=p, user=None, team=teams.north, kind=RelationshipKind.ALLOCATED_TEAM)
    return p


@pytest.fixture
def outsider(person):
    """A social worker in another team, who may open Ivy's record through a grant, but is not in the author's
    team and holds no named role."""
    user = UserFactory(username="south-worker", teams=[TeamFactory(code="south-x", name="South X")])
    CareRelationshipFactory(
        person=person, user=user, kind=RelationshipKind.GRANT, ends_at=timezone.now() + dt.timedelta(days=1)
    )
    return user


@pytest.fixture
def sensitive(staff, person):
    return CaseNoteFactory(
        person=person,
        author=staff.social_worker,
        sensitive=True,
        subject="Disclosure about the son",
        body="Ivy said her son takes her pension.",
    )


def test_who_may_read_a_sensitive_note(staff, person, outsider, sensitive, settings):
    assert selectors.may_read(staff.social_worker, sensitive)  # the author
    assert selectors.may_read(staff.occupational_therapist, sensitive)  # in the author's team (north)
    assert selectors.may_read(staff.team_manager, sensitive)  # a named role (and in the team)
    assert not selectors.may_read(outsider, sensitive)
    settings.OPENASC_SENSITIVE_NOTE_ROLES = "social_worker"
    outsider._openasc_team_ids = None
    assert selectors.may_read(outsider, sensitive)  # now their role is named
    settings.OPENASC_SENSITIVE_NOTE_ROLES = ""
    assert not selectors.may_read(outsider, CaseNote.objects.get(pk=sensitive.pk))
    plain = CaseNoteFactory(person=person, author=staff.social_worker)
    assert selectors.may_read(outsider, plain)


def test_the_note_follows_the_authors_team_when_it_was_written_not_now(staff, person, teams, sensitive):
    author = staff.social_worker
    author.teams.set([teams.south])
    author._openasc_team_ids = None
    assert selectors.may_read(staff.occupational_therapist, CaseNote.objects.get(pk=sensitive.pk))


def test_opening_a_sensitive_note_is_refused_to_an_outsider_and_audited(staff, person, outsider, sensitive):
    with pytest.raises(AccessDenied) as e:
        selectors.note_get(user=outsider, note_id=sensitive.pk)
    assert e.value.access.explanation == selectors.SENSITIVE_REFUSED
    refusal = AuditEvent.objects.get(actor=outsider, action="access_refused")
    assert (refusal.person_id, refusal.object_type, refusal.object_id) == (
        person.pk,
        "casenotes.casenote",
        str(sensitive.pk),
    )
    assert not AuditEvent.objects.filter(actor=outsider, action="view").exists()
    note, _ = selectors.note_get(user=staff.social_worker, note_id=sensitive.pk)
    view = AuditEvent.objects.get(actor=staff.social_worker, action="view")
    assert (view.object_id, view.details["purpose"], view.basis) == (
        str(note.pk),
        "view case note",
        "Team: Locality team north",
    )


def test_someone_who_cannot_open_the_record_is_refused_as_for_any_record(staff, person, sensitive):
    stranger = UserFactory(username="stranger", teams=[])  # no relationship with Ivy
    with pytest.raises(AccessDenied) as e:
        selectors.note_get(user=stranger, note_id=sensitive.pk)
    assert "working relationship" in e.value.access.explanation  # not told the note is sensitive
    assert (
        AuditEvent.objects.filter(actor=stranger, action="access_refused", person_id=person.pk).count() == 1
    )


def test_the_list_shows_a_restricted_note_without_its_words_and_search_never_finds_it(
    staff, person, outsider, sensitive
):
    CaseNoteFactory(
        person=person, author=staff.social_worker, subject="Pension advice", body="Rang about pension"
    )
    record = selectors.notes_open(user=outsider, person_id=person.pk)
    listed = selectors.notes_for_person(record=record)
    by_pk = {n.pk: n.can_read for n in listed.page.object_list}
    assert by_pk[sensitive.pk] is False and list(by_pk.values()).count(True) == 1
    found = selectors.notes_for_person(record=record, query="PENSION")
    assert [n.subject for n in found.page.object_list] == ["Pension advice"]  # not the sensitive one
    assert selectors.notes_for_person(record=record, query="son takes").page.paginator.count == 0
    assert found.total == 2
    # The author finds it, case-insensitively, in the subject or the body.
    mine = selectors.notes_open(user=staff.social_worker, person_id=person.pk, query="SON")
    assert [n.pk for n in selectors.notes_for_person(record=mine, query="SON").page.object_list] == [
        sensitive.pk
    ]
    search = AuditEvent.objects.filter(actor=staff.social_worker, action="view").last()
    assert search.details == {"purpose": "case notes", "page": "1", "search": "SON"}


def test_the_timeline_shows_a_sensitive_note_as_restricted_with_date_and_kind_only(staff, person, sensitive):
    plain = CaseNoteFactory(person=person, author=staff.social_worker, subject="Pharmacy rang")
    entries = [e for e in timeline.entries_for(person) if e.kind == "note"]
    titles = {e.href.rsplit("/", 1)[1]: e for e in entries}
    restricted = titles[str(sensitive.pk)]
    assert (restricted.title, restricted.detail, restricted.who) == (
        "A sensitive note (restricted)",
        "Visit",
        "",
    )
    assert restricted.when == sensitive.occurred_at
    assert titles[str(plain.pk)].title == "Visit: Pharmacy rang"
    assert titles[str(plain.pk)].who == staff.social_worker.display_name
    text = repr(entries)
    assert "Disclosure" not in text and "pension" not in text


def test_a_page_of_2000_notes_takes_a_fixed_number_of_queries(staff, person, django_assert_max_num_queries):
    author = staff.social_worker
    start = timezone.now() - dt.timedelta(days=2000)
    with audit.exempt_from_safety_net():
        CaseNote.objects.bulk_create(
            [
                CaseNote(
                    person=person,
                    kind="phone_call",
                    occurred_at=start + dt.timedelta(days=i),
                    subject=f"Call {i}",
                    body="Checked in. Nothing new." if i % 7 else "Talked about the garden.",
                    sensitive=i % 10 == 0,
                    author=author,
                    created_at=start,
                    updated_at=start,
                )
                for i in range(2000)
            ],
            batch_size=500,
        )
    # The count, the page's ids, the page's notes (and with a search, the count of all notes).
    for query, queries in (("", 3), ("garden", 4)):
        record = selectors.notes_open(user=staff.broker, person_id=person.pk, query=query, page=3)
        with django_assert_max_num_queries(queries):
            listed = selectors.notes_for_person(record=record, query=query, page=3)
            rows = [
                (n.subject, n.can_read, n.author.display_name, n.addenda_count, n.link_field)
                for n in listed.page
            ]
        assert len(rows) == 25
    # "garden": every 7th note (286), less the sensitive ones among them (every 70th: 29), which the broker may not read
    assert listed.page.paginator.count == 257


def test_a_reader_in_no_team_sees_sensitive_notes_restricted(staff, person, sensitive):
    loner = UserFactory(username="no-team-worker", teams=[])
    CareRelationshipFactory(person=person, user=loner, kind=RelationshipKind.ALLOCATED_WORKER)
    record = selectors.notes_open(user=loner, person_id=person.pk)
    [row] = selectors.notes_for_person(record=record).page.object_list
    assert (row.pk, row.can_read) == (sensitive.pk, False)
    assert not selectors.may_read(loner, sensitive)
    assert selectors.notes_for_person(record=record, query="pension").page.paginator.count == 0
