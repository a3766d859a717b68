"""A manager clears their worktray in a real browser: an assessment to sign off, a cost above the personal budget to
authorise, a request past its urgency target to allocate; every page checked with axe and for reflow at 320 px."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from openasc.assessments.tests.factories import AssessmentFactory
from openasc.assessments.workflows import ASSESSMENT
from openasc.core.models import RelationshipKind
from openasc.core.tests.factories import CareRelationshipFactory, opened
from openasc.frontdoor.models import TriageDecision
from openasc.frontdoor.tests.factories import routed
from openasc.people.tests.factories import PersonFactory
from openasc.planning.tests.factories import PlanFactory
from openasc.services import services as service_writes
from openasc.worktray.models import Task
from openasc.worktray.services.refresh import refresh

pytestmark = pytest.mark.system
TODAY = timezone.localdate()


def in_north(teams, **kwargs):
    person = PersonFactory(**kwargs)
    CareRelationshipFactory(person=person, kind=RelationshipKind.ALLOCATED_TEAM, user=None, team=teams.north)
    return person


def test_a_manager_clears_their_worktray(journey, staff, teams):
    from django.core.cache import cache

    cache.clear()  # the home page keeps its waiting figures a minute per user (ids are reused between tests)
    # An assessment sent for sign-off by the social worker
    ada = in_north(teams, first_name="Ada", last_name="Pennington")
    assessment = AssessmentFactory(person=ada, assessor=staff.social_worker)
    ASSESSMENT.apply(opened(staff.social_worker, ada), assessment, "submit")
    # Home care at £347.20 a week against an agreed budget of £287.50
    bert = in_north(teams, first_name="Bert", last_name="Fairweather")
    plan = PlanFactory(person=bert, agreed_weekly_pence=28750)
    service_writes.service_start(
        record=opened(staff.social_worker, bert),
        service_type="Long term support: Community",
        service_component="Home support or domiciliary care",
        start_on=TODAY,
        unit_cost="24.80",
        cost_frequency="Hourly",
        planned_units_per_week="14",
        delivery_mechanism="CASSR commissioned support",
        plan=plan,
    )
    # "Urgent: act today", passed to the team for support planning 17 days ago and still waiting for a worker
    waiting = routed(
        teams.north,
        decision=TriageDecision.SUPPORT_PLANNING,
        urgency="urgent",
        received_on=TODAY - dt.timedelta(days=17),
    )
    refresh(actor=staff.system)
    assert Task.objects.filter(closed_at__isnull=True).count() == 3

    journey.sign_in("team_manager")
    page = journey.page
    assert journey.path == "/"
    journey.screenshot("worktray-manager")
    assert page.get_by_role("heading", level=1).inner_text() == "Your worktray"
    assert "Worktray (3)" in page.locator("header").inner_text()
    assert "Past their urgency target" in page.locator(".app-figures").inner_text()
    # Overdue first: the request was due 16 days ago
    first = page.locator(".app-tasks__item h3 a").first.inner_text()
    assert first == "Urgent request past its 1-day target"

    # 1. The sign-off
    journey.click_link("Sign off an assessment")
    assert journey.path == f"/assessments/{assessment.pk}/sign-off"
    page.get_by_label("Sign off the assessment").check()
    journey.submit("Save decision")
    journey.goto("/")
    assert "Worktray (2)" in page.locator("header").inner_text()

    # 2. The budget: an empty reason is refused on its field, then authorised with one
    journey.click_link("Authorise a cost £59.70 a week above the personal budget")
    assert page.get_by_role("heading", level=1).inner_text() == "Authorise a cost above the personal budget"
    assert "£347.20" in page.locator(".govuk-summary-list").inner_text()
    page.get_by_label("Authorise the cost").check()
    journey.submit("Save decision", status=400)
    assert journey.error_links() == [("#reason", "Enter the reason for your decision")]
    page.get_by_label("Authorise the cost").check()
    page.get_by_label("Reason for your decision").fill("Two visits a day while his wife is in hospital")
    journey.submit("Save decision", status=200)
    assert journey.path == "/"
    assert "Cost authorised" in page.locator(".govuk-notification-banner").inner_text()
    assert "Worktray (1)" in page.locator("header").inner_text()

    # 3. The request past its target: allocate a worker from the request
    journey.click_link("Urgent request past its 1-day target")
    assert journey.path == f"/front-door/requests/{waiting.pk}"
    journey.submit("Allocate")  # a link drawn as a button
    page.get_by_label("Named worker (optional)").select_option(value=str(staff.social_worker.pk))
    journey.submit("Allocate")
    journey.goto("/")
    assert "Nothing to do: your worktray is clear." in page.locator("main").inner_text()
    assert "Worktray (" not in page.locator("header").inner_text()

    # Notifications: each task was told, and each is now done
    journey.click_link("Notifications")
    assert page.locator(".govuk-tag--grey").count() == 3


def test_an_administrator_sets_the_urgency_targets(journey, staff):
    from django.core.cache import cache

    cache.clear()
    journey.sign_in("administrator")
    page = journey.page
    journey.click_link("Urgency targets (days)")
    assert journey.path == "/worktray/targets"
    page.get_by_label("Urgent: act today").fill("0")
    journey.submit("Save targets", status=400)
    assert journey.error_links() == [
        ("#urgent", "Enter the days an urgent request may wait as a whole number from 1 to 365")
    ]
    page.get_by_label("Urgent: act today").fill("2")
    journey.submit("Save targets", status=200)
    assert "Urgency targets saved" in page.locator(".govuk-notification-banner").inner_text()
    assert page.get_by_label("Urgent: act today").input_value() == "2"
