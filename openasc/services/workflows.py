"""The workflow of a budget authorisation, as data: asked for when a service takes a plan over its agreed personal
budget, then authorised or declined by a manager who holds SIGN_OFF, with a reason (core.workflow)."""

from __future__ import annotations

from openasc.core.access import Capability
from openasc.core.workflow import Transition, Workflow
from openasc.services.models import AuthorisationStatus, BudgetAuthorisationStatus

DECIDE_REFUSED = "Only a team manager can authorise a cost above the personal budget."


def _not_own_request(user, authorisation) -> str:
    """A manager does not authorise an overspend they arranged themselves."""
    if authorisation.requested_by_id == user.pk:
        return "You arranged this service, so another manager must authorise its cost"
    return ""


BUDGET_AUTHORISATION = Workflow(
    name="budget_authorisation",
    noun="authorisation",
    status_model=BudgetAuthorisationStatus,
    parent_field="authorisation",
    states=AuthorisationStatus,
    initial=AuthorisationStatus.REQUESTED,
    transitions=(
        Transition(
            "authorise",
            source={AuthorisationStatus.REQUESTED},
            target=AuthorisationStatus.AUTHORISED,
            capability=Capability.SIGN_OFF,
            label="Authorise",
            done="authorised",
            field="decision",
            refused=DECIDE_REFUSED,
            rule=_not_own_request,
        ),
        Transition(
            "decline",
            source={AuthorisationStatus.REQUESTED},
            target=AuthorisationStatus.DECLINED,
            capability=Capability.SIGN_OFF,
            label="Decline",
            done="declined",
            field="decision",
            refused=DECIDE_REFUSED,
            rule=_not_own_request,
        ),
    ),
)
