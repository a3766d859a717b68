"""Pruning: finished jobs, the queue's finished rows and the jobs' files older than OPENASC_JOB_KEEP_DAYS go; a queued
or running job never does, however old. Both sides of the age boundary, by `openasc jobs prune` and by the worker."""

from __future__ import annotations

import datetime as dt
import os
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone
from django_tasks_db.models import DBTaskResult, get_date_max

from openasc.core.models import AuditAction, AuditEvent
from openasc.jobs import services, tasks
from openasc.jobs.models import Job, JobKind, JobState
from openasc.reporting import jobs as reporting_jobs

NOW = timezone.now()
JUST_OLD = dt.timedelta(days=30, minutes=1)  # finished 30 days and a minute ago: pruned at the default 30
NOT_YET = dt.timedelta(days=29, hours=23, minutes=59)  # a minute short of 30 days: kept


@pytest.fixture
def queue(settings, tmp_path):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
    settings.OPENASC_JOB_FILES = str(tmp_path / "job-files")
    settings.OPENASC_JOB_KEEP_DAYS = 30
    return Path(settings.OPENASC_JOB_FILES)


def task_row(status: str, finished_ago: dt.timedelta | None) -> DBTaskResult:
    return DBTaskResult.objects.create(
        status=status,
        args_kwargs={"args": [0], "kwargs": {}},
        task_path="openasc.jobs.tasks.run_job",
        backend_name="default",
        run_after=get_date_max(),
        finished_at=NOW - finished_ago if finished_ago is not None else None,
    )


def job(
    user, *, state: str, ago: dt.timedelta, kind=JobKind.CLD_EXPORT, task_status: str | None = None, **kw
) -> Job:
    """A job that was created `ago` and (when finished) finished then, with its queue row."""
    finished = state in (JobState.SUCCEEDED, JobState.FAILED)
    task = task_row(
        task_status or ("SUCCESSFUL" if finished else ("RUNNING" if state == JobState.RUNNING else "READY")),
        ago if finished else None,
    )
    return Job.objects.create(
        kind=kind,
        requested_by=user,
        state=state,
        created_at=NOW - ago,
        started_at=NOW - ago if state != JobState.QUEUED else None,
        finished_at=NOW - ago if finished else None,
        task_id=str(task.id),
        **kw,
    )


def export_files(j: Job) -> list[Path]:
    paths = list(reporting_jobs.export_paths(j))
    for p in paths:
        p.write_text("Person ID\n1\n", encoding="utf-8")
    return paths


def age(path: Path, ago: dt.timedelta) -> None:
    stamp = (NOW - ago).timestamp()
    os.utime(path, (stamp, stamp))


def test_on_either_side_of_the_boundary_old_finished_jobs_go_and_the_rest_stay(staff, queue):
    analyst = staff.performance_analyst
    old_done = job(analyst, state=JobState.SUCCEEDED, ago=JUST_OLD)
    old_failed = job(
        analyst, state=JobState.FAILED, ago=JUST_OLD, kind=JobKind.CLD_IMPORT, task_status="FAILED"
    )
    recent = job(analyst, state=JobState.SUCCEEDED, ago=NOT_YET)
    old_files, recent_files = export_files(old_done), export_files(recent)

    pruned = services.jobs_prune(now=NOW)

    assert (pruned.jobs, pruned.task_results, pruned.files) == (2, 2, 2)
    assert set(Job.objects.values_list("pk", flat=True)) == {recent.pk}
    assert not Job.objects.filter(pk__in=[old_done.pk, old_failed.pk]).exists()
    assert list(DBTaskResult.objects.values_list("id", flat=True)) == [
        DBTaskResult.objects.get(id=recent.task_id).id
    ]
    assert [p.exists() for p in old_files] == [False, False]
    assert [p.exists() for p in recent_files] == [True, True]


def test_a_queued_or_running_job_is_never_pruned_however_old(staff, queue):
    analyst = staff.performance_analyst
    waiting = job(
        analyst,
        state=JobState.QUEUED,
        ago=dt.timedelta(days=400),
        kind=JobKind.CLD_IMPORT,
        params={"file": "waiting.csv", "name": "q4.csv"},
    )
    running = job(analyst, state=JobState.RUNNING, ago=dt.timedelta(days=400))
    upload = services.job_files_dir(reporting_jobs.UPLOADS) / "waiting.csv"
    upload.write_text("x", encoding="utf-8")
    age(upload, dt.timedelta(days=400))
    running_files = export_files(running)
    for p in running_files:
        age(p, dt.timedelta(days=400))

    pruned = services.jobs_prune(now=NOW)

    assert (pruned.jobs, pruned.task_results, pruned.files) == (0, 0, 0)
    assert Job.objects.filter(pk__in=[waiting.pk, running.pk]).count() == 2
    assert DBTaskResult.objects.count() == 2 and upload.exists() and all(p.exists() for p in running_files)


def test_a_finished_queue_row_whose_job_is_still_running_stays(staff, queue):
    running = job(staff.performance_analyst, state=JobState.RUNNING, ago=dt.timedelta(days=90))
    DBTaskResult.objects.filter(id=running.task_id).update(
        status="SUCCESSFUL", finished_at=NOW - dt.timedelta(days=60)
    )
    assert services.jobs_prune(now=NOW).task_results == 0
    assert DBTaskResult.objects.filter(id=running.task_id).exists()


