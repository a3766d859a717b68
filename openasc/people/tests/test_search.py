import datetime as dt

import pytest

from openasc.core.models import AuditEvent
from openasc.people import selectors
from openasc.people.tests.factories import PersonFactory


@pytest.fixture
def people(db):
    return {
        "margaret": PersonFactory(
            first_name="Margaret",
            middle_names="Rose",
            last_name="Thompson",
            date_of_birth=dt.date(1938, 3, 12),
            nhs_number="9434765919",
            postcode="NS4 2QT",
        ),
        "marjorie": PersonFactory(
            first_name="Marjorie", last_name="Thomson", date_of_birth=dt.date(1945, 7, 1), postcode="NS9 1AA"
        ),
        "john": PersonFactory(
            first_name="John", last_name="Smith", date_of_birth=dt.date(1950, 1, 2), postcode="NS4 7XY"
        ),
        "jon": PersonFactory(first_name="Jon", last_name="Smyth", date_of_birth=dt.date(1961, 9, 9)),
        "other": PersonFactory(
            first_name="Zainab",
            last_name="Okafor",
            date_of_birth=dt.date(1979, 4, 4),
            la_person_id="P0000042",
        ),
    }


def names(results):
    return [f"{h.person.first_name} {h.person.last_name}" for h in results.hits]


@pytest.mark.parametrize(
    "query",
    [
        "Margaret Thompson",  # exact
        "Thompson Margaret",  # swapped
        "Thompson, Margaret",  # swapped with a comma, as people write it
        "Margret Thomson",  # two typos
        "margaret rose thompson",  # middle name included
        "Margaret Tompson",  # dropped letter
    ],
)
def test_names_are_found_despite_typos_order_and_middle_names(staff, people, query):
    results = selectors.person_search(user=staff.front_door, query=query)
    assert names(results)[0] == "Margaret Thompson"
    assert "Zainab Okafor" not in names(results)


def test_sound_alike_surnames_are_both_found(staff, people):
    assert set(names(selectors.person_search(user=staff.front_door, query="Smith"))) == {
        "John Smith",
        "Jon Smyth",
    }


@pytest.mark.parametrize("query", ["9434765919", "943 476 5919", "943-476-5919"])
def test_nhs_number_with_or_without_spaces(staff, people, query):
    assert names(selectors.person_search(user=staff.front_door, query=query)) == ["Margaret Thompson"]


@pytest.mark.parametrize("query", ["Thompson 12/03/1938", "12/3/1938", "1938-03-12 Thompson"])
def test_date_of_birth_alone_or_with_a_name(staff, people, query):
    assert names(selectors.person_search(user=staff.front_door, query=query)) == ["Margaret Thompson"]


def test_postcode_full_and_outward(staff, people):
    assert names(selectors.person_search(user=staff.front_door, query="ns42qt")) == ["Margaret Thompson"]
    assert set(names(selectors.person_search(user=staff.front_door, query="NS4"))) == {
        "Margaret Thompson",
        "John Smith",
    }


def test_person_id(staff, people):
    pid = people["other"].la_person_id
    assert names(selectors.person_search(user=staff.front_door, query=pid.lower())) == ["Zainab Okafor"]


def test_no_match_returns_nothing_and_blank_query_is_not_searched(staff, people):
    assert names(selectors.person_search(user=staff.front_door, query="Xavier Quentin")) == []
    assert selectors.person_search(user=staff.front_door, query="   ").hits == []
    assert AuditEvent.objects.filter(action="search").count() == 1  # only the real search was logged


def test_each_search_is_logged_with_its_results(staff, people):
    results = selectors.person_search(user=staff.front_door, query="Smith")
    event = AuditEvent.objects.get(action="search")
    assert event.actor == staff.front_door
    assert event.details == {"query": "Smith", "results": len(results.hits)}
    assert event.basis == "Search everyone (role)"
    shown = AuditEvent.objects.filter(action="disclose", request_id=event.request_id, details__query="Smith")
    assert sorted(shown.values_list("person_id", flat=True)) == sorted(h.person.pk for h in results.hits)


def test_merged_records_are_not_found(staff, people):
    people["jon"].merged_into = people["john"]
    people["jon"].save(update_fields=["merged_into"])
    AuditEvent.objects.create(
        occurred_at=people["jon"].created_at,
        actor=staff.system,
        action="merge",
        object_type="people.person",
        object_id=str(people["jon"].pk),
    )
    assert names(selectors.person_search(user=staff.front_door, query="Smith")) == ["John Smith"]
