"""The job record users see: what was asked for, by whom, how far it has got and how it ended."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class JobKind(models.TextChoices):
    CLD_IMPORT = "cld_import", "CLD import"
    CLD_EXPORT = "cld_export", "CLD export"
    PAYMENT_RUN = "payment_run", "Payment run"
    RATE_UPLIFT = "rate_uplift", "Rate uplift"


class JobState(models.TextChoices):
    QUEUED = "queued", "Waiting to start"
    RUNNING = "running", "Running"
    SUCCEEDED = "succeeded", "Finished"
    FAILED = "failed", "Failed"


FINISHED_STATES = (JobState.SUCCEEDED, JobState.FAILED)


class Job(models.Model):
    """One piece of background work. ``task_id`` is the queue's own id for it (django-tasks' result id)."""

    kind = models.CharField(max_length=32, choices=JobKind.choices)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    state = models.CharField(max_length=16, choices=JobState.choices, default=JobState.QUEUED)
    params = models.JSONField(default=dict, blank=True, help_text="What was asked for (no personal data)")
    done = models.PositiveBigIntegerField(default=0)
    total = models.PositiveBigIntegerField(default=0)
    message = models.CharField(
        max_length=300, blank=True, help_text="Where the job has got to, in plain English"
    )
    result = models.JSONField(
        default=dict, blank=True, help_text="What it made (an import run's id, a file's name)"
    )
    result_url = models.CharField(max_length=300, blank=True, help_text="The page that shows the result")
    failure = models.TextField(blank=True, help_text="Why it failed, in plain English")
    task_id = models.CharField(max_length=64, blank=True, db_index=True)
    created_at = models.DateTimeField()
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["requested_by", "state"], name="job_user_state")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.pk} ({self.state})"

    @property
    def finished(self) -> bool:
        return self.state in FINISHED_STATES

    @property
    def percent(self) -> int | None:
        if not self.total:
            return None
        return min(100, int(self.done * 100 / self.total))
