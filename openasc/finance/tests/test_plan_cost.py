"""The cost of what is arranged under a plan against its agreed personal budget (finance.personal_budget), on the plan
page that social workers and brokers read."""

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse

from openasc.core.tests.factories import CareRelationshipFactory
from openasc.finance.costing import CostedService, version
from openasc.finance.personal_budget import plan_cost, rows, verdict
from openasc.people.tests.factories import PersonFactory
from openasc.planning.tests.factories import PlanFactory
from openasc.services.tests.factories import ServiceCostFactory, ServiceFactory

D = dt.date


def svc(pk, start, end, *versions):
    return CostedService(
        id=pk,
        person_id=1,
        service_type="Long term support: Community",
        service_component="",
        delivery_mechanism="",
        start_on=start,
        end_on=end,
        versions=tuple(versions),
    )


HOME_CARE = svc(1, D(2026, 4, 6), None, version(D(2026, 4, 6), 2000, "Hourly", Decimal(10)))  # £200 a week
DAY_CARE = svc(2, D(2027, 1, 4), None, version(D(2027, 1, 4), 5000, "Per session", Decimal(2)))  # £100 a week
ENDED = svc(3, D(2026, 4, 6), D(2026, 6, 30), version(D(2026, 4, 6), 7000, "Weekly", None))


def test_within_budget_counts_only_what_runs_on_the_day():
    cost = plan_cost([HOME_CARE, DAY_CARE, ENDED], agreed_weekly_pence=25000, on=D(2026, 12, 2), labels={})
    assert cost.weekly_pence == 20000  # day care starts later, the other ended
    assert cost.difference_pence == 5000
    assert [line.state for line in cost.lines] == ["running", "ended", "starts later"]
    assert verdict(cost)["tag"]["text"] == "Within budget"
    assert "£50.00 a week left" in verdict(cost)["text"]
    # the year: home care 360 days (6 April 2026 to 31 March 2027) at £200 a week, 86 days of the ended service at
    # £70, 87 days of day care at £100
    year = {line.service_id: line.year_pence for line in cost.lines}
    assert year == {1: 1028571, 3: 86000, 2: 124286}
    assert cost.year_pence == sum(year.values())


def test_exactly_the_budget_is_within_it_and_a_penny_more_is_over():
    exact = plan_cost([HOME_CARE], agreed_weekly_pence=20000, on=D(2026, 12, 2), labels={})
    assert exact.difference_pence == 0 and verdict(exact)["tag"]["text"] == "Within budget"
    over = plan_cost([HOME_CARE], agreed_weekly_pence=19999, on=D(2026, 12, 2), labels={})
    assert over.difference_pence == -1 and verdict(over)["tag"]["text"] == "Over budget"
    assert "£0.01 a week more than the agreed personal budget of £199.99" in verdict(over)["text"]


def test_no_agreed_budget_says_so_and_a_later_service_shows_its_weekly_cost():
    cost = plan_cost(
        [DAY_CARE], agreed_weekly_pence=None, on=D(2026, 12, 2), labels={2: ("Day support", "Oak Day Centre")}
    )
    assert verdict(cost)["tag"]["text"] == "No agreed budget"
    (row,) = rows(cost)
    assert [c["text"] for c in row] == [
        "Day support",
        "Oak Day Centre",
        "4 January 2027",
        "Starts later",
        "£100.00",
        "£1,242.86",
    ]


@pytest.mark.django_db
def test_the_plan_page_shows_the_cost_against_the_budget(client, staff):
    person = PersonFactory()
    CareRelationshipFactory(person=person, user=staff.social_worker)
    plan = PlanFactory(person=person, agreed_weekly_pence=15000)
    service = ServiceFactory(person=person, plan=plan, start_on=dt.date(2025, 1, 6))
    ServiceCostFactory(service=service, unit_cost_pence=2000, planned_units_per_week=10)  # £200 a week
    client.force_login(staff.social_worker)
    html = client.get(reverse("planning:detail", args=[plan.pk])).content.decode()
    assert "Cost against the personal budget" in html
    assert "Over budget" in html and "£50.00 a week more than the agreed personal budget of £150.00" in html
