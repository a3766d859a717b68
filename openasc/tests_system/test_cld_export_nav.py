"""A performance analyst finds "Export CLD" in the navigation, asks for the file and follows the export's progress
page to its result, with axe and reflow at 320 CSS px on every page (the `journey` fixture). The worker runs in the
test's thread while the browser's requests to the job pages are held back (as in test_cld_import_job.py)."""

from __future__ import annotations

import pytest

from openasc.jobs.models import Job, JobKind, JobState
from openasc.jobs.worker import run_queued
from openasc.reporting import importer
from openasc.reporting.tests.test_import import assessment_row, request_row, review_row, service_row, write

pytestmark = pytest.mark.system


@pytest.fixture
def live_worker(settings, tmp_path):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
    settings.OPENASC_JOB_FILES = str(tmp_path / "job-files")
    return run_queued


def test_an_analyst_exports_from_the_navigation_and_follows_the_progress_page(
    journey, staff, tmp_path, live_worker
):
    importer.run_import(
        [write(tmp_path / "seed.csv", [request_row(), assessment_row(), service_row(), review_row()])],
        user=staff.system,
    )
    page = journey.page
    journey.sign_in("performance_analyst", start="/people/")
    journey.click_link("Export CLD", exact=True)
    assert journey.path == "/reporting/cld/export"

    page.route(
        "**/jobs/**", lambda route: route.fulfill(response=route.fetch())
    )  # never while the worker runs
    page.get_by_label("Reporting period").fill("2024-04-01:2025-03-31")
    journey.submit("Export")
    job = Job.objects.get(kind=JobKind.CLD_EXPORT)
    assert journey.path == f"/jobs/{job.pk}"
    main = page.locator("main").inner_text()
    assert "Exporting the Client Level Data file" in main and "Waiting to start" in main
    current = page.locator(".govuk-service-navigation__item--active")
    assert current.count() == 1 and current.inner_text().strip() == "Export CLD"

    # the progress page at 320 CSS px: no sideways scrolling, and still accessible
    page.set_viewport_size({"width": 320, "height": 900})
    journey.goto(f"/jobs/{job.pk}")
    assert page.evaluate("document.documentElement.scrollWidth") <= 320
    page.set_viewport_size({"width": 1280, "height": 900})

    assert live_worker() == 1
    job.refresh_from_db()
    assert job.state == JobState.SUCCEEDED, job.failure
    page.wait_for_url(
        f"**/reporting/cld/export/{job.pk}", timeout=10_000
    )  # the next poll goes on to the result
    journey.check()
    assert "CLD file ready" in page.locator("main").inner_text()


def test_roles_that_cannot_export_have_no_link(journey, staff):
    journey.sign_in("administrator", start="/people/")  # may import, but not see the returns
    assert journey.page.get_by_role("link", name="Import CLD").count() == 1
    assert journey.page.get_by_role("link", name="Export CLD").count() == 0
