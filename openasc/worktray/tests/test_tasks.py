"""Tasks made and closed by the workflows, by allocation and by the refresh: both sides of every rule."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from openasc.assessments.tests.factories import AssessmentFactory
from openasc.assessments.workflows import ASSESSMENT
from openasc.core.models import AuditEvent, BreakGlassAccess, RelationshipKind, Role
from openasc.core.tests.factories import CareRelationshipFactory, UserFactory, opened
from openasc.frontdoor import services as frontdoor_writes
from openasc.frontdoor.tests.factories import SupportRequestFactory, routed
from openasc.frontdoor.workflows import REQUEST
from openasc.people.tests.factories import PersonFactory
from openasc.planning.tests.factories import PlanFactory, ReviewFactory
from openasc.planning.workflows import PLAN, REVIEW
from openasc.worktray.models import Task, TaskKind
from openasc.worktray.services import for_user
from openasc.worktray.services.refresh import refresh

TODAY = timezone.localdate()


def open_tasks(user, kind=None):
    qs = Task.objects.filter(for_user(user))
    return list(qs.filter(kind=kind) if kind else qs)


def in_team(team, **kwargs):
    person = PersonFactory(**kwargs)
    CareRelationshipFactory(person=person, kind=RelationshipKind.ALLOCATED_TEAM, user=None, team=team)
    return person


# --- Sign-off -------------------------------------------------------------------------------------------------------


def test_submitting_an_assessment_opens_a_sign_off_task_for_the_team_managers_and_signing_off_closes_it(
    staff, teams
):
    person = in_team(teams.north)
    a = AssessmentFactory(person=person, assessor=staff.social_worker)
    ASSESSMENT.apply(opened(staff.social_worker, person), a, "submit")
    [task] = open_tasks(staff.team_manager, TaskKind.ASSESSMENT_SIGN_OFF)
    assert (task.team_id, task.capability, task.person_id) == (teams.north.pk, "sign_off", person.pk)
    assert task.url == f"/assessments/{a.pk}/sign-off"
    assert person.last_name not in task.title  # a title never names the person
    # Not for the assessor (no SIGN_OFF), nor for a manager of another team
    assert open_tasks(staff.social_worker) == []
    south_manager = UserFactory(role=Role.TEAM_MANAGER, teams=[teams.south])
    assert open_tasks(south_manager) == []
    ASSESSMENT.apply(opened(staff.team_manager, person), a, "sign_off")
    task.refresh_from_db()
    assert task.closed_at is not None and task.close_reason == "Signed off"
    assert open_tasks(staff.team_manager) == []


def test_a_manager_does_not_get_the_task_of_signing_off_their_own_assessment(staff, teams):
    person = in_team(teams.north)
    other = UserFactory(role=Role.TEAM_MANAGER, teams=[teams.north])
    a = AssessmentFactory(person=person, assessor=staff.team_manager)
    ASSESSMENT.apply(opened(staff.team_manager, person), a, "submit")
    assert open_tasks(staff.team_manager) == []
    assert [t.kind for t in open_tasks(other)] == [TaskKind.ASSESSMENT_SIGN_OFF]


def test_returning_an_assessment_closes_its_task_and_submitting_again_opens_a_new_one(staff, teams):
    person = in_team(teams.north)
    a = AssessmentFactory(person=person, assessor=staff.social_worker)
    ASSESSMENT.apply(opened(staff.social_worker, person), a, "submit")
    ASSESSMENT.apply(opened(staff.team_manager, person), a, "return")
    assert open_tasks(staff.team_manager) == []
    ASSESSMENT.apply(opened(staff.social_worker, person), a, "submit")
    assert len(open_tasks(staff.team_manager)) == 1
    assert Task.objects.filter(kind=TaskKind.ASSESSMENT_SIGN_OFF, subject_id=a.pk).count() == 2


def test_a_plan_sent_for_sign_off_opens_a_task_and_signing_it_off_closes_it(staff, teams):
    person = in_team(teams.north)
    plan = PlanFactory(person=person, draft=True, created_by=staff.social_worker)
    PLAN.apply(opened(staff.social_worker, person), plan, "send_for_sign_off")
    [task] = open_tasks(staff.team_manager, TaskKind.PLAN_SIGN_OFF)
    assert task.url == f"/plans/{plan.pk}/sign-off"
    PLAN.apply(opened(staff.team_manager, person), plan, "sign_off")
    assert open_tasks(staff.team_manager) == []


def test_a_refused_transition_opens_no_task(staff, teams):
    person = in_team(teams.north)
    a = AssessmentFactory(person=person, assessor=staff.social_worker)
    with pytest.raises(PermissionError):
        ASSESSMENT.apply(opened(staff.broker, person), a, "submit")
    assert Task.objects.count() == 0


def test_the_task_is_written_in_the_transition_and_audited_against_the_person(staff, teams):
    person = in_team(teams.north)
    a = AssessmentFactory(person=person, assessor=staff.social_worker)
    ASSESSMENT.apply(opened(staff.social_worker, person), a, "submit")
    task = Task.objects.get()
    event = AuditEvent.objects.get(object_type="worktray.task", object_id=str(task.pk), action="create")
    assert event.person_id == person.pk and event.details["kind"] == TaskKind.ASSESSMENT_SIGN_OFF


# --- Allocation -----------------------------------------------------------------------------------------------------


def test_allocating_a_worker_opens_their_task_and_their_first_work_closes_it(staff, teams):
    person = in_team(teams.north)
    record = opened(staff.team_manager, person)
    frontdoor_writes.allocation_create(record=record, worker=staff.social_worker)
    [task] = open_tasks(staff.social_worker, TaskKind.ALLOCATED)
    assert task.assigned_user_id == staff.social_worker.pk and task.url == f"/people/{person.pk}"
    assert open_tasks(staff.team_manager, TaskKind.ALLOCATED) == []  # for the worker only
    # Someone else's work does not close it; the worker's does
    plan = PlanFactory(person=person, draft=True, created_by=staff.occupational_therapist)
    PLAN.apply(opened(staff.occupational_therapist, person), plan, "send_for_sign_off")
    assert len(open_tasks(staff.social_worker, TaskKind.ALLOCATED)) == 1
    a = AssessmentFactory(person=person, assessor=staff.social_worker)
    ASSESSMENT.apply(opened(staff.social_worker, person), a, "submit")
    assert open_tasks(staff.social_worker, TaskKind.ALLOCATED) == []
    task.refresh_from_db()
    assert task.close_reason == "Work started"


def test_ending_an_allocation_closes_the_workers_task(staff, teams):
    person = in_team(teams.north)
    record = opened(staff.team_manager, person)
    [rel] = frontdoor_writes.allocation_create(record=record, worker=staff.social_worker)
    frontdoor_writes.allocation_end(record=record, relationship=rel)
    assert open_tasks(staff.social_worker) == []
    assert Task.objects.get().close_reason == "Allocation ended"


# --- Reviews (time) -------------------------------------------------------------------------------------------------


def test_refresh_opens_a_task_for_a_review_within_the_horizon_and_not_one_day_beyond(staff, teams, settings):
    settings.OPENASC_REVIEW_DUE_DAYS = 28
    person = in_team(teams.north)
    CareRelationshipFactory(person=person, user=staff.social_worker)
    inside = ReviewFactory(person=person, due_on=TODAY + dt.timedelta(days=28))
    ReviewFactory(person=in_team(teams.north), due_on=TODAY + dt.timedelta(days=29))
    result = refresh(actor=staff.system)
    assert result[TaskKind.REVIEW_DUE].opened == 1
    [task] = Task.objects.filter(kind=TaskKind.REVIEW_DUE)
    assert (task.subject_id, task.assigned_user_id, task.due_on) == (
        inside.pk,
        staff.social_worker.pk,
        inside.due_on,
    )


def test_refresh_is_idempotent_and_a_completed_review_closes_its_task(staff, teams):
    person = in_team(teams.north)
    review = ReviewFactory(person=person)  # three days overdue, no worker: the team's
    first = refresh(actor=staff.system)
    again = refresh(actor=staff.system)
    assert first[TaskKind.REVIEW_DUE].opened == 1
    assert all((r.opened, r.closed) == (0, 0) for r in again.values())
    assert Task.objects.filter(kind=TaskKind.REVIEW_DUE).count() == 1
    [task] = open_tasks(staff.social_worker, TaskKind.REVIEW_DUE)  # in the north team, so theirs too
    assert task.team_id == teams.north.pk
    review.completed_on = TODAY
    review.method, review.outcomes_achieved, review.what_followed = (
        "Face to face",
        "Fully achieved",
        "no_change",
    )
    REVIEW.apply(opened(staff.social_worker, person), review, "complete", fields=["completed_on"])
    assert open_tasks(staff.social_worker) == []
    assert refresh(actor=staff.system)[TaskKind.REVIEW_DUE].opened == 0


def test_refresh_moves_a_review_task_to_the_worker_when_one_is_allocated(staff, teams):
    person = in_team(teams.north)
    ReviewFactory(person=person)
    refresh(actor=staff.system)
    CareRelationshipFactory(person=person, user=staff.occupational_therapist)
    result = refresh(actor=staff.system)[TaskKind.REVIEW_DUE]
    assert (result.opened, result.closed) == (1, 1)
    [task] = Task.objects.filter(kind=TaskKind.REVIEW_DUE, closed_at__isnull=True)
    assert task.assigned_user_id == staff.occupational_therapist.pk


# --- Break-glass ------------------------------------------------------------------------------------------------------


def test_refresh_opens_a_break_glass_review_for_reviewers_but_not_the_user_who_broke_the_glass(staff):
    from openasc.core import services as core_services

    person = PersonFactory()
    core_services.break_glass_start(actor=staff.team_manager, person=person, reason_code="out_of_hours")
    refresh(actor=staff.system)
    assert [t.kind for t in open_tasks(staff.information_governance)] == [TaskKind.BREAK_GLASS]
    assert open_tasks(staff.team_manager, TaskKind.BREAK_GLASS) == []  # their own access
    assert open_tasks(staff.social_worker) == []  # not a reviewer
    # Reviewed: gone from the worktray at once, and closed by the next refresh
    grant = BreakGlassAccess.objects.get()
    core_services.break_glass_review(actor=staff.information_governance, grant=grant, outcome="appropriate")
    assert open_tasks(staff.information_governance) == []
    assert refresh(actor=staff.system)[TaskKind.BREAK_GLASS].closed == 1


# --- Requests past their urgency target ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("urgency", "waited", "breached"),
    [
        ("urgent", 1, False),
        ("urgent", 2, True),
        ("soon", 5, False),
        ("soon", 6, True),
        ("routine", 28, False),
        ("routine", 29, True),
    ],
)
def test_a_request_breaches_only_after_its_target_day(staff, urgency, waited, breached):
    SupportRequestFactory(urgency=urgency, received_on=TODAY - dt.timedelta(days=waited))
    refresh(actor=staff.system)
    tasks = open_tasks(staff.front_door, TaskKind.REQUEST_BREACH)
    assert bool(tasks) is breached
    if breached:
        assert tasks[0].role == Role.FRONT_DOOR and tasks[0].team_id is None
        assert tasks[0].due_on == TODAY - dt.timedelta(days=waited) + dt.timedelta(
            days={"urgent": 1, "soon": 5, "routine": 28}[urgency]
        )


def test_the_council_sets_the_targets(staff, settings):
    settings.OPENASC_URGENCY_TARGET_DAYS = {"urgent": 3, "soon": 5, "routine": 28}
    SupportRequestFactory(urgency="urgent", received_on=TODAY - dt.timedelta(days=3))
    assert refresh(actor=staff.system)[TaskKind.REQUEST_BREACH].opened == 0
    settings.OPENASC_URGENCY_TARGET_DAYS = {"urgent": 2, "soon": 5, "routine": 28}
    assert refresh(actor=staff.system)[TaskKind.REQUEST_BREACH].opened == 1


def test_a_breach_of_a_request_with_a_team_is_the_teams_and_closes_when_it_stops_waiting(staff, teams):
    req = routed(teams.north, urgency="urgent", received_on=TODAY - dt.timedelta(days=17))
    refresh(actor=staff.system)
    [task] = open_tasks(staff.team_manager, TaskKind.REQUEST_BREACH)
    assert task.team_id == teams.north.pk and task.role == ""
    council_front_door = UserFactory(role=Role.FRONT_DOOR)  # in no team: the team's task is not theirs
    assert open_tasks(council_front_door, TaskKind.REQUEST_BREACH) == []
    assert task.title == "Urgent request past its 1-day target"
    # Allocating a worker does not end the wait of a request for an assessment: the task stays
    frontdoor_writes.allocation_create(
        record=opened(staff.team_manager, req.person), worker=staff.social_worker
    )
    task.refresh_from_db()
    assert task.closed_at is None
    # Recorded in error: no longer waiting, and the listener closes the task at once (no refresh needed)
    REQUEST.apply(opened(staff.team_manager, req.person), req, "cancel", reason="Duplicate")
    task.refresh_from_db()
    assert task.closed_at is not None


def test_a_new_request_already_past_its_target_gets_its_task_at_once(staff):
    from openasc.frontdoor.models import Urgency

    person = PersonFactory()
    record = opened(staff.front_door, person)
    frontdoor_writes.request_record(
        record=record,
        received_on=TODAY - dt.timedelta(days=3),
        contact_by="self",
        what_matters="Help getting washed",
        urgency=Urgency.URGENT,
        route_of_access="Community or other route",
    )
    assert [t.kind for t in open_tasks(staff.front_door)] == [TaskKind.REQUEST_BREACH]


# --- The worker's periodic refresh --------------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)  # the worker loop closes old connections, as in production
def test_the_worker_refreshes_the_worktray_and_queues_the_next_refresh_once(staff, teams, settings):
    from django_tasks_db.models import DBTaskResult

    from openasc.jobs.worker import run_queued
    from openasc.worktray import tasks

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
    settings.OPENASC_WORKTRAY_REFRESH_MINUTES = 15
    ReviewFactory(person=in_team(teams.north))
    tasks.refresh_worktray.enqueue()  # as if 15 minutes had passed
    assert run_queued() == 1
    assert Task.objects.filter(kind=TaskKind.REVIEW_DUE, closed_at__isnull=True).count() == 1
    (waiting,) = DBTaskResult.objects.filter(task_path=tasks.refresh_worktray.module_path, status="READY")
    assert dt.timedelta(minutes=14) < waiting.run_after - timezone.now() <= dt.timedelta(minutes=15)
    assert tasks.schedule_refresh() is False  # one waiting already: never two


# --- Every closing transition ---------------------------------------------------------------------------------------


def test_a_plan_returned_for_changes_closes_its_sign_off_task(staff, teams):
    person = in_team(teams.north)
    plan = PlanFactory(person=person, draft=True, created_by=staff.social_worker)
    PLAN.apply(opened(staff.social_worker, person), plan, "send_for_sign_off")
    PLAN.apply(opened(staff.team_manager, person), plan, "return", note="Add the contingency plan")
    task = Task.objects.get(kind=TaskKind.PLAN_SIGN_OFF)
    assert (task.closed_at is not None, task.close_reason) == (True, "Returned for changes")


def test_a_review_cancelled_closes_its_task(staff, teams):
    person = in_team(teams.north)
    review = ReviewFactory(person=person)
    refresh(actor=staff.system)
    REVIEW.apply(opened(staff.social_worker, person), review, "cancel")
    task = Task.objects.get(kind=TaskKind.REVIEW_DUE)
    assert task.close_reason == "Review cancelled"


def test_a_breached_request_concluded_at_triage_closes_its_task_and_one_still_waiting_keeps_it(staff):
    late = SupportRequestFactory(urgency="urgent", received_on=TODAY - dt.timedelta(days=4))
    still = SupportRequestFactory(urgency="urgent", received_on=TODAY - dt.timedelta(days=4))
    refresh(actor=staff.system)
    assert len(open_tasks(staff.front_door, TaskKind.REQUEST_BREACH)) == 2
    late.decision, late.information_given = "information_and_advice", "Leaflet on day centres"
    REQUEST.apply(
        opened(staff.front_door, late.person), late, "conclude", fields=["decision", "information_given"]
    )
    [left] = open_tasks(staff.front_door, TaskKind.REQUEST_BREACH)
    assert left.subject_id == still.pk
    assert Task.objects.get(subject_id=late.pk).close_reason == "Request concluded"


def test_a_breach_waiting_for_triage_is_the_team_of_the_persons_worker_as_the_teams_triage_list_shows_it(
    staff, teams
):
    from openasc.frontdoor import selectors as frontdoor_selectors

    req = SupportRequestFactory(urgency="soon", received_on=TODAY - dt.timedelta(days=6))
    CareRelationshipFactory(person=req.person, user=staff.social_worker)  # a north worker's, not the team's
    refresh(actor=staff.system)
    [task] = open_tasks(staff.team_manager, TaskKind.REQUEST_BREACH)
    assert (task.subject_id, task.team_id, task.role) == (req.pk, teams.north.pk, "")
    # The north team's triage list (as the front door sees it, filtered to the team) shows it past its target
    _, breached = frontdoor_selectors.waiting_counts(user=staff.front_door, team_ids=[teams.north.pk])
    assert breached["triage"] == 1
