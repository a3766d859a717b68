import datetime as dt
import re

import pytest
from django.urls import reverse

from openasc.core.models import AuditEvent
from openasc.core.tests.factories import CareRelationshipFactory
from openasc.people.models import Person
from openasc.people.tests.factories import AlertFactory, CarerLinkFactory, PersonFactory


def errors_in(html: str) -> list[tuple[str, str]]:
    summary = re.search(r'govuk-error-summary__list">(.*?)</ul>', html, re.S)
    return re.findall(r'<a href="#([^"]+)">([^<]+)</a>', summary.group(1)) if summary else []


def test_create_with_errors_lists_every_problem_linked_to_its_field(client, staff):
    client.force_login(staff.front_door)
    response = client.post(
        reverse("people:create"),
        {
            "first_name": "",
            "last_name": "Marsh",
            "nhs_number": "1234567890",
            "postcode": "nowhere",
            "date_of_birth-day": "31",
            "date_of_birth-month": "2",
            "date_of_birth-year": "1950",
            "gender": "male",
        },
    )
    html = response.content.decode()
    assert response.status_code == 400
    assert "<title>Error: Add a person" in html
    assert errors_in(html) == [
        ("first_name", "Enter the person&#39;s first name"),
        ("nhs_number", "Enter a valid NHS number: the check digit is wrong"),
        ("date_of_birth-day", "The date of birth must be a real date"),
        ("gender", "Select a gender from the list"),
        ("postcode", "Enter a real postcode, like AA1 1AA"),
    ]
    assert 'value="Marsh"' in html  # nothing typed is lost
    assert not Person.objects.exists()


def test_date_parts_missing_are_named(client, staff):
    client.force_login(staff.front_door)
    html = client.post(
        reverse("people:create"),
        {"first_name": "A", "last_name": "B", "date_of_birth-day": "3", "date_of_birth-year": "1950"},
    ).content.decode()
    assert ("date_of_birth-day", "The date of birth must include a month") in errors_in(html)


def test_create_success_then_person_page(client, staff):
    client.force_login(staff.front_door)
    response = client.post(
        reverse("people:create"),
        {
            "first_name": "Edith",
            "last_name": "Marsh",
            "nhs_number": "943 476 5919",
            "postcode": "ns1 4ab",
            "date_of_birth-day": "2",
            "date_of_birth-month": "5",
            "date_of_birth-year": "1941",
            "gender": "Female",
            "client_type": "Service user",
        },
    )
    person = Person.objects.get()
    assert response["Location"] == reverse("people:detail", args=[person.pk])
    html = client.get(response["Location"]).content.decode()
    assert "Edith Marsh" in html and "943 476 5919" in html and "2 May 1941" in html
    assert "Record created" in html  # on the timeline


def test_possible_duplicate_is_offered_first(client, staff):
    existing = PersonFactory(
        first_name="Edith", last_name="Marsh", date_of_birth=dt.date(1941, 5, 2), nhs_number=""
    )
    client.force_login(staff.front_door)
    data = {
        "first_name": "Edith",
        "last_name": "Marsh",
        "date_of_birth-day": "2",
        "date_of_birth-month": "5",
        "date_of_birth-year": "1941",
    }
    html = client.post(reverse("people:create"), data).content.decode()
    assert "This person may already have a record" in html
    assert reverse("people:detail", args=[existing.pk]) in html
    assert Person.objects.count() == 1
    response = client.post(reverse("people:create"), {**data, "confirm_not_duplicate": "on"})
    assert response.status_code == 302
    assert Person.objects.count() == 2


def test_person_page_shows_contacts_carers_alerts_and_basis(client, staff):
    person = PersonFactory(first_name="Ivy", last_name="Lane")
    CareRelationshipFactory(person=person, user=staff.social_worker)
    CarerLinkFactory(
        cared_for=person, carer=PersonFactory(first_name="Ron", last_name="Lane", client_type="Unpaid carer")
    )
    AlertFactory(person=person, description="Key safe code with the duty team")
    client.force_login(staff.social_worker)
    html = client.get(reverse("people:detail", args=[person.pk])).content.decode()
    assert "Ron Lane</a> is an unpaid carer" in html
    assert "Key safe code with the duty team" in html
    assert "You can see this record because: allocated worker." in html
    assert (
        AuditEvent.objects.filter(action="view", person_id=person.pk, basis="Allocated worker").count() == 1
    )


