"""A budget holder's forecast adjustments: added to the forecast from the record and shown beside it, for the cost
centres they hold only, with a reason; refused and audited otherwise; bad input saves nothing."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from openasc.core.models import AuditAction, AuditEvent, RelationshipKind
from openasc.core.tests.factories import CareRelationshipFactory
from openasc.finance.models import CareCategory, FinancialYear, ForecastAdjustment
from openasc.finance.selectors import budgets as sel
from openasc.finance.tests.factories import BudgetFactory, CostCentreFactory, service_with_costs, year
from openasc.people.tests.factories import PersonFactory

D = dt.date
AS_AT = D(2026, 9, 30)


@pytest.fixture
def world(staff, teams):
    residential = CareCategory.objects.get(code="residential")
    north = CostCentreFactory(
        code="RES-N", name="Residential north", care_category=residential, team=teams.north
    )
    south = CostCentreFactory(
        code="RES-S", name="Residential south", care_category=residential, team=teams.south
    )
    ivy = PersonFactory()
    CareRelationshipFactory(person=ivy, kind=RelationshipKind.ALLOCATED_TEAM, team=teams.north, user=None)
    service_with_costs(
        ivy,
        service_type="Long term support: Residential care",
        start_on=D(2026, 1, 1),
        costs=[(D(2026, 1, 1), 70000, "Weekly", None)],
    )  # £36,500.00 in 2026-27
    BudgetFactory(year=year(), cost_centre=north, net_budget_pence=3_000_000, budgeted_people=1)
    return north, south


def url(centre):
    return reverse("finance:adjustments", args=["2026-27", centre.pk])


def post(client, user, centre, **data):
    client.force_login(user)
    return client.post(
        url(centre),
        {"direction": "up", "amount": "12000.00", "reason": "Nursing placement from 1 February", **data},
    )


def line(user, centre):
    figures = sel.figures_for(user, year(), AS_AT, refresh=True)
    return next(f for _label, key, f in figures["centre_lines"] if key == centre.pk)


def test_a_manager_raises_and_lowers_their_forecast_and_the_figures_move(client, staff, world):
    north, _south = world
    assert line(staff.team_manager, north).adjusted_forecast == 3_650_000
    response = post(client, staff.team_manager, north)
    assert response.status_code == 302
    after = line(staff.team_manager, north)
    assert (
        after.forecast == 3_650_000 and after.adjustment == 1_200_000 and after.adjusted_forecast == 4_850_000
    )
    assert (
        post(
            client, staff.team_manager, north, direction="down", amount="200.00", reason="Fewer nights"
        ).status_code
        == 302
    )
    assert line(staff.team_manager, north).adjustment == 1_180_000
    made = ForecastAdjustment.objects.order_by("pk")
    assert [a.amount_pence for a in made] == [1_200_000, -20_000]
    assert (
        AuditEvent.objects.filter(
            actor=staff.team_manager, action=AuditAction.CREATE, details__event="forecast_adjusted"
        ).count()
        == 2
    )
    html = client.get(url(north)).content.decode()
    assert "Nursing placement from 1 February" in html and "£48,300.00" in html  # the adjusted forecast
    monitoring = client.get(
        reverse("finance:monitoring"), {"year": "2026-27", "as_at": "2026-09-30"}
    ).content.decode()
    assert "adjusted £48,300.00" in monitoring
    # the cached figures moved at once: the page is not stale after an adjustment
    assert sel.figures_for(staff.team_manager, year(), AS_AT)["centre_lines"][0][2].adjustment == 1_180_000


def test_the_command_reports_the_adjustments_beside_the_forecast(client, staff, world):
    from openasc.finance import presenters

    north, _south = world
    post(client, staff.team_manager, north)
    figures = sel.figures_for(staff.finance_officer, year(), AS_AT, refresh=True)
    (centre,) = [
        f
        for f in presenters.report_json(figures, generated_at=dt.datetime(2026, 9, 30))["cost_centres"]
        if f["code"] == "RES-N"
    ]
    assert centre["forecast_outturn_pence"] == 3_650_000
    assert (
        centre["forecast_adjustments_pence"] == 1_200_000
        and centre["adjusted_forecast_outturn_pence"] == 4_850_000
    )


def test_another_teams_cost_centre_is_refused_and_audited(client, staff, world):
    _north, south = world
    response = post(client, staff.team_manager, south)
    assert response.status_code == 403
    assert not ForecastAdjustment.objects.exists()
    assert AuditEvent.objects.filter(actor=staff.team_manager, action=AuditAction.ACCESS_REFUSED).exists()
    client.force_login(staff.social_worker)
    assert client.get(url(south)).status_code == 403


@pytest.mark.parametrize(
    "data, field, message",
    [
        ({"amount": "0"}, "amount", "Enter the adjustment in pounds"),
        ({"amount": "12.345"}, "amount", "at most 2 decimal places"),
        ({"reason": "  "}, "reason", "Say why the forecast changes"),
        ({"direction": ""}, "direction", "Say whether the forecast goes up or down"),
    ],
)
def test_bad_input_says_what_is_wrong_and_saves_nothing(client, staff, world, data, field, message):
    north, _south = world
    response = post(client, staff.team_manager, north, **data)
    assert response.status_code == 400
    html = response.content.decode()
    assert f'href="#{field}' in html and message in html
    assert not ForecastAdjustment.objects.exists()


def test_no_budget_yet_or_a_closed_year_refuses_the_adjustment(client, staff, world, teams):
    north, _south = world
    day_care = CostCentreFactory(code="DAY-N", name="Day care north", team=teams.north)
    response = post(client, staff.team_manager, day_care)
    assert response.status_code == 400 and "has no budget for 2026-27 yet" in response.content.decode()
    FinancialYear.objects.filter(label="2026-27").update(closed=True)
    response = post(client, staff.team_manager, north)
    assert response.status_code == 400 and "2026-27 is closed" in response.content.decode()
    assert not ForecastAdjustment.objects.exists()
