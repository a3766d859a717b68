"""A performance analyst's tour of the statutory returns, with axe on every page: import a CLD file (first with
an error), the ASCOF figures, the population reference, the SALT tables and the people behind a figure."""

from __future__ import annotations

import pytest

from openasc.people.models import Person
from openasc.reporting.tests.test_import import (
    assessment_row,
    carer_assessment_row,
    request_row,
    review_row,
    service_row,
    write,
)

pytestmark = pytest.mark.system


def test_analyst_imports_a_file_and_opens_the_people_behind_the_figures(journey, staff, tmp_path):
    page = journey.page
    journey.sign_in("performance_analyst", start="/reporting/cld/import")
    assert journey.path == "/reporting/cld/import"

    # a file with an error loads nothing, and the page says where the error is
    bad = write(tmp_path / "bad.csv", [request_row(**{"Event Start Date": "2024-13-01"})])
    page.get_by_label("CLD file").set_input_files(str(bad))
    journey.submit("Check and import")
    main = page.locator("main").inner_text()
    assert "Event Start Date" in main and "2024-13-01" in main
    assert not Person.objects.exists()

    good = write(
        tmp_path / "q4.csv",
        [request_row(), assessment_row(), service_row(), review_row(), carer_assessment_row()],
    )
    journey.goto("/reporting/cld/import")
    page.get_by_label("CLD file").set_input_files(str(good))
    journey.submit("Check and import")
    assert "File imported" in page.locator("main").inner_text()
    assert Person.objects.count() == 2

    journey.goto("/returns/ascof?year=2024")
    assert "Adult Social Care Outcomes Framework" in page.locator("h1").inner_text()
    journey.click_link("population figures")
    journey.submit("Save figures", status=400)
    assert [href for href, _ in journey.error_links()][:2] == ["#year", "#population_18_64"]
    page.get_by_label("Year", exact=True).fill("2024")
    page.get_by_label("Population aged 18 to 64").fill("480,000")
    page.get_by_label("Population aged 65 and over").fill("170000")
    page.get_by_label("Source").fill("ONS mid-2024 estimates")
    journey.submit("Save figures", status=200)
    assert "480,000" in page.locator("table").inner_text()

    journey.goto("/returns/salt?year=2024")
    journey.click_link("STS001", exact=True)
    cell = page.locator("main table a.govuk-link").first
    with page.expect_navigation():
        cell.click()
    journey.check()
    assert "/returns/salt/STS001/people" in journey.path
    assert "P1" in page.locator("main").inner_text()  # the person's LA id, with the rule that placed them
