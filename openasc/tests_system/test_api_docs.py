"""The API documentation is a page like every other: axe and reflow at 320 px (Swagger UI failed axe 181 times)."""

import pytest

pytestmark = pytest.mark.system


def test_the_api_documentation_passes_axe_and_lists_every_endpoint(journey, staff):
    journey.goto("/api/docs")  # public, like /api/openapi.json: nothing personal on it
    page = journey.page
    assert page.get_by_role("heading", level=1).inner_text().startswith("OpenASC API")
    headings = page.locator("h3").all_inner_texts()
    assert "POST /api/people" in headings and "GET /api/people/{person_id}" in headings
    assert "PersonIn" in headings  # the schemas are documented too
    journey.click_link("POST /api/people")
    assert page.url.endswith("#" + page.locator("h3", has_text="POST /api/people").first.get_attribute("id"))
