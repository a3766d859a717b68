"""`openasc budget`: the documented JSON shape with the numbers of a worked example, CSV and XLSX that open, a bad
year exits 2, one export event records the run, and an account that may not see every budget is refused."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from openasc.core.models import AuditAction, AuditEvent, RelationshipKind
from openasc.core.tests.factories import CareRelationshipFactory
from openasc.finance.models import CareCategory
from openasc.finance.tests.factories import BudgetFactory, CostCentreFactory, service_with_costs, year
from openasc.people.tests.factories import PersonFactory

D = dt.date
RES = "Long term support: Residential care"
HOME = ("Long term support: Community", "Home support or domiciliary care")
FIGURE_KEYS = {
    "budget_pence",
    "spent_to_date_pence",
    "committed_pence",
    "forecast_outturn_pence",
    "variance_pence",
    "budgeted_people",
    "current_people",
    "people_trend",
    "budgeted_unit_cost_pence",
    "current_unit_cost_pence",
    "unit_cost_trend_pence",
    "unit",
    "services",
    "services_no_cost_known",
}


@pytest.fixture
def world(staff, teams):
    residential = CareCategory.objects.get(code="residential")
    centre = CostCentreFactory(
        code="RES-N", name="Residential north", care_category=residential, team=teams.north
    )
    ivy = PersonFactory()
    CareRelationshipFactory(person=ivy, kind=RelationshipKind.ALLOCATED_TEAM, team=teams.north, user=None)
    # £700 a week, £770 from 1 July: spent to 30 September 910000 + 1012000, committed 26 weeks at £770
    service_with_costs(
        ivy,
        service_type=RES,
        start_on=D(2026, 1, 1),
        costs=[(D(2026, 1, 1), 70000, "Weekly", None), (D(2026, 7, 1), 77000, "Weekly", None)],
    )
    # home care in no cost centre: 10 hours at £20 from 1 September: 30 days = 85714.29, then 182 days = 520000
    other = PersonFactory()
    service_with_costs(
        other,
        service_type=HOME[0],
        component=HOME[1],
        start_on=D(2026, 9, 1),
        costs=[(D(2026, 9, 1), 2000, "Hourly", 10)],
    )
    BudgetFactory(
        year=year(),
        cost_centre=centre,
        net_budget_pence=3_800_000,
        budgeted_people=1,
        budgeted_unit_cost_pence=72000,
    )
    return centre


def run(*args):
    out = io.StringIO()
    call_command("budget", *args, stdout=out)
    return out.getvalue()


def test_json_shape_and_numbers(staff, world):
    report = json.loads(run("--year", "2026-27", "--as-at", "2026-09-30", "--as-user", "finance_officer"))
    assert set(report) >= {"year", "as_at", "generated_at", "cost_centres", "not_in_a_cost_centre", "totals"}
    assert report["year"] == "2026-27" and report["as_at"] == "2026-09-30"
    (centre,) = report["cost_centres"]
    assert set(centre) >= FIGURE_KEYS | {"code", "name", "care_category"}
    assert centre["code"] == "RES-N" and centre["care_category"] == "residential"
    assert centre["spent_to_date_pence"] == 1922000
    assert centre["committed_pence"] == 2002000
    assert centre["forecast_outturn_pence"] == 3924000
    assert centre["budget_pence"] == 3800000 and centre["variance_pence"] == 124000
    assert centre["current_people"] == 1 and centre["budgeted_people"] == 1
    assert centre["current_unit_cost_pence"] == 77000 and centre["budgeted_unit_cost_pence"] == 72000
    assert centre["unit"] == "week" and centre["services"] == 1
    none = report["not_in_a_cost_centre"]
    assert none["spent_to_date_pence"] == 85714 and none["committed_pence"] == 520000
    assert report["totals"]["forecast_outturn_pence"] == 3924000 + 605714
    home = next(c for c in report["care_categories"] if c["code"] == "home-care")
    assert home["unit"] == "hour" and home["current_unit_cost_pence"] == 2000 and home["current_people"] == 1
    assert (
        AuditEvent.objects.filter(
            actor=staff.finance_officer, action=AuditAction.EXPORT, details__what="openasc budget"
        ).count()
        == 1
    )


def test_csv_and_xlsx_open(staff, world, tmp_path):
    text = run(
        "--year", "2026-27", "--as-at", "2026-09-30", "--as-user", "finance_officer", "--format", "csv"
    )
    rows = list(csv.DictReader(io.StringIO(text)))
    assert [r["code"] for r in rows] == ["RES-N", "NONE", "TOTAL"]
    assert rows[0]["forecast_outturn_pence"] == "3924000"
    path = tmp_path / "budget.xlsx"
    run(
        "--year",
        "2026-27",
        "--as-at",
        "2026-09-30",
        "--as-user",
        "finance_officer",
        "--format",
        "xlsx",
        "--out",
        str(path),
    )
    from openpyxl import load_workbook

    sheet = load_workbook(path).active
    values = list(sheet.iter_rows(values_only=True))
    assert values[0][0] == "code" and values[1][0] == "RES-N" and values[1][6] == 3924000


def test_a_bad_year_is_an_error_with_exit_status_2(staff, world):
    with pytest.raises(CommandError) as caught:
        run("--year", "2099-00", "--as-user", "finance_officer")
    assert caught.value.returncode == 2 and "no financial year" in str(caught.value)
    with pytest.raises(CommandError) as caught:
        run("--year", "2026-27", "--as-at", "30/09/2026", "--as-user", "finance_officer")
    assert caught.value.returncode == 2


def test_an_account_that_cannot_see_every_budget_is_refused(staff, world):
    with pytest.raises(CommandError):
        run("--year", "2026-27", "--as-user", "team_manager")
    assert AuditEvent.objects.filter(actor=staff.team_manager, action=AuditAction.ACCESS_REFUSED).exists()
