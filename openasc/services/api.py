"""Services over JSON: start, read, change the cost or hours, end. Same services, access rules and audit as pages."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.http import HttpRequest
from django.utils import timezone
from ninja import Field, Router, Schema
from ninja.responses import Status

from openasc.core.errors import ValidationFailed
from openasc.people import selectors as people_selectors
from openasc.planning import selectors as plan_selectors
from openasc.providers import selectors as provider_selectors
from openasc.providers.models import ProviderLocation
from openasc.services import selectors
from openasc.services import services as service_writes

router = Router(tags=["services"])


class ServiceIn(Schema):
    person_id: int
    service_type: str = Field(..., description="CLD Service Type, e.g. Long term support: Community")
    service_component: str = ""
    provider_location_id: int | None = None
    start_on: dt.date
    end_on: dt.date | None = None
    unit_cost: Decimal = Field(..., description="Pounds, at most 2 decimal places, e.g. 22.50")
    cost_frequency: str = Field(..., description="CLD Cost Frequency (Unit Type), e.g. Hourly, Weekly")
    planned_units_per_week: Decimal | None = Field(
        None, description="Needed for hourly, daily, per-session costs"
    )
    delivery_mechanism: str = ""
    description: str = ""
    plan_id: int | None = Field(None, description="The agreed plan the service meets")


class CostIn(Schema):
    effective_from: dt.date
    unit_cost: Decimal
    cost_frequency: str
    planned_units_per_week: Decimal | None = None
    reason: str = ""


class EndIn(Schema):
    end_on: dt.date
    outcome: str = Field(..., description="CLD Event Outcome, e.g. NFA: Support ended as planned")


class CostOut(Schema):
    effective_from: dt.date
    unit_cost_pence: int
    cost_frequency: str
    planned_units_per_week: Decimal | None
    weekly_pence: int | None
    reason: str


class ServiceOut(Schema):
    id: int
    person_id: int
    plan_id: int | None
    service_type: str
    service_component: str
    provider_location_id: int | None
    provider_cqc_location_id: str
    delivery_mechanism: str
    start_on: dt.date
    end_on: dt.date | None
    end_outcome: str
    weekly_cost_pence_today: int | None
    costs: list[CostOut]


class CostOnOut(Schema):
    on: dt.date
    cost: CostOut | None
    weekly_pence: int | None


class ErrorOut(Schema):
    detail: str
    errors: list[dict] = []


def _cost_out(c) -> dict:
    return {
        "effective_from": c.effective_from,
        "unit_cost_pence": c.unit_cost_pence,
        "cost_frequency": c.cost_frequency,
        "planned_units_per_week": c.planned_units_per_week,
        "weekly_pence": c.weekly_pence,
        "reason": c.reason,
    }


def _service_out(service) -> dict:
    loc = service.provider_location
    return {
        "id": service.pk,
        "person_id": service.person_id,
        "plan_id": service.plan_id,
        "service_type": service.service_type,
        "service_component": service.service_component,
        "provider_location_id": service.provider_location_id,
        "provider_cqc_location_id": loc.cqc_location_id if loc else "",
        "delivery_mechanism": service.delivery_mechanism,
        "start_on": service.start_on,
        "end_on": service.end_on,
        "end_outcome": service.end_outcome,
        "weekly_cost_pence_today": selectors.weekly_cost_on(service, timezone.localdate()),
        "costs": [_cost_out(c) for c in selectors.costs_of(service)],
    }


@router.post(
    "",
    response={201: ServiceOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut},
    summary="Start a service (its reviews are scheduled automatically)",
)
def start(request: HttpRequest, payload: ServiceIn):
    record = people_selectors.person_open(
        user=request.user, person_id=payload.person_id, purpose="api service"
    )
    data = payload.dict()
    data.pop("person_id")
    plan_id = data.pop("plan_id")
    location_id = data.pop("provider_location_id")
    plan = (
        plan_selectors.plan_get(user=request.user, plan_id=plan_id, purpose="api service")[0]
        if plan_id
        else None
    )
    location = None
    if location_id:
        try:
            location = provider_selectors.location_get(user=request.user, location_id=location_id)
        except ProviderLocation.DoesNotExist:
            raise ValidationFailed(
                {"provider_location_id": "There is no provider location with this id"}
            ) from None
    service = service_writes.service_start(record=record, plan=plan, provider_location=location, **data)
    return Status(201, _service_out(service))


@router.get(
    "/{service_id}", response={200: ServiceOut, 403: ErrorOut, 404: ErrorOut}, summary="Read a service"
)
def read(request: HttpRequest, service_id: int):
    service, _ = selectors.service_get(user=request.user, service_id=service_id, purpose="api")
    return _service_out(service)


@router.get(
    "/{service_id}/cost",
    response={200: CostOnOut, 403: ErrorOut, 404: ErrorOut},
    summary="The cost in force on a date (today if not given)",
)
def cost_on(request: HttpRequest, service_id: int, on: dt.date | None = None):
    service, _ = selectors.service_get(user=request.user, service_id=service_id, purpose="api cost")
    on = on or timezone.localdate()
    cost = selectors.cost_on(service, on)
    return {
        "on": on,
        "cost": _cost_out(cost) if cost else None,
        "weekly_pence": cost.weekly_pence if cost else None,
    }


@router.post(
    "/{service_id}/costs",
    response={201: CostOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut},
    summary="Change the cost or hours from a date (earlier costs are kept)",
)
def cost_change(request: HttpRequest, service_id: int, payload: CostIn):
    service, record = selectors.service_get(
        user=request.user, service_id=service_id, purpose="api cost change"
    )
    cost = service_writes.service_cost_change(record=record, service=service, **payload.dict())
    return Status(201, _cost_out(cost))


@router.post(
    "/{service_id}/end",
    response={200: ServiceOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut},
    summary="End a service with its CLD event outcome",
)
def end(request: HttpRequest, service_id: int, payload: EndIn):
    service, record = selectors.service_get(user=request.user, service_id=service_id, purpose="api end")
    service = service_writes.service_end(record=record, service=service, **payload.dict())
    service, _ = selectors.service_get(user=request.user, service_id=service.pk, purpose="api")
    return _service_out(service)
