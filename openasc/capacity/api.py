"""Mental capacity, best interests, advocacy and consent over JSON: the same services, selectors, access rules and
audit as the pages.

The input schemas take every field as loosely as JSON allows and leave the checking to the service, so an invalid
POST is answered with every invalid field at once (422, each with its message), never the first one a schema refused.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest
from ninja import Field, Router, Schema
from ninja.responses import Status

from openasc.capacity import selectors, services

router = Router(tags=["mental capacity and advocacy"])

YES_NO = "true or false"
LINK = 'One of this person\'s assessments or plans this is about: "assessment:ID" or "plan:ID" (optional)'


class CapacityIn(Schema):
    decision: Any = Field(
        None, description="The one decision assessed, e.g. “where to live on discharge from hospital”"
    )
    assessed_on: Any = Field(None, description="Date of the assessment, YYYY-MM-DD, not in the future")
    assessor: Any = Field(None, description="Who assessed: name and role")
    location: Any = Field(None, description="Where the assessment took place")
    present: Any = Field("", description="Who else was present, one a line")
    impairment: Any = Field(
        None, description=f"Stage 1: impairment of, or disturbance in, the mind or brain ({YES_NO})"
    )
    impairment_detail: Any = Field("", description="What the impairment is (required when stage 1 is true)")
    understand: Any = Field(None, description=f"Can understand the relevant information ({YES_NO})")
    understand_evidence: Any = Field("", description="Evidence")
    retain: Any = Field(None, description=f"Can retain it ({YES_NO})")
    retain_evidence: Any = Field("", description="Evidence")
    use_weigh: Any = Field(None, description=f"Can use or weigh it ({YES_NO})")
    use_weigh_evidence: Any = Field("", description="Evidence")
    communicate: Any = Field(None, description=f"Can communicate the decision ({YES_NO})")
    communicate_evidence: Any = Field("", description="Evidence")
    nexus: Any = Field(
        None,
        description=f"The inability is because of the impairment ({YES_NO}; required when "
        "stage 1 is true and an ability is false)",
    )
    nexus_evidence: Any = Field("", description="Evidence for the causative nexus")
    support_steps: Any = Field(None, description="Practicable steps taken to help the person decide")
    outcome: Any = Field(None, description="has_capacity or lacks_capacity (must follow from the answers)")
    link: Any = Field("", description=LINK)


class BestInterestsIn(Schema):
    consulted: Any = Field(
        None,
        description='Who was consulted: [{"name": ..., "role": ...}] (family, carers, '
        "attorney or deputy, IMCA)",
    )
    wishes: Any = Field(
        None, description="The person's past and present wishes, feelings, beliefs and values"
    )
    options: Any = Field(
        None, description='At least two options: [{"option": ..., "benefits": ..., "risks": ...}]'
    )
    least_restrictive: Any = Field(None, description="The least restrictive option considered")
    decision: Any = Field(None, description="The decision made in the person's best interests")
    decision_maker: Any = Field(None, description="Who the decision maker is: name and role")
    decided_on: Any = Field(None, description="Date of the decision, YYYY-MM-DD")
    link: Any = Field("", description=LINK)


class AdvocacyIn(Schema):
    involvement_in: Any = Field(
        None, description="needs_assessment, carers_assessment, planning, review or safeguarding"
    )
    considered_on: Any = Field(None, description="Date considered, YYYY-MM-DD")
    difficulty_understand: Any = Field(None, description=f"Substantial difficulty understanding ({YES_NO})")
    difficulty_retain: Any = Field(None, description=f"Substantial difficulty retaining ({YES_NO})")
    difficulty_use_weigh: Any = Field(
        None, description=f"Substantial difficulty using or weighing ({YES_NO})"
    )
    difficulty_communicate: Any = Field(None, description=f"Substantial difficulty communicating ({YES_NO})")
    difficulty_evidence: Any = Field("", description="Evidence (required when any difficulty is true)")
    appropriate_individual: Any = Field(None, description=f"There is an appropriate individual ({YES_NO})")
    appropriate_individual_name: Any = Field("", description="Who (required when true)")
    referral_made: Any = Field(False, description=YES_NO)
    provider: Any = Field("", description="The advocacy provider, from the council's list")
    referred_on: Any = Field(None, description="Date of the referral, YYYY-MM-DD")
    no_referral_reason: Any = Field("", description="Why no referral was made, when there is a duty")
    outcome: Any = Field("", description="Outcome")
    outcome_on: Any = Field(None, description="Date of the outcome, YYYY-MM-DD")
    link: Any = Field("", description=LINK)


class ImcaIn(Schema):
    capacity_assessment: Any = Field(
        None, description="Id of this person's assessment that found they lack capacity"
    )
    reason: Any = Field(
        None, description="serious_medical_treatment, accommodation, care_review or safeguarding"
    )
    reason_detail: Any = Field(None, description="The treatment or move proposed")
    no_one_appropriate: Any = Field(
        None, description=f"No one appropriate to consult other than paid carers ({YES_NO})"
    )
    provider: Any = Field(None, description="The IMCA provider, from the council's list")
    referred_on: Any = Field(None, description="Date of the referral, YYYY-MM-DD")
    outcome: Any = Field("", description="Outcome")
    link: Any = Field("", description=LINK)


class ConsentIn(Schema):
    what: Any = Field(None, description="What information is shared")
    agencies: Any = Field(
        None, description="Who it is shared with: a list of agencies, or text with one a line"
    )
    basis: Any = Field(
        None, description="consent_given, consent_refused, best_interests or overriding_interest"
    )
    capacity_assessment: Any = Field(
        None, description="For best_interests: id of the assessment that found they lack capacity to consent"
    )
    reason: Any = Field("", description="Required for overriding_interest")
    recorded_on: Any = Field(None, description="Date recorded, YYYY-MM-DD")
    review_on: Any = Field(None, description="Review date, YYYY-MM-DD, after the date recorded")
    link: Any = Field("", description=LINK)


class CapacityOut(Schema):
    id: int
    person_id: int
    decision: str
    assessed_on: dt.date
    assessor: str
    location: str
    present: str
    impairment: bool | None
    impairment_detail: str
    understand: bool | None
    understand_evidence: str
    retain: bool | None
    retain_evidence: str
    use_weigh: bool | None
    use_weigh_evidence: str
    communicate: bool | None
    communicate_evidence: str
    nexus: bool | None
    nexus_evidence: str
    support_steps: str
    outcome: str
    link: str
    recorded_by: str
    recorded_at: dt.datetime
    best_interests_id: int | None = None


class BestInterestsOut(Schema):
    id: int
    person_id: int
    capacity_assessment_id: int
    consulted: list[dict]
    wishes: str
    options: list[dict]
    least_restrictive: str
    decision: str
    decision_maker: str
    decided_on: dt.date
    link: str
    recorded_by: str
    recorded_at: dt.datetime


class AdvocacyOut(Schema):
    id: int
    person_id: int
    involvement_in: str
    considered_on: dt.date
    difficulty_understand: bool
    difficulty_retain: bool
    difficulty_use_weigh: bool
    difficulty_communicate: bool
    difficulty_evidence: str
    substantial_difficulty: bool
    appropriate_individual: bool
    appropriate_individual_name: str
    duty: bool = Field(..., description="The s.67 duty: substantial difficulty and no appropriate individual")
    referral_made: bool
    provider: str
    referred_on: dt.date | None
    no_referral_reason: str
    outcome: str
    outcome_on: dt.date | None
    link: str
    recorded_by: str
    recorded_at: dt.datetime


class ImcaOut(Schema):
    id: int
    person_id: int
    capacity_assessment_id: int
    reason: str
    reason_detail: str
    no_one_appropriate: bool
    provider: str
    referred_on: dt.date
    outcome: str
    link: str
    recorded_by: str
    recorded_at: dt.datetime


class ConsentOut(Schema):
    id: int
    person_id: int
    what: str
    agencies: list[str]
    basis: str
    refused: bool
    capacity_assessment_id: int | None
    reason: str
    recorded_on: dt.date
    review_on: dt.date | None
    link: str
    recorded_by: str
    recorded_at: dt.datetime


class RecordsOut(Schema):
    person_id: int
    capacity_assessments: list[CapacityOut]
    best_interests: list[BestInterestsOut]
    advocacy: list[AdvocacyOut]
    imca_referrals: list[ImcaOut]
    consents: list[ConsentOut]


class ErrorOut(Schema):
    detail: str
    errors: list[dict] = []


def _common(obj) -> dict:
    field = obj.link_field
    return {
        "link": f"{field}:{getattr(obj, f'{field}_id')}" if field else "",
        "recorded_by": obj.recorded_by.display_name,
        "recorded_at": obj.recorded_at,
    }


def _fields(obj, names) -> dict:
    return {"id": obj.pk, "person_id": obj.person_id, **{n: getattr(obj, n) for n in names}, **_common(obj)}


def capacity_out(c) -> dict:
    out = _fields(
        c,
        [
            f.name
            for f in c._meta.concrete_fields
            if f.name not in ("id", "person", "assessment", "plan", "recorded_by", "recorded_at")
        ],
    )
    bi = getattr(c, "best_interests", None) if hasattr(c, "best_interests") else None
    out["best_interests_id"] = bi.pk if bi is not None else None
    return out


def best_interests_out(b) -> dict:
    return _fields(
        b,
        [
            "capacity_assessment_id",
            "consulted",
            "wishes",
            "options",
            "least_restrictive",
            "decision",
            "decision_maker",
            "decided_on",
        ],
    )


def advocacy_out(a) -> dict:
    return _fields(
        a,
        [
            "involvement_in",
            "considered_on",
            "difficulty_understand",
            "difficulty_retain",
            "difficulty_use_weigh",
            "difficulty_communicate",
            "difficulty_evidence",
            "substantial_difficulty",
            "appropriate_individual",
            "appropriate_individual_name",
            "duty",
            "referral_made",
            "provider",
            "referred_on",
            "no_referral_reason",
            "outcome",
            "outcome_on",
        ],
    )


def imca_out(i) -> dict:
    return _fields(
        i,
        [
            "capacity_assessment_id",
            "reason",
            "reason_detail",
            "no_one_appropriate",
            "provider",
            "referred_on",
            "outcome",
        ],
    )


def consent_out(s) -> dict:
    out = _fields(
        s, ["what", "basis", "refused", "capacity_assessment_id", "reason", "recorded_on", "review_on"]
    )
    out["agencies"] = s.agency_list
    return out


def _open(request, person_id: int, purpose: str):
    return selectors.capacity_open(user=request.user, person_id=person_id, purpose=purpose)


R = {403: ErrorOut, 404: ErrorOut, 422: ErrorOut}


class ProvidersOut(Schema):
    providers: list[str] = Field(
        ..., description="The advocacy providers the council has set (local reference data)"
    )


@router.get(
    "/providers", response={200: ProvidersOut}, summary="The council's advocacy providers (Care Act and IMCA)"
)
def list_providers(request: HttpRequest):
    return {"providers": list(selectors.advocacy_providers())}


@router.get(
    "/people/{person_id}",
    response={200: RecordsOut, **R},
    summary="A person's capacity assessments, "
    "best-interests decisions, advocacy, IMCA referrals and consent to share",
)
def list_records(request: HttpRequest, person_id: int):
    found = selectors.records_for(_open(request, person_id, "mental capacity and advocacy"))
    return {
        "person_id": person_id,
        "capacity_assessments": [capacity_out(c) for c in found.assessments],
        "best_interests": [best_interests_out(b) for b in found.best_interests],
        "advocacy": [advocacy_out(a) for a in found.advocacy],
        "imca_referrals": [imca_out(i) for i in found.imca],
        "consents": [consent_out(s) for s in found.consents],
    }


@router.post(
    "/people/{person_id}/assessments",
    response={201: CapacityOut, **R},
    summary="Record a mental capacity assessment for one decision",
)
def create_assessment(request: HttpRequest, person_id: int, payload: CapacityIn):
    record = _open(request, person_id, "record mental capacity assessment")
    return Status(201, capacity_out(services.capacity_assessment_record(record=record, **payload.dict())))


@router.get(
    "/assessments/{capacity_assessment_id}",
    response={200: CapacityOut, **R},
    summary="One mental capacity assessment",
)
def read_assessment(request: HttpRequest, capacity_assessment_id: int):
    c, _ = selectors.capacity_assessment_get(user=request.user, capacity_assessment_id=capacity_assessment_id)
    return capacity_out(c)


@router.post(
    "/assessments/{capacity_assessment_id}/best-interests",
    response={201: BestInterestsOut, **R},
    summary="Record the best-interests decision for an assessment that found the person lacks capacity",
)
def create_best_interests(request: HttpRequest, capacity_assessment_id: int, payload: BestInterestsIn):
    c, record = selectors.capacity_assessment_get(
        user=request.user,
        capacity_assessment_id=capacity_assessment_id,
        purpose="record best-interests decision",
    )
    return Status(
        201,
        best_interests_out(
            services.best_interests_record(record=record, capacity_assessment=c, **payload.dict())
        ),
    )


@router.get(
    "/best-interests/{best_interests_id}",
    response={200: BestInterestsOut, **R},
    summary="One best-interests decision",
)
def read_best_interests(request: HttpRequest, best_interests_id: int):
    b, _ = selectors.best_interests_get(user=request.user, best_interests_id=best_interests_id)
    return best_interests_out(b)


@router.post(
    "/people/{person_id}/advocacy",
    response={201: AdvocacyOut, **R},
    summary="Record the Care Act s.67 advocacy judgement (the duty is derived) and any referral",
)
def create_advocacy(request: HttpRequest, person_id: int, payload: AdvocacyIn):
    record = _open(request, person_id, "record advocacy")
    return Status(201, advocacy_out(services.advocacy_record(record=record, **payload.dict())))


@router.get("/advocacy/{advocacy_id}", response={200: AdvocacyOut, **R}, summary="One advocacy record")
def read_advocacy(request: HttpRequest, advocacy_id: int):
    a, _ = selectors.advocacy_get(user=request.user, advocacy_id=advocacy_id)
    return advocacy_out(a)


@router.post("/people/{person_id}/imca", response={201: ImcaOut, **R}, summary="Record a referral to an IMCA")
def create_imca(request: HttpRequest, person_id: int, payload: ImcaIn):
    record = _open(request, person_id, "record IMCA referral")
    return Status(201, imca_out(services.imca_referral_record(record=record, **payload.dict())))


@router.get("/imca/{imca_id}", response={200: ImcaOut, **R}, summary="One IMCA referral")
def read_imca(request: HttpRequest, imca_id: int):
    i, _ = selectors.imca_get(user=request.user, imca_id=imca_id)
    return imca_out(i)


@router.post(
    "/people/{person_id}/consent",
    response={201: ConsentOut, **R},
    summary="Record consent to share information (given, refused, best interests or overriding interest)",
)
def create_consent(request: HttpRequest, person_id: int, payload: ConsentIn):
    record = _open(request, person_id, "record consent to share")
    return Status(201, consent_out(services.consent_record(record=record, **payload.dict())))


@router.get("/consent/{consent_id}", response={200: ConsentOut, **R}, summary="One consent to share record")
def read_consent(request: HttpRequest, consent_id: int):
    s, _ = selectors.consent_get(user=request.user, consent_id=consent_id)
    return consent_out(s)
