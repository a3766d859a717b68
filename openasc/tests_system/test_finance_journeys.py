"""Budgets in the browser, with axe and the reflow check at 320 CSS px on every page (the `journey` fixture): a
finance officer sets a cost centre's budget (refused first with bad input, nothing saved), and a team manager reads
the forecast of their cost centre and opens the services behind a figure."""

from __future__ import annotations

import datetime as dt

import pytest

from openasc.core.models import AuditAction, AuditEvent, RelationshipKind
from openasc.core.tests.factories import CareRelationshipFactory
from openasc.finance.models import Budget, CareCategory
from openasc.finance.tests.factories import BudgetFactory, CostCentreFactory, service_with_costs
from openasc.people.tests.factories import PersonFactory

pytestmark = pytest.mark.system

D = dt.date


@pytest.fixture
def centre(staff, teams):
    residential = CareCategory.objects.get(code="residential")
    centre = CostCentreFactory(
        code="RES-NORTH-OLDER-PPL1",
        name="Residential care north",
        care_category=residential,
        team=teams.north,
    )
    ivy = PersonFactory(first_name="Ivy", last_name="Northam")
    CareRelationshipFactory(person=ivy, kind=RelationshipKind.ALLOCATED_TEAM, team=teams.north, user=None)
    service_with_costs(
        ivy,
        service_type="Long term support: Residential care",
        start_on=D(2026, 1, 1),
        costs=[(D(2026, 1, 1), 70000, "Weekly", None)],
    )
    return centre, ivy


def test_a_finance_officer_sets_a_budget(journey, staff, centre):
    cc, _ = centre
    page = journey.page
    journey.sign_in("finance_officer", start="/finance/cost-centres/?year=2026-27")
    assert "RES-NORTH-OLDER-PPL1" in page.locator("main").inner_text()
    journey.click_link(f"Set budget for {cc.code}")
    page.get_by_label("Net budget (£)").fill("thirty thousand")
    page.get_by_label("Budgeted number of people").fill("1")
    page.get_by_label("Budgeted average unit cost (£ a week)").fill("700")
    journey.submit("Save budget", status=400)
    assert [href for href, _ in journey.error_links()] == ["#net_budget"]
    assert not Budget.objects.exists()
    page.get_by_label("Net budget (£)").fill("35,000")
    journey.submit("Save budget", status=200)
    budget = Budget.objects.get(cost_centre=cc)
    assert budget.net_budget_pence == 3_500_000 and budget.budgeted_unit_cost_pence == 70000
    assert "£35,000.00" in page.locator("main").inner_text()
    journey.goto("/finance/categories/")
    assert "Local setting" in page.locator("main").inner_text()


def test_a_team_manager_reads_the_forecast_and_opens_the_services_behind_it(journey, staff, centre):
    cc, ivy = centre
    BudgetFactory(
        cost_centre=cc, net_budget_pence=3_000_000, budgeted_people=1, budgeted_unit_cost_pence=65000
    )
    page = journey.page
    journey.sign_in("team_manager", start="/finance/budgets/?year=2026-27&as_at=2026-09-30")
    main = page.locator("main").inner_text()
    assert "RES-NORTH-OLDER-PPL1" in main and "£36,500.00" in main and "Overspend" in main
    with page.expect_navigation():
        page.locator("main table a.govuk-link", has_text="£36,500.00").first.click()
    journey.check()
    assert f"/finance/budgets/2026-27/{cc.pk}/services/" in journey.path
    text = page.locator("main").inner_text()
    assert ivy.la_person_id in text and "Ivy Northam" in text
    assert AuditEvent.objects.filter(
        actor=staff.team_manager, action=AuditAction.VIEW, person_id=ivy.pk
    ).exists()
