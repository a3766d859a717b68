"""Requests for support over JSON: the same services, selectors, access rules and audit as the pages."""

from __future__ import annotations

import datetime as dt

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema
from ninja.responses import Status

from openasc.core.errors import ValidationFailed
from openasc.frontdoor import selectors, services
from openasc.frontdoor.models import SupportRequest
from openasc.people.models import Person

router = Router(tags=["requests"])


class RequestIn(Schema):
    person_id: int
    received_on: dt.date | None = Field(None, description="Not in the future")
    route_of_access: str = Field("", description="A value of the 'Request: Route of Access' list")
    contact_by: str = Field(
        ...,
        description="self, family, carer, gp, hospital, police, housing, provider, professional or anonymous",
    )
    contact_name: str = ""
    contact_phone: str = ""
    what_matters: str = Field(..., description="What matters to the person, in their words")
    reason: str = ""
    urgency: str = Field("routine", description="urgent, soon or routine")
    client_type: str = Field("Service user", description="Service user or Unpaid carer")


class TriageIn(Schema):
    decision: str = Field(
        ...,
        description="information_and_advice, signposting, short_term_support, assessment, "
        "support_planning, safeguarding or no_further_action",
    )
    triaged_on: dt.date | None = Field(None, description="Defaults to today")
    team: int | None = Field(
        None, description="Team id: required for short-term support, assessment and support planning"
    )
    information_given: str = Field("", description="Required for information and advice, and signposting")
    nfa_outcome: str = Field(
        "", description="For no further action: the CLD event outcome, e.g. 'NFA: Support declined'"
    )
    outcome_reason: str = Field("", description="Required for no further action")


class CancelIn(Schema):
    reason: str = Field(..., description="Why the request was recorded in error (wrong person, duplicate...)")


class RequestOut(Schema):
    id: int
    person_id: int
    la_person_id: str
    received_on: dt.date
    route_of_access: str
    contact_by: str
    contact_name: str
    contact_phone: str
    what_matters: str
    reason: str
    urgency: str
    client_type: str
    status: str
    decision: str
    outcome: str
    outcome_reason: str
    information_given: str
    triaged_on: dt.date | None
    concluded_on: dt.date | None
    team: int | None
    team_name: str


class WaitingRowOut(Schema):
    request_id: int
    person_id: int
    la_person_id: str
    name: str
    received_on: dt.date
    waited_days: int
    urgency: str
    decision: str
    team: int | None
    team_name: str


class WaitingOut(Schema):
    list: str
    title: str
    counts: dict[str, int]
    teams: list[int] = Field(..., description="The teams filtered on; empty means all teams")
    sort: str
    page: int
    pages: int
    total: int
    results: list[WaitingRowOut]


class ErrorOut(Schema):
    detail: str
    errors: list[dict] = []


def _out(req: SupportRequest) -> dict:
    return {
        "id": req.pk,
        "person_id": req.person_id,
        "la_person_id": req.person.la_person_id,
        "received_on": req.received_on,
        "route_of_access": req.route_of_access,
        "contact_by": req.contact_by,
        "contact_name": req.contact_name,
        "contact_phone": req.contact_phone,
        "what_matters": req.what_matters,
        "reason": req.reason,
        "urgency": req.urgency,
        "client_type": req.client_type,
        "status": req.status,
        "decision": req.decision,
        "outcome": req.outcome,
        "outcome_reason": req.outcome_reason,
        "information_given": req.information_given,
        "triaged_on": req.triaged_on,
        "concluded_on": req.concluded_on,
        "team": req.team_id,
        "team_name": req.team.name if req.team_id else "",
    }


@router.get(
    "/waiting",
    response={200: WaitingOut, 422: ErrorOut},
    summary="People waiting for triage, for allocation or for an assessment",
)
def waiting(
    request: HttpRequest,
    list: str = Query("triage", description="triage, allocation or assessment"),
    team: str = Query("", description="A team id, 'all', or blank for the user's own teams"),
    sort: str = Query("longest", description="longest, shortest or urgency"),
    page: int = 1,
):
    if list not in selectors.LIST_TITLES:
        raise ValidationFailed({"list": "Choose triage, allocation or assessment"})
    if team not in ("", "all") and not team.isdigit():
        raise ValidationFailed({"team": "Give a team id, 'all', or leave it blank for your own teams"})
    team_ids = [] if team == "all" else ([int(team)] if team else None)
    lists = selectors.waiting_lists(
        user=request.user, team_ids=team_ids, list_name=list, page=page, sort=sort
    )
    return {
        "list": lists.list_name,
        "title": lists.title,
        "counts": lists.counts,
        "teams": lists.team_ids,
        "sort": lists.sort,
        "page": lists.page.number,
        "pages": lists.page.paginator.num_pages,
        "total": lists.page.paginator.count,
        "results": [
            {
                "request_id": row.request.pk,
                "person_id": row.person.pk,
                "la_person_id": row.person.la_person_id,
                "name": f"{row.person.first_name} {row.person.last_name}",
                "received_on": row.request.received_on,
                "waited_days": row.waited_days,
                "urgency": row.request.urgency,
                "decision": row.request.decision,
                "team": row.request.team_id,
                "team_name": row.team.name if row.team else "",
            }
            for row in lists.rows
        ],
    }


@router.post(
    "", response={201: RequestOut, 403: ErrorOut, 422: ErrorOut}, summary="Record a request for support"
)
def create(request: HttpRequest, payload: RequestIn):
    data = payload.dict()
    try:
        _, record = selectors.person_for_request(
            user=request.user, person_id=data.pop("person_id"), purpose="api record request"
        )
    except Person.DoesNotExist:
        raise ValidationFailed(
            {"person_id": "There is no person with that id: find or add them first"}
        ) from None
    req = services.request_record(record=record, **data)
    return Status(201, _out(req))


@router.get(
    "/{int:request_id}", response={200: RequestOut, 403: ErrorOut, 404: ErrorOut}, summary="Read a request"
)
def read(request: HttpRequest, request_id: int):
    req, _ = selectors.request_get(user=request.user, request_id=request_id, purpose="api")
    return _out(req)


@router.post(
    "/{int:request_id}/triage",
    response={200: RequestOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut},
    summary="Triage a request: decide what happens next",
)
def triage(request: HttpRequest, request_id: int, payload: TriageIn):
    req, record = selectors.request_get(user=request.user, request_id=request_id, purpose="api triage")
    data = payload.dict()
    team = selectors.team_by_id(data.pop("team"))
    if payload.team and team is None:
        raise ValidationFailed({"team": "There is no team with that id"})
    req = services.request_triage(record=record, request=req, team=team, **data)
    return _out(req)


@router.post(
    "/{int:request_id}/recorded-in-error",
    response={200: RequestOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut},
    summary="Mark a request as recorded in error: kept, no longer waiting, not counted in the returns",
)
def cancel(request: HttpRequest, request_id: int, payload: CancelIn):
    req, record = selectors.request_get(user=request.user, request_id=request_id, purpose="api cancel")
    return _out(services.request_cancel(record=record, request=req, reason=payload.reason))
