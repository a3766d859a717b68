"""Money in integer pence (core.money): parsing what is typed, showing it, and converting it."""

import re
from decimal import Decimal

import pytest

from openasc.core import money


@pytest.mark.parametrize(
    "typed, pence",
    [
        ("18.50", 1850),
        ("£1,234.5", 123450),
        (" 0 ", 0),
        ("１８.５０", 1850),
        (Decimal("9999999.99"), 999999999),
        (12, 1200),
        (0.1, 10),
    ],
)
def test_amounts_staff_type_are_read_as_pence(typed, pence):
    assert money.parse_pounds(typed) == pence


@pytest.mark.parametrize(
    "typed, message",
    [
        ("", "Enter the amount in pounds"),
        ("1e3", "Enter the amount"),
        ("NaN", "Enter the amount"),
        ("-0.01", "£0.00 or more"),
        ("10000000", "less than £10,000,000"),
        ("18.505", "at most 2 decimal places"),
        (True, "Enter the amount"),
        ("1_000", "Enter the amount"),
        ("1e30", "Enter the amount"),
    ],
)
def test_what_is_not_an_amount_is_refused_with_the_fix(typed, message):
    with pytest.raises(money.MoneyError, match=message):
        money.parse_pounds(typed)


def test_a_maximum_is_inclusive():
    assert money.parse_pounds("100000", maximum=Decimal(100000)) == 10_000_000
    with pytest.raises(money.MoneyError, match=re.escape("£100,000.00 or less")):
        money.parse_pounds("100000.01", maximum=Decimal(100000))


def test_pounds_on_screen():
    assert [money.pounds(p) for p in (None, 0, 5, 1850, 1234567, -250)] == [
        "",
        "£0.00",
        "£0.05",
        "£18.50",
        "£12,345.67",
        "-£2.50",
    ]
    assert money.pounds_input(1850) == "18.50" and money.pounds_input(None) == ""


@pytest.mark.parametrize(
    "unit, frequency, units, weekly",
    [
        (60000, "Weekly", None, 60000),
        (10000, "Fortnightly", None, 5000),
        (10001, "Fortnightly", None, 5001),
        (52000, "Monthly", None, 12000),
        (5200, "Annually", None, 100),
        (2000, "Hourly", Decimal("10.5"), 21000),
        (2000, "Hourly", None, None),
        (50000, "One-off", Decimal(1), None),
        (0, "No charge", None, None),
    ],
)
def test_weekly_cost_follows_the_dhsc_derivation(unit, frequency, units, weekly):
    assert money.weekly_cost_pence(unit, frequency, units) == weekly


def test_conversions_round_half_up_once():
    assert money.cost_over_days(700, 10) == 1000
    assert money.cost_over_days(100, 1) == 14  # 14.28... -> 14
    assert money.cost_over_days(35, 1) == 5  # exactly 5
    assert money.cost_over_days(700, 0) == 0
    with pytest.raises(ValueError, match="0 or more"):
        money.cost_over_days(700, -1)
    assert money.annual_from_weekly(25000) == 1_300_000
    assert money.annual_from_weekly(7, weeks=Decimal(365) / 7) == 365
    assert money.weekly_from_annual(1_300_000) == 25000
    assert money.weekly_from_annual(1, weeks=2) == 1  # 0.5 rounds half up
    with pytest.raises(ValueError):
        money.weekly_from_annual(100, weeks=0)
