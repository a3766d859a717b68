"""Schedule periods: four-weekly from the anchor both ways, one period across 31 March, weekly and monthly."""

import datetime as dt
import itertools

import pytest

from openasc.payments import periods
from openasc.payments.periods import Period

ANCHOR = dt.date(2026, 4, 6)  # a Monday


def test_the_anchor_starts_a_period_of_28_days():
    assert periods.containing("four_weekly", ANCHOR, ANCHOR) == Period(
        dt.date(2026, 4, 6), dt.date(2026, 5, 3)
    )
    assert periods.containing("four_weekly", ANCHOR, dt.date(2026, 5, 3)).last == dt.date(2026, 5, 3)
    assert periods.containing("four_weekly", ANCHOR, dt.date(2026, 5, 4)).first == dt.date(2026, 5, 4)


def test_a_four_weekly_period_across_the_year_end_is_one_period():
    # 8 March 2027 to 4 April 2027 holds 31 March 2027 and 1 April 2027: one period, not two
    end_of_year = periods.containing("four_weekly", ANCHOR, dt.date(2027, 3, 31))
    start_of_year = periods.containing("four_weekly", ANCHOR, dt.date(2027, 4, 1))
    assert end_of_year == start_of_year == Period(dt.date(2027, 3, 8), dt.date(2027, 4, 4))
    assert end_of_year.days == 28
    # and backwards from the anchor: 9 March to 5 April 2026 holds 31 March 2026
    assert periods.containing("four_weekly", ANCHOR, dt.date(2026, 3, 31)) == Period(
        dt.date(2026, 3, 9), dt.date(2026, 4, 5)
    )


def test_a_period_ends_only_on_its_last_day():
    assert periods.ending_on("four_weekly", ANCHOR, dt.date(2026, 5, 3)) == Period(
        dt.date(2026, 4, 6), dt.date(2026, 5, 3)
    )
    assert periods.ending_on("four_weekly", ANCHOR, dt.date(2026, 5, 2)) is None
    assert periods.ending_on("four_weekly", ANCHOR, dt.date(2026, 5, 4)) is None


def test_periods_between_cover_a_year_without_gaps():
    found = periods.between("four_weekly", ANCHOR, dt.date(2026, 4, 1), dt.date(2027, 3, 31))
    assert found[0].first == dt.date(2026, 3, 9) and found[-1].last == dt.date(2027, 4, 4)
    assert all(b.first - a.last == dt.timedelta(days=1) for a, b in itertools.pairwise(found))
    assert len(found) == 14


def test_in_advance_pays_the_next_period_when_one_ends():
    assert periods.paid_by_run("four_weekly", ANCHOR, "advance", dt.date(2026, 5, 3)) == Period(
        dt.date(2026, 5, 4), dt.date(2026, 5, 31)
    )
    assert periods.paid_by_run("four_weekly", ANCHOR, "arrears", dt.date(2026, 5, 3)).first == ANCHOR
    assert periods.paid_by_run("four_weekly", ANCHOR, "arrears", dt.date(2026, 5, 4)) is None


def test_weekly_and_monthly():
    assert periods.containing("weekly", ANCHOR, dt.date(2026, 4, 15)) == Period(
        dt.date(2026, 4, 13), dt.date(2026, 4, 19)
    )
    assert periods.containing("monthly", dt.date(2026, 1, 31), dt.date(2026, 2, 27)) == Period(
        dt.date(2026, 1, 31), dt.date(2026, 2, 27)
    )
    assert periods.containing("monthly", dt.date(2026, 1, 31), dt.date(2026, 2, 28)) == Period(
        dt.date(2026, 2, 28), dt.date(2026, 3, 30)
    )
    assert periods.containing("monthly", ANCHOR, dt.date(2026, 4, 5)) == Period(
        dt.date(2026, 3, 6), dt.date(2026, 4, 5)
    )


def test_an_unknown_frequency_is_refused():
    with pytest.raises(ValueError):
        periods.containing("fortnightly", ANCHOR, ANCHOR)
