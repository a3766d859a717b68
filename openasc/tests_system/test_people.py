"""Finding, adding and opening a person's record in a real browser, with axe on every page."""

import datetime as dt

import pytest

from openasc.core.models import AuditAction, AuditEvent
from openasc.core.tests.factories import CareRelationshipFactory
from openasc.people.models import Person
from openasc.people.tests.factories import AlertFactory, ContactFactory, PersonFactory, valid_nhs_number

pytestmark = pytest.mark.system


def result_names(journey) -> list[str]:
    return [t.strip() for t in journey.page.locator("#results tbody tr td:first-child").all_inner_texts()]


def search(journey, query: str) -> None:
    """Type in the search box and press Search: htmx swaps the results in and pushes the URL."""
    journey.page.get_by_label("Name, NHS number, date of birth, postcode or person id").fill(query)
    with journey.page.expect_response(lambda r: "/people/?q=" in r.url and r.request.method == "GET"):
        journey.page.get_by_role("button", name="Search", exact=True).click()
    journey.page.locator("#results h2").wait_for()
    journey.check()  # the swapped-in results are checked too


def test_search_by_rough_name_and_by_nhs_number_with_spaces(journey, staff):
    margaret = PersonFactory(
        first_name="Margaret",
        last_name="Thompson",
        nhs_number="9434765919",
        date_of_birth=dt.date(1938, 4, 12),
    )
    CareRelationshipFactory(person=margaret, user=staff.social_worker)
    other = PersonFactory(first_name="Ivy", last_name="Lane")
    CareRelationshipFactory(person=other, user=staff.social_worker)

    journey.sign_in("social_worker")
    assert journey.path == "/"  # signing in lands on the worktray
    journey.click_link("Find a person", exact=True)
    assert journey.path == "/people/"

    search(journey, "Tompson Margret")  # a typo in each name, and the surname first
    assert result_names(journey) == ["THOMPSON, Margaret"]
    assert journey.page.locator("#results h2").inner_text() == "1 person found"
    assert journey.path == "/people/?q=Tompson%20Margret"  # htmx pushed the search into the address bar

    search(journey, "943 476 5919")
    assert result_names(journey) == ["THOMPSON, Margaret"]
    assert "Searched for NHS number 943 476 5919" in journey.page.locator("#results").inner_text()

    search(journey, "Nobody Atall")
    assert journey.page.locator("#results h2").inner_text() == "No one found"

    # Without JavaScript's help the same search is an ordinary page.
    journey.goto("/people/?q=943+476+5919")
    assert result_names(journey) == ["THOMPSON, Margaret"]
    journey.click_link("THOMPSON, Margaret")
    assert journey.path == f"/people/{margaret.pk}"
    assert AuditEvent.objects.filter(actor=staff.social_worker, action=AuditAction.SEARCH).count() == 4


def fill_person(page, **fields) -> None:
    for label, value in fields.items():
        page.get_by_label(label, exact=True).fill(value)


