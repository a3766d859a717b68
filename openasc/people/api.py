"""People over JSON: the same services, selectors, access rules and audit as the pages."""

from __future__ import annotations

import datetime as dt

from django.http import HttpRequest
from ninja import Field, Router, Schema
from ninja.responses import Status

from openasc.core import apierrors
from openasc.core.errors import ValidationFailed
from openasc.people import selectors, services
from openasc.people.models import Person

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


# A body the schema refuses (a date that is no date) still gets the service's checks of its other fields.
apierrors.register("POST", "api/people", services.person_check)
apierrors.register("PATCH", "api/people/<person_id>", services.person_check)

__all__ = ["Person", "router"]
