"""The smaller pages of a record, each with its errors, checked with axe: a team manager's tour."""

import pytest

from openasc.core.models import RelationshipKind
from openasc.core.tests.factories import CareRelationshipFactory
from openasc.people.tests.factories import PersonFactory

pytestmark = pytest.mark.system


def test_team_manager_visits_every_page_of_a_record(journey, staff, teams):
    person = PersonFactory(first_name="Albert", last_name="Finch")
    CareRelationshipFactory(person=person, user=None, team=teams.north, kind=RelationshipKind.ALLOCATED_TEAM)
    record = f"/people/{person.pk}"
    page = journey.page

    journey.sign_in("team_manager", start=record)
    assert journey.path == record
    assert "You can see this record because: team: locality team north." in page.locator("main").inner_text()

    journey.click_link("Add a contact")
    journey.submit("Save contact", status=400)
    assert [href for href, _ in journey.error_links()] == ["#kind", "#name"]
    page.get_by_label("Kind of contact").select_option(index=1)
    page.get_by_label("Name", exact=True).fill("Doris Finch")
    journey.submit("Save contact", status=200)
    assert journey.path == record and "Doris Finch" in page.locator("main").inner_text()

    journey.click_link("Add an alert")
    journey.submit("Save alert", status=400)
    assert [href for href, _ in journey.error_links()] == ["#kind", "#description"]
    page.get_by_role("group", name="What kind of alert is it?").get_by_role("radio").first.check()
    page.get_by_label("What do staff need to know?").fill("Dog in the house.")
    journey.submit("Save alert", status=200)
    assert "Dog in the house." in page.locator(".app-alert-list").inner_text()

    journey.click_link("Link an unpaid carer")
    journey.submit("Link carer", status=400)
    assert [href for href, _ in journey.error_links()] == ["#carer_id", "#lives_with"]
    journey.click_link("Back")

    journey.click_link("Merge a duplicate record into this one")
    journey.submit("Merge records", status=400)
    assert [href for href, _ in journey.error_links()] == ["#duplicate_id", "#reason"]
    journey.click_link("Back")

    journey.click_link("Change personal details")
    page.get_by_label("Preferred name (optional)", exact=True).fill("Bert")
    journey.submit("Save changes", status=200)
    assert "Details saved" in page.locator(".govuk-notification-banner").inner_text()
    assert "(known as Bert)" in page.locator(".govuk-summary-list").first.inner_text()

    journey.click_link("Who has looked at this record")
    assert journey.path == f"{record}/access-log"
    assert staff.team_manager.display_name in page.locator("table tbody").inner_text()

    journey.goto("/people/999999", status=404)
    assert page.get_by_role("heading", level=1).inner_text() == "Page not found"

    journey.click_link("Sign out")
    assert page.get_by_role("heading", level=1).inner_text() == "You have signed out"


def test_a_role_without_the_page_is_told_so(journey, staff):
    journey.sign_in("performance_analyst")
    journey.goto("/people/new", status=403)
    assert page_heading(journey) == "You cannot add people"
    journey.goto("/break-glass/reviews", status=403)
    assert page_heading(journey) == "You cannot see this page"


def page_heading(journey) -> str:
    return journey.page.get_by_role("heading", level=1).inner_text()