def test_stray_files_older_than_the_limit_go_and_newer_ones_stay(staff, queue):
    folder = services.job_files_dir(reporting_jobs.EXPORTS)
    stray_old, stray_new = folder / "cld-export-job-999.csv", folder / "cld-export-job-998.csv"
    for path, ago in ((stray_old, JUST_OLD), (stray_new, NOT_YET)):
        path.write_text("x", encoding="utf-8")
        age(path, ago)
    assert services.jobs_prune(now=NOW).files == 1
    assert not stray_old.exists() and stray_new.exists()


def test_the_deletion_of_an_export_is_audited_against_the_analyst_who_made_it(staff, queue):
    old = job(staff.performance_analyst, state=JobState.SUCCEEDED, ago=JUST_OLD)
    export_files(old)
    services.jobs_prune(now=NOW)
    event = AuditEvent.objects.get(action=AuditAction.DELETE, object_type="jobs.job", object_id=str(old.pk))
    assert event.actor == staff.performance_analyst and event.basis == "background job"
    assert event.details["files"] == [f"cld-export-job-{old.pk}.csv", f"cld-export-job-{old.pk}.problems.csv"]
    assert event.reason == "kept 30 days (OPENASC_JOB_KEEP_DAYS)"


def test_the_setting_moves_the_boundary(staff, queue, settings):
    settings.OPENASC_JOB_KEEP_DAYS = 7
    eight = job(staff.performance_analyst, state=JobState.SUCCEEDED, ago=dt.timedelta(days=8))
    six = job(staff.performance_analyst, state=JobState.SUCCEEDED, ago=dt.timedelta(days=6))
    assert services.jobs_prune(now=NOW).jobs == 1
    assert list(Job.objects.values_list("pk", flat=True)) == [six.pk] and eight.pk != six.pk


def test_a_setting_of_no_days_is_a_clear_configuration_error(staff, queue, settings):
    from django.core.exceptions import ImproperlyConfigured

    settings.OPENASC_JOB_KEEP_DAYS = 0
    job(staff.performance_analyst, state=JobState.SUCCEEDED, ago=JUST_OLD)
    with pytest.raises(
        ImproperlyConfigured, match="OPENASC_JOB_KEEP_DAYS: give a whole number of days, 1 or more"
    ):
        services.jobs_prune()
    assert Job.objects.count() == 1


@pytest.mark.parametrize("days", [0, -1, True, "30"])
def test_a_number_of_days_that_is_not_one_or_more_is_refused(staff, queue, days):
    job(staff.performance_analyst, state=JobState.SUCCEEDED, ago=JUST_OLD)
    with pytest.raises(ValueError, match="days: give a whole number of days, 1 or more"):
        services.jobs_prune(days=days)
    assert Job.objects.count() == 1


# --- the command line and the worker ------------------------------------------------------------------------------


def test_jobs_prune_from_the_command_line_with_and_without_days(staff, queue):
    job(staff.performance_analyst, state=JobState.SUCCEEDED, ago=dt.timedelta(days=10))
    job(staff.performance_analyst, state=JobState.SUCCEEDED, ago=dt.timedelta(days=40))
    out = StringIO()
    call_command("jobs", "prune", stdout=out)
    assert out.getvalue().startswith("Deleted 1 finished job(s), 1 queue row(s) and 0 file(s) from before")
    assert Job.objects.count() == 1
    out = StringIO()
    call_command("jobs", "prune", "--days", "9", stdout=out)
    assert "Deleted 1 finished job(s)" in out.getvalue() and not Job.objects.exists()
    with pytest.raises(CommandError) as exc:
        call_command("jobs", "prune", "--days", "0", stdout=StringIO(), stderr=StringIO())
    assert "give a whole number of days, 1 or more" in str(exc.value)


@pytest.mark.django_db(transaction=True)  # the worker loop closes old connections, as in production
def test_the_worker_prunes_as_it_starts_and_queues_the_next_days_prune(staff, queue):
    old = job(staff.performance_analyst, state=JobState.SUCCEEDED, ago=JUST_OLD)
    out = StringIO()
    call_command("worker", "--once", "--interval", "0", stdout=out)
    assert not Job.objects.filter(pk=old.pk).exists() and "Deleted 1 finished job(s)" in out.getvalue()
    # a worker that keeps running puts one prune on the queue for a day later (never two)
    assert tasks.schedule_prune() is True
    assert tasks.schedule_prune() is False
    (prune,) = DBTaskResult.objects.filter(task_path=tasks.prune_jobs.module_path)
    assert prune.status == "READY"
    assert dt.timedelta(hours=23) < prune.run_after - timezone.now() <= dt.timedelta(days=1)


@pytest.mark.django_db(transaction=True)  # the worker loop closes old connections, as in production
def test_the_daily_prune_runs_from_the_queue_and_queues_the_next(staff, queue):
    from openasc.jobs.worker import run_queued

    old = job(staff.performance_analyst, state=JobState.SUCCEEDED, ago=JUST_OLD)
    tasks.prune_jobs.enqueue()  # as if a day had passed since the last one
    assert run_queued() == 1
    assert not Job.objects.filter(pk=old.pk).exists()
    waiting = DBTaskResult.objects.filter(task_path=tasks.prune_jobs.module_path, status="READY")
    assert waiting.count() == 1 and waiting.get().run_after > timezone.now() + dt.timedelta(hours=23)


def test_with_the_immediate_backend_nothing_is_queued_for_later(staff, settings):
    settings.TASKS = {
        "default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend", "QUEUES": ["default"]}
    }
    assert tasks.schedule_prune() is False
