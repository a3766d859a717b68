"""Cancelling an assessment: who may (its assessor, or a manager), from which state (in progress only), the reason it
needs, what it writes, and what a cancelled assessment then is (read-only, on the timeline with its reason, in no
count of completed or open assessments, no bar to a new one)."""

import datetime as dt
import re

import pytest
from django.urls import reverse

from openasc.assessments import services
from openasc.assessments.models import AssessmentStatus, AssessmentStatusChange
from openasc.assessments.tests.factories import AssessmentFactory, answer_all
from openasc.assessments.workflows import ASSESSMENT
from openasc.core.errors import AccessDenied, ValidationFailed
from openasc.core.models import AuditAction, AuditEvent, RelationshipKind
from openasc.core.tests.factories import CareRelationshipFactory, UserFactory, opened
from openasc.core.timeline import entries_for
from openasc.core.workflow import TransitionRefused
from openasc.people.tests.factories import PersonFactory

REASON = "Started on the wrong record"


@pytest.fixture
def person(staff, teams):
    person = PersonFactory(first_name="Ivy", last_name="Lane")
    CareRelationshipFactory(person=person, user=staff.social_worker)
    CareRelationshipFactory(person=person, kind=RelationshipKind.ALLOCATED_TEAM, user=None, team=teams.north)
    return person


@pytest.fixture
def assessment(staff, person):
    return services.assessment_start(record=opened(staff.social_worker, person), method="Face to face")


@pytest.fixture
def colleague(person, teams):
    """Another social worker with a relationship to the person, who did not start the assessment."""
    user = UserFactory(username="colleague", role="social_worker", teams=[teams.north])
    CareRelationshipFactory(person=person, user=user)
    return user


def cancel(user, assessment, reason=REASON):
    return services.assessment_cancel(
        record=opened(user, assessment.person), assessment=assessment, reason=reason
    )


def refusals(user):
    return AuditEvent.objects.filter(action=AuditAction.ACCESS_REFUSED, actor=user)


# --- the service: who ----------------------------------------------------------------------------------------------


def test_the_assessor_cancels_their_own_assessment_with_a_reason(staff, assessment):
    cancelled = cancel(staff.social_worker, assessment, reason="  Started on the wrong record \n")
    assert cancelled.status == AssessmentStatus.CANCELLED
    row = AssessmentStatusChange.objects.filter(assessment=assessment).last()
    assert (row.status, row.changed_by, row.note) == (
        AssessmentStatus.CANCELLED,
        staff.social_worker,
        "Cancelled: Started on the wrong record",
    )
    event = AuditEvent.objects.filter(action=AuditAction.UPDATE, object_id=str(assessment.pk)).last()
    assert event.person_id == assessment.person_id and event.reason == REASON
    assert event.details["workflow"] == "assessment" and event.details["transition"] == "cancel"
    assert (event.details["previous_status"], event.details["status"]) == ("in_progress", "cancelled")


@pytest.mark.parametrize("role", ["team_manager", "safeguarding_lead"])
def test_a_manager_who_signs_off_or_allocates_cancels_someone_elses_assessment(staff, assessment, role):
    manager = getattr(staff, role)
    assert assessment.assessor != manager
    assert cancel(manager, assessment).status == AssessmentStatus.CANCELLED


def test_another_assessor_cannot_cancel_it_and_the_refusal_is_audited(staff, assessment, colleague):
    with pytest.raises(AccessDenied) as refused:
        cancel(colleague, assessment)
    assert "Only the worker carrying out the assessment" in str(refused.value)
    assessment.refresh_from_db()
    assert assessment.status == AssessmentStatus.IN_PROGRESS
    assert AssessmentStatusChange.objects.filter(assessment=assessment).count() == 1  # only "Started"
    assert refusals(colleague).get().details["purpose"] == "assessment: cancel"


def test_a_role_that_does_not_assess_cannot_cancel_even_its_own(staff, person):
    """An assessment loaded for a front-door worker (say, from another system) is still not theirs to cancel."""
    theirs = AssessmentFactory(person=person, assessor=staff.front_door)
    assert not ASSESSMENT.may(staff.front_door, theirs, "cancel")
    with pytest.raises(AccessDenied):
        cancel(staff.front_door, theirs)
    theirs.refresh_from_db()
    assert theirs.status == AssessmentStatus.IN_PROGRESS


def test_who_may_cancel_is_what_the_page_asks(staff, assessment, colleague):
    may = {
        role: ASSESSMENT.may(getattr(staff, role), assessment, "cancel")
        for role in ("social_worker", "team_manager", "safeguarding_lead", "front_door", "broker")
    }
    assert may == {
        "social_worker": True,  # the assessor
        "team_manager": True,
        "safeguarding_lead": True,
        "front_door": False,
        "broker": False,
    }
    assert ASSESSMENT.may(colleague, assessment, "cancel") is False


# --- the service: from which state, and the reason ---------------------------------------------------------------


