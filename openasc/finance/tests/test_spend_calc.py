"""Spend aggregation on plain data: worked examples of each rule, on both sides of its boundaries."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from openasc.finance import costing
from openasc.finance.categories import CategoryRule
from openasc.finance.spend import calc

D = dt.date
FIRST, LAST, YEAR_END = D(2026, 4, 1), D(2027, 3, 31), D(2027, 3, 31)
HOME = "Long term support: Community"
NURSING = "Long term support: Nursing care"
HOME_RULE = CategoryRule(
    1,
    "home-care",
    "Home care",
    "hour",
    40,
    frozenset({HOME.casefold()}),
    frozenset(),
    frozenset(),
    frozenset(),
)
NURSING_RULE = CategoryRule(
    2,
    "nursing",
    "Nursing",
    "week",
    20,
    frozenset({NURSING.casefold()}),
    frozenset(),
    frozenset(),
    frozenset(),
)
BORN = D(1950, 6, 1)


def svc(
    sid, person, *, stype=HOME, start=FIRST, end=None, versions=None, born=BORN, reason="Physical support"
):
    return costing.CostedService(
        id=sid,
        person_id=person,
        service_type=stype,
        service_component="",
        delivery_mechanism="",
        start_on=start,
        end_on=end,
        support_reason=reason,
        date_of_birth=born,
        versions=tuple(costing.version(*v) for v in (versions or [(start, 2000, "Hourly", Decimal(10))])),
    )


def run(services, first=FIRST, last=LAST):
    return calc.aggregate(
        services,
        first=first,
        last=last,
        year_end=YEAR_END,
        categories=[NURSING_RULE, HOME_RULE],
        category_order=["Nursing", "Home care", calc.NO_CATEGORY],
    )


@pytest.mark.parametrize(
    ("born", "band"),
    [
        (D(2009, 3, 31), "18-64"),  # 18 on 31 March 2027
        (D(2009, 4, 1), "Under 18"),  # 18 the day after
        (D(1962, 3, 31), "65-74"),  # 65 on 31 March 2027
        (D(1962, 4, 1), "18-64"),
        (D(1952, 3, 31), "75-84"),
        (D(1952, 4, 1), "65-74"),
        (D(1942, 3, 31), "85+"),
        (D(1942, 4, 1), "75-84"),
        (None, "Age not recorded"),
    ],
)
def test_age_bands_on_the_last_day_of_the_year(born, band):
    assert calc.age_band(calc.age_on(born, YEAR_END)) == band


def test_a_cost_change_mid_year_and_an_end_mid_year():
    # £200 a week to 30 September (183 days), then £210 a week to 31 December (92 days): 5228.57 + 2760.00
    changed = svc(
        1,
        10,
        versions=[(FIRST, 2000, "Hourly", Decimal(10)), (D(2026, 10, 1), 2100, "Hourly", Decimal(10))],
        end=D(2026, 12, 31),
    )
    result = run([changed])
    assert result.total.spend_pence == costing.cost_between(changed, FIRST, LAST) == 522857 + 276000
    assert result.total.hours.quantize(Decimal("0.01")) == Decimal("392.86")  # 10 hours a week for 275 days
    # hourly rate: spend / hours = 798857 / 392.857... = 2033.4 -> £20.33
    assert result.total.hourly_rate_pence == 2033
    # one person for 275 days: 798857 x 7 / 275 = 20334.8 -> £203.35 a week
    assert result.total.person_days == 275 and result.total.average_weekly_pence == 20335


def test_spend_to_date_stops_on_the_day():
    result = run([svc(1, 10)], last=D(2026, 4, 7))
    assert result.total.spend_pence == 20000 and result.total.person_days == 7


def test_one_off_counts_on_its_start_day_only():
    one_off = svc(1, 10, start=D(2026, 5, 1), versions=[(D(2026, 5, 1), 50000, "One-off", None)])
    assert run([one_off]).total.spend_pence == 50000
    assert run([one_off], last=D(2026, 4, 30)).total.services == 0


def test_services_costing_nothing_are_not_counted():
    free = svc(1, 10, versions=[(FIRST, 0, "Weekly", None)])
    no_units = svc(2, 11, versions=[(FIRST, 2000, "Hourly", None)])
    result = run([free, no_units, svc(3, 12)])
    assert result.total.services == 1 and result.total.people == 1
    assert [s.service_id for s in result.behind("", calc.TOTAL)] == [3]


def test_people_are_counted_once_and_their_weeks_overlap_once():
    # one person with two home care services over the same 7 days, and a nursing placement
    a = svc(1, 10, end=D(2026, 4, 7))
    b = svc(2, 10, end=D(2026, 4, 7))
    c = svc(3, 10, stype=NURSING, versions=[(FIRST, 90000, "Weekly", None)], end=D(2026, 4, 14))
    result = run([a, b, c])
    assert result.total.people == 1 and result.total.services == 3
    assert result.total.person_days == 14
    home = result.row(calc.SETTING, "Home care")
    assert (home.people, home.services, home.person_days, home.spend_pence) == (1, 2, 7, 40000)
    assert home.average_weekly_pence == 40000
    nursing = result.row(calc.SETTING, "Nursing")
    assert nursing.hourly_rate_pence is None and nursing.average_weekly_pence == 90000


def test_dimensions_and_the_services_behind_each_figure():
    s1 = svc(1, 10, reason="Physical support", born=D(1940, 1, 1))
    s2 = svc(2, 11, reason="", born=D(1980, 1, 1), stype="Long term support: Prison")
    s3 = svc(3, 12, stype=NURSING, versions=[(FIRST, 90000, "Weekly", None)], reason="Physical support")
    result = run([s1, s2, s3])
    assert [r.label for r in result.tables[calc.SETTING]] == ["Nursing", "Home care", calc.NO_CATEGORY]
    assert {r.label for r in result.tables[calc.CLIENT_GROUP]} == {"Physical support", calc.NOT_RECORDED}
    assert result.tables[calc.CLIENT_GROUP][-1].label == calc.NOT_RECORDED
    assert [r.label for r in result.tables[calc.AGE_BAND]] == ["18-64", "75-84", "85+"]
    assert [s.service_id for s in result.behind(calc.CLIENT_GROUP, "Physical support")] == [
        3,
        1,
    ]  # biggest first
    assert sum(r.spend_pence for r in result.tables[calc.SERVICE_TYPE]) == result.total.spend_pence
    assert result.row(calc.SETTING, "Respite") is None


def test_a_slim_copy_keeps_the_figures_and_refuses_the_services():
    slim = run([svc(1, 10)]).slim()
    assert slim.total.services == 1
    with pytest.raises(ValueError):
        slim.behind("", calc.TOTAL)
