"""The budgets API handler (registered by the lead at /api/finance): the same figures as the page for the user's own
cost centres, refused for others, a missing year not found. Called directly until it is routed."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import RequestFactory

from openasc.core.models import AuditAction, AuditEvent, RelationshipKind
from openasc.core.tests.factories import CareRelationshipFactory
from openasc.finance import api
from openasc.finance.models import CareCategory, FinancialYear
from openasc.finance.tests.factories import CostCentreFactory, service_with_costs
from openasc.people.tests.factories import PersonFactory

D = dt.date


def call(user, year="2026-27"):
    request = RequestFactory().get("/")
    request.user = user
    return api.budgets(request, year, api.BudgetQuery(as_at=D(2026, 9, 30)))


@pytest.fixture
def world(staff, teams):
    residential = CareCategory.objects.get(code="residential")
    CostCentreFactory(code="RES-N", care_category=residential, team=teams.north)
    CostCentreFactory(code="RES-S", care_category=residential, team=teams.south)
    ivy = PersonFactory()
    CareRelationshipFactory(person=ivy, kind=RelationshipKind.ALLOCATED_TEAM, team=teams.north, user=None)
    service_with_costs(
        ivy,
        service_type="Long term support: Residential care",
        start_on=D(2026, 1, 1),
        costs=[(D(2026, 1, 1), 70000, "Weekly", None)],
    )


def test_a_manager_gets_their_own_cost_centres(staff, world):
    report = call(staff.team_manager)
    assert [c["code"] for c in report["cost_centres"]] == ["RES-N"]
    assert report["cost_centres"][0]["forecast_outturn_pence"] == 3650000
    assert report["not_in_a_cost_centre"] is None
    assert AuditEvent.objects.filter(actor=staff.team_manager, action=AuditAction.VIEW).exists()


def test_finance_gets_every_cost_centre_and_not_in_a_cost_centre(staff, world):
    report = call(staff.finance_officer)
    assert {c["code"] for c in report["cost_centres"]} == {"RES-N", "RES-S"}
    assert report["not_in_a_cost_centre"]["services"] == 0


def test_others_are_refused_and_a_missing_year_not_found(staff, world):
    with pytest.raises(PermissionError):
        call(staff.social_worker)
    with pytest.raises(FinancialYear.DoesNotExist):
        call(staff.finance_officer, "1999-00")
