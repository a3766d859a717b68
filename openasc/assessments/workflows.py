"""The assessment's workflow, as data: in progress, then completed, or first waiting for a manager to sign it off
when the council asks for that (settings.OPENASC_ASSESSMENT_SIGN_OFF), who may return it; or cancelled while in
progress, by its assessor or a manager (core.workflow)."""

from __future__ import annotations

from openasc.assessments.models import AssessmentStatus, AssessmentStatusChange
from openasc.core import access
from openasc.core.access import Capability
from openasc.core.workflow import Transition, Workflow

ASSESS_REFUSED = "Your role cannot carry out assessments."
SIGN_OFF_REFUSED = "Only a team manager can sign off an assessment."
CANCEL_REFUSED = (
    "Only the worker carrying out the assessment, or a team manager or safeguarding lead, can cancel it."
)


def _not_own_work(user, assessment) -> str:
    """A manager does not sign off (or return) an assessment they carried out themselves."""
    if assessment.assessor_id == user.pk:
        return "You carried out this assessment, so another manager must sign it off"
    return ""


def _own_assessment(user, assessment) -> bool:
    """The worker carrying out an assessment may cancel it while their role still carries out assessments."""
    return assessment.assessor_id == user.pk and access.has(user, Capability.ASSESS)


IN_PROGRESS, AWAITING, COMPLETED, CANCELLED = (
    AssessmentStatus.IN_PROGRESS,
    AssessmentStatus.AWAITING_SIGN_OFF,
    AssessmentStatus.COMPLETED,
    AssessmentStatus.CANCELLED,
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
        # An assessment that will not be finished: it stays on the record, read-only, with the reason; it is counted
        # neither as completed nor as open (reporting.projection and the work lists leave it out).
        Transition(
            "cancel",
            source={IN_PROGRESS},
            target=CANCELLED,
            capability=(Capability.SIGN_OFF, Capability.ALLOCATE),
            also=_own_assessment,
            label="Cancel this assessment",
            done="cancelled",
            field="reason",
            refused=CANCEL_REFUSED,
        ),
    ),
)
