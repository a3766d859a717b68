"""The assessment's workflow, as data: in progress, then completed, or first waiting for a manager to sign it off
when the council asks for that (settings.OPENASC_ASSESSMENT_SIGN_OFF), who may return it (core.workflow)."""

from __future__ import annotations

from openasc.assessments.models import AssessmentStatus, AssessmentStatusChange
from openasc.core.access import Capability
from openasc.core.workflow import Transition, Workflow

ASSESS_REFUSED = "Your role cannot carry out assessments."
SIGN_OFF_REFUSED = "Only a team manager can sign off an assessment."


def _not_own_work(user, assessment) -> str:
    """A manager does not sign off (or return) an assessment they carried out themselves."""
    if assessment.assessor_id == user.pk:
        return "You carried out this assessment, so another manager must sign it off"
    return ""


IN_PROGRESS, AWAITING, COMPLETED = (
    AssessmentStatus.IN_PROGRESS,
    AssessmentStatus.AWAITING_SIGN_OFF,
    AssessmentStatus.COMPLETED,
)

ASSESSMENT = Workflow(
    name="assessment",
    noun="assessment",
    status_model=AssessmentStatusChange,
    parent_field="assessment",
    states=AssessmentStatus,
    initial=IN_PROGRESS,
    transitions=(
        Transition(
            "complete",
            source={IN_PROGRESS},
            target=COMPLETED,
            capability=Capability.ASSESS,
            label="Complete the assessment",
            done="completed",
            field="assessment",
            refused=ASSESS_REFUSED,
        ),
        Transition(
            "submit",
            source={IN_PROGRESS},
            target=AWAITING,
            capability=Capability.ASSESS,
            label="Complete and send for sign-off",
            done="completed",
            field="assessment",
            refused=ASSESS_REFUSED,
        ),
        Transition(
            "sign_off",
            source={AWAITING},
            target=COMPLETED,
            capability=Capability.SIGN_OFF,
            label="Sign off",
            done="signed off",
            field="decision",
            refused=SIGN_OFF_REFUSED,
            rule=_not_own_work,
        ),
        Transition(
            "return",
            source={AWAITING},
            target=IN_PROGRESS,
            capability=Capability.SIGN_OFF,
            label="Return to the assessor",
            done="returned",
            field="decision",
            refused=SIGN_OFF_REFUSED,
            rule=_not_own_work,
        ),
    ),
)
