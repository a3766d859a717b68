"""The safeguarding lead's queues: concerns awaiting a decision, open enquiries, overdue protection-plan reviews, and the
year's figures by month. Counts cover the whole council (they name nobody); lists hold only the adults whose record
the user may open right now (access.may_open): the caller audits each one it shows."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.core.paginator import Page, Paginator
from django.db.models import Count
from django.db.models.functions import TruncMonth

from openasc.core import access
from openasc.core.models import User
from openasc.safeguarding import sac
from openasc.safeguarding.codes import EnquiryKind
from openasc.safeguarding.models import (
    OPEN_ENQUIRY,
    Concern,
    ConcernStatus,
    Enquiry,
    EnquiryStatus,
    ProtectionPlan,
)

PAGE_SIZE = 25  # a page of a list, as the waiting lists


# ---------------------------------------------------------------------------------------------------------------
# The safeguarding lead's queues (dashboard.py shows them)
# ---------------------------------------------------------------------------------------------------------------
@dataclass
class Listed:
    items: list  # this page of them
    total: int  # in the council, whoever may open them
    hidden: int  # of those, records this user may not open
    page: Page


def _listed(user: User, qs, order: tuple[str, ...], page: int | str | None) -> Listed:
    total = qs.count()
    condition = access.may_open(user, "person_id")
    mine = qs.none() if condition is None else qs.filter(condition)
    paginator = Paginator(mine.select_related("person").order_by(*order), PAGE_SIZE)
    shown = paginator.get_page(page)
    return Listed(list(shown.object_list), total, total - paginator.count, shown)


def awaiting_decision(user: User, page: int | str | None = 1) -> Listed:
    qs = Concern.objects.filter(status=ConcernStatus.AWAITING_DECISION)
    return _listed(user, qs, ("decision_due_on", "received_on", "pk"), page)


def open_enquiries(user: User, page: int | str | None = 1) -> Listed:
    qs = Enquiry.objects.filter(status__in=OPEN_ENQUIRY)
    return _listed(user, qs.select_related("officer"), ("status", "started_on", "pk"), page)


def overdue_plan_reviews(user: User, today: dt.date, page: int | str | None = 1) -> Listed:
    qs = ProtectionPlan.objects.filter(ended_on__isnull=True, review_due_on__lt=today)
    return _listed(user, qs.select_related("enquiry"), ("review_due_on", "pk"), page)


def by_stage_and_officer() -> tuple[list[str], list[dict]]:
    """Open enquiries counted by officer (rows) and stage (columns), for the whole council."""
    stages = [s for s in EnquiryStatus if s in OPEN_ENQUIRY]
    counts: dict[tuple[int | None, str], int] = {}
    names: dict[int | None, str] = {None: "Not allocated"}
    for r in (
        Enquiry.objects.filter(status__in=OPEN_ENQUIRY)
        .values("officer_id", "officer__first_name", "officer__last_name", "officer__username", "status")
        .annotate(n=Count("pk"))
    ):
        counts[(r["officer_id"], r["status"])] = r["n"]
        if r["officer_id"]:
            full = f"{r['officer__first_name']} {r['officer__last_name']}".strip()
            names[r["officer_id"]] = full or r["officer__username"]
    order = sorted(names, key=lambda k: (k is None, names[k]))
    rows = [
        {
            "officer": names[k],
            "cells": [counts.get((k, s.value), 0) for s in stages],
            "total": sum(counts.get((k, s.value), 0) for s in stages),
        }
        for k in order
        if any(counts.get((k, s.value)) for s in stages)
    ]
    return [s.label for s in stages], rows


@dataclass
class Month:
    label: str
    concerns: int
    enquiries: int


def months(start_year: int, today: dt.date) -> list[Month]:
    """Concerns received and enquiries started in each month of the reporting year, up to this month."""
    ps, pe = sac.period(start_year)
    end = min(pe, today)
    c = dict(
        Concern.objects.filter(received_on__range=(ps, end))
        .exclude(status=ConcernStatus.CANCELLED)
        .annotate(m=TruncMonth("received_on"))
        .values_list("m")
        .annotate(n=Count("pk"))
        .values_list("m", "n")
    )
    e = dict(
        Enquiry.objects.filter(started_on__range=(ps, end))
        .annotate(m=TruncMonth("started_on"))
        .values_list("m")
        .annotate(n=Count("pk"))
        .values_list("m", "n")
    )

    def key(d):
        return (d.year, d.month)

    c = {key(k): v for k, v in c.items()}
    e = {key(k): v for k, v in e.items()}
    out, day = [], ps
    while day <= end:
        out.append(Month(f"{day:%b %Y}", c.get(key(day), 0), e.get(key(day), 0)))
        day = dt.date(day.year + (day.month == 12), day.month % 12 + 1, 1)
    return out


def figures(year: int, today: dt.date, *, concerns: int) -> dict:
    """The year so far and the work waiting now, for the whole council (counts, naming nobody)."""
    started = Enquiry.objects.filter(started_on__range=(sac.period(year)[0], today))
    s42 = started.filter(kind=EnquiryKind.SECTION_42).count()
    other = started.filter(kind=EnquiryKind.OTHER).count()
    waiting = Concern.objects.filter(status=ConcernStatus.AWAITING_DECISION)
    return {
        "concerns": concerns,
        "s42": s42,
        "other": other,
        "conversion": round((s42 + other) * 100 / concerns, 1) if concerns else None,
        "awaiting": waiting.count(),
        "overdue_decisions": waiting.filter(decision_due_on__lt=today).count(),
        "open_enquiries": Enquiry.objects.filter(status__in=OPEN_ENQUIRY).count(),
        "overdue_reviews": ProtectionPlan.objects.filter(
            ended_on__isnull=True, review_due_on__lt=today
        ).count(),
    }


def overdue_decisions(today: dt.date) -> int:
    return Concern.objects.filter(status=ConcernStatus.AWAITING_DECISION, decision_due_on__lt=today).count()
