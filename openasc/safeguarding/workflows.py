"""The workflows of a safeguarding concern and of an enquiry, as data (core.workflow, docs/adr/0010-workflows.md).

A concern waits for the safeguarding adults manager's decision: an enquiry (section 42 or other), or no enquiry; or
it was recorded in error. An enquiry is planned (strategy discussion, an enquiry officer allocated), carried out,
concluded (the SAC's outcomes and Making Safeguarding Personal) and closed. Strategy meetings, allegation lines, the
protection plan and its reviews are recorded along the way; they are not states."""

from __future__ import annotations

from openasc.core.access import Capability
from openasc.core.workflow import Transition, Workflow
from openasc.safeguarding.models import ConcernStatus, ConcernStatusChange, EnquiryStatus, EnquiryStatusChange

DECIDE_REFUSED = (
    "Only a safeguarding lead or a team manager can decide what happens to a safeguarding concern."
)
ENQUIRY_REFUSED = "Only the enquiry officer, a safeguarding lead or a team manager can move an enquiry on."


def _raised_it(user, concern) -> bool:
    return concern.raised_by_id == user.pk


def _officer(user, enquiry) -> bool:
    return enquiry.officer_id is not None and enquiry.officer_id == user.pk


def _has_officer(user, enquiry) -> str:
    if enquiry.officer_id is None:
        return "Allocate an enquiry officer before the enquiry starts"
    return ""


CONCERN = Workflow(
    name="safeguarding_concern",
    noun="concern",
    status_model=ConcernStatusChange,
    parent_field="concern",
    states=ConcernStatus,
    initial=ConcernStatus.AWAITING_DECISION,
    transitions=(
        Transition(
            "decide_enquiry",
            source={ConcernStatus.AWAITING_DECISION},
            target=ConcernStatus.ENQUIRY,
            capability=Capability.DECIDE_SAFEGUARDING,
            label="Decide: an enquiry",
            done="decided",
            field="decision",
            refused=DECIDE_REFUSED,
        ),
        Transition(
            "decide_no_enquiry",
            source={ConcernStatus.AWAITING_DECISION},
            target=ConcernStatus.NO_ENQUIRY,
            capability=Capability.DECIDE_SAFEGUARDING,
            label="Decide: no enquiry",
            done="decided",
            field="decision",
            refused=DECIDE_REFUSED,
        ),
        Transition(
            "cancel",
            source={ConcernStatus.AWAITING_DECISION},
            target=ConcernStatus.CANCELLED,
            capability=Capability.DECIDE_SAFEGUARDING,
            label="Recorded in error",
            done="cancelled",
            field="reason",
            refused="Only whoever raised the concern, a safeguarding lead or a team manager can say it was "
            "recorded in error.",
            also=_raised_it,
        ),
    ),
)

ENQUIRY = Workflow(
    name="safeguarding_enquiry",
    noun="enquiry",
    status_model=EnquiryStatusChange,
    parent_field="enquiry",
    states=EnquiryStatus,
    initial=EnquiryStatus.PLANNING,
    transitions=(
        Transition(
            "start",
            source={EnquiryStatus.PLANNING},
            target=EnquiryStatus.IN_PROGRESS,
            capability=Capability.DECIDE_SAFEGUARDING,
            label="Start the enquiry",
            done="started",
            field="enquiry",
            refused=ENQUIRY_REFUSED,
            also=_officer,
            rule=_has_officer,
        ),
        Transition(
            "conclude",
            source={EnquiryStatus.IN_PROGRESS},
            target=EnquiryStatus.CONCLUDED,
            capability=Capability.DECIDE_SAFEGUARDING,
            label="Conclude the enquiry",
            done="concluded",
            field="enquiry",
            refused=ENQUIRY_REFUSED,
            also=_officer,
        ),
        Transition(
            "close",
            source={EnquiryStatus.CONCLUDED},
            target=EnquiryStatus.CLOSED,
            capability=Capability.DECIDE_SAFEGUARDING,
            label="Close the enquiry",
            done="closed",
            field="enquiry",
            refused=ENQUIRY_REFUSED,
            also=_officer,
        ),
    ),
)
