"""Plans and reviews over JSON: the same services, selectors, access rules and audit as the pages."""

from __future__ import annotations

import datetime as dt

from django.http import HttpRequest
from ninja import Field, Router, Schema
from ninja.responses import Status

from openasc.people import selectors as people_selectors
from openasc.planning import selectors
from openasc.planning import services as plan_writes

router = Router(tags=["planning"])


class NeedIO(Schema):
    outcome_code: str = Field(..., description="Care Act outcome code, e.g. hygiene, nutrition")
    meet_by: str = Field(..., description="service, community, family, technology or self")
    description: str = Field(..., description="What will be done")
    who: str = Field("", description="Who does it, e.g. a provider or a named family member")
    when: str = Field("", description="When, e.g. every morning from 7.30 to 8.15")


class PlanIn(Schema):
    person_id: int
    goals: str = Field(..., description="The person's goals, in their own words")
    needs: list[NeedIO]
    contingency: str = Field(
        "", description="What happens if the usual support cannot be given, and whom to call"
    )
    delivery_mechanism: str = Field("", description="CLD Delivery Mechanism, e.g. Direct payment")
    agreed_weekly_pence: int | None = None
    starts_on: dt.date | None = None


class PlanVersionIn(Schema):
    reason: str = ""
    goals: str | None = None
    needs: list[NeedIO] | None = None
    contingency: str | None = None
    delivery_mechanism: str | None = None
    agreed_weekly_pence: int | None = None
    starts_on: dt.date | None = None


class PlanOut(Schema):
    id: int
    person_id: int
    version: int
    previous_id: int | None
    status: str
    goals: str
    needs: list[NeedIO]
    contingency: str
    indicative_weekly_pence: int | None
    agreed_weekly_pence: int | None
    delivery_mechanism: str
    starts_on: dt.date | None
    agreed_on: dt.date | None
    assessment_id: int | None


class PrefillNeedOut(Schema):
    outcome_code: str
    label: str
    limbs: list[str]
    notes: str


class PrefillOut(Schema):
    assessment_id: int | None
    needs: list[PrefillNeedOut]
    points: int | None
    indicative_weekly_pence: int | None
    goals: str


class SignOffIn(Schema):
    approve: bool = True
    note: str = ""


class ReviewCompleteIn(Schema):
    completed_on: dt.date
    started_on: dt.date | None = None
    method: str = Field(..., description="Method of Review, e.g. Face to face")
    outcomes_achieved: str = Field(..., description="Review Outcomes Achieved, e.g. Partially achieved")
    what_followed: str = Field(
        ..., description="no_change, increase, decrease, residential, nursing or ended"
    )
    notes: str = ""


class ReviewOut(Schema):
    id: int
    person_id: int
    plan_id: int | None
    reason: str
    due_on: dt.date
    status: str
    method: str
    completed_on: dt.date | None
    outcomes_achieved: str
    what_followed: str
    outcome: str = Field(..., description="CLD event outcome")


class OverdueOut(Schema):
    review_id: int
    person_id: int
    la_person_id: str
    due_on: dt.date
    days_overdue: int
    reason: str


class ErrorOut(Schema):
    detail: str
    errors: list[dict] = []


def _plan_out(plan) -> dict:
    return {
        "id": plan.pk,
        "person_id": plan.person_id,
        "version": plan.version,
        "previous_id": plan.previous_id,
        "status": plan.status,
        "goals": plan.goals,
        "contingency": plan.contingency,
        "indicative_weekly_pence": plan.indicative_weekly_pence,
        "agreed_weekly_pence": plan.agreed_weekly_pence,
        "delivery_mechanism": plan.delivery_mechanism,
        "starts_on": plan.starts_on,
        "agreed_on": plan.agreed_on,
        "assessment_id": plan.assessment_id,
        "needs": [
            {
                "outcome_code": n.outcome_code,
                "meet_by": n.meet_by,
                "description": n.description,
                "who": n.who,
                "when": n.when,
            }
            for n in selectors.plan_needs(plan)
        ],
    }


