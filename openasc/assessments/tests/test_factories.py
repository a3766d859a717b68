"""Each assessment factory trait gives the state its name promises, and what the workflow then allows."""

import pytest

from openasc.assessments.models import AssessmentStatus
from openasc.assessments.tests.factories import AssessmentFactory
from openasc.assessments.workflows import ASSESSMENT


@pytest.mark.parametrize(
    "traits,status,possible",
    [
        ({}, AssessmentStatus.IN_PROGRESS, ["complete", "submit", "cancel"]),
        ({"awaiting_sign_off": True}, AssessmentStatus.AWAITING_SIGN_OFF, ["sign_off", "return"]),
        ({"completed": True}, AssessmentStatus.COMPLETED, []),
        ({"cancelled": True}, AssessmentStatus.CANCELLED, []),
    ],
)
def test_each_trait_is_a_state_the_workflow_knows(db, staff, traits, status, possible):
    assessment = AssessmentFactory(assessor=staff.social_worker, **traits)
    assert assessment.status == status
    assert [t.name for t in ASSESSMENT.possible(assessment.status)] == possible
    assert ASSESSMENT.may(staff.social_worker, assessment, "cancel") is ("cancel" in possible)
