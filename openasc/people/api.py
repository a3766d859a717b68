"""People over JSON: the same services, selectors, access rules and audit as the pages."""

from __future__ import annotations

import datetime as dt

from django.http import HttpRequest
from ninja import Field, Router, Schema
from ninja.responses import Status

from openasc.core import apierrors
from openasc.core.errors import ValidationFailed
from openasc.people import selectors, services
from openasc.people.models import AlertKind, CarerLink, ContactKind, Person

router = Router(tags=["people"])


class PersonIn(Schema):
    first_name: str
    last_name: str
    middle_names: str = ""
    preferred_name: str = ""
    nhs_number: str = Field("", description="10 digits; spaces allowed")
    date_of_birth: dt.date | None = None
    date_of_death: dt.date | None = None
    gender: str = ""
    ethnicity: str = ""
    primary_support_reason: str = ""
    accommodation_status: str = ""
    employment_status: str = ""
    client_type: str = ""
    funding_status: str = ""
    address_line_1: str = ""
    address_line_2: str = ""
    town: str = ""
    postcode: str = ""
    phone: str = ""
    email: str = ""
    confirm_not_duplicate: bool = Field(
        False, description="Create even though a person with the same name and date of birth exists"
    )


class PersonPatch(Schema):
    first_name: str | None = None
    last_name: str | None = None
    middle_names: str | None = None
    preferred_name: str | None = None
    nhs_number: str | None = None
    date_of_birth: dt.date | None = None
    date_of_death: dt.date | None = None
    gender: str | None = None
    ethnicity: str | None = None
    primary_support_reason: str | None = None
    accommodation_status: str | None = None
    employment_status: str | None = None
    client_type: str | None = None
    funding_status: str | None = None
    address_line_1: str | None = None
    address_line_2: str | None = None
    town: str | None = None
    postcode: str | None = None
    phone: str | None = None
    email: str | None = None


class PersonOut(Schema):
    id: int
    la_person_id: str
    nhs_number: str
    first_name: str
    middle_names: str
    last_name: str
    preferred_name: str
    date_of_birth: dt.date | None
    date_of_death: dt.date | None
    gender: str
    ethnicity: str
    primary_support_reason: str
    accommodation_status: str
    employment_status: str
    client_type: str
    funding_status: str
    address_line_1: str
    address_line_2: str
    town: str
    postcode: str
    phone: str
    email: str


class SearchHitOut(Schema):
    id: int
    la_person_id: str
    name: str
    date_of_birth: dt.date | None
    nhs_number: str
    postcode: str
    score: float
    can_open: bool
    restricted: bool = Field(
        False, description="A restricted record you cannot open: only its person id is given"
    )


class SearchOut(Schema):
    query: str
    interpreted_as: list[str]
    results: list[SearchHitOut]


class DuplicateOut(Schema):
    detail: str
    candidates: list[SearchHitOut]


class ErrorOut(Schema):
    detail: str
    errors: list[dict] = []


@router.get("", response={200: SearchOut, 422: ErrorOut}, summary="Search for people")
def search(request: HttpRequest, q: str):
    if not q.strip():
        raise ValidationFailed({"q": "Enter a name, NHS number, date of birth, postcode or person id"})
    results = selectors.person_search(user=request.user, query=q)
    return {
        "query": q,
        "interpreted_as": results.interpreted_as,
        "results": [
            {
                "id": h.person.pk,
                "la_person_id": h.person.la_person_id,
                "name": f"{h.person.first_name} {h.person.last_name}".strip(),
                "date_of_birth": h.person.date_of_birth,
                "nhs_number": h.person.nhs_number,
                "postcode": h.person.postcode,
                "score": h.score,
                "can_open": h.can_open,
                "restricted": h.restricted,
            }
            for h in results.hits
        ],
    }


@router.get("/{person_id}", response={200: PersonOut, 403: ErrorOut, 404: ErrorOut}, summary="Read a person")
def read(request: HttpRequest, person_id: int):
    person, _ = selectors.person_get(user=request.user, person_id=person_id, purpose="api")
    return person


