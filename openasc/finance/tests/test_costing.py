"""Worked examples for the one cost calculation (finance.costing)."""

import datetime as dt
from decimal import Decimal

import pytest

from openasc.core.money import cost_over_days
from openasc.finance.costing import CostedService, cost_between, over_days, segments, units_between, version

D = dt.date


def svc(start, end=None, *versions):
    return CostedService(
        id=1,
        person_id=1,
        service_type="Long term support: Residential care",
        service_component="",
        delivery_mechanism="",
        start_on=start,
        end_on=end,
        versions=tuple(versions),
    )


def test_a_week_at_700_is_700_and_ten_days_1000():
    s = svc(D(2026, 4, 1), None, version(D(2026, 4, 1), 70000, "Weekly", None))
    assert cost_between(s, D(2026, 4, 1), D(2026, 4, 7)) == 70000
    assert cost_between(s, D(2026, 4, 1), D(2026, 4, 10)) == 100000


def test_a_cost_that_changes_mid_period_is_split_on_the_day():
    # £700 a week to 14 April, £770 a week from 15 April: 14 days at 700 + 14 days at 770
    s = svc(
        D(2026, 4, 1),
        None,
        version(D(2026, 4, 1), 70000, "Weekly", None),
        version(D(2026, 4, 15), 77000, "Weekly", None),
    )
    parts = segments(s, D(2026, 4, 1), D(2026, 4, 28))
    assert [(p.first, p.last, p.days) for p in parts] == [
        (D(2026, 4, 1), D(2026, 4, 14), 14),
        (D(2026, 4, 15), D(2026, 4, 28), 14),
    ]
    assert cost_between(s, D(2026, 4, 1), D(2026, 4, 28)) == 140000 + 154000
    # the day before the change is still the old cost, the day of it the new one
    assert cost_between(s, D(2026, 4, 14), D(2026, 4, 14)) == 10000
    assert cost_between(s, D(2026, 4, 15), D(2026, 4, 15)) == 11000


def test_a_service_that_ends_mid_period_costs_only_its_days():
    s = svc(D(2026, 4, 1), D(2026, 4, 10), version(D(2026, 4, 1), 70000, "Weekly", None))
    assert cost_between(s, D(2026, 4, 1), D(2026, 4, 28)) == 100000  # 10 days
    assert cost_between(s, D(2026, 4, 11), D(2026, 4, 28)) == 0
    assert segments(s, D(2026, 4, 11), D(2026, 4, 28)) == []


def test_not_started_yet_costs_nothing_before_its_start():
    s = svc(D(2026, 5, 1), None, version(D(2026, 5, 1), 70000, "Weekly", None))
    assert cost_between(s, D(2026, 4, 1), D(2026, 4, 30)) == 0
    assert cost_between(s, D(2026, 4, 1), D(2026, 5, 1)) == 10000


def test_hourly_home_care_uses_the_planned_hours():
    # 10.5 hours a week at £19.50 an hour is £204.75 a week; over 4 weeks 42 hours and £819.00
    s = svc(D(2026, 4, 6), None, version(D(2026, 4, 6), 1950, "Hourly", Decimal("10.5")))
    assert cost_between(s, D(2026, 4, 6), D(2026, 5, 3)) == 81900
    assert units_between(s, D(2026, 4, 6), D(2026, 5, 3)) == Decimal("42.0")


def test_a_one_off_cost_falls_on_the_start_day_only():
    s = svc(D(2026, 4, 6), D(2026, 4, 6), version(D(2026, 4, 6), 25000, "One-off", None))
    assert cost_between(s, D(2026, 4, 1), D(2026, 4, 30)) == 25000
    assert cost_between(s, D(2026, 4, 7), D(2026, 4, 30)) == 0


@pytest.mark.parametrize("weekly", [0, 1, 3, 7, 10, 12345, 99999, -5, -12345])
@pytest.mark.parametrize("days", [0, 1, 2, 3, 6, 13, 28, 365])
def test_the_integer_pro_rata_is_exactly_the_money_module(weekly, days):
    expected = cost_over_days(abs(weekly), days) * (1 if weekly >= 0 else -1)
    assert over_days(weekly, days) == expected
