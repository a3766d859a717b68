"""Reading jobs: a job is seen by the member of staff who started it, and by those whose role lets them watch that
kind of job (an import's progress shows no personal data; an export's file is for the person who asked for it)."""

from __future__ import annotations

from django.db.models import QuerySet

from openasc.core import access
from openasc.core.models import User
from openasc.jobs.models import Job, JobKind, JobState

# kind -> the capability that lets someone other than the requester watch it (none: only the requester)
WATCH_CAPABILITY: dict[str, str] = {
    JobKind.CLD_IMPORT: access.Capability.IMPORT_CLD,
    JobKind.PAYMENT_RUN: access.Capability.RUN_PAYMENTS,
    JobKind.RATE_UPLIFT: access.Capability.APPLY_UPLIFTS,
}


def may_see(user: User, job: Job) -> bool:
    if not (user and user.is_authenticated and user.is_active):
        return False
    if job.requested_by_id == user.pk:
        return True
    capability = WATCH_CAPABILITY.get(job.kind)
    return bool(capability) and access.has(user, capability)


def job_for(user: User, job_id: int) -> Job | None:
    """The job, when the user may see it; None when it does not exist or they may not (the same answer)."""
    job = Job.objects.select_related("requested_by").filter(pk=job_id).first()
    if job is None or not may_see(user, job):
        return None
    return job


def jobs_unfinished(user: User, kind: JobKind | str) -> QuerySet[Job]:
    """The user's own jobs of a kind still waiting or running, oldest first (to come back to)."""
    return Job.objects.filter(
        requested_by=user, kind=kind, state__in=[JobState.QUEUED, JobState.RUNNING]
    ).order_by("created_at", "pk")