@router.post(
    "", response={201: PersonOut, 409: DuplicateOut, 422: ErrorOut, 403: ErrorOut}, summary="Create a person"
)
def create(request: HttpRequest, payload: PersonIn):
    data = payload.dict()
    confirm = data.pop("confirm_not_duplicate")
    try:
        person = services.person_create(actor=request.user, data=data, confirm_not_duplicate=confirm)
    except services.PossibleDuplicate as exc:
        detail = (
            exc.message
            if exc.nhs_clash
            else f"{exc.message} To create it anyway, send confirm_not_duplicate=true."
        )
        return Status(
            409,
            {
                "detail": detail,
                "candidates": [
                    {
                        "id": c.pk,
                        "la_person_id": c.la_person_id,
                        "name": f"{c.first_name} {c.last_name}",
                        "date_of_birth": c.date_of_birth,
                        "nhs_number": c.nhs_number,
                        "postcode": c.postcode,
                        "score": 100.0,
                        "can_open": c.pk in exc.openable,
                    }
                    for c in exc.candidates
                ],
            },
        )
    return Status(201, person)


@router.patch(
    "/{person_id}",
    response={200: PersonOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut},
    summary="Change some of a person's details",
)
def update(request: HttpRequest, person_id: int, payload: PersonPatch):
    record = selectors.person_open(user=request.user, person_id=person_id, purpose="api update")
    return services.person_update(record=record, data=payload.dict(exclude_unset=True))


# --- The rest of the record: contacts, carers, alerts, allocations ------------------------------------------------


class ContactIn(Schema):
    kind: str = Field(description="One of: " + ", ".join(ContactKind.values))
    name: str
    relationship: str = ""
    phone: str = ""
    email: str = ""
    notes: str = ""


class ContactOut(Schema):
    id: int
    kind: str
    name: str
    relationship: str
    phone: str
    email: str
    notes: str


class CarerLinkIn(Schema):
    carer_id: int = Field(description="The id of the carer's own record (a person you may open)")
    relationship: str = ""
    lives_with: bool = False
    started_on: dt.date | None = None


class CarerLinkOut(Schema):
    id: int
    carer_id: int
    cared_for_id: int
    relationship: str
    lives_with: bool
    started_on: dt.date | None


class CarersOut(Schema):
    carers: list[CarerLinkOut] = Field(description="Unpaid carers who care for this person")
    caring_for: list[CarerLinkOut] = Field(description="People this person cares for")


class AlertIn(Schema):
    kind: str = Field(description="One of: " + ", ".join(AlertKind.values))
    description: str
    starts_on: dt.date | None = None
    ends_on: dt.date | None = None


class AlertEndIn(Schema):
    ends_on: dt.date | None = None


class AlertOut(Schema):
    id: int
    kind: str
    description: str
    starts_on: dt.date
    ends_on: dt.date | None


class AllocationIn(Schema):
    team_id: int | None = None
    worker_id: int | None = Field(None, description="The member of staff's user id")


class AllocationOut(Schema):
    id: int
    kind: str = Field(description="allocated_team or allocated_worker")
    team: str | None
    worker: str | None
    since: dt.datetime


def _link(link: CarerLink) -> dict:
    return {
        "id": link.pk,
        "carer_id": link.carer_id,
        "cared_for_id": link.cared_for_id,
        "relationship": link.relationship,
        "lives_with": link.lives_with,
        "started_on": link.started_on,
    }


def _allocation(rel) -> dict:
    return {
        "id": rel.pk,
        "kind": rel.kind,
        "team": rel.team.name if rel.team_id else None,
        "worker": rel.user.display_name if rel.user_id else None,
        "since": rel.starts_at,
    }


@router.get(
    "/{person_id}/contacts",
    response={200: list[ContactOut], 403: ErrorOut, 404: ErrorOut},
    summary="A person's contacts",
)
def contacts(request: HttpRequest, person_id: int):
    return selectors.person_contacts(user=request.user, person_id=person_id)


@router.post(
    "/{person_id}/contacts",
    response={201: ContactOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut},
    summary="Add a contact",
)
def contact_add(request: HttpRequest, person_id: int, payload: ContactIn):
    record = selectors.person_open(user=request.user, person_id=person_id, purpose="api add contact")
    return Status(201, services.contact_add(actor=request.user, person=record.person, **payload.dict()))


@router.get(
    "/{person_id}/carers",
    response={200: CarersOut, 403: ErrorOut, 404: ErrorOut},
    summary="A person's unpaid carers, and the people they care for",
)
def carers(request: HttpRequest, person_id: int):
    cared_by, caring_for = selectors.person_carer_links(user=request.user, person_id=person_id)
    return {"carers": [_link(x) for x in cared_by], "caring_for": [_link(x) for x in caring_for]}


