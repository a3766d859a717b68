"""The workflows' listener (core.workflow.listen): each transition opens or closes its tasks, inside the transition's
own transaction, so a task exists exactly when the work waits (docs/adr/0010-workflows.md, addendum)."""

from __future__ import annotations

import openasc.worktray.services as tasks
from openasc.core.models import RelationshipKind
from openasc.core.workflow import Event
from openasc.worktray.models import Task, TaskKind
from openasc.worktray.services import rules

# Which transitions close which kind of task about the thing they move
CLOSES = {
    ("assessment", "sign_off"): (TaskKind.ASSESSMENT_SIGN_OFF, "Signed off"),
    ("assessment", "return"): (TaskKind.ASSESSMENT_SIGN_OFF, "Returned to the assessor"),
    ("assessment", "cancel"): (TaskKind.ASSESSMENT_SIGN_OFF, "Assessment cancelled"),
    ("plan", "sign_off"): (TaskKind.PLAN_SIGN_OFF, "Signed off"),
    ("plan", "return"): (TaskKind.PLAN_SIGN_OFF, "Returned for changes"),
    ("plan", "supersede"): (TaskKind.PLAN_SIGN_OFF, "Replaced by a later version"),
    ("review", "complete"): (TaskKind.REVIEW_DUE, "Review completed"),
    ("review", "cancel"): (TaskKind.REVIEW_DUE, "Review cancelled"),
    ("request", "conclude"): (TaskKind.REQUEST_BREACH, "Request concluded"),
    ("request", "cancel"): (TaskKind.REQUEST_BREACH, "Request recorded in error"),
    ("budget_authorisation", "authorise"): (TaskKind.BUDGET, "Authorised"),
    ("budget_authorisation", "decline"): (TaskKind.BUDGET, "Declined"),
    ("allocation", "end"): (TaskKind.ALLOCATED, "Allocation ended"),
    ("safeguarding_concern", "decide_enquiry"): (TaskKind.SAFEGUARDING_DECISION, "Decided: an enquiry"),
    ("safeguarding_concern", "decide_no_enquiry"): (TaskKind.SAFEGUARDING_DECISION, "Decided: no enquiry"),
    ("safeguarding_concern", "cancel"): (TaskKind.SAFEGUARDING_DECISION, "Concern recorded in error"),
    ("safeguarding_enquiry", "conclude"): (TaskKind.SAFEGUARDING_ENQUIRY, "Enquiry concluded"),
    ("safeguarding_enquiry", "close"): (TaskKind.SAFEGUARDING_ENQUIRY, "Enquiry closed"),
}
# Events after which a person's requests may have started or stopped waiting (and so breaching their target)
WAITING_CHANGES = {"request", "assessment", "allocation"}


def on_event(event: Event) -> None:
    actor, obj = event.record.user, event.obj
    if event.workflow in WAITING_CHANGES:  # the actor's home page counts the waiting lists afresh
        from openasc.core import access
        from openasc.worktray.selectors import figures_forget

        figures_forget(user_id=actor.pk, team_ids=access._team_ids(actor))
    key = (event.workflow, event.name)
    if key in CLOSES:
        kind, reason = CLOSES[key]
        tasks.tasks_close_for(actor=actor, kind=kind, subject=obj, reason=reason)
    if key == ("assessment", "submit"):
        team = rules.sign_off_team(obj.person_id, obj.assessor_id)
        tasks.task_open(actor=actor, spec=rules.assessment_sign_off(obj, team_id=team))
    elif key == ("plan", "send_for_sign_off"):
        team = rules.sign_off_team(obj.person_id, obj.created_by_id)
        tasks.task_open(actor=actor, spec=rules.plan_sign_off(obj, team_id=team))
    elif key == ("budget_authorisation", "begin"):
        team = rules.sign_off_team(obj.person_id, obj.requested_by_id)
        tasks.task_open(actor=actor, spec=rules.budget(obj, team_id=team))
    elif (
        key == ("allocation", "create")
        and obj.kind == RelationshipKind.ALLOCATED_WORKER
        and obj.user_id != actor.pk  # a manager who allocates themselves has nothing to be told
    ):
        tasks.task_open(actor=actor, spec=rules.allocated(obj))
    elif key == ("safeguarding_enquiry", "allocate"):
        _enquiry_officer(actor, obj)
    elif key in (("safeguarding_enquiry", "protection_plan"), ("safeguarding_enquiry", "close")):
        _plan_review(actor, obj)
    if event.workflow != "allocation":
        _picked_up(event)
    if event.workflow in WAITING_CHANGES:
        breaches_sync(actor=actor, person_id=event.record.person_id)


