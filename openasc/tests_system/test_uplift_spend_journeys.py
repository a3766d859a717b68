"""Rate uplifts and the spend report in the browser, with axe and the reflow check at 320 CSS px on every page (the
`journey` fixture): a finance officer defines an uplift (refused first with bad input, nothing saved), previews it
and applies it; then opens the spend report and the services behind a figure."""

from __future__ import annotations

import datetime as dt

import pytest

from openasc.core.models import AuditAction, AuditEvent
from openasc.finance.models import RateUplift, UpliftStatus
from openasc.finance.tests.factories import service_with_costs
from openasc.people.tests.factories import PersonFactory
from openasc.providers.tests.factories import ProviderLocationFactory
from openasc.services.models import ServiceCost

pytestmark = pytest.mark.system

D = dt.date
HOME = "Long term support: Community"


@pytest.fixture
def home_care(staff):
    loc = ProviderLocationFactory(provider__name="Sunrise Care Ltd")
    ivy = PersonFactory(first_name="Ivy", last_name="Northam", date_of_birth=D(1940, 2, 2))
    young = PersonFactory(first_name="Yusuf", last_name="Young", date_of_birth=D(1990, 2, 2))
    for person in (ivy, young):
        service_with_costs(
            person,
            service_type=HOME,
            component="Home support or domiciliary care",
            start_on=D(2026, 4, 1),
            provider_location=loc,
            costs=[(D(2026, 4, 1), 2000, "Hourly", 10)],
        )
    return ivy, young


def test_a_finance_officer_previews_and_applies_an_uplift(journey, staff, home_care):
    ivy, young = home_care
    page = journey.page
    journey.sign_in("finance_officer", start="/finance/uplifts/")
    with page.expect_navigation():
        page.get_by_role("button", name="Define a rate uplift").click()
    journey.check()
    page.get_by_label("Name", exact=True).fill("2% for older people")
    page.get_by_label("Day", exact=True).fill("1")
    page.get_by_label("Month", exact=True).fill("10")
    page.get_by_label("Year", exact=True).fill("2026")
    page.get_by_label("A percentage for every service in scope").check()
    page.get_by_label("Percentage", exact=True).fill("two")
    page.get_by_label("Only people aged this or older on the date").fill("65")
    journey.submit("Save and preview", status=400)
    assert [href for href, _ in journey.error_links()] == ["#percent"]
    assert not RateUplift.objects.exists()
    page.get_by_label("Percentage", exact=True).fill("2")
    journey.submit("Save and preview", status=200)
    uplift = RateUplift.objects.get()
    main = page.locator("main").inner_text()
    # Ivy only (aged 86 on the date): +£4.00 a week, £208.00 a year, 182 days to 31 March: £104.00
    assert "Sunrise Care Ltd" in main and "£208.00" in main and "£104.00" in main
    assert "Yusuf" not in main and ivy.la_person_id not in main  # the preview names nobody
    journey.screenshot("uplift-preview")
    journey.click_link("1 services at Sunrise Care Ltd")
    text = page.locator("main").inner_text()
    assert "Ivy Northam" in text and ivy.la_person_id in text and "Yusuf" not in text
    assert AuditEvent.objects.filter(
        actor=staff.finance_officer, action=AuditAction.VIEW, person_id=ivy.pk
    ).exists()
    journey.click_link("Back to the uplift")
    journey.submit("Apply the uplift", status=200)
    assert "Uplift applied: 1 service now has a new cost" in page.locator("main").inner_text()
    uplift.refresh_from_db()
    assert uplift.status == UpliftStatus.APPLIED
    assert ServiceCost.objects.filter(
        service__person=ivy, effective_from=D(2026, 10, 1), unit_cost_pence=2040
    ).exists()
    assert not ServiceCost.objects.filter(service__person=young, effective_from=D(2026, 10, 1)).exists()
    assert page.get_by_role("button", name="Apply the uplift").count() == 0


def test_a_finance_officer_opens_the_services_behind_a_spend_figure(journey, staff, home_care):
    ivy, _young = home_care
    page = journey.page
    journey.sign_in("finance_officer", start="/finance/spend/?year=2026-27&to=year")
    main = page.locator("main").inner_text()
    # 2 people x £200.00 a week x 365 days = 2 x £10,428.57
    assert "£20,857.14" in main and "Home care" in main
    assert "Ivy" not in main
    journey.screenshot("spend")
    with page.expect_navigation():
        page.locator("#setting ~ * table a.govuk-link, #setting + * a.govuk-link").first.click()
    journey.check()
    assert "/finance/spend/services/" in journey.path
    text = page.locator("main").inner_text()
    assert ivy.la_person_id in text and "Ivy Northam" in text and "Yusuf Young" in text
    assert AuditEvent.objects.filter(
        actor=staff.finance_officer, action=AuditAction.VIEW, person_id=ivy.pk
    ).exists()
    journey.click_link("Back to the spend report")
