"""The navigation's "Export CLD" link: shown to exactly the roles the export page lets in (reporting.views.may_export),
and marked as the current section on the export's progress page."""

from __future__ import annotations

import pytest

from openasc.core.models import Role
from openasc.jobs.models import JobKind
from openasc.jobs.services import job_start
from openasc.reporting.views import may_export

ROLES = [r for r in Role if r != Role.SYSTEM]


@pytest.mark.parametrize("role", ROLES, ids=[r.value for r in ROLES])
def test_the_link_is_shown_to_the_roles_that_may_export_and_to_no_others(client, staff, role):
    user = getattr(staff, role.value)
    client.force_login(user)
    html = client.get("/people/").content.decode()
    assert ('href="/reporting/cld/export"' in html) is may_export(user)
    assert (client.get("/reporting/cld/export").status_code == 200) is may_export(user)
    assert may_export(user) is (role == Role.PERFORMANCE_ANALYST)


def test_the_progress_page_of_an_export_marks_export_cld_as_the_current_section(
    client, staff, settings, tmp_path
):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
    settings.OPENASC_JOB_FILES = str(tmp_path / "job-files")
    client.force_login(staff.performance_analyst)
    job = job_start(
        kind=JobKind.CLD_EXPORT, user=staff.performance_analyst, params={"period": "2024-04-01:2025-03-31"}
    )
    html = client.get(f"/jobs/{job.pk}").content.decode()
    current = html[html.index("govuk-service-navigation__item--active") :][:400]
    assert 'href="/reporting/cld/export" aria-current="true"' in current and "Export CLD" in current
    assert html.count("govuk-service-navigation__item--active") == 1  # not "Import CLD" as well