def test_no_relationship_goes_to_break_glass_and_nothing_is_shown(client, staff):
    person = PersonFactory(first_name="Secret", last_name="Person")
    client.force_login(staff.social_worker)
    response = client.get(reverse("people:detail", args=[person.pk]))
    assert response.status_code == 302
    assert not AuditEvent.objects.filter(action="view", person_id=person.pk).exists()


def test_roles_without_break_glass_get_a_plain_refusal(client, staff):
    person = PersonFactory()
    client.force_login(staff.performance_analyst)
    response = client.get(reverse("people:detail", args=[person.pk]))
    assert response.status_code == 403


def test_unknown_person_is_a_404(client, staff):
    client.force_login(staff.front_door)
    assert client.get(reverse("people:detail", args=[999999])).status_code == 404


def test_edit_keeps_what_was_typed_when_invalid(client, staff):
    person = PersonFactory(postcode="NS1 4AB")
    CareRelationshipFactory(person=person, user=staff.social_worker)
    client.force_login(staff.social_worker)
    form = client.get(reverse("people:edit", args=[person.pk])).content.decode()
    assert 'value="NS1 4AB"' in form
    html = client.post(
        reverse("people:edit", args=[person.pk]),
        {"first_name": person.first_name, "last_name": person.last_name, "postcode": "bad"},
    ).content.decode()
    assert ("postcode", "Enter a real postcode, like AA1 1AA") in errors_in(html)
    person.refresh_from_db()
    assert person.postcode == "NS1 4AB"


def test_search_page_and_htmx_partial(client, staff):
    PersonFactory(first_name="Agnes", last_name="Whitfield")
    client.force_login(staff.front_door)
    full = client.get(reverse("people:search"), {"q": "agnes whitfeld"}).content.decode()
    assert "1 person found" in full and "WHITFIELD, Agnes" in full and "<html" in full
    partial = client.get(reverse("people:search"), {"q": "agnes whitfeld"}, HTTP_HX_REQUEST="true")
    assert "<html" not in partial.content.decode() and "WHITFIELD, Agnes" in partial.content.decode()


def test_access_log_is_for_managers_and_ig(client, staff):
    person = PersonFactory()
    CareRelationshipFactory(person=person, user=staff.social_worker)
    client.force_login(staff.social_worker)
    client.get(reverse("people:detail", args=[person.pk]))
    assert client.get(reverse("people:access-log", args=[person.pk])).status_code == 403
    client.force_login(staff.information_governance)
    html = client.get(reverse("people:access-log", args=[person.pk])).content.decode()
    assert staff.social_worker.display_name in html and "Allocated worker" in html


@pytest.mark.parametrize(
    ("url_name", "data", "field", "message"),
    [
        ("people:contact-add", {"kind": "", "name": ""}, "kind", "Select the kind of contact"),
        (
            "people:alert-add",
            {"kind": "risk_to_staff", "description": ""},
            "description",
            "Describe what staff need to know",
        ),
        (
            "people:carer-add",
            {"carer_id": "P9999999", "lives_with": "yes"},
            "carer_id",
            "There is no person with that id that you can open: check it, or ask the front door",
        ),
        (
            "people:merge",
            {"duplicate_id": "", "reason": "same"},
            "duplicate_id",
            "Enter the person id of the duplicate record, like P0001234",
        ),
    ],
)
def test_record_subforms_show_field_errors(client, staff, url_name, data, field, message):
    person = PersonFactory()
    CareRelationshipFactory(person=person, user=staff.team_manager)
    client.force_login(staff.team_manager)
    response = client.post(reverse(url_name, args=[person.pk]), data)
    assert response.status_code == 400
    assert (field, message) in errors_in(response.content.decode())
