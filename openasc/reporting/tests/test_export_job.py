"""The CLD export in the browser as a background job through the database queue: the same file and audit as
`openasc cld export`, a page with the download link, the file served only to the analyst who ran it."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from django.core.management import call_command
from django.urls import reverse

from openasc.core.models import AuditEvent
from openasc.jobs.models import Job, JobKind, JobState
from openasc.jobs.worker import run_queued
from openasc.reporting import importer, projection
from openasc.reporting import jobs as reporting_jobs

from . import test_import_job
from .test_import import assessment_row, request_row, review_row, service_row, write

pytestmark = pytest.mark.django_db(transaction=True)
queue = test_import_job.queue  # the database queue and a private folder for the jobs' files
reference_codes = test_import_job.reference_codes  # (autouse) the coded lists, for each transactional test
PERIOD = "2024-04-01:2025-03-31"


@pytest.fixture
def record(staff, tmp_path):
    """A small council: one person with a request, an assessment, a service and a review."""
    importer.run_import(
        [write(tmp_path / "seed.csv", [request_row(), assessment_row(), service_row(), review_row()])],
        user=staff.system,
    )


def export(client, period=PERIOD):
    return client.post(reverse("reporting:cld-export"), {"period": period}, follow=True)


def cli_export_events(staff, tmp_path) -> list[AuditEvent]:
    floor = AuditEvent.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    call_command(
        "cld",
        "export",
        f"--period={PERIOD}",
        f"--out={tmp_path / 'cli.csv'}",
        f"--report={tmp_path / 'cli.problems.csv'}",
        f"--as-user={staff.performance_analyst.username}",
        stdout=io.StringIO(),
    )
    return list(AuditEvent.objects.filter(pk__gt=floor).order_by("pk"))


def comparable(event: AuditEvent) -> tuple:
    details = {k: v for k, v in event.details.items() if k != "file"}
    return event.actor_id, event.action, event.person_id, event.object_type, event.basis, details


def test_the_export_runs_as_a_job_and_ends_on_a_page_with_the_download(
    client, staff, queue, record, tmp_path
):
    client.force_login(staff.performance_analyst)
    response = export(client)
    job = Job.objects.get(kind=JobKind.CLD_EXPORT)
    assert response.redirect_chain == [(reverse("jobs:job", args=[job.pk]), 302)]
    assert job.state == JobState.QUEUED and "Waiting to start" in response.content.decode()
    floor = AuditEvent.objects.order_by("-pk").values_list("pk", flat=True).first()

    assert run_queued() == 1

    job.refresh_from_db()
    assert job.state == JobState.SUCCEEDED, job.failure
    assert job.result["rows"] == 4 and job.result["period"] == PERIOD
    job_events = [
        e for e in AuditEvent.objects.filter(pk__gt=floor).order_by("pk") if e.object_type != "jobs.job"
    ]
    # the export's own audit is exactly the command line's (same events, same people), but for the file's name
    assert [comparable(e) for e in job_events] == [comparable(e) for e in cli_export_events(staff, tmp_path)]
    assert job_events

    page = client.get(reverse("jobs:job", args=[job.pk]), follow=True)
    result_url = reverse("reporting:cld-export-result", args=[job.pk])
    assert page.redirect_chain == [(result_url, 302)]
    html = page.content.decode()
    assert "CLD file ready" in html and "Download the CLD file (CSV)" in html
    download = client.get(reverse("reporting:cld-export-download", args=[job.pk, "file"]))
    assert download.status_code == 200
    assert download["Content-Disposition"] == 'attachment; filename="cld-2024-04-01-to-2025-03-31.csv"'
    rows = list(csv.reader(io.StringIO(b"".join(download.streaming_content).decode("utf-8"))))
    assert rows[0] == projection.FIELDS and len(rows) == 5
    assert rows[1:] == list(csv.reader(io.StringIO((tmp_path / "cli.csv").read_text("utf-8"))))[1:]
    downloaded = AuditEvent.objects.get(action="export", object_type="jobs.job", object_id=str(job.pk))
    assert (
        downloaded.actor == staff.performance_analyst and downloaded.details["what"] == "CLD file downloaded"
    )
    assert downloaded.details["rows"] == 4


def test_the_file_is_only_for_the_analyst_who_ran_it(client, staff, queue, record):
    from openasc.core.tests.factories import UserFactory

    client.force_login(staff.performance_analyst)
    export(client)
    run_queued()
    job = Job.objects.get()
    colleague = UserFactory(username="analyst2", role=staff.performance_analyst.role)
    urls = [
        reverse("jobs:job", args=[job.pk]),
        reverse("reporting:cld-export-result", args=[job.pk]),
        reverse("reporting:cld-export-download", args=[job.pk, "file"]),
    ]
    client.force_login(colleague)
    assert [client.get(u).status_code for u in urls] == [404, 404, 404]
    client.force_login(staff.social_worker)
    assert [client.get(u).status_code for u in urls] == [404, 403, 403]
    client.force_login(staff.administrator)  # may import, not see the returns
    assert client.get(reverse("reporting:cld-export")).status_code == 403
    assert not AuditEvent.objects.filter(action="export", object_type="jobs.job").exists()
    client.force_login(staff.performance_analyst)
    assert client.get(reverse("reporting:cld-export-download", args=[job.pk, "other"])).status_code == 404


@pytest.mark.parametrize(
    "period, message",
    [
        ("", "Enter the reporting period, as the first and last days"),
        ("2024-04-01", "Enter the reporting period as its first and last days, YYYY-MM-DD:YYYY-MM-DD"),
        ("2024-02-30:2025-03-31", "The reporting period must be two real dates"),
        ("2025-03-31:2024-04-01", "The reporting period must end on or after the day it starts"),
    ],
)
def test_a_bad_period_is_an_error_on_the_field_and_queues_nothing(client, staff, queue, period, message):
    client.force_login(staff.performance_analyst)
    response = export(client, period)
    html = response.content.decode()
    assert response.status_code == 400 and message in html and 'href="#period"' in html
    assert not Job.objects.exists()


def test_the_last_day_on_or_after_the_first_is_a_period(client, staff, queue):
    client.force_login(staff.performance_analyst)
    assert export(client, " 2024-04-01 : 2024-04-01 ").redirect_chain[0][1] == 302
    assert Job.objects.get().params == {"period": "2024-04-01:2024-04-01"}


def test_an_export_that_fails_says_why_and_leaves_no_file(client, staff, queue, record, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("the projection broke")

    monkeypatch.setattr(projection, "project", broken)
    client.force_login(staff.performance_analyst)
    export(client)
    run_queued()
    job = Job.objects.get()
    assert job.state == JobState.FAILED and "the projection broke" in job.failure
    out, report = reporting_jobs.export_paths(job)
    assert not out.exists() and not report.exists()
    assert client.get(reverse("reporting:cld-export-result", args=[job.pk])).status_code == 404
    html = client.get(reverse("jobs:job", args=[job.pk])).content.decode()
    assert "CLD export failed" in html and "the projection broke" in html


def test_the_export_file_is_kept_in_the_private_folder(staff, queue, record, client):
    client.force_login(staff.performance_analyst)
    export(client)
    run_queued()
    out, _ = reporting_jobs.export_paths(Job.objects.get())
    assert Path(queue).resolve() in out.resolve().parents and out.is_file()
