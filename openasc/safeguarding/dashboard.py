"""The safeguarding lead's pages: the queue of concerns awaiting a decision (with their timers), enquiries by stage
and officer, overdue protection-plan reviews, and the year's figures with a chart by month.

For Capability.SEE_SAFEGUARDING (safeguarding leads, team managers). Counts cover the whole council (they name
nobody); lists show only the adults whose record the user may open right now (access.may_open), and every adult
shown is audited (one event per concern, enquiry or plan, against the adult)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path
from django.utils import timezone

from openasc.core import access, audit
from openasc.core.models import AuditAction, User
from openasc.safeguarding import calendar, codes, sac
from openasc.safeguarding.selectors import queues
from openasc.ui.pagination import pagination
from openasc.ui.responses import forbidden

BASIS = "safeguarding lead"


def can_lead(user: User) -> bool:
    return access.has(user, access.Capability.SEE_SAFEGUARDING)


def _refused(request: HttpRequest) -> HttpResponse:
    access.refuse(
        request.user,
        person_id=None,
        purpose="safeguarding queues",
        explanation="the safeguarding queues are for safeguarding leads and team managers",
    )
    return forbidden(
        request,
        "You cannot see this page",
        "The safeguarding queues are for safeguarding leads and team managers.",
    )


def _audit_shown(user: User, objs: list, what: str) -> None:
    if objs:
        audit.record_many(actor=user, action=AuditAction.VIEW, objs=objs, basis=BASIS, details={"what": what})


# ---------------------------------------------------------------------------------------------------------------
# Pages
# ---------------------------------------------------------------------------------------------------------------
def _context(request, **extra) -> dict:
    today = timezone.localdate()
    listed = extra.get("listed")
    pages = pagination(listed.page, {}, label=extra.get("pages_label", "Pages")) if listed else None
    return {"active_nav": "safeguarding", "today": today, "pagination": pages, **extra}


def queue(request: HttpRequest) -> HttpResponse:
    """Concerns awaiting a decision, the most urgent first, each with its timer."""
    if not can_lead(request.user):
        return _refused(request)
    today = timezone.localdate()
    listed = queues.awaiting_decision(request.user, request.GET.get("page"))
    _audit_shown(request.user, listed.items, "concerns awaiting a decision")
    rows = []
    for c in listed.items:
        words, colour = calendar.timer(c.decision_due_on, today)
        rows.append(
            {
                "concern": c,
                "timer": words,
                "colour": colour,
                "referrer": codes.ReferrerKind(c.referrer_kind).label if c.referrer_kind else "",
            }
        )
    overdue = queues.overdue_decisions(today)
    return render(
        request,
        "safeguarding/queue.jinja",
        _context(
            request,
            title="Safeguarding concerns awaiting a decision",
            listed=listed,
            rows=rows,
            overdue=overdue,
            decision_days=calendar.decision_days(),
            tab="queue",
            pages_label="Pages of concerns awaiting a decision",
        ),
    )


def enquiries(request: HttpRequest) -> HttpResponse:
    if not can_lead(request.user):
        return _refused(request)
    stages, counts = queues.by_stage_and_officer()
    listed = queues.open_enquiries(request.user, request.GET.get("page"))
    _audit_shown(request.user, listed.items, "open safeguarding enquiries")
    return render(
        request,
        "safeguarding/queue_enquiries.jinja",
        _context(
            request,
            title="Safeguarding enquiries by stage and officer",
            stages=stages,
            counts=counts,
            listed=listed,
            tab="enquiries",
            pages_label="Pages of open enquiries",
        ),
    )


def plan_reviews(request: HttpRequest) -> HttpResponse:
    if not can_lead(request.user):
        return _refused(request)
    today = timezone.localdate()
    listed = queues.overdue_plan_reviews(request.user, today, request.GET.get("page"))
    _audit_shown(request.user, listed.items, "overdue protection plan reviews")
    rows = [{"plan": p, "late": (today - p.review_due_on).days} for p in listed.items]
    return render(
        request,
        "safeguarding/queue_plan_reviews.jinja",
        _context(
            request,
            title="Overdue protection plan reviews",
            listed=listed,
            rows=rows,
            tab="plans",
            pages_label="Pages of overdue plan reviews",
        ),
    )


def dashboard(request: HttpRequest) -> HttpResponse:
    """The year so far: concerns, enquiries, conversion rate, and a chart by month with its table."""
    if not can_lead(request.user):
        return _refused(request)
    today = timezone.localdate()
    year = sac.current_year(today)
    series = queues.months(year, today)
    figures = queues.figures(year, today, concerns=sum(m.concerns for m in series))
    audit.record(
        actor=request.user,
        action=AuditAction.VIEW,
        basis=BASIS,
        details={"what": "safeguarding dashboard", "year": sac.year_label(year)},
    )
    peak = max([max(m.concerns, m.enquiries) for m in series] or [0])
    return render(
        request,
        "safeguarding/dashboard.jinja",
        _context(
            request,
            title="Safeguarding: the year so far",
            year=year,
            year_label=sac.year_label(year),
            series=series,
            figures=figures,
            peak=peak,
            tab="dashboard",
            can_sac=sac.can_see(request.user),
        ),
    )


urlpatterns = [
    path("", queue, name="queue"),
    path("enquiries/", enquiries, name="enquiries"),
    path("plan-reviews/", plan_reviews, name="plan-reviews"),
    path("dashboard/", dashboard, name="dashboard"),
]