@router.get(
    "/reviews/overdue", response={200: list[OverdueOut]}, summary="Overdue reviews (mine, or my teams')"
)
def overdue(request: HttpRequest, teams: bool = False, limit: int = 500):
    team_ids = list(request.user.teams.values_list("id", flat=True)) if teams else None
    rows = selectors.overdue_reviews(user=request.user, team_ids=team_ids)[: max(1, min(limit, 2000))]
    return [
        {
            "review_id": r.pk,
            "person_id": r.person_id,
            "la_person_id": r.person.la_person_id,
            "due_on": r.due_on,
            "days_overdue": r.waited.days,
            "reason": r.reason,
        }
        for r in rows
    ]


@router.post(
    "/reviews/{review_id}/complete",
    response={200: ReviewOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut},
    summary="Complete a review (the next one is scheduled)",
)
def review_complete(request: HttpRequest, review_id: int, payload: ReviewCompleteIn):
    review, record = selectors.review_get(user=request.user, review_id=review_id, purpose="api complete")
    return plan_writes.review_complete(record=record, review=review, **payload.dict())


@router.get(
    "/people/{person_id}/prefill",
    response={200: PrefillOut, 403: ErrorOut, 404: ErrorOut},
    summary="The eligible needs and indicative budget a new plan starts from",
)
def prefill(request: HttpRequest, person_id: int):
    person, _ = people_selectors.person_get(user=request.user, person_id=person_id, purpose="api plan")
    p = selectors.plan_prefill(user=request.user, person=person)
    return {
        "assessment_id": p.assessment.pk if p.assessment else None,
        "points": p.points,
        "indicative_weekly_pence": p.indicative_weekly_pence,
        "goals": p.goals,
        "needs": [
            {"outcome_code": n.code, "label": n.label, "limbs": list(n.limbs), "notes": n.notes}
            for n in p.needs
        ],
    }


@router.post(
    "",
    response={201: PlanOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut},
    summary="Create a plan (a draft; the indicative budget comes from the latest eligible assessment)",
)
def create(request: HttpRequest, payload: PlanIn):
    record = people_selectors.person_open(user=request.user, person_id=payload.person_id, purpose="api plan")
    data = payload.dict()
    data.pop("person_id")
    assessment = selectors.plan_prefill(user=request.user, person=record.person).assessment
    plan = plan_writes.plan_create(record=record, assessment=assessment, **data)
    return Status(201, _plan_out(plan))


@router.get(
    "/{plan_id}", response={200: PlanOut, 403: ErrorOut, 404: ErrorOut}, summary="Read a plan version"
)
def read(request: HttpRequest, plan_id: int):
    plan, _ = selectors.plan_get(user=request.user, plan_id=plan_id, purpose="api")
    return _plan_out(plan)


@router.post(
    "/{plan_id}/agree",
    response={200: PlanOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut},
    summary="Agree a draft plan (goes to a team manager first when sign-off is required)",
)
def agree(request: HttpRequest, plan_id: int):
    plan, record = selectors.plan_get(user=request.user, plan_id=plan_id, purpose="api agree")
    return _plan_out(plan_writes.plan_agree(record=record, plan=plan))


@router.post(
    "/{plan_id}/sign-off",
    response={200: PlanOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut},
    summary="A team manager signs off a plan, or returns it with a note",
)
def sign_off(request: HttpRequest, plan_id: int, payload: SignOffIn):
    plan, record = selectors.plan_get(user=request.user, plan_id=plan_id, purpose="api sign off")
    return _plan_out(plan_writes.plan_sign_off(record=record, plan=plan, **payload.dict()))


@router.post(
    "/{plan_id}/versions",
    response={201: PlanOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut},
    summary="Create version n+1 of an agreed plan (as a draft; the agreed version is kept)",
)
def new_version(request: HttpRequest, plan_id: int, payload: PlanVersionIn):
    plan, record = selectors.plan_get(user=request.user, plan_id=plan_id, purpose="api new version")
    data = payload.dict()
    new = plan_writes.plan_new_version(record=record, plan=plan, **data)
    return Status(201, _plan_out(new))
