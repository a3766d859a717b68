"""Starting jobs and recording how they go. Start and end are audited; progress is not (it changes no personal data)."""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import os
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import DatabaseError, connections, transaction
from django.utils import timezone
from django.utils.module_loading import import_string

from openasc.core import audit
from openasc.core.models import AuditAction, User
from openasc.jobs.models import FINISHED_STATES, Job, JobKind, JobState

logger = logging.getLogger(__name__)
BASIS = "background job"
MESSAGE_LENGTH = Job._meta.get_field("message").max_length


def job_files_dir(*parts: str) -> Path:
    """The private directory for jobs' files (uploads waiting to be imported, exports waiting to be downloaded):
    OPENASC_JOB_FILES, never served by the web server; made readable by this account only."""
    root = Path(settings.OPENASC_JOB_FILES)
    path = root.joinpath(*parts)
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    return path


def job_start(*, kind: JobKind | str, user: User, params: dict[str, Any]) -> Job:
    """Record the job, audit that it was asked for and put it on the queue, all or nothing."""
    from openasc.jobs.tasks import run_job

    kind = JobKind(kind)
    with transaction.atomic():
        job = Job.objects.create(
            kind=kind,
            requested_by=user,
            params=params,
            created_at=timezone.now(),
            message="Waiting for the worker to start it",
        )
        audit.record(
            actor=user,
            action=AuditAction.CREATE,
            obj=job,
            basis=BASIS,
            details={
                "what": f"{job.get_kind_display()} job started",
                "job": job.pk,
                "kind": str(kind),
                "params": params,
            },
        )
        result = run_job.enqueue(job.pk)  # an immediate backend (the tests' default) runs it here and now
        Job.objects.filter(pk=job.pk).update(task_id=str(result.id))
    job.refresh_from_db()
    return job


def job_begin(job: Job) -> None:
    """The worker has picked the job up."""
    now = timezone.now()
    job.state, job.started_at, job.updated_at, job.message = JobState.RUNNING, now, now, "Started"
    job.save(update_fields=["state", "started_at", "updated_at", "message"])


def job_succeed(job: Job, *, result: dict[str, Any], result_url: str, message: str = "Finished") -> None:
    _finish(job, state=JobState.SUCCEEDED, result=result, result_url=result_url, message=message, failure="")


def job_fail(job: Job, *, reason: str, result: dict[str, Any] | None = None, result_url: str = "") -> None:
    _finish(
        job,
        state=JobState.FAILED,
        result=result or {},
        result_url=result_url,
        message="Failed",
        failure=reason[:4000],
    )


def _finish(
    job: Job, *, state: str, result: dict[str, Any], result_url: str, message: str, failure: str
) -> None:
    now = timezone.now()
    with transaction.atomic():
        job.state, job.result, job.result_url, job.failure = state, result, result_url, failure
        job.finished_at = job.updated_at = now
        job.message = message[:MESSAGE_LENGTH]
        job.save(
            update_fields=["state", "result", "result_url", "failure", "finished_at", "updated_at", "message"]
        )
        audit.record(
            actor=job.requested_by,
            action=AuditAction.UPDATE,
            obj=job,
            basis=BASIS,
            details={
                "what": f"{job.get_kind_display()} job {job.get_state_display().lower()}",
                "job": job.pk,
                "kind": job.kind,
                "state": state,
                "result": result,
                **({"failure": failure} if failure else {}),
            },
        )


def _stale_after() -> dt.timedelta:
    return dt.timedelta(
        minutes=int(
            getattr(settings, "OPENASC_JOB_STALE_MINUTES", None)
            or os.environ.get("OPENASC_JOB_STALE_MINUTES", "60")
        )
    )


def job_is_abandoned(job: Job, now: dt.datetime | None = None) -> bool:
    """A running job with no sign of life (progress, or its start) for OPENASC_JOB_STALE_MINUTES (default 60): its
    worker was killed or its machine stopped. (A CLD load on SQLite shows none until it commits: minutes, not an
    hour.)"""
    last = job.updated_at or job.started_at or job.created_at
    return job.state == JobState.RUNNING and last < (now or timezone.now()) - _stale_after()