def _picked_up(event: Event) -> None:
    """A worker's first piece of work on a person allocated to them (an assessment started, a plan written, a
    review done) closes their "allocated to you" task."""
    open_ = Task.objects.filter(
        kind=TaskKind.ALLOCATED,
        person_id=event.record.person_id,
        assigned_user=event.record.user,
        closed_at__isnull=True,
    )
    tasks.tasks_close(actor=event.record.user, tasks=list(open_), reason="Work started")


def breaches_sync(*, actor, person_id: int) -> None:
    """Open a task for each of the person's requests that is waiting past its target, close those that no longer
    are (triaged and allocated, concluded, recorded in error)."""
    from openasc.frontdoor.models import SupportRequest
    from openasc.frontdoor.selectors import breached_condition, urgency_target_days, waiting_condition

    late = list(
        SupportRequest.objects.filter(person_id=person_id)
        .filter(waiting_condition())
        .filter(breached_condition())
        .values_list("pk", "urgency", "received_on", "team_id")
    )
    late_ids = {pk for pk, *_ in late}
    open_ = Task.objects.filter(kind=TaskKind.REQUEST_BREACH, person_id=person_id, closed_at__isnull=True)
    tasks.tasks_close(
        actor=actor,
        tasks=[t for t in open_ if t.subject_id not in late_ids],
        reason="No longer waiting",
    )
    team = None
    for pk, urgency, received_on, team_id in late:
        if team_id is None and team is None:
            team = rules.triage_teams([person_id]).get(person_id)
        spec = rules.breach(
            pk, person_id, urgency, received_on, team_id=team_id or team, targets=urgency_target_days()
        )
        tasks.task_open(actor=actor, spec=spec)


def _enquiry_officer(actor, enquiry) -> None:
    """An enquiry (re)allocated: the task moves to the new officer (an officer allocating themselves is told
    nothing they do not know)."""
    tasks.tasks_close_for(
        actor=actor, kind=TaskKind.SAFEGUARDING_ENQUIRY, subject=enquiry, reason="Reallocated"
    )
    if enquiry.officer_id and enquiry.officer_id != actor.pk:
        tasks.task_open(
            actor=actor, spec=rules.safeguarding_enquiry(enquiry.pk, enquiry.person_id, enquiry.officer_id)
        )


def _plan_review(actor, enquiry) -> None:
    """A protection plan set, reviewed or ended: its review task follows the plan's review date (or closes)."""
    import datetime as dt

    from django.utils import timezone

    from openasc.safeguarding.models import ProtectionPlan

    plan = ProtectionPlan.objects.filter(enquiry_id=enquiry.pk).select_related("enquiry").first()
    if plan is None:
        return
    enquiry = plan.enquiry  # as saved: the officer and team now
    tasks.tasks_close_for(
        actor=actor, kind=TaskKind.PROTECTION_PLAN_REVIEW, subject=plan, reason="Plan changed"
    )
    horizon = timezone.localdate() + dt.timedelta(days=rules.PLAN_REVIEW_NOTICE_DAYS)
    if plan.ended_on is None and plan.review_due_on <= horizon:
        spec = rules.protection_plan_review(
            plan.pk,
            enquiry.pk,
            enquiry.person_id,
            plan.review_due_on,
            officer_id=enquiry.officer_id,
            team_id=enquiry.team_id,
        )
        tasks.task_open(actor=actor, spec=spec)
