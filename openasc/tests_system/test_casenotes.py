"""A worker records a visit note and, later, an addendum; a colleague outside the team sees only that a sensitive note
exists. Every page is checked with axe and for reflow at 320 CSS px (the `journey` fixture)."""

import datetime as dt

import pytest
from django.utils import timezone

from openasc.casenotes.models import CaseNote
from openasc.casenotes.tests.factories import CaseNoteFactory
from openasc.core.models import RelationshipKind
from openasc.core.tests.factories import CareRelationshipFactory, TeamFactory, UserFactory
from openasc.people.tests.factories import ContactFactory, PersonFactory

pytestmark = pytest.mark.system


def test_a_worker_records_a_visit_note_and_an_addendum(journey, staff, teams):
    person = PersonFactory(first_name="Winifred", last_name="Oakes")
    CareRelationshipFactory(person=person, user=staff.social_worker, kind=RelationshipKind.ALLOCATED_WORKER)
    ContactFactory(person=person, name="Peter Oakes", kind="next_of_kin")
    record = f"/people/{person.pk}"
    page = journey.page

    journey.sign_in("social_worker", start=record)
    journey.click_link("add a note")
    assert journey.path == f"/notes/people/{person.pk}/new"
    page.get_by_label("Time it happened").fill("")
    journey.submit("Save note", status=400)
    journey.screenshot("case-note-errors")
    assert [href for href, _ in journey.error_links()] == ["#kind", "#occurred_time", "#subject", "#body"]

    page.get_by_role("group", name="What kind of note is it?").get_by_label("Visit").check()
    when = timezone.localtime() - dt.timedelta(hours=1)
    page.get_by_label("Day").fill(str(when.day))
    page.get_by_label("Month").fill(str(when.month))
    page.get_by_label("Year").fill(str(when.year))
    page.get_by_label("Time it happened").fill(f"{when:%H:%M}")
    page.get_by_label("Subject").fill("Home visit after the fall")
    page.get_by_label("Note", exact=True).fill(
        "Winifred was up and dressed.\nShe is using the frame indoors and wants to try the lunch club again."
    )
    page.get_by_label("Who was present (optional)").fill("Winifred Oakes")
    page.get_by_label("Peter Oakes (next of kin)").check()
    journey.submit("Save note", status=200)
    note = CaseNote.objects.get()
    assert journey.path == f"/notes/{note.pk}"
    main = page.locator("main").inner_text()
    assert "Case note saved" in main and "wants to try the lunch club again" in main
    assert "Peter Oakes (next of kin)" in main and "Correct this note" in main
    journey.screenshot("case-note")

    journey.click_link("Correct this note")
    page.get_by_label("Subject").fill("Home visit after the fall (with Peter)")
    page.get_by_label("Why are you correcting it? (optional)").fill("Peter was there too")
    journey.submit("Save correction", status=200)
    main = page.locator("main").inner_text()
    assert "Case note corrected" in main and "This note was edited. Every version is kept." in main
    assert "Peter was there too" in main
    page.get_by_text("Version 1 as saved").click()
    assert "Home visit after the fall" in page.locator(".govuk-details__text").inner_text()

    journey.click_link("Add an addendum")
    journey.submit("Add addendum", status=400)
    journey.screenshot("case-note-addendum-error")
    assert journey.error_links() == [("#body", "Enter the addendum: what you are adding to the note")]
    page.get_by_label("Addendum").fill("Peter rang: the lunch club has a place on Thursdays.")
    journey.submit("Add addendum", status=200)
    main = page.locator("main").inner_text()
    assert "Addendum added" in main and "the lunch club has a place on Thursdays" in main
    assert f"by {staff.social_worker.display_name}" in main

    journey.click_link("All case notes")
    assert "Home visit after the fall (with Peter)" in page.locator(".app-notes").inner_text()
    page.get_by_label("Search these notes").fill("LUNCH CLUB")
    journey.submit("Search", status=200)
    assert "1 note you can read matches “LUNCH CLUB”" in page.locator("main").inner_text()
    journey.screenshot("case-notes-list")
    journey.click_link("Back to the record")
    assert "Visit: Home visit after the fall (with Peter)" in page.locator(".app-timeline").inner_text()


def test_someone_outside_the_team_sees_only_that_a_sensitive_note_exists(journey, staff, teams):
    person = PersonFactory(first_name="Harold", last_name="Pike")
    CareRelationshipFactory(person=person, user=None, team=teams.north, kind=RelationshipKind.ALLOCATED_TEAM)
    secret = CaseNoteFactory(
        person=person,
        author=staff.social_worker,
        sensitive=True,
        subject="Worry about the lodger",
        body="Harold said the lodger takes his bank card.",
    )
    outsider = UserFactory(username="reablement_worker", teams=[TeamFactory(code="reab", name="Reablement")])
    CareRelationshipFactory(
        person=person,
        user=outsider,
        kind=RelationshipKind.GRANT,
        ends_at=timezone.now() + dt.timedelta(days=1),
    )
    page = journey.page
    journey.sign_in("reablement_worker", start=f"/notes/people/{person.pk}")
    listing = page.locator("main").inner_text()
    assert "A sensitive note (restricted)" in listing and "lodger" not in listing
    journey.click_link("A sensitive note (restricted)")
    assert journey.path == f"/notes/{secret.pk}"
    assert page.get_by_role("heading", level=1).inner_text() == "You cannot read this note"
    assert "lodger" not in page.locator("main").inner_text()
    journey.goto(f"/people/{person.pk}")
    timeline = page.locator(".app-timeline").inner_text()
    assert "A sensitive note (restricted)" in timeline and "lodger" not in timeline
