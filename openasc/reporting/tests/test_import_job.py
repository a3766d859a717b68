"""The browser's CLD import as a background job, end to end through the real queue: the upload is kept privately and
queued with django-tasks' database backend, the worker loop (openasc.jobs.worker, django-tasks-db's Worker) takes it
and runs it, the progress page follows it and ends on the import's result page. Runs on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, connections
from django.urls import reverse
from django_tasks_db.models import DBTaskResult

from openasc.core.models import AuditEvent
from openasc.jobs.models import Job, JobKind, JobState
from openasc.jobs.services import Progress, job_start
from openasc.jobs.worker import run_queued
from openasc.people.models import Person
from openasc.reporting import importer
from openasc.reporting import jobs as reporting_jobs
from openasc.reporting.importer import lock
from openasc.reporting.models import ImportRun, ImportStatus

from .test_import import NHS2, request_row, review_row, service_row, write
from .test_import_views import cld_bytes, upload

pytestmark = pytest.mark.django_db(
    transaction=True
)  # the worker and the progress page see committed rows only


@pytest.fixture(autouse=True)
def reference_codes(transactional_db):
    """A transactional test ends by emptying every table: load the coded lists again for each test."""
    from openasc.core import codes
    from openasc.core.models import ReferenceCode

    def forget():
        clear = getattr(codes, "clear_cache", None) or getattr(codes.values, "cache_clear", None)
        if clear is not None:
            clear()

    if not ReferenceCode.objects.exists():
        codes.bulk_load_rows(ReferenceCode)
    forget()
    yield
    forget()


@pytest.fixture
def queue(settings, tmp_path):
    """The database queue, as in production (the suite's default runs jobs in the request), and a private folder."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
    settings.OPENASC_JOB_FILES = str(tmp_path / "job-files")
    return Path(settings.OPENASC_JOB_FILES)


def uploads(root: Path) -> list[Path]:
    folder = root / reporting_jobs.UPLOADS
    return sorted(folder.iterdir()) if folder.exists() else []


def test_the_upload_is_queued_and_the_worker_loads_it_and_the_page_ends_on_the_result(client, staff, queue):
    client.force_login(staff.performance_analyst)
    response = upload(client, cld_bytes([request_row(), service_row(), review_row()]), name="q4.csv")
    job = Job.objects.get()
    assert response.redirect_chain == [(reverse("jobs:job", args=[job.pk]), 302)]
    # queued, not run: nothing loaded yet, the file waits in the private folder, the queue holds the task
    assert (job.kind, job.state, job.requested_by) == (
        JobKind.CLD_IMPORT,
        JobState.QUEUED,
        staff.performance_analyst,
    )
    assert not Person.objects.exists() and not ImportRun.objects.exists()
    assert len(uploads(queue)) == 1
    task = DBTaskResult.objects.get()
    assert str(task.id) == job.task_id and task.status == "READY"
    html = response.content.decode()
    assert "Waiting to start" in html and 'hx-trigger="every 2s"' in html and 'aria-live="polite"' in html
    assert '<meta http-equiv="refresh"' in html  # without JavaScript the page still updates itself
    # the poll says "not yet" and keeps polling
    poll = client.get(reverse("jobs:progress", args=[job.pk]), HTTP_HX_REQUEST="true")
    assert poll.status_code == 200 and "HX-Redirect" not in poll.headers

    assert run_queued() == 1  # the worker loop takes the one job from the database queue and runs it

    job.refresh_from_db()
    run = ImportRun.objects.get()
    assert job.state == JobState.SUCCEEDED and job.finished_at is not None
    assert job.result == {"import_run": run.pk, "status": ImportStatus.LOADED, "rows": 3, "errors": 0}
    assert job.message == "3 rows checked and loaded"
    assert Person.objects.count() == 1 and run.status == ImportStatus.LOADED and run.source == "browser"
    assert uploads(queue) == []  # the upload is deleted when the job ends
    DBTaskResult.objects.get(status="SUCCESSFUL")
    result_url = reverse("reporting:cld-import-result", args=[run.pk])
    poll = client.get(reverse("jobs:progress", args=[job.pk]), HTTP_HX_REQUEST="true")
    assert poll.headers["HX-Redirect"] == result_url
    page = client.get(reverse("jobs:job", args=[job.pk]), follow=True)
    assert page.redirect_chain == [(result_url, 302)] and "File imported" in page.content.decode()
    # started and ended, each audited against the analyst
    events = AuditEvent.objects.filter(object_type="jobs.job", object_id=str(job.pk)).order_by("pk")
    assert [(e.action, e.actor_id, e.details["what"]) for e in events] == [
        ("create", staff.performance_analyst.pk, "CLD import job started"),
        ("update", staff.performance_analyst.pk, "CLD import job finished"),
    ]
    # the import's own audit events carry the job's request id
    person_event = AuditEvent.objects.get(object_type="people.person", action="create")
    assert person_event.request_id.startswith(f"job-{job.pk}-")


def test_a_file_with_errors_loads_nothing_and_the_job_ends_on_its_errors(client, staff, queue):
    client.force_login(staff.performance_analyst)
    upload(client, cld_bytes([request_row(), service_row(**{"Unit Cost": "12.345"})]))
    assert run_queued() == 1
    job = Job.objects.get()
    run = ImportRun.objects.get()
    assert run.status == ImportStatus.REJECTED and run.error_count == 1
    assert job.state == JobState.SUCCEEDED and job.message == "1 errors found: nothing was loaded"
    assert not Person.objects.exists()
    assert uploads(queue) == []
    html = client.get(reverse("jobs:job", args=[job.pk]), follow=True).content.decode()
    assert "The file was not imported" in html and "Unit Cost" in html and "12.345" in html


def test_a_load_that_breaks_half_way_changes_nothing_and_says_why(client, staff, queue, monkeypatch):
    """The first chunk of events is written, then the load fails: the transaction takes it all back."""
    written = []

    def breaks(self, n):
        written.append(Person.objects.count())  # inside the load's transaction: the people are there
        raise RuntimeError("the disk is full")

    monkeypatch.setattr(reporting_jobs._ImportProgress, "loading", breaks)
    client.force_login(staff.performance_analyst)
    upload(client, cld_bytes([request_row(), service_row(), review_row()]))
    assert run_queued() == 1
    assert written and written[0] >= 1
    job = Job.objects.get()
    run = ImportRun.objects.get()
    assert not Person.objects.exists()  # nothing half-written
    assert run.status == ImportStatus.FAILED and "the disk is full" in run.failure
    assert job.state == JobState.FAILED
    assert "the disk is full" in job.failure and "Nothing was loaded" in job.failure
    assert job.result_url == reverse("reporting:cld-import-result", args=[run.pk])
    assert uploads(queue) == []
    # the progress page says why and stops polling; the result page shows the failure too
    poll = client.get(reverse("jobs:progress", args=[job.pk]), HTTP_HX_REQUEST="true")
    assert poll.status_code == 286 and poll.headers["HX-Refresh"] == "true"
    html = client.get(reverse("jobs:job", args=[job.pk])).content.decode()
    assert "CLD import failed" in html and "the disk is full" in html and "hx-trigger" not in html
    html = client.get(job.result_url).content.decode()
    assert "The import stopped before it finished" in html and "the disk is full" in html
    assert (
        AuditEvent.objects.filter(object_type="jobs.job", action="update", details__state="failed").count()
        == 1
    )


def test_a_second_import_while_one_waits_is_refused_and_nothing_is_kept(client, staff, queue):
    client.force_login(staff.performance_analyst)
    upload(client, cld_bytes([request_row()]))
    first = Job.objects.get()
    response = upload(client, cld_bytes([request_row()]))
    assert response.status_code == 409
    assert f"Another CLD import is waiting to start (job {first.pk})" in response.content.decode()
    assert Job.objects.count() == 1 and len(uploads(queue)) == 1
    run_queued()
    assert upload(client, cld_bytes([request_row()])).status_code == 200  # free again once it has ended
    assert Job.objects.count() == 2


def test_an_import_already_running_elsewhere_fails_the_job_with_the_reason_and_loads_nothing(
    client, staff, queue
):
    client.force_login(staff.performance_analyst)
    upload(client, cld_bytes([request_row()]))
    other = ImportRun.objects.create(
        status=ImportStatus.RUNNING,
        pid=None,
        host="elsewhere",
        by=staff.system,
        started_at=dt.datetime.now(dt.UTC),
        heartbeat_at=dt.datetime.now(dt.UTC),
    )
    run_queued()
    job = Job.objects.get()
    assert job.state == JobState.FAILED
    assert f"Another CLD import is running (import run {other.pk}" in job.failure
    assert job.failure.endswith("Nothing was loaded.")
    assert not Person.objects.exists() and uploads(queue) == []


def test_only_the_analyst_who_started_it_or_an_importer_sees_the_job(client, staff, queue):
    client.force_login(staff.performance_analyst)
    upload(client, cld_bytes([request_row()]))
    job = Job.objects.get()
    for user, status in ((staff.social_worker, 404), (staff.team_manager, 404), (staff.administrator, 200)):
        client.force_login(user)
        assert client.get(reverse("jobs:job", args=[job.pk])).status_code == status, user.role
    client.force_login(staff.social_worker)
    assert (
        client.get(reverse("jobs:job", args=[job.pk + 999])).status_code == 404
    )  # the same as someone else's


def test_progress_is_written_where_the_page_can_see_it(staff, queue):
    job = Job.objects.create(
        kind=JobKind.CLD_IMPORT,
        requested_by=staff.performance_analyst,
        created_at=dt.datetime.now(dt.UTC),
        state=JobState.RUNNING,
    )
    progress = Progress(job, every=0)
    progress(done=10, total=40, message="10 rows checked")
    assert Job.objects.values_list("done", "total", "message").get(pk=job.pk) == (10, 40, "10 rows checked")
    from django.db import transaction

    main = connections["default"]
    other = type(main)(dict(main.settings_dict), alias=main.alias)
    try:
        with transaction.atomic():  # as in the load: one long transaction
            progress(done=20, message="20 of 40 events loaded")
            with other.cursor() as cursor:
                cursor.execute("SELECT done, message FROM jobs_job WHERE id = %s", [job.pk])
                seen = cursor.fetchone()
    finally:
        other.close()
        progress.close()
    if connection.vendor == "postgresql":  # through its own connection: seen before the transaction commits
        assert seen == (20, "20 of 40 events loaded")
    else:  # SQLite has one writer: the figures show when the load commits
        assert seen == (10, "10 rows checked")


def test_the_importer_takes_a_plain_callable_as_its_progress(staff, tmp_path):
    calls = []
    importer.run_import(
        [write(tmp_path / "a.csv", [request_row(), review_row()])],
        user=staff.system,
        progress=lambda stage, done, total: calls.append((stage, done, total)),
    )
    assert ("checking", 2, 0) in calls
    loading = [c for c in calls if c[0] == "loading"]
    assert loading[0] == ("loading", 0, 2) and loading[-1] == ("loading", 2, 2)


def test_the_heartbeat_is_renewed_during_the_load(staff, tmp_path, monkeypatch):
    """Within the load's transaction, through a connection of its own (PostgreSQL), so other imports see it. (A
    council's first load takes the foreign keys off its empty tables, which locks the import runs' table until it
    commits: others wait for it anyway, and each heartbeat gives up after two seconds. So: a second import here.)"""
    if connection.vendor != "postgresql":
        pytest.skip(
            "SQLite: the load holds the only write lock, so no other import can start (nothing to renew)"
        )
    importer.run_import([write(tmp_path / "first.csv", [request_row(), service_row()])], user=staff.system)
    monkeypatch.setattr(lock, "BEAT_EVERY", dt.timedelta(0))
    seen = []
    main = connections["default"]
    other = type(main)(dict(main.settings_dict), alias=main.alias)
    with other.cursor() as cursor:
        cursor.execute("SET lock_timeout = '5s'")  # a test that fails rather than waits

    def watch(stage, done, total):
        if stage == "loading":  # done 0: after the check's last beat, before the load's transaction
            with other.cursor() as cursor:
                cursor.execute(
                    "SELECT status, heartbeat_at FROM reporting_importrun WHERE status = 'running'"
                )
                seen.append(cursor.fetchone())

    someone_else = {"LA Person Unique Identifier": "P2", "NHS Number": NHS2}
    second = [request_row(**someone_else), review_row(**someone_else)]
    try:
        importer.run_import([write(tmp_path / "second.csv", second)], user=staff.system, progress=watch)
    finally:
        other.close()
    run = ImportRun.objects.order_by("pk").last()
    assert run.status == ImportStatus.LOADED and Person.objects.count() == 2
    assert len(seen) >= 2 and all(status == ImportStatus.RUNNING for status, _ in seen)  # while the load ran
    assert (
        seen[-1][1] > seen[0][1] > run.started_at
    )  # renewed during the load, visible outside its transaction


def test_the_worker_command_runs_the_waiting_jobs_and_checks_its_options(staff, queue, tmp_path):
    folder = queue / reporting_jobs.UPLOADS
    folder.mkdir(parents=True)
    (folder / "x.csv").write_bytes(cld_bytes([request_row()]))
    job = job_start(
        kind=JobKind.CLD_IMPORT,
        user=staff.performance_analyst,
        params={"file": "x.csv", "name": "x.csv", "check_only": True},
    )
    call_command("worker", "--once", verbosity=0)
    job.refresh_from_db()
    assert job.state == JobState.SUCCEEDED and job.message == "1 rows checked: nothing was loaded"
    for bad, field in (
        (["--interval", "-1"], "--interval"),
        (["--queues", " , "], "--queues"),
        (["--max-jobs", "0"], "--max-jobs"),
    ):
        with pytest.raises(CommandError, match=field):
            call_command("worker", *bad)


def test_a_job_naming_a_file_outside_its_folder_does_nothing(staff, queue, tmp_path):
    outside = tmp_path / "secret.csv"
    outside.write_bytes(cld_bytes([request_row()]))
    job = job_start(
        kind=JobKind.CLD_IMPORT,
        user=staff.performance_analyst,
        params={"file": "../../secret.csv", "name": "x.csv", "check_only": False},
    )
    run_queued()
    job.refresh_from_db()
    assert job.state == JobState.FAILED and "outside the jobs' directory" in job.failure
    assert outside.exists() and not Person.objects.exists() and not ImportRun.objects.exists()


def test_connections_are_left_as_they_were(staff, queue):
    """The side connections used for progress and heartbeats are closed; the default one is still usable."""
    assert list(connections) == ["default"]
    connection.ensure_connection()
    assert connection.is_usable()


def test_a_job_whose_worker_died_is_marked_failed_when_a_worker_starts(client, staff, queue):
    now = dt.datetime.now(dt.UTC)

    def running(minutes_ago: int) -> Job:
        at = now - dt.timedelta(minutes=minutes_ago)
        return Job.objects.create(
            kind=JobKind.CLD_IMPORT,
            requested_by=staff.performance_analyst,
            created_at=at,
            started_at=at,
            updated_at=at,
            state=JobState.RUNNING,
            message="5 rows checked",
        )

    dead, alive = running(61), running(59)
    client.force_login(staff.performance_analyst)
    assert "No sign of life since" in client.get(reverse("jobs:job", args=[dead.pk])).content.decode()
    assert "No sign of life since" not in client.get(reverse("jobs:job", args=[alive.pk])).content.decode()
    call_command("worker", "--once", verbosity=0)
    dead.refresh_from_db()
    alive.refresh_from_db()
    assert dead.state == JobState.FAILED and "The worker stopped before the job finished" in dead.failure
    assert alive.state == JobState.RUNNING
    assert AuditEvent.objects.get(object_type="jobs.job", object_id=str(dead.pk)).details["state"] == "failed"


def test_screen_readers_hear_the_status_only_when_it_changes_and_no_javascript_still_works(
    client, staff, queue
):
    job = Job.objects.create(
        kind=JobKind.CLD_IMPORT,
        requested_by=staff.performance_analyst,
        created_at=dt.datetime.now(dt.UTC),
        state=JobState.QUEUED,
        message="Waiting",
    )
    client.force_login(staff.performance_analyst)
    url = reverse("jobs:progress", args=[job.pk])

    def poll(seen):
        return client.get(url, {"seen": seen}, HTTP_HX_REQUEST="true").content.decode()

    assert "hx-swap-oob" not in poll("queued-")  # nothing new: nothing announced, and it polls on
    Job.objects.filter(pk=job.pk).update(
        state=JobState.RUNNING, done=30, total=100, message="30 rows checked"
    )
    html = poll("queued-")
    assert 'hx-swap-oob="innerHTML"' in html and "Running: 30 rows checked" in html and "(30%)" in html
    assert "?seen=running-1" in html  # the next poll says what this one showed
    assert "hx-swap-oob" not in poll("running-1")  # 30% to 49%: the same quarter, not announced again
    # without JavaScript: the fragment's address sends the browser back to the whole page, which refreshes itself
    assert client.get(url).url == reverse("jobs:job", args=[job.pk])
