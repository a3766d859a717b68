"""Timeline entries owned by the front door: requests received, triaged (decision and outcome), concluded."""

from __future__ import annotations

from openasc.core.timeline import USER_FIELDS, TimelineEntry, href_for, register
from openasc.frontdoor.models import RequestStatus, SupportRequestStatus, TriageDecision


@register
def request_events(person):
    rows = (
        SupportRequestStatus.objects.filter(request__person_id=person.pk)
        .select_related("changed_by", "request", "request__team")
        .only(
            "status",
            "changed_at",
            "note",
            *(f"changed_by__{f}" for f in USER_FIELDS),
            *(
                f"request__{f}"
                for f in ("received_on", "route_of_access", "urgency", "decision", "outcome", "concluded_on")
            ),
            "request__team__name",
        )
        .order_by("-changed_at", "-pk")[:300]
    )
    link = href_for("frontdoor:request")
    for row in rows:
        req = row.request
        href = link(req.pk)
        who = row.changed_by.display_name
        if row.status == RequestStatus.OPEN:
            detail = (
                f"Received {req.received_on:%-d %B %Y} ({req.route_of_access or 'route not recorded'}), "
                f"{req.get_urgency_display().split(':')[0].lower()}"
            )
            yield TimelineEntry(
                when=row.changed_at,
                title="Request for support received",
                who=who,
                detail=detail,
                href=href,
                kind="request",
            )
            continue
        decision = TriageDecision(req.decision).label if req.decision else ""
        if row.status == RequestStatus.ROUTED:
            yield TimelineEntry(
                when=row.changed_at,
                title=f"Request triaged: {decision}",
                who=who,
                detail=f"{req.outcome}. Passed to {req.team.name if req.team else 'a team'}",
                href=href,
                kind="request",
            )
        elif row.status == RequestStatus.CONCLUDED:
            yield TimelineEntry(
                when=row.changed_at,
                title=f"Request triaged and concluded: {decision}",
                who=who,
                detail=f"{req.outcome}" + (f" on {req.concluded_on:%-d %B %Y}" if req.concluded_on else ""),
                href=href,
                kind="request",
            )
        else:
            label = dict(RequestStatus.choices).get(row.status, row.status)
            yield TimelineEntry(
                when=row.changed_at,
                title=f"Request: {label.lower()}",
                who=who,
                detail=row.note,
                href=href,
                kind="request",
            )
