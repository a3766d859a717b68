"""Safeguarding over JSON: raise a concern (staff and NHS partners), read it, record the decision, read an enquiry,
and the Safeguarding Adults Collection. The same services, selectors, access rules and audit as the pages.

Input is taken as loosely as JSON allows and checked by the service, so an invalid POST is answered with every
invalid field at once (422, each with its message). The person alleged to cause harm is never in any answer: an
allegation gives only the source of risk's description."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from ninja import Field, Router, Schema
from ninja.responses import Status

from openasc.safeguarding import codes, sac, selectors, services

router = Router(tags=["safeguarding"])


def _one_of(choices) -> str:
    return ", ".join(choices.values)


class ConcernIn(Schema):
    received_on: Any = Field(None, description="When the concern was received, YYYY-MM-DD (today if empty)")
    referrer_kind: Any = Field(None, description=f"Who raised it: {_one_of(codes.ReferrerKind)}")
    referrer_name: Any = Field("", description="Their name (needed unless self or anonymous)")
    referrer_organisation: Any = Field("", description="Their organisation")
    referrer_contact: Any = Field("", description="How to contact them")
    what_happened: Any = Field(None, description="What was seen or reported")
    adult_views: Any = Field("", description="The adult's views and wishes")
    consent: Any = Field(None, description=f"The adult's consent to share: {_one_of(codes.Consent)}")
    consent_override_reason: Any = Field(
        "", description="Why the adult's refusal was overridden (when it was)"
    )
    immediate_actions: Any = Field("", description="Immediate safety actions taken")
    harm_person_known: Any = Field(
        None, description=f"Whether the person causing harm is known: {_one_of(codes.HarmPersonKnown)}"
    )


class DecisionIn(Schema):
    care_and_support_needs: Any = Field(
        None, description="s.42(1)(a): has needs for care and support (true/false)"
    )
    abuse_or_neglect: Any = Field(None, description="s.42(1)(b): experiencing or at risk of abuse or neglect")
    unable_to_protect: Any = Field(
        None, description="s.42(1)(c): unable to protect themselves because of the needs"
    )
    decision: Any = Field(None, description="s42 (all three met), other (with other_reason) or none")
    decided_on: Any = Field(None, description="YYYY-MM-DD (today if empty)")
    decision_reason: Any = Field("", description="Why (needed for no enquiry)")
    other_reason: Any = Field("", description="Why another enquiry is necessary and proportionate")
    no_enquiry_outcome: Any = Field("", description=f"For no enquiry: {_one_of(codes.NoEnquiryOutcome)}")


class ConcernOut(Schema):
    id: int
    person_id: int
    received_on: dt.date
    status: str
    raised_by: str
    referrer_kind: str
    referrer_name: str
    referrer_organisation: str
    what_happened: str
    adult_views: str
    consent: str
    consent_override_reason: str
    immediate_actions: str
    harm_person_known: str
    decision_due_on: dt.date
    overdue: bool = Field(..., description="Still awaiting a decision after its due date")
    care_and_support_needs: bool | None
    abuse_or_neglect: bool | None
    unable_to_protect: bool | None
    decision: str
    decision_reason: str
    no_enquiry_outcome: str
    decided_on: dt.date | None
    enquiry_id: int | None


class AllegationOut(Schema):
    type_of_risk: str
    location_of_risk: str
    source_of_risk: str
    source_description: str


class EnquiryOut(Schema):
    id: int
    person_id: int
    concern_id: int
    kind: str
    status: str
    started_on: dt.date
    officer: str
    allegations: list[AllegationOut]
    concluded_on: dt.date | None
    risk_assessment_outcome: str
    risk_outcome: str
    lacked_capacity: str
    supported_by_advocate: bool | None
    msp_asked: str
    msp_desired_outcomes: str
    msp_achieved: str
    closed_on: dt.date | None


class ConcernsOut(Schema):
    person_id: int
    concerns: list[ConcernOut]
    hidden_open: int = Field(
        ..., description="Open concerns or enquiries whose detail you may not see: ask the hub"
    )


class ErrorOut(Schema):
    detail: str
    errors: list[dict] = []


R = {403: ErrorOut, 404: ErrorOut, 422: ErrorOut}

CONCERN_FIELDS = (
    "received_on",
    "status",
    "referrer_kind",
    "referrer_name",
    "referrer_organisation",
    "what_happened",
    "adult_views",
    "consent",
    "consent_override_reason",
    "immediate_actions",
    "harm_person_known",
    "decision_due_on",
    "care_and_support_needs",
    "abuse_or_neglect",
    "unable_to_protect",
    "decision",
    "decision_reason",
    "no_enquiry_outcome",
    "decided_on",
)


def concern_out(c) -> dict:
    enquiry = selectors.enquiry_of(c)
    return {
        "id": c.pk,
        "person_id": c.person_id,
        "raised_by": c.raised_by.display_name,
        "overdue": c.status == "awaiting_decision" and c.decision_due_on < timezone.localdate(),
        "enquiry_id": enquiry.pk if enquiry else None,
        **{f: getattr(c, f) for f in CONCERN_FIELDS},
    }


def enquiry_out(e) -> dict:
    return {
        "id": e.pk,
        "person_id": e.person_id,
        "concern_id": e.concern_id,
        "kind": e.kind,
        "status": e.status,
        "started_on": e.started_on,
        "officer": e.officer.display_name if e.officer else "",
        "allegations": [
            {
                "type_of_risk": a.type_of_risk,
                "location_of_risk": a.location_of_risk,
                "source_of_risk": a.source_of_risk,
                "source_description": a.source_description,
            }
            for a in e.allegations.all()
        ],
        **{
            f: getattr(e, f)
            for f in (
                "concluded_on",
                "risk_assessment_outcome",
                "risk_outcome",
                "lacked_capacity",
                "supported_by_advocate",
                "msp_asked",
                "msp_desired_outcomes",
                "msp_achieved",
                "closed_on",
            )
        },
    }


@router.post(
    "/people/{person_id}/concerns",
    response={201: ConcernOut, **R},
    summary="Raise a safeguarding concern: it lands in the safeguarding adults hub's queue with a decision timer",
)
def raise_concern(request: HttpRequest, person_id: int, payload: ConcernIn):
    record = selectors.record_open(user=request.user, person_id=person_id)
    data = payload.dict()
    data["received_on"] = data["received_on"] or timezone.localdate()
    return Status(201, concern_out(services.concern_raise(record=record, **data)))


@router.get(
    "/people/{person_id}/concerns",
    response={200: ConcernsOut, **R},
    summary="The adult's safeguarding concerns whose detail you may see, and how many open ones you may not",
)
def list_concerns(request: HttpRequest, person_id: int):
    record = selectors.record_open(user=request.user, person_id=person_id, purpose="safeguarding concerns")
    found = selectors.on_record(record)
    return {
        "person_id": person_id,
        "concerns": [concern_out(c) for c in found.concerns],
        "hidden_open": found.hidden_open,
    }


@router.get("/concerns/{concern_id}", response={200: ConcernOut, **R}, summary="One safeguarding concern")
def read_concern(request: HttpRequest, concern_id: int):
    concern, _ = selectors.concern_get(user=request.user, concern_id=concern_id)
    return concern_out(concern)


@router.post(
    "/concerns/{concern_id}/decision",
    response={200: ConcernOut, **R},
    summary="Record the three section 42(1) criteria and the decision they give",
)
def decide_concern(request: HttpRequest, concern_id: int, payload: DecisionIn):
    concern, record = selectors.concern_get(
        user=request.user, concern_id=concern_id, purpose="decide on a concern"
    )
    return concern_out(services.concern_decide(record=record, concern=concern, **payload.dict()))


@router.get("/enquiries/{enquiry_id}", response={200: EnquiryOut, **R}, summary="One safeguarding enquiry")
def read_enquiry(request: HttpRequest, enquiry_id: int):
    enquiry, _ = selectors.enquiry_get(user=request.user, enquiry_id=enquiry_id)
    return enquiry_out(enquiry)


@router.get(
    "/sac",
    response={200: dict, 403: ErrorOut, 422: ErrorOut},
    summary="The Safeguarding Adults Collection for a reporting year (the shape of `openasc sac`, see the README)",
)
def read_sac(request: HttpRequest, year: str):
    try:
        start_year = sac.parse_year(year)
    except sac.YearError as exc:
        return Status(422, {"detail": str(exc), "errors": [{"field": "year", "message": str(exc)}]})
    try:
        return sac.results_for(request.user, start_year).as_json()
    except sac.NotAllowed as exc:
        return Status(403, {"detail": str(exc)})
