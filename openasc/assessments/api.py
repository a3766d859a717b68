"""Assessments over JSON: the same services, selectors, access rules and audit as the pages."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.http import HttpRequest
from ninja import Field, Router, Schema
from ninja.responses import Status

from openasc.assessments import sections, selectors, services
from openasc.assessments.models import Assessment
from openasc.core.errors import ValidationFailed

router = Router(tags=["assessments"])


class StartIn(Schema):
    person_id: int
    kind: str = Field("needs", description="needs or carer")
    assessment_type: str = Field("Long term assessment", description="CLD Assessment Type")
    method: str = Field(..., description="Method of Assessment, e.g. Face to face")
    request_id: int | None = Field(
        None, description="The person's request for support this assessment follows"
    )
    cared_for_id: int | None = Field(None, description="Carer's assessment: the linked person cared for")
    started_on: dt.date | None = None


class AboutIn(Schema):
    what_matters: str
    strengths: str = ""
    existing_support: str = ""


class OutcomeIn(Schema):
    can_achieve: bool
    limbs: list[str] = Field(
        [], description="When the outcome cannot be achieved: any of a, b, c, d (carers a-c)"
    )
    notes: str = ""


class ConditionsIn(Schema):
    condition_met: bool | None = Field(
        None,
        description="Condition 1: impairment or illness (carers: needs arise from providing necessary care)",
    )
    condition_description: str = ""
    carer_health_at_risk: bool | None = Field(
        None, description="Carers only: health is, or is at risk of, deteriorating"
    )
    wellbeing_impact: bool | None = Field(None, description="Condition 3: significant impact on wellbeing")
    wellbeing_description: str = ""


class EligibilityIn(Schema):
    judgement: str = Field(
        "agree", description="agree, eligible or not_eligible (the last two need a reason)"
    )
    judgement_reason: str = ""


class CompleteIn(Schema):
    information_given: str = ""
    outcome: str = Field(
        "",
        description="Another CLD Event Outcome, e.g. 'NFA: Support declined'; blank for the "
        "outcome that follows from the determination",
    )
    completed_on: dt.date | None = None


class SignOffIn(Schema):
    approve: bool = True
    reason: str = ""


class CancelIn(Schema):
    reason: str = Field(..., description="Why the assessment will not be finished (required)")


class OutcomeOut(Schema):
    code: str
    label: str
    can_achieve: bool
    limbs: list[str]
    notes: str


class SectionOut(Schema):
    key: str
    title: str
    status: str


class DeterminationOut(Schema):
    eligible: bool
    reasons: list[str]


class AssessmentOut(Schema):
    id: int
    person_id: int
    kind: str
    status: str
    assessment_type: str
    method: str
    request_id: int | None
    cared_for_id: int | None
    started_on: dt.date
    completed_on: dt.date | None
    assessor: str
    what_matters: str
    strengths: str
    existing_support: str
    condition_met: bool | None
    condition_description: str
    carer_health_at_risk: bool | None
    wellbeing_impact: bool | None
    wellbeing_description: str
    outcomes: list[OutcomeOut]
    sections: list[SectionOut]
    determination: DeterminationOut = Field(
        ..., description="The three-condition test on what is recorded now"
    )
    computed_eligible: bool | None
    computed_reasons: list[str]
    judgement: str
    judgement_reason: str
    eligible: bool | None
    outcome: str
    information_given: str
    signed_off_by: str | None
    signed_off_at: dt.datetime | None


class ErrorOut(Schema):
    detail: str
    errors: list[dict] = []


ERRORS = {403: ErrorOut, 404: ErrorOut, 422: ErrorOut}


def _out(assessment: Assessment) -> dict:
    labels = dict(sections.outcomes_for(assessment.kind))
    result = selectors.determination(assessment)
    return {
        **{
            f: getattr(assessment, f)
            for f in (
                "id",
                "person_id",
                "kind",
                "status",
                "assessment_type",
                "method",
                "request_id",
                "cared_for_id",
                "started_on",
                "completed_on",
                "what_matters",
                "strengths",
                "existing_support",
                "condition_met",
                "condition_description",
                "carer_health_at_risk",
                "wellbeing_impact",
                "wellbeing_description",
                "computed_eligible",
                "computed_reasons",
                "judgement",
                "judgement_reason",
                "eligible",
                "outcome",
                "information_given",
                "signed_off_at",
            )
        },
        "assessor": assessment.assessor.display_name,
        "signed_off_by": assessment.signed_off_by.display_name if assessment.signed_off_by else None,
        "outcomes": [
            {
                "code": o.code,
                "label": labels.get(o.code, o.code),
                "can_achieve": o.can_achieve,
                "limbs": o.limbs,
                "notes": o.notes,
            }
            for o in sorted(
                assessment.outcomes.all(),
                key=lambda o: list(labels).index(o.code) if o.code in labels else 99,
            )
        ],
        "sections": [
            {"key": t.section.key, "title": t.section.title, "status": t.status}
            for t in selectors.task_list(assessment)
        ],
        "determination": {"eligible": result.eligible, "reasons": result.reasons},
    }


def _get(request: HttpRequest, assessment_id: int, purpose: str) -> Assessment:
    """The assessment; the person's record as opened is kept on the request for the write services."""
    assessment, request.opened_record = selectors.assessment_open(
        user=request.user, assessment_id=assessment_id, purpose=purpose
    )
    return assessment