@pytest.mark.parametrize(
    "trait,label",
    [("awaiting_sign_off", "waiting for a manager"), ("completed", "completed"), ("cancelled", "")],
)
def test_only_an_assessment_in_progress_can_be_cancelled(staff, person, trait, label):
    done = AssessmentFactory(person=person, assessor=staff.social_worker, **{trait: True})
    with pytest.raises(TransitionRefused) as refused:
        cancel(staff.team_manager, done)
    message = refused.value.errors["reason"]
    assert message.startswith(
        f"This assessment is {done.get_status_display().lower()}: it cannot be cancelled"
    )
    assert "only an assessment that is in progress can be" in message and label in message
    done.refresh_from_db()
    assert done.status == getattr(AssessmentStatus, trait.upper())
    assert refusals(staff.team_manager).count() == 1


@pytest.mark.parametrize("reason", ["", "   \n ", None])
def test_a_reason_is_required(staff, assessment, reason):
    with pytest.raises(ValidationFailed) as refused:
        cancel(staff.social_worker, assessment, reason=reason)
    assert refused.value.errors == {"reason": "Enter why the assessment is being cancelled"}
    assessment.refresh_from_db()
    assert assessment.status == AssessmentStatus.IN_PROGRESS


def test_the_reason_is_at_most_10000_characters_and_plain_text(staff, person):
    first = services.assessment_start(record=opened(staff.social_worker, person), method="Face to face")
    with pytest.raises(ValidationFailed) as refused:
        cancel(staff.social_worker, first, reason="x" * 10_001)
    assert refused.value.errors == {"reason": "The reason must be 10,000 characters or fewer"}
    with pytest.raises(ValidationFailed) as refused:
        cancel(staff.social_worker, first, reason="Wrong\x00record")
    assert "NUL" in refused.value.errors["reason"]
    first.refresh_from_db()
    assert first.status == AssessmentStatus.IN_PROGRESS
    assert cancel(staff.social_worker, first, reason="x" * 10_000).status == AssessmentStatus.CANCELLED


def test_an_assessment_of_another_person_is_refused_through_this_record(staff, assessment):
    other = PersonFactory()
    CareRelationshipFactory(person=other, user=staff.social_worker)
    with pytest.raises(ValidationFailed) as refused:
        services.assessment_cancel(
            record=opened(staff.social_worker, other), assessment=assessment, reason=REASON
        )
    assert "belongs to another person's record" in refused.value.errors["assessment"]
    assessment.refresh_from_db()
    assert assessment.status == AssessmentStatus.IN_PROGRESS


# --- what a cancelled assessment then is ---------------------------------------------------------------------------


def test_a_cancelled_assessment_is_read_only(staff, assessment):
    answer_all(assessment, staff.social_worker)
    cancel(staff.social_worker, assessment)
    record = opened(staff.social_worker, assessment.person)
    with pytest.raises(ValidationFailed) as refused:
        services.assessment_section_save(
            record=record, assessment=assessment, section="about", data={"what_matters": "More"}
        )
    assert refused.value.errors == {
        "assessment": "This assessment is cancelled, so it can no longer be changed"
    }
    with pytest.raises(TransitionRefused):
        services.assessment_complete(record=record, assessment=assessment)
    assessment.refresh_from_db()
    assert assessment.status == AssessmentStatus.CANCELLED and assessment.completed_on is None


def test_a_new_assessment_can_be_started_after_one_is_cancelled(staff, assessment):
    cancel(staff.social_worker, assessment)
    again = services.assessment_start(
        record=opened(staff.social_worker, assessment.person), method="Face to face"
    )
    assert again.pk != assessment.pk and again.status == AssessmentStatus.IN_PROGRESS


def test_the_timeline_keeps_it_with_its_reason(staff, assessment):
    cancel(staff.social_worker, assessment)
    entries = [e for e in entries_for(assessment.person) if e.kind == "assessment"]
    assert (entries[0].title, entries[0].detail) == ("Needs assessment cancelled", REASON)
    assert entries[-1].title == "Needs assessment started"


def test_it_counts_as_neither_completed_nor_open(staff, person, assessment):
    """The CLD projection (the returns) leaves it out; the caseload's open assessment column does too."""
    from openasc.reporting import projection
    from openasc.workspace import selectors as workspace

    kept = AssessmentFactory(person=person, completed=True, assessor=staff.social_worker)
    cancel(staff.social_worker, assessment)
    today = dt.date.today()
    refs = [
        r["Event Reference"]
        for r in projection.project(today - dt.timedelta(days=30), today)
        if r["Event Type"] == "Assessment"
    ]
    assert refs == [f"ASM-{kept.pk}"]
    [row] = workspace.my_caseload(user=staff.social_worker)
    assert row.open_assessment == ""
    services.assessment_start(record=opened(staff.social_worker, person), method="Face to face")
    [row] = workspace.my_caseload(user=staff.social_worker)
    assert row.open_assessment == "In progress"  # on the other side: a new one is open


# --- the pages -----------------------------------------------------------------------------------------------------


def test_the_button_is_offered_to_whoever_may_cancel(client, staff, assessment, colleague):
    url = reverse("assessments:detail", args=[assessment.pk])
    cancel_url = reverse("assessments:cancel", args=[assessment.pk])
    for user, offered in ((staff.social_worker, True), (staff.team_manager, True), (colleague, False)):
        client.force_login(user)
        assert (cancel_url in client.get(url).content.decode()) is offered, user.username


