"""The request for support's workflow, as data: waiting for triage, then passed to a team, concluded, or recorded in
error (core.workflow)."""

from __future__ import annotations

from openasc.core.access import Capability
from openasc.core.workflow import Transition, Workflow
from openasc.frontdoor.models import RequestStatus, SupportRequestStatus

TRIAGE_REFUSED = (
    "Only the front door, social workers, safeguarding leads and team managers can triage requests."
)
CANCEL_REFUSED = (
    "Only the person who recorded a request, or someone who triages requests, can mark it as recorded "
    "in error."
)


def _recorded_it(user, request) -> bool:
    return request.created_by_id == user.pk


REQUEST = Workflow(
    name="request",
    noun="request",
    status_model=SupportRequestStatus,
    parent_field="request",
    states=RequestStatus,
    initial=RequestStatus.OPEN,
    transitions=(
        # Triage either passes the request to a team (the person waits for allocation or assessment) or ends it.
        Transition(
            "route",
            source={RequestStatus.OPEN},
            target=RequestStatus.ROUTED,
            capability=Capability.TRIAGE,
            label="Triage",
            done="triaged",
            field="decision",
            refused=TRIAGE_REFUSED,
        ),
        Transition(
            "conclude",
            source={RequestStatus.OPEN},
            target=RequestStatus.CONCLUDED,
            capability=Capability.TRIAGE,
            label="Triage",
            done="triaged",
            field="decision",
            refused=TRIAGE_REFUSED,
        ),
        Transition(
            "cancel",
            source={RequestStatus.OPEN, RequestStatus.ROUTED},
            target=RequestStatus.CANCELLED,
            capability=Capability.TRIAGE,
            also=_recorded_it,
            label="Mark as recorded in error",
            done="marked as recorded in error",
            field="reason",
            refused=CANCEL_REFUSED,
        ),
    ),
)
