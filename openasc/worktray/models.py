"""Tasks (the things someone has to do, made and closed by the workflows) and the notifications about them."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from openasc.core import audit
from openasc.core.sensitive import SensitiveManager


class TaskKind(models.TextChoices):
    ALLOCATED = "allocated", "Allocated to you"
    ASSESSMENT_SIGN_OFF = "assessment_sign_off", "Assessment waiting for sign-off"
    PLAN_SIGN_OFF = "plan_sign_off", "Plan waiting for sign-off"
    REVIEW_DUE = "review_due", "Review due"
    BREAK_GLASS = "break_glass", "Break-glass access to review"
    REQUEST_BREACH = "request_breach", "Request past its urgency target"
    BUDGET = "budget", "Cost above the personal budget"
    SAFEGUARDING_DECISION = "safeguarding_decision", "Safeguarding concern past its decision date"
    SAFEGUARDING_ENQUIRY = "safeguarding_enquiry", "Safeguarding enquiry allocated to you"
    PROTECTION_PLAN_REVIEW = "protection_plan_review", "Protection plan review due"


@audit.sensitive
class Task(models.Model):
    """One thing to do, for a user, or for a team (optionally only its members who hold a capability), or for
    everyone holding a capability or a role; about one thing in one person's record, done at `url`.

    The title never names the person: the worktray shows it to users who may not open the person's record. `key`
    says what the task is for (kind, thing, who), so an open task is never made twice (a unique index on open
    tasks)."""

    kind = models.CharField(max_length=30, choices=TaskKind.choices)
    title = models.CharField(max_length=200)
    key = models.CharField(max_length=120)
    # What it is about: a plain type and id (like the audit trail), so any context's thing can have a task
    subject_type = models.CharField(max_length=64)
    subject_id = models.PositiveBigIntegerField()
    url = models.CharField(max_length=300, help_text="Where the work is done")
    person = models.ForeignKey(
        "people.Person", on_delete=models.CASCADE, null=True, blank=True, related_name="+", db_index=False
    )
    # Who it is for
    assigned_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    team = models.ForeignKey("core.Team", on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    capability = models.CharField(max_length=40, blank=True, help_text="Only those who hold it (core.access)")
    role = models.CharField(max_length=40, blank=True, help_text="Only those with this role")
    excluded_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        help_text="Never for this user (a manager does not sign off their own work)",
    )
    due_on = models.DateField(null=True, blank=True)
    opened_at = models.DateTimeField()
    opened_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    close_reason = models.CharField(max_length=200, blank=True)
    objects = SensitiveManager()  # refuses unaudited bulk writes (core.sensitive)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["key"], condition=Q(closed_at__isnull=True), name="task_open_once"
            )
        ]
        indexes = [
            # The worktray reads open tasks by who they are for, soonest due first
            models.Index(
                fields=["assigned_user", "due_on"], condition=Q(closed_at__isnull=True), name="task_user_open"
            ),
            models.Index(
                fields=["team", "due_on"], condition=Q(closed_at__isnull=True), name="task_team_open"
            ),
            models.Index(
                fields=["capability", "due_on"],
                condition=Q(closed_at__isnull=True, team__isnull=True, assigned_user__isnull=True),
                name="task_wide_open",
            ),
            models.Index(fields=["subject_type", "subject_id"], name="task_subject"),
            models.Index(fields=["person", "kind"], name="task_person"),
        ]

    @property
    def is_open(self) -> bool:
        return self.closed_at is None


class Notification(models.Model):
    """A task told to one user: read or not in the product, and by email unless they turned email off.

    It holds no personal data (the task does); an email says only that there is a task, with a link to it."""

    class Email(models.TextChoices):
        NONE = "", "Not sent by email"
        PENDING = "pending", "Waiting to be sent"
        SENDING = "sending", "Being sent"
        SENT = "sent", "Sent"
        FAILED = "failed", "Could not be sent"

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="notifications")
    created_at = models.DateTimeField()
    read_at = models.DateTimeField(null=True, blank=True)
    email = models.CharField(max_length=10, choices=Email.choices, blank=True, default="")
    email_attempts = models.PositiveSmallIntegerField(default=0)
    emailed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "task"], name="notification_once")]
        indexes = [
            models.Index(fields=["user", "read_at"], name="notification_unread"),
            models.Index(fields=["email"], condition=Q(email="pending"), name="notification_email_pending"),
        ]


class NotificationPreference(models.Model):
    """A user's choice about notifications (by default they are emailed, when the user has an email address)."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    email = models.BooleanField(default=True)
    updated_at = models.DateTimeField()


class UrgencyTarget(models.Model):
    """The most days a request of one urgency may wait before it breaches its target: the council's own figure,
    set by an administrator (without a row, settings.OPENASC_URGENCY_TARGET_DAYS gives the default)."""

    urgency = models.CharField(max_length=10, unique=True)  # a frontdoor.models.Urgency value
    days = models.PositiveSmallIntegerField()
    changed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    changed_at = models.DateTimeField()