def test_the_confirmation_page_needs_a_reason_then_cancels(client, staff, assessment):
    client.force_login(staff.social_worker)
    url = reverse("assessments:cancel", args=[assessment.pk])
    page = client.get(url)
    html = page.content.decode()
    assert page.status_code == 200 and "Why is this assessment being cancelled?" in html
    view = AuditEvent.objects.filter(action=AuditAction.VIEW, actor=staff.social_worker).last()
    assert view.details["purpose"] == "cancel" and view.person_id == assessment.person_id
    response = client.post(url, {"reason": "  "})
    assert response.status_code == 400
    assert re.findall(r'<a href="#reason">([^<]+)</a>', response.content.decode()) == [
        "Enter why the assessment is being cancelled"
    ]
    response = client.post(url, {"reason": REASON}, follow=True)
    assert response.redirect_chain == [(reverse("assessments:detail", args=[assessment.pk]), 302)]
    html = response.content.decode()
    assert "Assessment cancelled" in html and "Why it was cancelled" in html and REASON in html
    assert "This assessment was cancelled" in html and url not in html  # no button once cancelled
    assessment.refresh_from_db()
    assert assessment.status == AssessmentStatus.CANCELLED


def test_the_confirmation_page_refuses_who_may_not_and_is_gone_once_cancelled(
    client, staff, teams, assessment, colleague
):
    url = reverse("assessments:cancel", args=[assessment.pk])
    client.force_login(colleague)
    for response in (client.get(url), client.post(url, {"reason": REASON})):
        assert response.status_code == 403
        assert "You cannot cancel this assessment" in response.content.decode()
    assert refusals(colleague).count() == 2
    stranger = UserFactory(username="south-worker", role="social_worker", teams=[teams.south])
    client.force_login(stranger)  # no basis to open the record: break-glass is offered, never granted
    response = client.get(url)
    assert response.status_code == 302 and response.url == reverse(
        "core:break-glass", args=[assessment.person_id]
    )
    client.force_login(staff.social_worker)
    cancel(staff.social_worker, assessment)
    response = client.get(url, follow=True)
    assert response.redirect_chain == [(reverse("assessments:detail", args=[assessment.pk]), 302)]
    assert "This assessment is cancelled." in response.content.decode()
    assert client.get(reverse("assessments:cancel", args=[99999])).status_code == 404


def test_a_cancelled_assessments_pages_are_read_only(client, staff, assessment):
    cancel(staff.social_worker, assessment)
    client.force_login(staff.social_worker)
    section = reverse("assessments:section", args=[assessment.pk, "about"])
    html = client.get(section).content.decode()
    assert "This assessment is cancelled: its answers can no longer be changed." in html
    response = client.post(section, {"what_matters": "More"})
    assert response.status_code == 400 and "so it can no longer be changed" in response.content.decode()
    response = client.get(reverse("assessments:complete", args=[assessment.pk]))
    assert response.status_code == 302


def test_the_request_it_answered_waits_for_an_assessment_again(staff, teams, person):
    from openasc.frontdoor.models import SupportRequest
    from openasc.frontdoor.tests.factories import routed

    request = routed(teams.north, person=person, received_on=dt.date.today() - dt.timedelta(days=3))
    other = routed(
        teams.north, received_on=dt.date.today() - dt.timedelta(days=3)
    )  # someone else's: untouched
    started = services.assessment_start(record=opened(staff.social_worker, person), method="Face to face")
    request.refresh_from_db()
    assert request.waiting_ended_on == dt.date.today()  # the assessment started: it stopped waiting
    from openasc.core import audit

    with audit.bulk(actor=staff.system, action=AuditAction.UPDATE, reason="Test: another person's request"):
        SupportRequest.objects.filter(pk=other.pk).update(waiting_ended_on=dt.date.today())
    cancel(staff.social_worker, started)
    request.refresh_from_db()
    other.refresh_from_db()
    assert request.waiting_ended_on is None  # back on the list for an assessment
    assert other.waiting_ended_on == dt.date.today()
    assert AuditEvent.objects.filter(
        action=AuditAction.UPDATE, object_id=str(request.pk), details__transition="waiting again"
    ).exists()


def test_a_request_another_assessment_still_answers_keeps_waiting_ended(staff, teams, person):
    from openasc.frontdoor.tests.factories import routed

    request = routed(teams.north, person=person, received_on=dt.date.today() - dt.timedelta(days=3))
    first = services.assessment_start(record=opened(staff.social_worker, person), method="Face to face")
    cancel(staff.social_worker, first)
    second = services.assessment_start(record=opened(staff.social_worker, person), method="Telephone")
    AssessmentFactory(
        person=person, started_on=dt.date.today(), assessor=staff.social_worker
    )  # a third, open
    cancel(staff.social_worker, second)
    request.refresh_from_db()
    assert request.waiting_ended_on is not None  # the third assessment still answers it