@router.post("", response={201: AssessmentOut, **ERRORS}, summary="Start an assessment")
def start(request: HttpRequest, payload: StartIn):
    options = selectors.start_options(user=request.user, person_id=payload.person_id)
    support_request = cared_for = None
    if payload.request_id is not None:
        support_request = next((r for r in options.requests if r.pk == payload.request_id), None)
        if support_request is None:
            raise ValidationFailed({"request_id": "Choose a request for support made for this person"})
    if payload.cared_for_id is not None:
        cared_for = next((p for p in options.cared_for if p.pk == payload.cared_for_id), None)
        if cared_for is None:
            raise ValidationFailed(
                {
                    "cared_for_id": "The carer is not linked to this person: link them on the "
                    "cared-for person's record first"
                }
            )
    assessment = services.assessment_start(
        record=options.record,
        kind=payload.kind,
        assessment_type=payload.assessment_type,
        method=payload.method,
        request=support_request,
        cared_for=cared_for,
        started_on=payload.started_on,
    )
    return Status(201, _out(assessment))


@router.get("/{assessment_id}", response={200: AssessmentOut, **ERRORS}, summary="Read an assessment")
def read(request: HttpRequest, assessment_id: int):
    return _out(_get(request, assessment_id, "api"))


@router.put(
    "/{assessment_id}/about",
    response={200: AssessmentOut, **ERRORS},
    summary="Save what matters, strengths and existing support",
)
def save_about(request: HttpRequest, assessment_id: int, payload: AboutIn):
    assessment = _get(request, assessment_id, "api update")
    services.assessment_section_save(
        record=request.opened_record, assessment=assessment, section=sections.ABOUT, data=payload.dict()
    )
    return _out(assessment)


@router.put(
    "/{assessment_id}/outcomes/{code}",
    response={200: AssessmentOut, **ERRORS},
    summary="Save the answer for one Care Act outcome",
)
def save_outcome(request: HttpRequest, assessment_id: int, code: str, payload: OutcomeIn):
    assessment = _get(request, assessment_id, "api update")
    services.assessment_section_save(
        record=request.opened_record,
        assessment=assessment,
        section=sections.OUTCOME_PREFIX + code,
        data=payload.dict(),
    )
    return _out(assessment)


@router.put(
    "/{assessment_id}/conditions",
    response={200: AssessmentOut, **ERRORS},
    summary="Save conditions 1 and 3 (and, for carers, whether their health is at risk)",
)
def save_conditions(request: HttpRequest, assessment_id: int, payload: ConditionsIn):
    assessment = _get(request, assessment_id, "api update")
    sent = payload.dict(exclude_unset=True)
    parts = [
        (sections.CONDITION, ("condition_met", "condition_description")),
        (sections.CARER_HEALTH, ("carer_health_at_risk",)),
        (sections.WELLBEING, ("wellbeing_impact", "wellbeing_description")),
    ]
    with transaction.atomic():
        for key, names in parts:
            if any(n in sent for n in names):
                services.assessment_section_save(
                    record=request.opened_record,
                    assessment=assessment,
                    section=key,
                    data={n: sent.get(n, getattr(payload, n)) for n in names},
                )
    return _out(assessment)


@router.put(
    "/{assessment_id}/eligibility",
    response={200: AssessmentOut, **ERRORS},
    summary="Confirm the determination, or record a professional judgement with its reason",
)
def save_eligibility(request: HttpRequest, assessment_id: int, payload: EligibilityIn):
    assessment = _get(request, assessment_id, "api update")
    services.assessment_section_save(
        record=request.opened_record, assessment=assessment, section=sections.ELIGIBILITY, data=payload.dict()
    )
    return _out(assessment)


@router.post(
    "/{assessment_id}/complete", response={200: AssessmentOut, **ERRORS}, summary="Complete an assessment"
)
def complete(request: HttpRequest, assessment_id: int, payload: CompleteIn):
    assessment = _get(request, assessment_id, "api complete")
    services.assessment_complete(record=request.opened_record, assessment=assessment, **payload.dict())
    return _out(assessment)


@router.post(
    "/{assessment_id}/sign-off",
    response={200: AssessmentOut, **ERRORS},
    summary="Sign off an assessment, or return it to the assessor with a reason (team managers)",
)
def sign_off(request: HttpRequest, assessment_id: int, payload: SignOffIn):
    assessment = _get(request, assessment_id, "api sign off")
    services.assessment_sign_off(record=request.opened_record, assessment=assessment, **payload.dict())
    return _out(assessment)


@router.post(
    "/{assessment_id}/cancel",
    response={200: AssessmentOut, **ERRORS},
    summary="Cancel an assessment in progress, with a reason (its assessor, or a manager)",
)
def cancel(request: HttpRequest, assessment_id: int, payload: CancelIn):
    assessment = _get(request, assessment_id, "api cancel")
    services.assessment_cancel(record=request.opened_record, assessment=assessment, reason=payload.reason)
    return _out(assessment)
