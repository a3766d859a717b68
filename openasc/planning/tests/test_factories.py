"""The factories' traits give the states their names promise: what each workflow then allows, on both sides.

One test per app's factory traits, so that a trait that drifts from the workflow (a draft with an agreed date, an
ended service still offered for change) fails here rather than quietly in the tests that use it."""

import datetime as dt

import pytest

from openasc.assessments.models import AssessmentStatus
from openasc.assessments.tests.factories import AssessmentFactory
from openasc.assessments.workflows import ASSESSMENT
from openasc.frontdoor.models import RequestStatus
from openasc.frontdoor.tests.factories import SupportRequestFactory
from openasc.frontdoor.workflows import REQUEST
from openasc.planning.models import PlanStatus, ReviewStatus
from openasc.planning.tests.factories import PlanFactory, ReviewFactory
from openasc.planning.workflows import PLAN, REVIEW
from openasc.services.tests.factories import ServiceCostFactory, ServiceFactory

pytestmark = pytest.mark.django_db


def names(workflow, user, obj) -> set[str]:
    return {t.name for t in workflow.allowed(user, obj)}


def test_plan_traits(staff):
    agreed, draft = PlanFactory(), PlanFactory(draft=True)
    waiting = PlanFactory(awaiting_sign_off=True)
    assert (agreed.status, agreed.agreed_on is not None) == (PlanStatus.AGREED, True)
    assert (draft.status, draft.agreed_on, draft.starts_on) == (PlanStatus.DRAFT, None, None)
    assert (waiting.status, waiting.agreed_on) == (PlanStatus.AWAITING_SIGN_OFF, None)
    assert PlanFactory(superseded=True).status == PlanStatus.SUPERSEDED
    assert names(PLAN, staff.social_worker, draft) == {"agree", "send_for_sign_off"}
    assert names(PLAN, staff.social_worker, waiting) == set()  # a worker does not sign off
    assert names(PLAN, staff.team_manager, waiting) == {"sign_off", "return"}


def test_review_traits(staff):
    due, done = ReviewFactory(), ReviewFactory(completed=True)
    assert due.status == ReviewStatus.SCHEDULED and due.due_on < dt.date.today()
    assert (done.status, done.completed_on, done.outcome) == (
        ReviewStatus.COMPLETED,
        dt.date.today(),
        "Continuation of support or services",
    )
    assert REVIEW.may(staff.social_worker, due, "complete") and not REVIEW.may(
        staff.social_worker, done, "complete"
    )


def test_assessment_traits(staff):
    in_progress, eligible = AssessmentFactory(), AssessmentFactory(completed=True)
    not_eligible = AssessmentFactory(completed=True, eligible=False)
    assert in_progress.status == AssessmentStatus.IN_PROGRESS and in_progress.completed_on is None
    assert (eligible.status, eligible.eligible, eligible.computed_eligible, eligible.outcome) == (
        AssessmentStatus.COMPLETED,
        True,
        True,
        "Progress to support planning or services",
    )
    assert eligible.completed_on == eligible.started_on + dt.timedelta(days=5)
    assert (not_eligible.eligible, not_eligible.computed_eligible, not_eligible.outcome) == (
        False,
        False,
        "NFA: Information and advice or signposting",
    )
    waiting = AssessmentFactory(awaiting_sign_off=True, assessor=staff.social_worker)
    assert names(ASSESSMENT, staff.team_manager, waiting) >= {"sign_off"}
    assert names(ASSESSMENT, staff.team_manager, eligible) == set()


def test_request_traits(staff, teams):
    open_, routed = SupportRequestFactory(), SupportRequestFactory(triaged=True, team=teams.north)
    concluded, cancelled = SupportRequestFactory(concluded=True), SupportRequestFactory(cancelled=True)
    assert [r.status for r in (open_, routed, concluded, cancelled)] == [
        RequestStatus.OPEN,
        RequestStatus.ROUTED,
        RequestStatus.CONCLUDED,
        RequestStatus.CANCELLED,
    ]
    assert routed.triaged_on and routed.decision == "assessment" and concluded.concluded_on
    assert names(REQUEST, staff.front_door, open_) >= {"route", "conclude"}
    assert REQUEST.may(staff.front_door, routed, "cancel") and not REQUEST.may(
        staff.front_door, concluded, "cancel"
    )
    assert names(REQUEST, staff.front_door, cancelled) == set()


def test_service_traits():
    current, ended = ServiceFactory(), ServiceFactory(ended=True)
    assert (current.end_on, current.end_outcome) == (None, "")
    assert ended.end_on == ended.start_on + dt.timedelta(days=90)
    assert ended.end_outcome == "NFA: Support ended as planned"
    assert ServiceCostFactory(service=current).weekly_pence == 22000  # £22.00 an hour, 10 hours
    assert ServiceCostFactory(service=ended, weekly=True).weekly_pence == 85000
