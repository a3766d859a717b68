"""Findings 10 and 12 for people: an NHS number in other digits is the existing record's number, and text that the
database cannot hold (NUL, longer than the column) is a field error on the page and the API, never a DataError."""

from __future__ import annotations

import pytest

from openasc.core import services as core_services
from openasc.core.errors import ValidationFailed
from openasc.core.models import Role
from openasc.core.tests.factories import UserFactory
from openasc.people import selectors
from openasc.people import services as people_writes
from openasc.people.models import Person
from openasc.people.tests.factories import PersonFactory

ARABIC_INDIC = "٤٥٢٠٨٨٥٠٠٠"
FULL_WIDTH = "４５２ ０８８ ５０００"
NHS = "4520885000"


@pytest.fixture
def token(staff):
    system = UserFactory(username="hospital-integration", role=Role.SYSTEM)
    admin = UserFactory(username="admin-user", role=Role.ADMINISTRATOR)
    return core_services.api_token_create(actor=admin, user=system, name="Hospital discharge feed")


def auth(plain):
    return {"HTTP_AUTHORIZATION": f"Bearer {plain}"}


@pytest.mark.parametrize("typed", [ARABIC_INDIC, FULL_WIDTH])
def test_nhs_number_in_other_digits_is_no_second_record(staff, typed):
    existing = PersonFactory(first_name="Agnes", last_name="Whitfield", nhs_number=NHS)
    with pytest.raises(people_writes.PossibleDuplicate) as exc:
        people_writes.person_create(
            actor=staff.front_door,
            data={"first_name": "Someone", "last_name": "Else", "nhs_number": typed},
            confirm_not_duplicate=True,
        )
    assert exc.value.nhs_clash and [c.pk for c in exc.value.candidates] == [existing.pk]
    assert Person.objects.count() == 1


def test_nhs_number_in_other_digits_is_stored_as_0_to_9(staff):
    person = people_writes.person_create(
        actor=staff.front_door,
        data={"first_name": "Agnes", "last_name": "Whitfield", "nhs_number": ARABIC_INDIC},
    )
    person.refresh_from_db()
    assert person.nhs_number == NHS


@pytest.mark.parametrize("typed", [ARABIC_INDIC, FULL_WIDTH, "452-088-5000"])
def test_search_finds_the_record_by_nhs_number_in_other_digits(staff, typed):
    existing = PersonFactory(first_name="Agnes", last_name="Whitfield", nhs_number=NHS)
    assert selectors.parse_query(typed).nhs_number == NHS
    results = selectors.person_search(user=staff.front_door, query=typed)
    assert [h.person.pk for h in results.hits] == [existing.pk]


def test_parse_query_reads_a_nul_character_as_a_space(db):
    assert selectors.parse_query("Agnes\x00Whitfield").names == selectors.parse_query("Agnes Whitfield").names
    assert selectors.parse_query(f"{ARABIC_INDIC}\x00").nhs_number == NHS


def test_api_refuses_a_nul_and_over_length_fields_all_at_once_with_422(client, token):
    response = client.post(
        "/api/people",
        {
            "first_name": "Ed\u0000na",
            "last_name": "Marsh",
            "middle_names": "m" * 201,
            "preferred_name": "p" * 101,
            "address_line_1": "a" * 121,
            "address_line_2": "b" * 121,
            "town": "t" * 10_000,
            "phone": "0" * 31,
            "email": "e" * 250 + "@x.uk",
        },
        content_type="application/json",
        **auth(token),
    )
    assert response.status_code == 422
    errors = {e["field"]: e["message"] for e in response.json()["errors"]}
    assert set(errors) == {
        "first_name",
        "middle_names",
        "preferred_name",
        "address_line_1",
        "address_line_2",
        "town",
        "phone",
        "email",
    }
    assert errors["town"] == "The town or city must be 80 characters or fewer"
    assert errors["first_name"].startswith("The first name cannot contain a NUL character")
    assert not Person.objects.exists()


def test_api_stores_every_field_at_its_max_length(client, token):
    body = {
        "first_name": "f" * 100,
        "last_name": "l" * 100,
        "middle_names": "m" * 200,
        "preferred_name": "p" * 100,
        "address_line_1": "a" * 120,
        "address_line_2": "b" * 120,
        "town": "t" * 80,
        "phone": "0" * 30,
        "email": "e" * 64 + "@" + "d" * 63 + "." + "c" * 63 + "." + "uk",
    }
    response = client.post("/api/people", body, content_type="application/json", **auth(token))
    assert response.status_code == 201, response.content
    person = Person.objects.get()
    assert {k: getattr(person, k) for k in body} == body


def test_update_refuses_an_over_length_town(staff):
    from openasc.core import access

    person = PersonFactory(town="Leeds")
    record = access.open_record(staff.front_door, person, "edit")
    with pytest.raises(ValidationFailed) as exc:
        people_writes.person_update(record=record, data={"town": "t" * 81, "phone": "\x00"})
    assert set(exc.value.errors) == {"town", "phone"}
    person.refresh_from_db()
    assert person.town == "Leeds"


def test_the_page_reports_a_nul_and_an_over_length_town_as_field_errors(client, staff):
    from django.urls import reverse

    client.force_login(staff.front_door)
    response = client.post(
        reverse("people:create"), {"first_name": "Ed\x00na", "last_name": "Marsh", "town": "t" * 81}
    )
    html = response.content.decode()
    assert response.status_code == 400
    assert 'href="#first_name"' in html and 'href="#town"' in html
    assert not Person.objects.exists()


def test_search_with_a_nul_character_finds_the_person(staff):
    PersonFactory(first_name="Agnes", last_name="Whitfield")
    results = selectors.person_search(user=staff.front_door, query="Agnes\x00 Whitfield")
    assert [h.person.last_name for h in results.hits] == ["Whitfield"]
