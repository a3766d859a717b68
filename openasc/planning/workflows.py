"""The workflows of care and support plans and of reviews, as data (core.workflow).

A plan is drafted, agreed (first waiting for a team manager's sign-off when settings.OPENASC_PLAN_SIGN_OFF asks for
it, and returned to draft if the manager asks for changes), and replaced by its next agreed version. A review is
scheduled, then completed, or cancelled when the long-term support it would review has ended."""

from __future__ import annotations

from openasc.core.access import Capability
from openasc.core.workflow import Transition, Workflow
from openasc.planning.models import PlanStatus, PlanStatusChange, ReviewStatus, ReviewStatusChange

PLAN_REFUSED = "Your role cannot agree care and support plans."
SIGN_OFF_REFUSED = "Your role cannot sign off care and support plans."


def _not_own_plan(user, plan) -> str:
    """A team manager signs off (or returns) only plans someone else wrote."""
    if plan.created_by_id == user.pk:
        return "Another team manager must sign off a plan you wrote"
    return ""


PLAN = Workflow(
    name="plan",
    noun="plan",
    status_model=PlanStatusChange,
    parent_field="plan",
    states=PlanStatus,
    initial=PlanStatus.DRAFT,
    transitions=(
        Transition(
            "agree",
            source={PlanStatus.DRAFT},
            target=PlanStatus.AGREED,
            capability=Capability.PLAN,
            label="Agree the plan",
            done="agreed",
            field="plan",
            refused=PLAN_REFUSED,
        ),
        Transition(
            "send_for_sign_off",
            source={PlanStatus.DRAFT},
            target=PlanStatus.AWAITING_SIGN_OFF,
            capability=Capability.PLAN,
            label="Agree and send for sign-off",
            done="agreed",
            field="plan",
            refused=PLAN_REFUSED,
        ),
        Transition(
            "sign_off",
            source={PlanStatus.AWAITING_SIGN_OFF},
            target=PlanStatus.AGREED,
            capability=Capability.SIGN_OFF,
            label="Sign off",
            done="signed off",
            field="plan",
            refused=SIGN_OFF_REFUSED,
            rule=_not_own_plan,
        ),
        Transition(
            "return",
            source={PlanStatus.AWAITING_SIGN_OFF},
            target=PlanStatus.DRAFT,
            capability=Capability.SIGN_OFF,
            label="Return to the worker",
            done="returned",
            field="plan",
            refused=SIGN_OFF_REFUSED,
            rule=_not_own_plan,
        ),
        # When version n+1 is agreed, version n is replaced: whoever agreed (or signed off) the new one does it.
        Transition(
            "supersede",
            source={PlanStatus.AGREED},
            target=PlanStatus.SUPERSEDED,
            capability=(Capability.PLAN, Capability.SIGN_OFF),
            label="Replace by the new version",
            done="replaced",
            field="plan",
            refused=PLAN_REFUSED,
        ),
    ),
)

REVIEW = Workflow(
    name="review",
    noun="review",
    status_model=ReviewStatusChange,
    parent_field="review",
    states=ReviewStatus,
    initial=ReviewStatus.SCHEDULED,
    transitions=(
        Transition(
            "complete",
            source={ReviewStatus.SCHEDULED},
            target=ReviewStatus.COMPLETED,
            capability=Capability.PLAN,
            label="Complete the review",
            done="completed",
            field="review",
            refused="Your role cannot complete reviews.",
        ),
        # Ending the last long-term service cancels the planned review: whoever arranged the end does it.
        Transition(
            "cancel",
            source={ReviewStatus.SCHEDULED},
            target=ReviewStatus.CANCELLED,
            capability=(Capability.PLAN, Capability.ARRANGE_SERVICES),
            label="Cancel the review",
            done="cancelled",
            field="review",
            refused="Your role cannot cancel reviews.",
        ),
    ),
)
