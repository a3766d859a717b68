"""`openasc worktray refresh`: the tasks that time makes (a review coming due, a request passing its target, a
break-glass access to review), and a check of every other kind against the work actually waiting, so that what
was loaded or changed outside the workflows (a CLD import, the demo build) has its tasks too.

Set by set: one query for what should have a task, one for the tasks open, and bulk writes for the difference
(services.tasks_reconcile). Idempotent: a second run opens and closes nothing."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.utils import timezone

from openasc.core.models import User
from openasc.worktray.models import TaskKind
from openasc.worktray.services import Reconciled, TaskSpec, rules, tasks_reconcile

REASON = "Worktray refresh"


def _reviews(today: dt.date) -> dict[int, TaskSpec]:
    from openasc.planning.models import Review, ReviewStatus

    horizon = today + dt.timedelta(days=settings.OPENASC_REVIEW_DUE_DAYS)
    due = list(
        Review.objects.filter(status=ReviewStatus.SCHEDULED, due_on__lte=horizon).values_list(
            "pk", "person_id", "due_on", "reviewer_id"
        )
    )
    people = {p for _, p, _, _ in due}
    workers, teams = rules.workers_of_people(people), rules.teams_of_people(people)
    wanted = {}
    for pk, person_id, due_on, reviewer_id in due:
        user_id = reviewer_id or workers.get(person_id)
        team_id = teams.get(person_id)
        if user_id or team_id:
            wanted[pk] = rules.review_due(pk, person_id, due_on, user_id=user_id, team_id=team_id)
    return wanted


def _breaches(today: dt.date) -> dict[int, TaskSpec]:
    from openasc.frontdoor.models import SupportRequest
    from openasc.frontdoor.selectors import breached_condition, urgency_target_days, waiting_condition

    late = list(
        SupportRequest.objects.filter(waiting_condition())
        .filter(breached_condition(today))
        .values_list("pk", "person_id", "urgency", "received_on", "team_id")
    )
    teams = rules.triage_teams({p for _, p, _, _, t in late if t is None})
    targets = urgency_target_days()
    return {
        pk: rules.breach(
            pk, person_id, urgency, received_on, team_id=team_id or teams.get(person_id), targets=targets
        )
        for pk, person_id, urgency, received_on, team_id in late
    }


def _break_glass() -> dict[int, TaskSpec]:
    from openasc.core.models import BreakGlassAccess

    rows = BreakGlassAccess.objects.filter(reviewed_at__isnull=True).values_list(
        "pk", "person_id", "user_id", "started_at"
    )
    return {
        pk: rules.break_glass(pk, person_id, user_id, timezone.localdate(started))
        for pk, person_id, user_id, started in rows
    }


def _assessments() -> dict[int, TaskSpec]:
    from openasc.assessments.models import Assessment, AssessmentStatus

    waiting = list(
        Assessment.objects.filter(status=AssessmentStatus.AWAITING_SIGN_OFF).only(
            "pk", "person_id", "assessor_id", "cared_for_id", "completed_on"
        )
    )
    teams = rules.teams_of_people({a.person_id for a in waiting})
    return {
        a.pk: rules.assessment_sign_off(
            a, team_id=rules.sign_off_team(a.person_id, a.assessor_id, teams), on=a.completed_on
        )
        for a in waiting
    }


def _plans() -> dict[int, TaskSpec]:
    from openasc.planning.models import Plan, PlanStatus

    waiting = list(
        Plan.objects.filter(status=PlanStatus.AWAITING_SIGN_OFF).only(
            "pk", "person_id", "created_by_id", "agreed_on"
        )
    )
    teams = rules.teams_of_people({p.person_id for p in waiting})
    return {
        p.pk: rules.plan_sign_off(
            p, team_id=rules.sign_off_team(p.person_id, p.created_by_id, teams), on=p.agreed_on
        )
        for p in waiting
    }


def _budgets() -> dict[int, TaskSpec]:
    from openasc.services.models import AuthorisationStatus, BudgetAuthorisation

    waiting = list(BudgetAuthorisation.objects.filter(status=AuthorisationStatus.REQUESTED))
    teams = rules.teams_of_people({b.person_id for b in waiting})
    return {
        b.pk: rules.budget(
            b,
            team_id=rules.sign_off_team(b.person_id, b.requested_by_id, teams),
            on=timezone.localdate(b.requested_at),
        )
        for b in waiting
    }


def _safeguarding_decisions(today: dt.date) -> dict[int, TaskSpec]:
    from openasc.safeguarding.models import Concern, ConcernStatus

    late = Concern.objects.filter(
        status=ConcernStatus.AWAITING_DECISION, decision_due_on__lt=today
    ).values_list("pk", "person_id", "decision_due_on", "team_id")
    return {
        pk: rules.safeguarding_decision(pk, person_id, due, team_id=team_id)
        for pk, person_id, due, team_id in late.iterator()
    }


def _safeguarding_enquiries() -> dict[int, TaskSpec]:
    from openasc.safeguarding.models import Enquiry, EnquiryStatus

    rows = Enquiry.objects.filter(
        status__in=[EnquiryStatus.PLANNING, EnquiryStatus.IN_PROGRESS], officer__isnull=False
    ).values_list("pk", "person_id", "officer_id", "officer_relationship__starts_at")
    return {
        pk: rules.safeguarding_enquiry(
            pk, person_id, officer_id, on=timezone.localdate(since) if since else None
        )
        for pk, person_id, officer_id, since in rows.iterator()
    }


def _protection_plan_reviews(today: dt.date) -> dict[int, TaskSpec]:
    from openasc.safeguarding.models import ProtectionPlan

    horizon = today + dt.timedelta(days=rules.PLAN_REVIEW_NOTICE_DAYS)
    rows = ProtectionPlan.objects.filter(ended_on__isnull=True, review_due_on__lte=horizon).values_list(
        "pk", "enquiry_id", "person_id", "review_due_on", "enquiry__officer_id", "enquiry__team_id"
    )
    return {
        pk: rules.protection_plan_review(
            pk, enquiry_id, person_id, due, officer_id=officer_id, team_id=team_id
        )
        for pk, enquiry_id, person_id, due, officer_id, team_id in rows.iterator()
    }


def refresh(*, actor: User, today: dt.date | None = None) -> dict[str, Reconciled]:
    """Bring every kind of task made by time or by waiting work into line with the record (allocations are left
    alone: their task closes when the worker starts work or the allocation ends)."""
    today = today or timezone.localdate()
    sources = {
        TaskKind.REVIEW_DUE: lambda: _reviews(today),
        TaskKind.REQUEST_BREACH: lambda: _breaches(today),
        TaskKind.BREAK_GLASS: _break_glass,
        TaskKind.ASSESSMENT_SIGN_OFF: _assessments,
        TaskKind.PLAN_SIGN_OFF: _plans,
        TaskKind.BUDGET: _budgets,
        TaskKind.SAFEGUARDING_DECISION: lambda: _safeguarding_decisions(today),
        TaskKind.SAFEGUARDING_ENQUIRY: _safeguarding_enquiries,
        TaskKind.PROTECTION_PLAN_REVIEW: lambda: _protection_plan_reviews(today),
    }
    return {
        str(kind): tasks_reconcile(actor=actor, kind=kind, wanted=build(), reason=REASON)
        for kind, build in sources.items()
    }
