"""Timeline entries for assessments: started, completed (with the eligibility decision), signed off, returned,
cancelled (with the reason)."""

from __future__ import annotations

from openasc.assessments.models import AssessmentStatus, AssessmentStatusChange
from openasc.core.timeline import USER_FIELDS, TimelineEntry, href_for, register


@register
def assessment_events(person):
    rows = (
        AssessmentStatusChange.objects.filter(assessment__person=person)
        .select_related("assessment", "changed_by")
        .only(
            "status",
            "changed_at",
            "note",
            *(f"changed_by__{f}" for f in USER_FIELDS),
            "assessment__kind",
            "assessment__assessment_type",
            "assessment__method",
        )
        .order_by("-changed_at", "-pk")[:200]
    )
    link = href_for("assessments:detail")
    for row in rows:
        a = row.assessment
        kind = a.get_kind_display()
        href = link(a.pk)
        if row.note == "Started":
            title, detail = (
                f"{kind} started",
                f"{a.assessment_type}" + (f", {a.method.lower()}" if a.method else ""),
            )
        elif row.note.startswith("Completed: "):
            decision, _, outcome = row.note.removeprefix("Completed: ").partition("; ")
            title = f"{kind} completed: {decision}"
            detail = outcome + (
                " – waiting for sign-off" if row.status == AssessmentStatus.AWAITING_SIGN_OFF else ""
            )
        elif row.note.startswith("Signed off"):
            title, detail = f"{kind} signed off", ""
        elif row.note.startswith("Returned"):
            title, detail = f"{kind} returned to the assessor", ""
        elif row.status == AssessmentStatus.CANCELLED:
            title, detail = f"{kind} cancelled", row.note.removeprefix("Cancelled: ")
        else:
            title, detail = f"{kind}: {row.status.replace('_', ' ')}", row.note
        yield TimelineEntry(
            when=row.changed_at,
            title=title,
            who=row.changed_by.display_name,
            detail=detail,
            href=href,
            kind="assessment",
        )
