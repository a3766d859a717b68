import datetime as dt

import pytest
from django.urls import reverse

from openasc.assessments.models import Assessment
from openasc.core import audit
from openasc.core.models import RelationshipKind
from openasc.core.tests.factories import CareRelationshipFactory
from openasc.frontdoor.models import SupportRequest
from openasc.people.tests.factories import PersonFactory
from openasc.planning.models import Review
from openasc.workspace import selectors

TODAY = dt.date(2026, 11, 23)


@pytest.fixture
def caseload(staff, teams):
    with audit.exempt_from_safety_net():
        overdue = PersonFactory(first_name="Olive", last_name="Overdue")
        soon = PersonFactory(first_name="Sid", last_name="Soon")
        other = PersonFactory(first_name="Nora", last_name="Notmine")
        for p in (overdue, soon):
            CareRelationshipFactory(person=p, user=staff.social_worker)
            CareRelationshipFactory(
                person=p, user=None, team=teams.north, kind=RelationshipKind.ALLOCATED_TEAM
            )
        CareRelationshipFactory(person=other, user=staff.occupational_therapist)
        Review.objects.create(person=overdue, due_on=TODAY - dt.timedelta(days=3), status="scheduled")
        Review.objects.create(person=soon, due_on=TODAY + dt.timedelta(days=30), status="scheduled")
        Assessment.objects.create(
            person=soon,
            started_on=TODAY - dt.timedelta(days=5),
            status="awaiting_sign_off",
            assessor=staff.social_worker,
        )
        SupportRequest.objects.create(
            person=other,
            received_on=TODAY - dt.timedelta(days=9),
            contact_by="self",
            what_matters="x",
            team=teams.north,
            created_by=staff.system,
        )
    return overdue, soon, other


def test_my_caseload_lists_only_my_people_soonest_review_first(staff, caseload):
    _overdue, _soon, _other = caseload
    rows = selectors.my_caseload(user=staff.social_worker, today=TODAY)
    assert [(r.person.first_name, r.review_overdue, r.open_assessment) for r in rows] == [
        ("Olive", True, ""),
        ("Sid", False, "Waiting for a manager to sign off"),
    ]


def test_a_review_due_today_is_not_overdue(staff, caseload):
    overdue, *_ = caseload
    rows = selectors.my_caseload(user=staff.social_worker, today=TODAY - dt.timedelta(days=3))
    assert rows[0].person == overdue and rows[0].review_overdue is False


def test_manager_view_counts_per_team(staff, teams, caseload):
    [summary] = selectors.manager_view(user=staff.team_manager, today=TODAY)
    assert (
        summary.team,
        summary.allocated,
        summary.assessments_awaiting_sign_off,
        summary.overdue_reviews,
        summary.oldest_wait_days,
    ) == (teams.north, 2, 1, 1, 9)


def test_manager_view_is_for_managers(staff):
    with pytest.raises(PermissionError):
        selectors.manager_view(user=staff.social_worker)


def test_team_caseload_only_for_members(staff, teams, caseload):
    assert (
        len(selectors.team_caseload(user=staff.team_manager, team_id=teams.north.pk, today=TODAY).rows) == 2
    )
    with pytest.raises(PermissionError):
        selectors.team_caseload(user=staff.team_manager, team_id=teams.south.pk)


def test_pages(client, staff, teams, caseload):
    client.force_login(staff.social_worker)
    html = client.get(reverse("workspace:caseload")).content.decode()
    assert "OVERDUE, Olive" in html and "1 with an overdue review" in html and "NOTMINE" not in html
    assert client.get(reverse("workspace:manager")).status_code == 403
    client.force_login(staff.team_manager)
    html = client.get(reverse("workspace:manager")).content.decode()
    assert "Locality team north" in html
    assert client.get(reverse("workspace:team-caseload", args=[teams.south.pk])).status_code == 403


def test_the_team_caseload_is_soonest_review_first_and_paged(client, staff, teams, caseload):
    # 607 on the team's caseload used to show "the first 500", sorted by name though it said soonest review first.
    with audit.exempt_from_safety_net():
        for i in range(3):
            p = PersonFactory(first_name=f"Aaron{i}", last_name="Aardvark")  # first by name, but no review
            CareRelationshipFactory(
                person=p, user=None, team=teams.north, kind=RelationshipKind.ALLOCATED_TEAM
            )
        later = PersonFactory(first_name="Lara", last_name="Later")
        CareRelationshipFactory(
            person=later, user=None, team=teams.north, kind=RelationshipKind.ALLOCATED_TEAM
        )
        Review.objects.create(person=later, due_on=TODAY + dt.timedelta(days=90), status="scheduled")
    first = selectors.team_caseload(user=staff.team_manager, team_id=teams.north.pk, today=TODAY, per_page=2)
    assert [r.person.last_name for r in first.rows] == ["Overdue", "Soon"]
    assert (first.total, first.overdue, first.page.paginator.num_pages) == (6, 1, 3)
    second = selectors.team_caseload(
        user=staff.team_manager, team_id=teams.north.pk, today=TODAY, page=2, per_page=2
    )
    assert [r.person.last_name for r in second.rows] == ["Later", "Aardvark"]  # no review scheduled: last
    beyond = selectors.team_caseload(
        user=staff.team_manager, team_id=teams.north.pk, today=TODAY, page=99, per_page=2
    )
    assert beyond.page.number == 3  # a page past the end shows the last page
    client.force_login(staff.team_manager)
    html = client.get(reverse("workspace:team-caseload", args=[teams.north.pk])).content.decode()
    assert "6 people" in html and "Soonest review first" in html and "first 500" not in html
