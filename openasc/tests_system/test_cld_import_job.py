"""A performance analyst imports a CLD file through the progress page, with axe on every page: the upload is queued,
the page shows it waiting, the worker takes it from the real database queue, and the page goes on by itself to
the result. The worker runs in the test's thread (`live_worker`), while the browser's requests to the job pages are
held back, so that the live server and the worker never use the (shared, in-memory SQLite) connection at once."""

from __future__ import annotations

import pytest

from openasc.jobs.models import Job, JobState
from openasc.jobs.worker import run_queued
from openasc.people.models import Person
from openasc.reporting.tests.test_import import request_row, review_row, service_row, write

pytestmark = pytest.mark.system


@pytest.fixture
def live_worker(settings, tmp_path):
    """The database queue (as in production) and a worker to run what is on it, when the test says."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
    settings.OPENASC_JOB_FILES = str(tmp_path / "job-files")
    return run_queued


def test_an_analyst_imports_a_file_through_the_progress_page(journey, staff, tmp_path, live_worker):
    page = journey.page
    journey.sign_in("performance_analyst", start="/reporting/cld/import")
    polls: list[str] = []

    def through(route):  # fetched and answered here, in the test's thread: never while the worker runs
        polls.append(route.request.url)
        route.fulfill(response=route.fetch())

    page.route("**/jobs/**", through)
    good = write(tmp_path / "q4.csv", [request_row(), service_row(), review_row()])
    page.get_by_label("CLD file").set_input_files(str(good))
    journey.submit("Check and import")
    job = Job.objects.get()
    assert journey.path == f"/jobs/{job.pk}"
    main = page.locator("main").inner_text()
    assert "Importing a Client Level Data file" in main and "Waiting to start" in main
    assert page.locator("#job-live[aria-live=polite]").count() == 1
    page.wait_for_function("document.querySelector('#job-progress').getAttribute('hx-get') !== null")
    page.wait_for_timeout(2500)  # the page polls by itself while the job waits
    assert any("/progress" in url for url in polls)
    assert not Person.objects.exists()

    assert live_worker() == 1  # the worker takes the job from the database queue and loads the file

    job.refresh_from_db()
    assert job.state == JobState.SUCCEEDED, job.failure
    page.wait_for_url("**/reporting/cld/import/*", timeout=10_000)  # the next poll goes on to the result
    journey.check()
    assert "File imported" in page.locator("main").inner_text()
    assert Person.objects.count() == 1

    # a file with an error: the job ends on the list of errors, nothing loaded
    journey.goto("/reporting/cld/import")
    bad = write(tmp_path / "bad.csv", [request_row(**{"Event Start Date": "2024-13-01"})])
    page.get_by_label("CLD file").set_input_files(str(bad))
    journey.submit("Check and import")
    assert live_worker() == 1
    page.wait_for_url("**/reporting/cld/import/*", timeout=10_000)
    journey.check()
    main = page.locator("main").inner_text()
    assert "The file was not imported" in main and "2024-13-01" in main
    assert Person.objects.count() == 1


def test_an_analyst_exports_the_cld_file_through_the_progress_page(journey, staff, tmp_path, live_worker):
    from openasc.reporting import importer
    from openasc.reporting.tests.test_import import assessment_row

    importer.run_import(
        [write(tmp_path / "seed.csv", [request_row(), assessment_row(), service_row(), review_row()])],
        user=staff.system,
    )
    page = journey.page
    journey.sign_in("performance_analyst", start="/reporting/cld/import")
    journey.click_link("Export the CLD file for a reporting period")
    assert journey.path == "/reporting/cld/export"
    page.get_by_label("Reporting period").fill("2025-03-31:2024-04-01")
    journey.submit("Export", status=400)
    assert journey.error_links() == [
        ("#period", "The reporting period must end on or after the day it starts")
    ]

    page.route(
        "**/jobs/**", lambda route: route.fulfill(response=route.fetch())
    )  # held while the worker runs
    page.get_by_label("Reporting period").fill("2024-04-01:2025-03-31")
    journey.submit("Export")
    job = Job.objects.get()
    assert journey.path == f"/jobs/{job.pk}"
    assert "Exporting the Client Level Data file" in page.locator("main").inner_text()

    assert live_worker() == 1
    page.wait_for_url(f"**/reporting/cld/export/{job.pk}", timeout=10_000)
    journey.check()
    assert "CLD file ready" in page.locator("main").inner_text()
    with page.expect_download() as download:
        page.get_by_role("link", name="Download the CLD file (CSV)").click()
    saved = tmp_path / "downloaded.csv"
    download.value.save_as(saved)
    import csv

    from openasc.reporting import projection

    with saved.open(newline="", encoding="utf-8") as f:
        rows = list(csv.reader(f))
    assert rows[0] == projection.FIELDS and len(rows) == 5  # the header and one row per event