def jobs_fail_abandoned() -> int:
    """Mark abandoned jobs failed, saying why (a worker does this as it starts). Returns how many."""
    now = timezone.now()
    n = 0
    for job in Job.objects.select_related("requested_by").filter(state=JobState.RUNNING):
        if job_is_abandoned(job, now):
            last = (
                f"{timezone.localtime(job.updated_at or job.started_at or job.created_at):%H:%M on %-d %B %Y}"
            )
            job_fail(
                job,
                reason=f"The worker stopped before the job finished (no sign of life since {last}). "
                "Nothing was changed: start it again.",
            )
            n += 1
    return n


class Progress:
    """How far a running job has got, written where the progress page can see it.

    Outside a transaction the job's row is updated directly. Inside one (a CLD load is one long transaction) an
    update on the same connection would only show when it commits, so on PostgreSQL it goes through a second
    connection of its own; SQLite allows one writer at a time, so there the figures wait for the commit."""

    def __init__(self, job: Job, *, every: float = 0.5):
        self.job = job
        self.every = every
        self._last = 0.0
        self._side = None

    def __call__(
        self,
        *,
        done: int | None = None,
        total: int | None = None,
        message: str | None = None,
        force: bool = False,
    ) -> None:
        if done is not None:
            self.job.done = max(0, int(done))
        if total is not None:
            self.job.total = max(0, int(total))
        if message is not None:
            self.job.message = message[:MESSAGE_LENGTH]
        now = time.monotonic()
        if not force and now - self._last < self.every:
            return
        self._last = now
        self.job.updated_at = timezone.now()
        values = {
            "done": self.job.done,
            "total": self.job.total,
            "message": self.job.message,
            "updated_at": self.job.updated_at,
        }
        connection = connections[Job.objects.db]
        if not connection.in_atomic_block:
            Job.objects.filter(pk=self.job.pk).update(**values)
        elif connection.vendor == "postgresql":
            self.outside_transaction(
                f"UPDATE {Job._meta.db_table} SET done = %s, total = %s, message = %s, "
                "updated_at = %s WHERE id = %s",
                [values["done"], values["total"], values["message"], values["updated_at"], self.job.pk],
            )

    def outside_transaction(self, sql: str, params: list[Any]) -> bool:
        """Run one UPDATE on a second PostgreSQL connection, so others see it while this one's transaction runs.
        Best effort: it gives up after two seconds' wait for a lock, and never breaks the job."""
        try:
            if self._side is None:
                main = connections[Job.objects.db]
                self._side = type(main)(dict(main.settings_dict), alias=main.alias)
                with self._side.cursor() as cursor:
                    cursor.execute("SET lock_timeout = '2s'")
            with self._side.cursor() as cursor:
                cursor.execute(sql, params)
            return True
        except DatabaseError as exc:
            logger.warning("progress of job %s not written: %s", self.job.pk, exc)
            return False

    def close(self) -> None:
        if self._side is not None:
            with contextlib.suppress(DatabaseError):
                self._side.close()
            self._side = None


# --- pruning ---------------------------------------------------------------------------------------------------------
# kind -> "module.function(job) -> [Path]": the files a job of that kind keeps in the jobs' directory
FILES: dict[str, str] = {
    JobKind.CLD_IMPORT: "openasc.reporting.jobs.job_files",
    JobKind.CLD_EXPORT: "openasc.reporting.jobs.job_files",
}


@dataclass(frozen=True)
class Pruned:
    jobs: int
    task_results: int
    files: int
    cutoff: dt.datetime


