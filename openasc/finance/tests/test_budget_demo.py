"""The demo council's cost centres and budgets: its forecasts add up to the cost of all its services in the year
(nothing dropped, nothing counted twice), budgets sit a few percent either side of the forecasts, and the demo
manager holds the north locality team's cost centres."""

from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
from django.core.management import call_command

from openasc.core.models import User
from openasc.demo.build import TODAY
from openasc.demo.finance import set_budgets, structure
from openasc.finance import commitments
from openasc.finance.costing import cost_between
from openasc.finance.models import Budget, CostCentre, FinancialYear
from openasc.finance.selectors import budgets as sel
from openasc.finance.selectors.costed import costed_services


@pytest.fixture
def council(transactional_db):
    call_command("demo", "--people", "600", "--seed", "11", "--reset", stdout=StringIO(), stderr=StringIO())
    # the services are built by the history, after the demo's money hooks: set the budgets from them now
    set_budgets(seed=11, system=User.objects.get(username="system"), today=TODAY)


@pytest.mark.no_audit_safety_net
def test_the_demo_forecasts_add_up_to_the_cost_of_every_service(council):
    assert CostCentre.objects.count() == len(structure())
    year = FinancialYear.objects.get(label="2026-27")
    result = sel.compute(year, TODAY)
    after = TODAY + dt.timedelta(days=1)
    expected = sum(
        cost_between(s, year.starts_on, TODAY) + cost_between(s, after, year.ends_on)
        for s in costed_services(first=year.starts_on, last=year.ends_on)
    )
    assert expected > 0
    centre_ids = list(CostCentre.objects.values_list("pk", flat=True))
    in_centres = commitments.add_up(result.cells_of(centres=centre_ids), unit="week", months=12)
    not_in = commitments.add_up(result.cells_of(centres=[commitments.NONE]), unit="week", months=12)
    assert in_centres.forecast > 0 and not_in.services > 0  # both sides of the rule are in the demo
    assert in_centres.forecast + not_in.forecast == expected


@pytest.mark.no_audit_safety_net
def test_the_demo_budgets_are_either_side_of_the_forecasts(council):
    year = FinancialYear.objects.get(label="2026-27")
    result = sel.compute(year, TODAY)
    budgets = {b.cost_centre_id: b for b in Budget.objects.filter(year=year)}
    assert budgets and Budget.objects.filter(year__label="2025-26").exists()
    over = under = 0
    for centre_id, b in budgets.items():
        f = commitments.add_up(result.cells_of(centres=[centre_id]), unit="week", months=12)
        assert 0.93 * f.forecast - 50_000 <= b.net_budget_pence <= 1.06 * f.forecast + 50_000
        over += f.forecast > b.net_budget_pence
        under += f.forecast < b.net_budget_pence
    assert over and under


@pytest.mark.no_audit_safety_net
def test_the_demo_manager_holds_the_north_teams_cost_centres(council):
    manager = User.objects.get(username="manager")
    codes = set(
        CostCentre.objects.filter(pk__in=sel.visible_centre_ids(manager)).values_list("code", flat=True)
    )
    assert codes == {"HC-N", "DAY-N", "DP-N", "OTH-N"}
    assert sel.visible_centre_ids(User.objects.get(username="finance")) is None