@router.post(
    "/{person_id}/carers",
    response={201: CarerLinkOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut},
    summary="Link an unpaid carer (who has their own record) to the person they care for",
)
def carer_add(request: HttpRequest, person_id: int, payload: CarerLinkIn):
    record = selectors.person_open(user=request.user, person_id=person_id, purpose="api link carer")
    carer = selectors.person_open(
        user=request.user, person_id=payload.carer_id, purpose="api link carer"
    ).person
    link = services.carer_link_create(
        actor=request.user,
        carer=carer,
        cared_for=record.person,
        relationship=payload.relationship,
        lives_with=payload.lives_with,
        started_on=payload.started_on,
    )
    return Status(201, _link(link))


@router.get(
    "/{person_id}/alerts",
    response={200: list[AlertOut], 403: ErrorOut, 404: ErrorOut},
    summary="A person's current and future alerts",
)
def alerts(request: HttpRequest, person_id: int):
    return selectors.person_alerts(user=request.user, person_id=person_id)


@router.post(
    "/{person_id}/alerts",
    response={201: AlertOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut},
    summary="Add an alert staff need to know before they visit or call",
)
def alert_add(request: HttpRequest, person_id: int, payload: AlertIn):
    record = selectors.person_open(user=request.user, person_id=person_id, purpose="api add alert")
    return Status(201, services.alert_add(actor=request.user, person=record.person, **payload.dict()))


@router.post(
    "/{person_id}/alerts/{alert_id}/end",
    response={200: AlertOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut},
    summary="End an alert",
)
def alert_end(request: HttpRequest, person_id: int, alert_id: int, payload: AlertEndIn):
    alert, record = selectors.person_alert(user=request.user, person_id=person_id, alert_id=alert_id)
    return services.alert_end(actor=record.user, alert=alert, ends_on=payload.ends_on)


@router.get(
    "/{person_id}/allocations",
    response={200: list[AllocationOut], 403: ErrorOut, 404: ErrorOut},
    summary="Who the person is allocated to now (teams and workers)",
)
def allocations(request: HttpRequest, person_id: int):
    from openasc.frontdoor import selectors as frontdoor_selectors

    context = frontdoor_selectors.allocation_context(user=request.user, person_id=person_id)
    return [_allocation(r) for r in context.allocations]


@router.post(
    "/{person_id}/allocations",
    response={201: list[AllocationOut], 403: ErrorOut, 404: ErrorOut, 422: ErrorOut},
    summary="Allocate the person to a team, a worker, or both",
)
def allocate(request: HttpRequest, person_id: int, payload: AllocationIn):
    from openasc.core.models import Team, User
    from openasc.frontdoor import selectors as frontdoor_selectors
    from openasc.frontdoor import services as frontdoor_services

    context = frontdoor_selectors.allocation_context(user=request.user, person_id=person_id)
    errors: dict[str, str] = {}
    team = worker = None
    if payload.team_id is not None:
        team = Team.objects.filter(pk=payload.team_id).first()
        if team is None:
            errors["team_id"] = "There is no team with that id"
    if payload.worker_id is not None:
        worker = User.objects.filter(pk=payload.worker_id, is_active=True).first()
        if worker is None:
            errors["worker_id"] = "There is no active member of staff with that id"
    if errors:
        raise ValidationFailed(errors)
    made = frontdoor_services.allocation_create(record=context.record, team=team, worker=worker)
    return Status(201, [_allocation(r) for r in made])


@router.post(
    "/{person_id}/allocations/{allocation_id}/end",
    response={200: AllocationOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut},
    summary="End an allocation to a team or a worker",
)
def allocation_end(request: HttpRequest, person_id: int, allocation_id: int):
    from openasc.frontdoor import selectors as frontdoor_selectors
    from openasc.frontdoor import services as frontdoor_services

    relationship, record = frontdoor_selectors.allocation_get(
        user=request.user, person_id=person_id, relationship_id=allocation_id
    )
    return _allocation(frontdoor_services.allocation_end(record=record, relationship=relationship))


# A body the schema refuses (a date that is no date) still gets the service's checks of its other fields.
apierrors.register("POST", "api/people", services.person_check, PersonIn)
apierrors.register("PATCH", "api/people/<person_id>", services.person_check, PersonPatch)

__all__ = ["Person", "router"]