def keep_days() -> int:
    """How many days finished jobs, their queue rows and their files are kept (OPENASC_JOB_KEEP_DAYS, default 30)."""
    from django.core.exceptions import ImproperlyConfigured

    days = getattr(settings, "OPENASC_JOB_KEEP_DAYS", 30)
    if isinstance(days, bool) or not isinstance(days, int) or days < 1:
        raise ImproperlyConfigured(
            f"OPENASC_JOB_KEEP_DAYS: give a whole number of days, 1 or more, to keep finished jobs (it is {days!r})"
        )
    return days


def job_files(job: Job) -> list[Path]:
    finder = FILES.get(job.kind)
    return list(import_string(finder)(job)) if finder else []


def jobs_prune(*, days: int | None = None, now: dt.datetime | None = None) -> Pruned:
    """Delete what finished jobs leave behind once it is older than `days` (default keep_days()): our Job rows, the
    queue's finished result rows, and the jobs' files (an export's CLD file and report, an upload whose job was
    killed), with any other file in the jobs' directory that old. A queued or running job, its queue row and its
    files are never touched, however old.

    Deleting a CLD export's files (they hold every person's events) is audited against the analyst who made them,
    as the job's other events are (an analyst whose account has since been deactivated cannot be named as an actor:
    the deletion is logged instead)."""
    from django_tasks_db.models import DBTaskResult

    days = keep_days() if days is None else days
    if isinstance(days, bool) or not isinstance(days, int) or days < 1:
        raise ValueError("days: give a whole number of days, 1 or more")
    cutoff = (now or timezone.now()) - dt.timedelta(days=days)
    unfinished = list(Job.objects.exclude(state__in=FINISHED_STATES))
    keep_tasks = {j.task_id for j in unfinished if j.task_id}
    keep_files = {p.resolve() for j in unfinished for p in job_files(j)}
    old = list(
        Job.objects.select_related("requested_by").filter(state__in=FINISHED_STATES, finished_at__lte=cutoff)
    )
    files = 0
    for job in old:
        deleted = []
        for path in job_files(job):
            if path.resolve() not in keep_files and path.is_file():
                path.unlink(missing_ok=True)
                deleted.append(path.name)
        files += len(deleted)
        if deleted and job.kind == JobKind.CLD_EXPORT:
            _audit_files_deleted(job, deleted, days)
    files += _prune_stray_files(cutoff, keep_files)
    with transaction.atomic():
        tasks = DBTaskResult.objects.finished().filter(finished_at__lte=cutoff).exclude(id__in=keep_tasks)
        task_results = tasks.delete()[0]
        jobs = Job.objects.filter(pk__in=[j.pk for j in old]).delete()[0]
    if jobs or task_results or files:
        logger.info(
            "pruned %s job(s), %s queue row(s) and %s file(s) older than %s days",
            jobs,
            task_results,
            files,
            days,
        )
    return Pruned(jobs=jobs, task_results=task_results, files=files, cutoff=cutoff)


def _audit_files_deleted(job: Job, names: list[str], days: int) -> None:
    details = {
        "what": "CLD export files deleted: kept for their time",
        "job": job.pk,
        "files": names,
        "days": days,
    }
    if not job.requested_by.is_active:
        logger.warning("job %s: %s (its analyst's account is deactivated, so not audited)", job.pk, details)
        return
    audit.record(
        actor=job.requested_by,
        action=AuditAction.DELETE,
        obj=job,
        basis=BASIS,
        reason=f"kept {days} days (OPENASC_JOB_KEEP_DAYS)",
        details=details,
    )


def _prune_stray_files(cutoff: dt.datetime, keep: set[Path]) -> int:
    """Files in the jobs' directory last changed before `cutoff` that no unfinished job needs (left by a worker that
    was killed, or by a job row already gone)."""
    root = Path(settings.OPENASC_JOB_FILES)
    if not root.is_dir():
        return 0
    limit = cutoff.timestamp()
    n = 0
    for path in root.rglob("*"):
        try:
            if (
                path.is_file()
                and not path.is_symlink()
                and path.stat().st_mtime <= limit
                and path.resolve() not in keep
            ):
                path.unlink()
                n += 1
        except FileNotFoundError:
            continue
    return n