def test_add_a_person_with_errors_then_success(journey, staff):
    journey.sign_in("front_door")
    journey.click_link("Add a person")
    assert journey.path == "/people/new"
    assert journey.page.title().startswith("Add a person – Adult social care – Northshire County Council")

    page = journey.page
    fill_person(page, **{"Last name": "Marsh", "NHS number (optional)": "943 476 5918"})
    date_of_birth = page.get_by_role("group", name="Date of birth")
    date_of_birth.get_by_label("Day").fill("31")
    date_of_birth.get_by_label("Month").fill("2")
    date_of_birth.get_by_label("Year").fill("1950")
    journey.submit("Save person", status=400)  # error title, focus and links are checked with axe
    assert journey.error_links() == [
        ("#first_name", "Enter the person's first name"),
        ("#nhs_number", "Enter a valid NHS number: the check digit is wrong"),
        ("#date_of_birth-day", "The date of birth must be a real date"),
    ]
    assert page.title().startswith("Error: Add a person")
    assert page.get_by_label("Last name", exact=True).input_value() == "Marsh"  # nothing typed is lost
    assert "govuk-input--error" in (date_of_birth.get_by_label("Day").get_attribute("class") or "")
    page.get_by_role("link", name="The date of birth must be a real date").click()
    assert page.evaluate("document.activeElement.id") == "date_of_birth-day"
    assert not Person.objects.exists()
    journey.screenshot("add-a-person-with-errors")

    nhs = valid_nhs_number(123)
    fill_person(
        page,
        **{
            "First name": "Edith",
            "NHS number (optional)": f"{nhs[:3]} {nhs[3:6]} {nhs[6:]}",
            "Postcode": "ns1 4ab",
            "Address line 1": "4 Mill Lane",
            "Town or city": "Northtown",
        },
    )
    date_of_birth.get_by_label("Day").fill("2")
    date_of_birth.get_by_label("Month").fill("5")
    date_of_birth.get_by_label("Year").fill("1941")
    page.get_by_label("Gender", exact=True).select_option("Female")
    page.get_by_label("Client type", exact=True).select_option("Service user")
    journey.submit("Save person", status=200)

    person = Person.objects.get()
    assert journey.path == f"/people/{person.pk}"
    assert page.get_by_role("heading", level=1).inner_text() == "Edith Marsh"
    banner = page.locator(".govuk-notification-banner--success").inner_text()
    assert f"Record created for Edith Marsh ({person.la_person_id})" in banner
    summary = page.locator(".govuk-summary-list").first.inner_text()
    assert "2 May 1941" in summary and f"{nhs[:3]} {nhs[3:6]} {nhs[6:]}" in summary and "NS1 4AB" in summary

    # The draft kept while typing went with the save: a new form starts empty.
    page.wait_for_timeout(500)  # let any late draft save from the old page arrive first
    journey.click_link("Add a person")
    assert page.get_by_label("First name", exact=True).input_value() == ""
    assert page.locator(".govuk-inset-text").count() == 0


def test_person_record_for_the_allocated_social_worker(journey, staff):
    person = PersonFactory(
        first_name="Ivy",
        last_name="Lane",
        nhs_number="9434765919",
        postcode="NS1 4AB",
        date_of_birth=dt.date(1931, 7, 9),
        address_line_1="2 Church Row",
        town="Northtown",
    )
    CareRelationshipFactory(person=person, user=staff.social_worker)
    AlertFactory(person=person, description="Two workers must visit together.")
    ContactFactory(person=person, name="Ron Lane", relationship="son", phone="01234 567890")

    journey.sign_in("social_worker", start=f"/people/{person.pk}")  # back to the record after signing in
    page = journey.page
    assert journey.path == f"/people/{person.pk}"
    assert page.title().startswith("Ivy Lane – ")
    assert page.get_by_role("heading", level=1).inner_text() == "Ivy Lane"
    assert "NHS number 943 476 5919" in page.locator(".govuk-caption-l").inner_text()
    assert "Two workers must visit together." in page.locator(".app-alert-list").inner_text()
    identity = page.locator(".govuk-summary-card", has_text="Identity").inner_text()
    assert "9 July 1931" in identity and "2 Church Row" in identity
    works_with = page.locator("h2:has-text('Who works with this person') + ul").inner_text()
    assert staff.social_worker.display_name in works_with and "allocated worker" in works_with
    assert "You can see this record because: allocated worker." in page.locator("main").inner_text()
    assert "Ron Lane" in page.locator("main").inner_text()
    journey.screenshot("person-record")
    assert (
        AuditEvent.objects.filter(
            actor=staff.social_worker,
            action=AuditAction.VIEW,
            object_id=str(person.pk),
            basis="Allocated worker",
        ).count()
        == 1
    )

    journey.click_link("Change personal details")
    assert journey.path == f"/people/{person.pk}/edit"
    assert page.get_by_label("First name", exact=True).input_value() == "Ivy"
