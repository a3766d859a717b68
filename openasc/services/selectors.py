"""Reads for services and their costs, for a given user, through the access rules."""

from __future__ import annotations

import datetime as dt

from openasc.core import access
from openasc.core.models import User
from openasc.services.models import Service, ServiceCost


def _check(user: User, person, purpose: str = "services") -> access.Access:
    return access.check(user, person, purpose)


def service_get(*, user: User, service_id: int, purpose: str = "view") -> tuple[Service, access.OpenedRecord]:
    """One service, if the user may open the person's record, with the record as opened (audited): what the service
    write services take."""
    service = Service.objects.select_related(
        "person", "plan", "provider_location__provider", "created_by"
    ).get(pk=service_id)
    return service, access.open_record(user, service.person, purpose, obj=service)


def services_for_person(*, user: User, person) -> list[Service]:
    """The person's services, current first, then by start date (newest first)."""
    _check(user, person)
    services = list(
        Service.objects.filter(person=person)
        .select_related("provider_location")
        .prefetch_related("costs")
        .order_by("-start_on", "-pk")
    )
    return sorted(services, key=lambda s: s.end_outcome != "")


def costs_of(service: Service) -> list[ServiceCost]:
    """Every cost version of a service the caller has opened, oldest first."""
    return list(service.costs.select_related("created_by").order_by("effective_from", "pk"))


def cost_on(service: Service, on: dt.date) -> ServiceCost | None:
    """The cost in force on a date: the latest version effective on or before it, within the service's dates."""
    if on < service.start_on or (service.end_on and on > service.end_on):
        return None
    prefetched = getattr(service, "_prefetched_objects_cache", {}).get("costs")
    if prefetched is not None:
        eligible = [c for c in prefetched if c.effective_from <= on]
        return max(eligible, key=lambda c: (c.effective_from, c.pk)) if eligible else None
    return service.costs.filter(effective_from__lte=on).order_by("-effective_from", "-pk").first()


def weekly_cost_on(service: Service, on: dt.date) -> int | None:
    """Weekly cost in pence on a date (None if not running then, one-off, or units unknown)."""
    cost = cost_on(service, on)
    return cost.weekly_pence if cost else None
