"""Notification emails: over SMTP to a local server the test starts (aiosmtpd), or to GOV.UK Notify through a fake
transport (never the network); never a personal detail; a mail server that is down breaks nothing."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import socket

import pytest
from aiosmtpd.controller import Controller

from openasc.assessments.tests.factories import AssessmentFactory
from openasc.assessments.workflows import ASSESSMENT
from openasc.core.models import RelationshipKind
from openasc.core.tests.factories import CareRelationshipFactory, opened
from openasc.people.tests.factories import PersonFactory
from openasc.worktray import notify
from openasc.worktray.models import Notification, Task
from openasc.worktray.tasks import MAX_ATTEMPTS, send_pending

SERVICE_ID = "26785a09-ab16-4eb0-8407-a37497a57506"
SECRET = "3d844edf-8d35-48ac-975b-e847b4f122b0"


class Inbox:
    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append((envelope.rcpt_tos, envelope.content.decode("utf8", "replace")))
        return "250 Message accepted for delivery"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def smtp(settings):
    inbox = Inbox()
    port = free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_USE_TLS = "127.0.0.1", port, False
    settings.OPENASC_NOTIFY_API_KEY = ""
    try:
        yield inbox
    finally:
        controller.stop()


@pytest.fixture
def sign_off_task(staff, teams):
    """An assessment sent for sign-off about a person with every identifying detail filled in."""
    staff.team_manager.email = "manager@example.org"
    staff.team_manager.save()
    person = PersonFactory(first_name="Winifred", last_name="Oakhampton", nhs_number="9434765919")
    CareRelationshipFactory(person=person, kind=RelationshipKind.ALLOCATED_TEAM, user=None, team=teams.north)
    a = AssessmentFactory(person=person, assessor=staff.social_worker)
    ASSESSMENT.apply(opened(staff.social_worker, person), a, "submit")
    return Task.objects.get(), person, a


def personal_details(person, assessment) -> list[str]:
    return [
        person.first_name,
        person.last_name,
        person.nhs_number,
        "943 476 5919",
        person.la_person_id,
        f"/people/{person.pk}",
        f"/assessments/{assessment.pk}",
    ]


def test_the_email_goes_over_smtp_with_a_link_and_no_personal_details(smtp, sign_off_task):
    task, person, assessment = sign_off_task
    assert Notification.objects.get(user__username="team_manager").email == Notification.Email.PENDING
    assert send_pending() == {"sent": 1, "retry": 0, "failed": 0}
    [(to, message)] = smtp.messages
    assert to == ["manager@example.org"]
    assert f"/worktray/tasks/{task.pk}" in message and notify.SUBJECT in message
    for detail in personal_details(person, assessment):
        assert detail not in message, detail
    n = Notification.objects.get(user__username="team_manager")
    assert n.email == Notification.Email.SENT and n.emailed_at is not None
    assert send_pending() == {"sent": 0, "retry": 0, "failed": 0}  # never twice


def test_a_mail_server_that_is_down_breaks_nothing_and_the_email_is_tried_again(settings, sign_off_task):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", free_port(), 2
    settings.OPENASC_NOTIFY_API_KEY = ""
    assert send_pending() == {"sent": 0, "retry": 1, "failed": 0}
    n = Notification.objects.get(user__username="team_manager")
    assert (n.email, n.email_attempts) == (Notification.Email.PENDING, 1)
    for _ in range(MAX_ATTEMPTS - 1):
        send_pending()
    n.refresh_from_db()
    assert (n.email, n.email_attempts) == (Notification.Email.FAILED, MAX_ATTEMPTS)


def test_the_transition_that_made_the_task_queues_the_email_after_it_commits(
    django_capture_on_commit_callbacks, staff, teams, smtp
):
    staff.team_manager.email = "manager@example.org"
    staff.team_manager.save()
    person = PersonFactory()
    CareRelationshipFactory(person=person, kind=RelationshipKind.ALLOCATED_TEAM, user=None, team=teams.north)
    a = AssessmentFactory(person=person, assessor=staff.social_worker)
    with django_capture_on_commit_callbacks(execute=True):
        ASSESSMENT.apply(opened(staff.social_worker, person), a, "submit")
    assert len(smtp.messages) == 1  # the immediate test backend runs the job at once, after the commit


def test_by_gov_uk_notify_when_its_key_is_set(settings, sign_off_task):
    task, person, assessment = sign_off_task
    settings.OPENASC_NOTIFY_API_KEY = f"openasc_live-{SERVICE_ID}-{SECRET}"
    settings.OPENASC_NOTIFY_TEMPLATE_ID = "f33517ff-2a88-4f6e-b855-c550268ce08a"
    sent = []

    def transport(url, headers, data):
        sent.append((url, headers, data))
        return 201, b'{"id": "740e5834-3a29-46b4-9a6f-16142fde533a"}'

    notify.send("manager@example.org", task.pk, transport=transport)
    [(url, headers, data)] = sent
    assert url == "https://api.notifications.service.gov.uk/v2/notifications/email"
    body = json.loads(data)
    assert body == {
        "email_address": "manager@example.org",
        "template_id": "f33517ff-2a88-4f6e-b855-c550268ce08a",
        "personalisation": {"link": f"http://localhost:8000/worktray/tasks/{task.pk}"},
    }
    for detail in personal_details(person, assessment):
        assert detail not in data.decode()
    # The bearer token is a JWT signed with the key's secret, issued by the service
    header, claims, signature = headers["Authorization"].removeprefix("Bearer ").split(".")
    expected = hmac.new(SECRET.encode(), f"{header}.{claims}".encode(), hashlib.sha256).digest()
    assert base64.urlsafe_b64decode(signature + "==") == expected
    assert json.loads(base64.urlsafe_b64decode(claims + "=="))["iss"] == SERVICE_ID


def test_notify_refusing_the_email_is_an_error_the_job_retries(settings, sign_off_task):
    task, _, _ = sign_off_task
    settings.OPENASC_NOTIFY_API_KEY = f"openasc_live-{SERVICE_ID}-{SECRET}"
    settings.OPENASC_NOTIFY_TEMPLATE_ID = ""
    with pytest.raises(notify.NotifyError, match="OPENASC_NOTIFY_TEMPLATE_ID"):
        notify.send("manager@example.org", task.pk, transport=lambda *a: (201, b""))
    settings.OPENASC_NOTIFY_TEMPLATE_ID = "f33517ff-2a88-4f6e-b855-c550268ce08a"
    with pytest.raises(notify.NotifyError, match="403"):
        notify.send("manager@example.org", task.pk, transport=lambda *a: (403, b'{"errors": []}'))


def test_a_key_that_is_not_a_notify_key_is_refused_with_what_it_should_be(settings):
    settings.OPENASC_NOTIFY_API_KEY = "not-a-key"
    with pytest.raises(notify.NotifyError, match="name-service id-secret"):
        notify.send("a@example.org", 1, transport=lambda *a: (201, b""))


def test_a_user_with_email_turned_off_or_without_an_address_is_not_emailed(staff, teams):
    from openasc.worktray import services

    services.preference_set(user=staff.team_manager, email=False)
    staff.team_manager.email = "manager@example.org"
    staff.team_manager.save()
    other = staff.safeguarding_lead  # no SIGN_OFF: not told
    person = PersonFactory()
    CareRelationshipFactory(person=person, kind=RelationshipKind.ALLOCATED_TEAM, user=None, team=teams.north)
    a = AssessmentFactory(person=person, assessor=staff.social_worker)
    ASSESSMENT.apply(opened(staff.social_worker, person), a, "submit")
    assert list(Notification.objects.values_list("user__username", "email")) == [("team_manager", "")]
    assert not Notification.objects.filter(user=other).exists()


def test_several_new_tasks_are_one_email_linking_to_the_worktray(smtp, staff, teams):
    staff.team_manager.email = "manager@example.org"
    staff.team_manager.save()
    people = []
    for _ in range(3):
        person = PersonFactory()
        CareRelationshipFactory(
            person=person, kind=RelationshipKind.ALLOCATED_TEAM, user=None, team=teams.north
        )
        a = AssessmentFactory(person=person, assessor=staff.social_worker)
        ASSESSMENT.apply(opened(staff.social_worker, person), a, "submit")
        people.append(person)
    assert send_pending() == {"sent": 1, "retry": 0, "failed": 0}
    [(to, message)] = smtp.messages
    assert to == ["manager@example.org"]
    assert notify.SUBJECT_SEVERAL in message and "http://localhost:8000/\n" in message.replace("\r", "")
    assert "/worktray/tasks/" not in message
    for person in people:
        assert person.last_name not in message and person.la_person_id not in message
    assert set(Notification.objects.values_list("email", flat=True)) == {Notification.Email.SENT}
