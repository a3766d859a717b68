"""Timeline entries owned by the person record: creation, merges, changes to details, deaths."""

from __future__ import annotations

from openasc.core.models import AuditAction, AuditEvent
from openasc.core.timeline import USER_FIELDS, TimelineEntry, register

_LABELS = {
    AuditAction.CREATE: "Record created",
    AuditAction.UPDATE: "Details changed",
    AuditAction.MERGE: "Duplicate record merged",
}


@register
def person_record_events(person):
    events = (
        AuditEvent.objects.filter(person_id=person.pk, object_type="people.person", action__in=list(_LABELS))
        .select_related("actor")
        .only("occurred_at", "action", "details", *(f"actor__{f}" for f in USER_FIELDS))
        .order_by("-occurred_at")[:200]
    )
    for e in events:
        detail = ""
        if e.action == AuditAction.UPDATE:
            detail = "Changed: " + ", ".join(k.replace("_", " ") for k in e.details.get("changes", {}))
        elif e.action == AuditAction.MERGE:
            detail = f"{e.details.get('merged', '')} merged into {e.details.get('kept', '')}"
        yield TimelineEntry(
            when=e.occurred_at,
            title=str(_LABELS[e.action]),
            who=e.actor.display_name,
            detail=detail,
            kind="record",
        )
