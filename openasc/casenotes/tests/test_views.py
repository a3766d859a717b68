"""The case-note pages: status codes, errors on their fields (all at once), the flashed message, drafts, the edit
window and the sensitive rule as the pages show them, and refusals as the forbidden page."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from openasc.casenotes.models import CaseNote, CaseNoteAddendum
from openasc.casenotes.tests.factories import CaseNoteFactory
from openasc.core import services as core_services
from openasc.core.models import AuditEvent, RelationshipKind
from openasc.core.tests.factories import CareRelationshipFactory, TeamFactory, UserFactory
from openasc.people.tests.factories import PersonFactory


@pytest.fixture
def person(teams):
    p = PersonFactory(first_name="Ruby", last_name="Lane")
    CareRelationshipFactory(person=p, user=None, team=teams.north, kind=RelationshipKind.ALLOCATED_TEAM)
    return p


@pytest.fixture
def outsider(person):
    user = UserFactory(username="east-worker", teams=[TeamFactory(code="east-x", name="East X")])
    CareRelationshipFactory(
        person=person, user=user, kind=RelationshipKind.GRANT, ends_at=timezone.now() + dt.timedelta(days=1)
    )
    return user


def good(**overrides) -> dict:
    now = timezone.localtime() - dt.timedelta(minutes=5)
    data = {
        "kind": "visit",
        "occurred_at-day": str(now.day),
        "occurred_at-month": str(now.month),
        "occurred_at-year": str(now.year),
        "occurred_time": f"{now:%H:%M}",
        "subject": "Home visit",
        "body": "Ruby was in good spirits.",
        "present": "Ruby Lane\nTom Lane (son)",
    }
    data.update(overrides)
    return data


def test_the_record_links_to_the_notes(client, staff, person):
    client.force_login(staff.social_worker)
    html = client.get(f"/people/{person.pk}").content.decode()
    assert f'href="/notes/people/{person.pk}"' in html and f'href="/notes/people/{person.pk}/new"' in html
    client.force_login(staff.nhs_partner)  # no WRITE_NOTES: the list, not "add a note"
    CareRelationshipFactory(
        person=person, user=staff.nhs_partner, kind=RelationshipKind.NHS_SHARING, basis="Care"
    )
    html = client.get(f"/people/{person.pk}").content.decode()
    assert f'href="/notes/people/{person.pk}"' in html and f"/notes/people/{person.pk}/new" not in html


def test_adding_a_note_reports_every_mistake_on_its_field(client, staff, person):
    client.force_login(staff.social_worker)
    page = client.get(f"/notes/people/{person.pk}/new")
    assert page.status_code == 200 and 'data-autosave="/session/drafts"' in page.content.decode()
    today = timezone.localdate()
    assert f'value="{today.day}"' in page.content.decode()  # the date defaults to today
    future = timezone.localtime() + dt.timedelta(days=2)
    response = client.post(
        f"/notes/people/{person.pk}/new",
        {
            "occurred_at-day": str(future.day),
            "occurred_at-month": str(future.month),
            "occurred_at-year": str(future.year),
            "occurred_time": "25:00",
        },
    )
    assert response.status_code == 400
    html = response.content.decode()
    for anchor in ("#kind", "#occurred_time", "#subject", "#body"):
        assert f'href="{anchor}"' in html, anchor
    assert "The time must be a real time, from 00:00 to 23:59" in html
    assert "Enter a subject: a few words that say what the note is about" in html
    response = client.post(f"/notes/people/{person.pk}/new", good(occurred_time="12:00", **_future_date()))
    assert response.status_code == 400
    assert "The date and time it happened must be now or in the past" in response.content.decode()
    assert 'href="#occurred_at-day"' in response.content.decode()
    assert not CaseNote.objects.exists()


def _future_date() -> dict:
    d = timezone.localdate() + dt.timedelta(days=1)
    return {"occurred_at-day": str(d.day), "occurred_at-month": str(d.month), "occurred_at-year": str(d.year)}


def test_a_note_is_saved_the_draft_discarded_and_the_note_shown(client, staff, person):
    client.force_login(staff.social_worker)
    path = f"/notes/people/{person.pk}/new"
    core_services.form_draft_save(user=staff.social_worker, path=path, data={"subject": "Half typed"})
    restored = client.get(path).content.decode()
    assert "Half typed" in restored and "We have filled in what you typed" in restored
    response = client.post(path, good())
    note = CaseNote.objects.get()
    assert response.status_code == 302 and response.url == f"/notes/{note.pk}"
    assert core_services.form_draft_get(user=staff.social_worker, path=path) is None
    page = client.get(response.url).content.decode()
    assert "Case note saved" in page and "Ruby was in good spirits." in page and "Tom Lane (son)" in page
    assert "Correct this note" in page and "Edited" not in page
    listing = client.get(f"/notes/people/{person.pk}").content.decode()
    assert "Home visit" in listing and "1 note." in listing


def test_the_author_corrects_within_the_window_and_everyone_sees_it_was_edited(client, staff, person):
    client.force_login(staff.social_worker)
    client.post(f"/notes/people/{person.pk}/new", good())
    note = CaseNote.objects.get()
    core_services.form_draft_save(
        user=staff.social_worker, path=f"/notes/{note.pk}/edit", data={"subject": "Typed"}
    )
    assert "We have filled in what you typed" in client.get(f"/notes/{note.pk}/edit").content.decode()
    response = client.post(
        f"/notes/{note.pk}/edit", good(subject="Home visit (with son)", reason="Who was there")
    )
    assert response.status_code == 302
    page = client.get(f"/notes/{note.pk}").content.decode()
    assert "Case note corrected" in page and "Edited" in page and "Every version is kept" in page
    assert "Who was there" in page and "Version 1 as saved" in page
    client.force_login(staff.team_manager)  # not the author: no correction, but the history and an addendum
    page = client.get(f"/notes/{note.pk}").content.decode()
    assert "Correct this note" not in page and "Version 1 as saved" in page and "Add an addendum" in page
    assert client.get(f"/notes/{note.pk}/edit").status_code == 403


def test_after_the_window_the_author_is_sent_to_an_addendum(client, staff, person, settings):
    settings.OPENASC_CASE_NOTE_EDIT_MINUTES = 60
    old = CaseNoteFactory(
        person=person, author=staff.social_worker, created_at=timezone.now() - dt.timedelta(minutes=61)
    )
    fresh = CaseNoteFactory(
        person=person, author=staff.social_worker, created_at=timezone.now() - dt.timedelta(minutes=59)
    )
    client.force_login(staff.social_worker)
    assert client.get(f"/notes/{fresh.pk}/edit").status_code == 200
    refused = client.get(f"/notes/{old.pk}/edit")
    assert refused.status_code == 403 and "Add an addendum instead" in refused.content.decode()
    assert client.post(f"/notes/{old.pk}/edit", good()).status_code == 403
    refusals = AuditEvent.objects.filter(action="access_refused", object_id=str(old.pk), person_id=person.pk)
    assert refusals.count() == 2 and refusals.first().details["purpose"] == "edit case note"
    assert CaseNote.objects.get(pk=old.pk).version == 1
    response = client.post(f"/notes/{old.pk}/addendum", {"body": ""})
    assert response.status_code == 400 and 'href="#body"' in response.content.decode()
    response = client.post(f"/notes/{old.pk}/addendum", {"body": "GP confirmed the new tablets."})
    assert response.status_code == 302
    page = client.get(f"/notes/{old.pk}").content.decode()
    assert "Addendum added" in page and "GP confirmed the new tablets." in page
    assert CaseNoteAddendum.objects.get().written_by == staff.social_worker


def test_a_sensitive_note_never_reaches_someone_not_allowed(client, staff, person, outsider):
    secret = CaseNoteFactory(
        person=person,
        author=staff.social_worker,
        sensitive=True,
        subject="Concern raised",
        body="Bruising seen",
    )
    CaseNoteFactory(person=person, author=staff.social_worker, subject="Bruising advice leaflet")
    client.force_login(outsider)
    pages = {
        "list": client.get(f"/notes/people/{person.pk}"),
        "search": client.get(f"/notes/people/{person.pk}", {"q": "bruising"}),
        "record": client.get(f"/people/{person.pk}"),
        "note": client.get(f"/notes/{secret.pk}"),
        "addendum": client.get(f"/notes/{secret.pk}/addendum"),
        "edit": client.get(f"/notes/{secret.pk}/edit"),
    }
    for name, response in pages.items():
        html = response.content.decode()
        assert "Concern raised" not in html and "Bruising seen" not in html, name
    assert (
        pages["list"].status_code == 200 and "A sensitive note (restricted)" in pages["list"].content.decode()
    )
    assert "Bruising advice leaflet" in pages["search"].content.decode()
    assert "1 note you can read matches" in pages["search"].content.decode()
    assert "A sensitive note (restricted)" in pages["record"].content.decode()  # on the timeline
    assert pages["note"].status_code == 403 and "This is a sensitive note" in pages["note"].content.decode()
    assert pages["addendum"].status_code == 403 and pages["edit"].status_code == 403
    assert client.post(f"/notes/{secret.pk}/addendum", {"body": "x"}).status_code == 403
    assert not CaseNoteAddendum.objects.exists()
    refusals = AuditEvent.objects.filter(actor=outsider, action="access_refused", object_id=str(secret.pk))
    assert refusals.count() == 4 and {e.person_id for e in refusals} == {person.pk}
    client.force_login(
        staff.safeguarding_lead
    )  # a named role, outside the team: needs a basis to open the record
    CareRelationshipFactory(
        person=person, user=staff.safeguarding_lead, kind=RelationshipKind.SAFEGUARDING_ENQUIRY
    )
    assert "Bruising seen" in client.get(f"/notes/{secret.pk}").content.decode()


def test_a_role_that_does_not_write_notes_is_refused_the_form(client, staff, person):
    CareRelationshipFactory(
        person=person, user=staff.nhs_partner, kind=RelationshipKind.NHS_SHARING, basis="Care"
    )
    client.force_login(staff.nhs_partner)
    response = client.get(f"/notes/people/{person.pk}/new")
    assert response.status_code == 403 and "You cannot write case notes" in response.content.decode()
    assert client.post(f"/notes/people/{person.pk}/new", good()).status_code == 403
    assert client.get(f"/notes/people/{person.pk}").status_code == 200  # reads, on the sharing basis
    assert not CaseNote.objects.exists()


def test_no_relationship_no_notes(client, staff, person):
    stranger = UserFactory(username="nobody-here", teams=[])
    client.force_login(stranger)
    note = CaseNoteFactory(person=person, author=staff.social_worker, subject="Private")
    for path in (f"/notes/people/{person.pk}", f"/notes/{note.pk}", f"/notes/people/{person.pk}/new"):
        response = client.get(path)
        assert response.status_code in (302, 403), path  # break-glass offered, or refused
        assert "Private" not in response.content.decode()
    assert client.get("/notes/999999").status_code == 404
    assert client.get("/notes/people/999999").status_code == 404


def test_the_list_of_2000_notes_is_paginated_in_a_fixed_number_of_queries(
    client, staff, person, django_assert_max_num_queries
):
    from openasc.core import audit

    start = timezone.now() - dt.timedelta(days=3000)
    with audit.exempt_from_safety_net():
        CaseNote.objects.bulk_create(
            [
                CaseNote(
                    person=person,
                    kind="visit",
                    occurred_at=start + dt.timedelta(days=i),
                    subject=f"Visit number {i}",
                    body="Well.",
                    author=staff.social_worker,
                    created_at=start,
                    updated_at=start,
                )
                for i in range(2000)
            ],
            batch_size=500,
        )
    client.force_login(staff.social_worker)
    client.get(f"/notes/people/{person.pk}")  # warm the session
    pages = {}
    for params in ({"page": "40"}, {"q": "NUMBER 19", "page": "2"}):
        with django_assert_max_num_queries(18):  # session, user, opening and audit (11), count(s), ids, page
            response = client.get(f"/notes/people/{person.pk}", params)
        assert response.status_code == 200 and "govuk-pagination" in response.content.decode()
        pages[params.get("q", "")] = response.content.decode()
    # Newest first, 25 a page: page 40 holds notes 1024 down to 1000.
    assert "Visit number 1024<" in pages[""] and "Visit number 1000<" in pages[""]
    assert "Visit number 1025<" not in pages[""] and "2000 notes, newest first: page 40 of 80." in pages[""]
    assert "111 notes you can read match “NUMBER 19”" in pages["NUMBER 19"]  # 19, 190-199, 1900-1999


def test_the_note_can_be_about_this_persons_request_and_not_anothers(client, staff, person):
    from openasc.frontdoor.tests.factories import SupportRequestFactory

    mine = SupportRequestFactory(person=person)
    theirs = SupportRequestFactory(person=PersonFactory())
    client.force_login(staff.social_worker)
    page = client.get(f"/notes/people/{person.pk}/new", {"link": f"request:{mine.pk}"}).content.decode()
    assert f'<option value="request:{mine.pk}" selected>' in page
    assert f"request:{theirs.pk}" not in page
    forged = client.post(f"/notes/people/{person.pk}/new", good(link=f"request:{theirs.pk}"))
    assert forged.status_code == 400 and 'href="#link"' in forged.content.decode()
    assert client.post(f"/notes/people/{person.pk}/new", good(link=f"request:{mine.pk}")).status_code == 302
    note = CaseNote.objects.get()
    assert note.request == mine
    assert "Request for support received" in client.get(f"/notes/{note.pk}").content.decode()
