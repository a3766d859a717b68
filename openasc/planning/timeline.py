"""Timeline entries for plans and reviews: plan created, new version, sent for sign-off, agreed; review scheduled,
completed."""

from __future__ import annotations

from django.db.models import Min

from openasc.core.money import pounds
from openasc.core.timeline import USER_FIELDS, TimelineEntry, href_for, register
from openasc.planning.models import PlanStatus, PlanStatusChange, ReviewStatus, ReviewStatusChange


@register
def plan_events(person):
    changes = (
        PlanStatusChange.objects.filter(plan__person=person)
        .select_related("plan", "changed_by")
        .only(
            "status",
            "changed_at",
            "note",
            *(f"changed_by__{f}" for f in USER_FIELDS),
            "plan__version",
            "plan__agreed_weekly_pence",
        )
        .order_by("-changed_at")[:200]
    )
    first_ids = set(
        PlanStatusChange.objects.filter(plan__person=person)
        .values("plan")
        .annotate(first=Min("pk"))
        .values_list("first", flat=True)
    )
    link = href_for("planning:detail")
    for c in changes:
        plan = c.plan
        href = link(plan.pk)
        if c.pk in first_ids:
            title = (
                "Care and support plan created"
                if plan.version == 1
                else f"New version of the plan ({plan.version})"
            )
            detail = c.note
        elif c.status == PlanStatus.DRAFT:
            title, detail = f"Plan version {plan.version} returned for changes", c.note
        elif c.status == PlanStatus.AWAITING_SIGN_OFF:
            title, detail = f"Plan version {plan.version} sent for sign-off", ""
        elif c.status == PlanStatus.AGREED:
            title = f"Plan version {plan.version} agreed"
            detail = (
                f"Personal budget {pounds(plan.agreed_weekly_pence)} a week"
                if plan.agreed_weekly_pence is not None
                else ""
            )
        else:
            title, detail = f"Plan version {plan.version} replaced", c.note
        yield TimelineEntry(
            when=c.changed_at,
            title=title,
            who=c.changed_by.display_name,
            detail=detail,
            href=href,
            kind="plan",
        )


@register
def review_events(person):
    changes = (
        ReviewStatusChange.objects.filter(review__person=person)
        .select_related("review", "changed_by")
        .only(
            "status",
            "changed_at",
            *(f"changed_by__{f}" for f in USER_FIELDS),
            "review__reason",
            "review__due_on",
            "review__what_followed",
            "review__outcome",
        )
        .order_by("-changed_at")[:200]
    )
    link = href_for("planning:review")
    for c in changes:
        review = c.review
        href = link(review.pk)
        if c.status == ReviewStatus.SCHEDULED:
            yield TimelineEntry(
                when=c.changed_at,
                title=f"Review scheduled ({review.reason})",
                who=c.changed_by.display_name,
                detail=f"Due {review.due_on:%-d %B %Y}",
                href=href,
                kind="review",
            )
        elif c.status == ReviewStatus.COMPLETED:
            yield TimelineEntry(
                when=c.changed_at,
                title="Review completed",
                who=c.changed_by.display_name,
                detail=f"{review.get_what_followed_display()} ({review.outcome})",
                href=href,
                kind="review",
            )
