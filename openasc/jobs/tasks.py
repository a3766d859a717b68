"""The tasks on the queue: run a Job by its id (what a job of each kind does lives with its app, RUNNERS), and the
daily prune of finished jobs (`prune_jobs`, which puts the next day's on the queue itself)."""

from __future__ import annotations

import datetime as dt
import logging
import uuid
from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone
from django.utils.module_loading import import_string
from django_tasks import task

from openasc.core.context import request_id
from openasc.jobs import services
from openasc.jobs.models import Job, JobKind, JobState

logger = logging.getLogger(__name__)

# kind -> "module.function(job, progress) -> Outcome"; the function raises JobFailed with a reason users can act on
RUNNERS: dict[str, str] = {
    JobKind.CLD_IMPORT: "openasc.reporting.jobs.run_cld_import",
    JobKind.CLD_EXPORT: "openasc.reporting.jobs.run_cld_export",
    JobKind.PAYMENT_RUN: "openasc.payments.jobs.run_payment_run",
    JobKind.RATE_UPLIFT: "openasc.finance.uplifts.services.run_uplift_apply",
}


class JobFailed(Exception):
    """The job could not do what was asked; the message says why in plain English (and what was left unchanged)."""

    def __init__(self, reason: str, *, result: dict[str, Any] | None = None, result_url: str = ""):
        super().__init__(reason)
        self.reason, self.result, self.result_url = reason, result or {}, result_url


@dataclass
class Outcome:
    result: dict[str, Any] = field(default_factory=dict)
    result_url: str = ""
    message: str = "Finished"


@task()
def run_job(job_id: int) -> str:
    """Run one job to its end: succeeded with its result, or failed with the reason. Returns the job's state."""
    job = Job.objects.select_related("requested_by").filter(pk=job_id).first()
    if job is None:
        logger.warning("job %s is not in the database: nothing to do", job_id)
        return "missing"
    if job.state != JobState.QUEUED:  # already run (a retried task): never twice
        return job.state
    with request_id(f"job-{job.pk}-{uuid.uuid4().hex[:12]}"):  # every audit event of the job carries it
        return _run(job)


def _run(job: Job) -> str:
    services.job_begin(job)
    progress = services.Progress(job)
    try:
        outcome = import_string(RUNNERS[job.kind])(job, progress)
    except JobFailed as exc:
        services.job_fail(job, reason=exc.reason, result=exc.result, result_url=exc.result_url)
    except Exception as exc:
        logger.exception("job %s failed", job.pk)
        services.job_fail(
            job,
            reason=f"The job stopped because of an unexpected error ({type(exc).__name__}: "
            f"{exc}). Nothing was changed; try again, and if it happens again tell the service desk.",
        )
    except BaseException:  # the worker was told to stop at once (a second SIGTERM or Ctrl+C)
        services.job_fail(
            job, reason="The worker was stopped before the job finished. Nothing was changed: start it again."
        )
        raise
    else:
        services.job_succeed(
            job, result=outcome.result, result_url=outcome.result_url, message=outcome.message
        )
    finally:
        progress.close()
    return job.state


PRUNE_EVERY = dt.timedelta(days=1)


@task()
def prune_jobs() -> dict[str, int]:
    """Delete finished jobs, their queue rows and files older than OPENASC_JOB_KEEP_DAYS, then queue tomorrow's."""
    pruned = services.jobs_prune()
    schedule_prune()
    return {"jobs": pruned.jobs, "task_results": pruned.task_results, "files": pruned.files}


def schedule_prune(*, after: dt.timedelta = PRUNE_EVERY) -> bool:
    """Make sure one prune waits on the database queue, to run `after` from now (a worker does this as it starts, and
    each prune for the next). Does nothing when one is waiting already, or when the queue cannot hold work for
    later (the tests' immediate backend). Returns whether it queued one."""
    from django_tasks_db.models import DBTaskResult

    if not prune_jobs.get_backend().supports_defer:
        return False
    if DBTaskResult.objects.filter(status="READY", task_path=prune_jobs.module_path).exists():
        return False
    prune_jobs.using(run_after=timezone.now() + after).enqueue()
    return True
