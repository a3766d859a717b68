import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from openasc.core import audit
from openasc.core.errors import AccessDenied
from openasc.core.tests.factories import CareRelationshipFactory
from openasc.people.tests.factories import PersonFactory
from openasc.planning import selectors
from openasc.planning.models import Review, ReviewStatus
from openasc.planning.tests.factories import PlanFactory, PlanNeedFactory, ReviewFactory
from openasc.services.tests.factories import ServiceFactory

TODAY = dt.date(2026, 6, 15)


def test_overdue_the_day_after_the_due_date_not_on_it(staff):
    person = PersonFactory()
    CareRelationshipFactory(person=person, user=staff.social_worker)
    due_today = ReviewFactory(person=person, due_on=TODAY)
    due_yesterday = ReviewFactory(person=person, due_on=TODAY - dt.timedelta(days=1))
    ReviewFactory(person=person, due_on=TODAY - dt.timedelta(days=30), status=ReviewStatus.COMPLETED)
    rows = list(selectors.overdue_reviews(user=staff.social_worker, today=TODAY))
    assert [r.pk for r in rows] == [due_yesterday.pk]
    assert rows[0].waited.days == 1
    assert due_today.pk in [
        r.pk for r in selectors.overdue_reviews(user=staff.social_worker, today=TODAY + dt.timedelta(days=1))
    ]


def test_overdue_per_worker_and_per_team(staff, teams):
    mine = PersonFactory()
    CareRelationshipFactory(person=mine, user=staff.social_worker)
    team_person = PersonFactory()
    CareRelationshipFactory(person=team_person, team=teams.north, user=None, kind="allocated_team")
    south_person = PersonFactory()
    CareRelationshipFactory(person=south_person, team=teams.south, user=None, kind="allocated_team")
    r1 = ReviewFactory(person=mine, due_on=TODAY - dt.timedelta(days=5))
    r2 = ReviewFactory(
        person=team_person, due_on=TODAY - dt.timedelta(days=9), reviewer=staff.occupational_therapist
    )
    ReviewFactory(person=south_person, due_on=TODAY - dt.timedelta(days=3))
    assert [r.pk for r in selectors.overdue_reviews(user=staff.social_worker, today=TODAY)] == [r1.pk]
    assert [r.pk for r in selectors.overdue_reviews(user=staff.occupational_therapist, today=TODAY)] == [
        r2.pk
    ]
    north = [
        r.pk
        for r in selectors.overdue_reviews(user=staff.team_manager, team_ids=[teams.north.pk], today=TODAY)
    ]
    assert north == [r2.pk]  # r1's person is allocated to a worker, not to the team
    # the south team's review is invisible to north staff even when they ask for it
    assert (
        list(selectors.overdue_reviews(user=staff.team_manager, team_ids=[teams.south.pk], today=TODAY)) == []
    )


def test_waiting_for_service_start(staff, teams):
    def allocated(**kw):
        person = PersonFactory(**kw)
        CareRelationshipFactory(person=person, team=teams.north, user=None, kind="allocated_team")
        return person

    waiting = PlanFactory(person=allocated(), agreed_on=TODAY - dt.timedelta(days=12))
    PlanNeedFactory(plan=waiting, meet_by="service")
    started = PlanFactory(person=allocated(), agreed_on=TODAY - dt.timedelta(days=20))
    PlanNeedFactory(plan=started, meet_by="service")
    ServiceFactory(person=started.person, start_on=TODAY - dt.timedelta(days=2))
    no_service_needs = PlanFactory(person=allocated(), agreed_on=TODAY - dt.timedelta(days=40))
    PlanNeedFactory(plan=no_service_needs, meet_by="family")
    ended_before = PlanFactory(person=allocated(), agreed_on=TODAY - dt.timedelta(days=5))
    PlanNeedFactory(plan=ended_before, meet_by="service")
    ServiceFactory(
        person=ended_before.person,
        start_on=TODAY - dt.timedelta(days=300),
        end_on=TODAY - dt.timedelta(days=100),
    )
    rows = list(
        selectors.waiting_for_service_start(user=staff.team_manager, team_ids=[teams.north.pk], today=TODAY)
    )
    assert [(r.pk, r.waited.days) for r in rows] == [(waiting.pk, 12), (ended_before.pk, 5)]
    assert (
        list(selectors.waiting_for_service_start(user=staff.nhs_partner, today=TODAY)) == []
    )  # no relationship


def test_waiting_for_review_is_fast_with_thousands_of_rows(staff, teams):
    people = PersonFactory.create_batch(30)
    for p in people:
        CareRelationshipFactory(person=p, team=teams.north, user=None, kind="allocated_team")
    with audit.exempt_from_safety_net():
        Review.objects.bulk_create(
            [
                Review(person=people[i % 30], due_on=TODAY - dt.timedelta(days=i % 400 - 100))
                for i in range(3000)
            ]
        )
    with CaptureQueriesContext(connection) as queries:
        rows = list(
            selectors.waiting_for_review(user=staff.team_manager, team_ids=[teams.north.pk], today=TODAY)[
                :100
            ]
        )
    assert len(queries) <= 2  # team ids + one annotated query, however many rows
    assert len(rows) == 100
    assert rows[0].waited.days == 299 and all(r.due_on < TODAY for r in rows)
    total = selectors.waiting_for_review(
        user=staff.team_manager, team_ids=[teams.north.pk], today=TODAY
    ).count()
    assert total == sum(1 for i in range(3000) if i % 400 - 100 > 0)


def test_plan_get_applies_the_access_rules_and_audits(staff):
    plan = PlanFactory()
    with pytest.raises(AccessDenied):
        selectors.plan_get(user=staff.broker, plan_id=plan.pk)
    found, decision = selectors.plan_get(user=staff.front_door, plan_id=plan.pk)
    assert found == plan and decision.basis.startswith("Role")
