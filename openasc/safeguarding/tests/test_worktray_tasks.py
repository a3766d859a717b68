"""Safeguarding work on the worktray: a concern past its decision date raises a task for the hub's deciders (not one
due today), the decision closes it; allocating an officer gives them a task that moves when the enquiry is
reallocated and closes when it concludes; a protection plan's review comes on a week before it is due. No task's
title names the adult, and the person alleged to cause harm has none."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from openasc.core.models import Role
from openasc.core.tests.factories import UserFactory, opened
from openasc.people.tests.factories import PersonFactory
from openasc.safeguarding import services
from openasc.safeguarding.tests.factories import AllegationFactory
from openasc.worktray.models import Task, TaskKind
from openasc.worktray.services import for_user
from openasc.worktray.services.refresh import refresh

TODAY = timezone.localdate()


@pytest.fixture
def lead(staff, teams):
    staff.safeguarding_lead.teams.set([teams.safeguarding])
    return staff.safeguarding_lead


@pytest.fixture
def adult(db):
    return PersonFactory(first_name="Ivy", last_name="Pennant")


def _raise(staff, adult, received_on):
    return services.concern_raise(
        record=opened(staff.front_door, adult),
        received_on=received_on,
        referrer_kind="family",
        referrer_name="Jo Neighbour",
        what_happened="Neighbour reports bruising and that her grandson takes her pension",
        consent="given",
        harm_person_known="yes",
    )


def _open(kind):
    return Task.objects.filter(kind=kind, closed_at__isnull=True)


def test_a_concern_past_its_decision_date_raises_a_task_and_one_due_today_does_not(staff, lead, adult, teams):
    late = _raise(staff, adult, TODAY - dt.timedelta(days=10))
    on_time = _raise(staff, PersonFactory(), TODAY)
    refresh(actor=staff.system)
    (task,) = _open(TaskKind.SAFEGUARDING_DECISION)
    assert task.subject_id == late.pk and on_time.decision_due_on >= TODAY
    assert task.team_id == teams.safeguarding.pk and "Pennant" not in task.title and "Ivy" not in task.title
    assert Task.objects.filter(for_user(lead), pk=task.pk).exists()
    assert not Task.objects.filter(for_user(staff.social_worker), pk=task.pk).exists()
    again = refresh(actor=staff.system)[TaskKind.SAFEGUARDING_DECISION]
    assert (again.opened, again.closed) == (0, 0)
    services.concern_decide(
        record=opened(lead, adult),
        concern=late,
        care_and_support_needs=True,
        abuse_or_neglect=True,
        unable_to_protect=True,
        decision="s42",
    )
    task.refresh_from_db()
    assert task.closed_at is not None and task.close_reason == "Decided: an enquiry"


def _enquiry(staff, lead, adult):
    concern = _raise(staff, adult, TODAY)
    services.concern_decide(
        record=opened(lead, adult),
        concern=concern,
        care_and_support_needs=True,
        abuse_or_neglect=True,
        unable_to_protect=True,
        decision="s42",
    )
    concern.refresh_from_db()
    return concern.enquiry


def test_the_officer_gets_a_task_that_moves_with_reallocation_and_closes_at_conclusion(staff, lead, adult):
    enquiry = _enquiry(staff, lead, adult)
    services.enquiry_allocate(record=opened(lead, adult), enquiry=enquiry, officer=staff.social_worker)
    (task,) = _open(TaskKind.SAFEGUARDING_ENQUIRY)
    assert task.assigned_user == staff.social_worker and "Pennant" not in task.title
    other = UserFactory(username="sw-two", role=Role.SOCIAL_WORKER)
    services.enquiry_allocate(record=opened(lead, adult), enquiry=enquiry, officer=other)
    (task,) = _open(TaskKind.SAFEGUARDING_ENQUIRY)
    assert task.assigned_user == other
    assert refresh(actor=staff.system)[TaskKind.SAFEGUARDING_ENQUIRY].opened == 0
    record = opened(other, adult)
    services.enquiry_start(record=record, enquiry=enquiry)
    AllegationFactory(enquiry=enquiry)
    services.enquiry_conclude(
        record=record,
        enquiry=enquiry,
        concluded_on=TODAY,
        risk_assessment_outcome="Risk identified and action taken",
        risk_outcome="Risk reduced",
        lacked_capacity="No, they did not lack capacity",
        msp_asked="Yes they were asked and outcomes were expressed",
        msp_desired_outcomes="To feel safe at home",
        msp_achieved="Fully Achieved",
        conclusion="Bank alerted; grandson no longer has her card",
    )
    assert not _open(TaskKind.SAFEGUARDING_ENQUIRY).exists()


@pytest.mark.parametrize("days, task", [(7, True), (8, False)])
def test_a_protection_plan_review_comes_on_a_week_before_it_is_due(staff, lead, adult, days, task):
    enquiry = _enquiry(staff, lead, adult)
    services.enquiry_allocate(record=opened(lead, adult), enquiry=enquiry, officer=staff.social_worker)
    services.protection_plan_set(
        record=opened(staff.social_worker, adult),
        enquiry=enquiry,
        agreed_on=TODAY,
        summary="Bank alerted; daily calls from the home care provider",
        review_due_on=TODAY + dt.timedelta(days=days),
        actions=[{"action": "Call the bank", "owner": "Enquiry officer", "due_on": TODAY}],
    )
    assert _open(TaskKind.PROTECTION_PLAN_REVIEW).filter(assigned_user=staff.social_worker).exists() == task
    refresh(actor=staff.system)
    assert _open(TaskKind.PROTECTION_PLAN_REVIEW).exists() == task
