"""The reporting selectors: the people behind a returns figure (matched by NHS number, "<LA code>_<LA id>" or LA id,
names only where the user may open them), the people in a detail file, and the CLD export's LA id index."""

import pytest
from django.test import override_settings

from openasc.core import audit
from openasc.core.tests.factories import CareRelationshipFactory
from openasc.people.tests.factories import PersonFactory
from openasc.reporting import selectors


@pytest.fixture
def people(db):
    with audit.exempt_from_safety_net():
        return [PersonFactory(la_person_id=f"LA9000{i}") for i in range(3)]


def test_people_behind_a_figure_are_matched_by_nhs_number_la_code_and_la_id(staff, people):
    a, b, c = people
    ids = {a.nhs_number, f"E09000008_{b.la_person_id}", c.la_person_id, "9999999999", "E09000008_NOBODY"}
    found, visible, show_nhs = selectors.people_behind_figure(user=staff.performance_analyst, cld_ids=ids)
    assert found == {a.nhs_number: a, f"E09000008_{b.la_person_id}": b, c.la_person_id: c}
    assert visible == set()  # no relationship with any of them: LA ids only, no names
    assert show_nhs is False


def test_only_people_the_user_may_open_are_visible(staff, people):
    a, b, _ = people
    with audit.exempt_from_safety_net():
        CareRelationshipFactory(person=a, user=staff.performance_analyst)
    _, visible, _ = selectors.people_behind_figure(
        user=staff.performance_analyst, cld_ids={a.nhs_number, b.nhs_number}
    )
    assert visible == {a.pk}
    _, visible, _ = selectors.people_behind_figure(
        user=staff.front_door, cld_ids={a.nhs_number, b.nhs_number}
    )
    assert visible == {a.pk, b.pk}  # the front door may open anyone


@override_settings(OPENASC_RETURNS_NHS_NUMBER_ROLES="performance_analyst")
def test_nhs_numbers_only_for_the_roles_the_council_names(staff, people):
    assert selectors.people_behind_figure(user=staff.performance_analyst, cld_ids=set())[2] is True
    assert selectors.people_behind_figure(user=staff.team_manager, cld_ids=set())[2] is False


def test_people_with_la_ids_gives_exactly_those_records(staff, people):
    a, _, c = people
    got = selectors.people_with_la_ids(
        user=staff.system, la_person_ids={c.la_person_id, a.la_person_id, "LA_GONE"}
    )
    assert got == [a, c]
    assert selectors.people_with_la_ids(user=staff.system, la_person_ids=set()) == []


def test_person_pks_by_la_id_covers_the_whole_record(staff, people):
    assert selectors.person_pks_by_la_id(user=staff.system) == {p.la_person_id: p.pk for p in people}


def test_person_pks_by_la_id_on_an_empty_record(staff):
    assert selectors.person_pks_by_la_id(user=staff.system) == {}
