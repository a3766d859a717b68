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
