"""Timeline entries for services: started, cost or hours changed, ended (from the audit trail of each write)."""

from __future__ import annotations

from openasc.core.models import AuditEvent
from openasc.core.money import pounds
from openasc.core.timeline import USER_FIELDS, TimelineEntry, href_for, register

_EVENTS = ("service_started", "service_cost_changed", "service_ended")


@register
def service_events(person):
    events = (
        AuditEvent.objects.filter(
            person_id=person.pk,
            object_type__in=["services.service", "services.servicecost"],
            action__in=["create", "update"],
        )
        .select_related("actor")
        .only("occurred_at", "object_id", "details", *(f"actor__{f}" for f in USER_FIELDS))
        .order_by("-occurred_at")[:300]
    )
    link = href_for("services:detail")
    for e in events:
        kind = (e.details or {}).get("event")
        if kind not in _EVENTS:
            continue
        if kind == "service_started":
            href = link(e.object_id)
            detail = ", ".join(
                x for x in (e.details.get("service_component"), f"from {e.details.get('start_on')}") if x
            )
            yield TimelineEntry(
                when=e.occurred_at,
                title=f"Service started: {e.details.get('service_type')}",
                who=e.actor.display_name,
                detail=detail,
                href=href,
                kind="service",
            )
        elif kind == "service_cost_changed":
            href = link(e.details.get("service"))
            weekly = e.details.get("weekly_pence")
            detail = f"From {e.details.get('effective_from')}: " + (
                f"{pounds(weekly)} a week" if weekly is not None else e.details.get("cost_frequency", "")
            )
            yield TimelineEntry(
                when=e.occurred_at,
                title="Service cost or hours changed",
                who=e.actor.display_name,
                detail=detail,
                href=href,
                kind="service",
            )
        else:
            href = link(e.object_id)
            yield TimelineEntry(
                when=e.occurred_at,
                title="Service ended",
                who=e.actor.display_name,
                detail=f"{e.details.get('end_on')}: {e.details.get('outcome')}",
                href=href,
                kind="service",
            )
