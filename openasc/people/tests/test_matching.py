"""The one matcher behind search and the duplicate check (people.matching): the forms people actually type.

Each defect found when the product was tried has its example here: the results list's own form
("Smith, Terence Peter"), surname first with middle names ("Smith Ann Pauline"), a written date ("14 Feb 1941"), a
bare person number ("3001"), and a new record for "Terry Smyth" with the date of birth and postcode of "Terence Peter
Smith", which the duplicate check used to miss.
"""

import datetime as dt

import pytest

from openasc.core.errors import ValidationFailed
from openasc.people import matching, selectors, services
from openasc.people.tests.factories import PersonFactory


@pytest.fixture
def people(db):
    return {
        "terence": PersonFactory(
            first_name="Terence",
            middle_names="Peter",
            last_name="Smith",
            date_of_birth=dt.date(1941, 2, 14),
            postcode="NS1 4AB",
            la_person_id="P0003001",
        ),
        "ann": PersonFactory(
            first_name="Ann",
            middle_names="Pauline",
            last_name="Smith",
            date_of_birth=dt.date(1952, 6, 30),
            postcode="NS7 2CD",
        ),
        "peter": PersonFactory(
            first_name="Peter", last_name="Smith", date_of_birth=dt.date(1970, 1, 5), postcode="NS2 9ZZ"
        ),
        "other": PersonFactory(first_name="Zainab", last_name="Okafor", date_of_birth=dt.date(1941, 2, 14)),
    }


def found(user, query):
    return [
        " ".join(p for p in (h.person.first_name, h.person.middle_names, h.person.last_name) if p)
        for h in selectors.person_search(user=user, query=query).hits
    ]


@pytest.mark.parametrize(
    "query",
    [
        "Smith, Terence Peter",  # how the results list shows him
        "SMITH, Terence Peter",
        "Smith Terence Peter",
        "Terence Peter Smith",
        "Terence Smith",
        "Smith, Terence",
    ],
)
def test_a_name_in_any_of_the_forms_people_write_it(staff, people, query):
    assert found(staff.front_door, query)[0] == "Terence Peter Smith"


def test_surname_first_with_a_middle_name(staff, people):
    assert found(staff.front_door, "Smith Ann Pauline")[0] == "Ann Pauline Smith"


@pytest.mark.parametrize(
    "query",
    [
        "14 Feb 1941",
        "14 February 1941",
        "14th Feb 1941",
        "Smith 14 Feb 1941",
        "14 Feb. 1941 Smith",
        "14/02/1941",
    ],
)
def test_a_written_date_of_birth(staff, people, query):
    hits = found(staff.front_door, query)
    assert "Terence Peter Smith" in hits
    assert set(hits) <= {"Terence Peter Smith", "Zainab Okafor"}  # only people born that day


def test_a_date_that_does_not_exist_is_not_a_date_of_birth():
    parsed = matching.parse_query("31 Feb 1941 Smith")
    assert parsed.date_of_birth is None and parsed.names == ["smith"]


@pytest.mark.parametrize("query", ["3001", "P3001", "p0003001", "P0003001"])
def test_a_person_number_alone_or_with_its_prefix(staff, people, query):
    assert found(staff.front_door, query) == ["Terence Peter Smith"]


def test_a_number_beside_a_name_is_a_year_of_birth_not_a_person_id(staff, people):
    parsed = matching.parse_query("Smith 1941")
    assert (parsed.birth_year, parsed.la_person_id) == (1941, "")
    assert found(staff.front_door, "Smith 1941") == ["Terence Peter Smith"]
    assert found(staff.front_door, "Smith 1970") == ["Peter Smith"]


def test_a_number_that_is_no_one_finds_no_one(staff, people):
    assert found(staff.front_door, "3002") == []


def test_the_results_say_how_the_search_was_read(staff, people):
    results = selectors.person_search(user=staff.front_door, query="Smith, Terence Peter")
    assert results.interpreted_as == ["name terence peter smith"]
    assert selectors.person_search(user=staff.front_door, query="3001").interpreted_as == [
        "person id P0003001"
    ]


def test_a_role_that_sees_only_its_own_people_finds_no_one_by_number(staff, people):
    # The broker cannot search everyone: an exact person number tells it nothing about a record it may not open.
    assert found(staff.broker, "3001") == []


# --- The duplicate check: the same matcher ---------------------------------------------------------------------


def _new(**overrides):
    data = {
        "first_name": "Terry",
        "last_name": "Smyth",
        "date_of_birth": dt.date(1941, 2, 14),
        "postcode": "NS1 4AB",
        "gender": "Male",
    }
    data.update(overrides)
    return data


def test_a_nickname_and_a_misspelt_surname_with_the_same_birth_date_and_postcode_is_a_possible_duplicate(
    staff, people
):
    with pytest.raises(services.PossibleDuplicate) as caught:
        services.person_create(actor=staff.front_door, data=_new())
    assert [p.pk for p in caught.value.candidates] == [people["terence"].pk]


def test_search_finds_the_same_person_from_the_same_details(staff, people):
    assert found(staff.front_door, "Terry Smyth 14/02/1941 NS1 4AB") == ["Terence Peter Smith"]


def test_the_same_address_lets_the_names_differ_a_little_more(staff, people):
    # "Thomas Smith" scores 59 against "Terence Peter Smith": below the 60 a shared date of birth needs, above the 50
    # that a shared date of birth and postcode need (twins at one address are asked about, and confirmed).
    thomas = _new(first_name="Thomas", last_name="Smith")
    with pytest.raises(services.PossibleDuplicate):
        services.person_create(actor=staff.front_door, data=thomas)
    person = services.person_create(actor=staff.front_door, data={**thomas, "postcode": "NS9 9XX"})
    assert person.pk and person.first_name == "Thomas"


def test_a_nickname_at_another_address_is_still_asked_about(staff, people):
    # People move: "Terry Smyth" with the same date of birth scores 67, above the 60 a shared date of birth needs.
    with pytest.raises(services.PossibleDuplicate):
        services.person_create(actor=staff.front_door, data=_new(postcode="NS9 9XX"))


def test_the_same_names_and_birth_date_at_another_address_is_a_possible_duplicate(staff, people):
    with pytest.raises(services.PossibleDuplicate):
        services.person_create(actor=staff.front_door, data=_new(first_name="Terence", postcode="NS9 9XX"))


def test_a_different_birth_date_is_not_a_duplicate(staff, people):
    person = services.person_create(actor=staff.front_door, data=_new(date_of_birth=dt.date(1941, 2, 15)))
    assert person.pk


def test_confirming_it_is_someone_else_creates_the_record(staff, people):
    person = services.person_create(actor=staff.front_door, data=_new(), confirm_not_duplicate=True)
    assert person.last_name == "Smyth"


def test_bad_input_is_still_refused_before_any_duplicate_check(staff, people):
    with pytest.raises(ValidationFailed) as caught:
        services.person_create(actor=staff.front_door, data=_new(postcode="not a postcode"))
    assert "postcode" in caught.value.errors
