"""Commitments and the forecast outturn from worked examples, each figure computed by hand.

The year is 2026-27 (1 April 2026 to 31 March 2027, 365 days), as at 30 September 2026: 183 days spent (April 30,
May 31, June 30, July 31, August 31, September 30), 182 committed (October to March). A weekly cost over d days is
weekly x d / 7, half up to the penny."""

import datetime as dt
from decimal import Decimal

from openasc.finance import commitments
from openasc.finance.categories import CategoryRule, CentreRule
from openasc.finance.costing import CostedService, version

D = dt.date
START, END, AS_AT = D(2026, 4, 1), D(2027, 3, 31), D(2026, 9, 30)
RES = "Long term support: Residential care"
COMMUNITY = "Long term support: Community"

residential = CategoryRule(
    1,
    "residential",
    "Residential",
    "week",
    20,
    frozenset({RES.casefold()}),
    frozenset(),
    frozenset(),
    frozenset(),
)
home_care = CategoryRule(
    2,
    "home-care",
    "Home care",
    "hour",
    40,
    frozenset({COMMUNITY.casefold()}),
    frozenset({"home support or domiciliary care"}),
    frozenset(),
    frozenset(),
)
CATEGORIES = [residential, home_care]


def svc(sid, person, *, type_=RES, component="", start, end=None, costs, reason=""):
    return CostedService(
        id=sid,
        person_id=person,
        service_type=type_,
        service_component=component,
        delivery_mechanism="CASSR commissioned support",
        start_on=start,
        end_on=end,
        support_reason=reason,
        versions=tuple(
            version(d, unit, freq, None if units is None else Decimal(units))
            for d, unit, freq, units in costs
        ),
    )


# A: £700 a week, £770 from 1 July (a cost change mid-year)
A = svc(
    1,
    101,
    start=D(2026, 1, 1),
    costs=[(D(2026, 1, 1), 70000, "Weekly", None), (D(2026, 7, 1), 77000, "Weekly", None)],
)
# B: £1,400 a week, ending 31 May (ends mid-year)
B = svc(2, 102, start=D(2025, 6, 1), end=D(2026, 5, 31), costs=[(D(2025, 6, 1), 140000, "Weekly", None)])
# C: home care planned to start 1 November, 14 hours a week at £20 an hour
C = svc(
    3,
    103,
    type_=COMMUNITY,
    component="Home support or domiciliary care",
    start=D(2026, 11, 1),
    costs=[(D(2026, 11, 1), 2000, "Hourly", 14)],
)
# D: £350 a week, a known uplift to £420 from 1 January 2027 (a future-dated cost version)
DD = svc(
    4,
    104,
    start=D(2026, 1, 1),
    costs=[(D(2026, 1, 1), 35000, "Weekly", None), (D(2027, 1, 1), 42000, "Weekly", None)],
)


def run(services, centres=(), teams_of=None, as_at=AS_AT):
    return commitments.compute(
        services,
        year="2026-27",
        starts_on=START,
        ends_on=END,
        as_at=as_at,
        categories=CATEGORIES,
        centres=sorted(centres, key=lambda r: (-r.conditions, r.code)),
        teams_of=teams_of or {},
    )


def figures(result, *, unit="week", centres=None, category=None):
    return commitments.add_up(
        result.cells_of(centres=centres, category=category), unit=unit, months=len(result.months)
    )


def test_a_cost_change_mid_year():
    f = figures(run([A]))
    # April-June 91 days at £700: 70000 x 91 / 7 = 910000; July-September 92 days at £770: 77000 x 92 / 7 = 1012000
    assert f.spent == 910000 + 1012000
    # October-March 182 days at £770 = 26 weeks = 2002000
    assert f.committed == 2002000
    assert f.forecast == 3924000
    # months: April 30 days at £700 = 300000 ... July 31 days at £770 = 341000
    assert f.months_spent[:6] == [300000, 310000, 300000, 341000, 341000, 330000]
    assert sum(f.months_spent) == f.spent
    assert f.months_committed[:6] == [0] * 6
    assert f.people == 1 and f.unit_cost == 77000


def test_a_service_ending_mid_year_costs_nothing_after_its_end():
    f = figures(run([B]))
    assert f.spent == 140000 * 61 // 7 == 1220000  # 1 April to 31 May
    assert f.committed == 0
    assert f.people == 0 and f.unit_cost is None  # not running on 30 September
    assert f.services == 1


def test_a_planned_service_not_started_is_committed_from_its_start():
    f = figures(run([C]), unit="hour")
    assert f.spent == 0
    # 1 November to 31 March: 30 + 31 + 31 + 28 + 31 = 151 days at 14 x £20 = £280 a week: 28000 x 151 / 7
    assert f.committed == 604000
    assert f.months_committed[7] == 28000 * 30 // 7  # November
    assert f.months_committed[6] == 0  # October
    assert f.people == 0  # not running yet


def test_a_future_uplift_is_committed_from_its_date():
    f = figures(run([DD]))
    assert f.spent == 35000 * 183 // 7 == 915000
    # October-December 92 days at £350 = 460000; January-March 90 days at £420 = 540000
    assert f.committed == 460000 + 540000
    assert f.unit_cost == 35000  # the uplift is not in force yet


def test_together_and_the_unit_costs():
    f = figures(run([A, B, C, DD]))
    assert f.forecast == 3924000 + 1220000 + 604000 + 1915000
    # running on 30 September: A (£770) and D (£350), two people: (77000 + 35000) / 2
    assert f.people == 2 and f.unit_cost == 56000
    # 31 August (the previous month end): the same two at the same costs, so no trend
    assert f.prev_people == 2 and f.people_trend == 0 and f.unit_cost_trend == 0


def test_hourly_unit_cost_is_weekly_cost_over_hours_and_trend_against_previous_month_end():
    on = D(2026, 11, 15)
    other = svc(
        5,
        105,
        type_=COMMUNITY,
        component="Home support or domiciliary care",
        start=D(2026, 10, 1),
        costs=[(D(2026, 10, 1), 2400, "Hourly", 10)],
    )
    result = run([C, other], as_at=on)
    f = figures(result, unit="hour", category=home_care.id)
    # 15 November: C 14 h at £20 (£280) and the other 10 h at £24 (£240): £520 over 24 hours = 2166.67p, 2167
    assert f.people == 2 and f.unit_cost == round(52000 / 24) == 2167
    # 31 October: only the other, at £24 an hour
    assert result.previous == D(2026, 10, 31)
    assert f.prev_people == 1 and f.prev_unit_cost == 2400
    assert f.people_trend == 1 and f.unit_cost_trend == 2167 - 2400


def test_the_as_at_date_is_clipped_to_the_year():
    before = run([A], as_at=D(2026, 1, 10))
    assert before.as_at == D(2026, 3, 31)  # the day before the year: nothing spent yet
    f = figures(before)
    assert f.spent == 0 and f.committed == 3924000
    after = run([A], as_at=D(2027, 6, 1))
    assert after.as_at == END and figures(after).committed == 0


def test_no_cost_known_is_counted_and_costs_nothing():
    nothing = svc(6, 106, start=D(2026, 1, 1), costs=[])
    unknown_hours = svc(
        7,
        107,
        type_=COMMUNITY,
        component="Home support or domiciliary care",
        start=D(2026, 1, 1),
        costs=[(D(2026, 1, 1), 2000, "Hourly", None)],
    )
    f = figures(run([A, nothing, unknown_hours]))
    assert f.services == 3 and f.no_cost == 2
    assert f.forecast == 3924000
    # people running: all three; the unit cost is over the one whose cost is known
    assert f.people == 3 and f.unit_cost == 77000


# ---------------------------------------------------------------------------------------------------------------------
# Which cost centre: the most specific whose every condition holds; none -> not in a cost centre

ANY_RES = CentreRule(10, "R-ALL", residential.id, frozenset(), None)
RES_LD = CentreRule(11, "R-LD", residential.id, frozenset({"learning disability support"}), None)
RES_NORTH = CentreRule(12, "R-NORTH", residential.id, frozenset(), 7)


def centre_of(result, sid):
    for (centre, _cat), ids in result.service_ids.items():
        if sid in ids:
            return centre
    raise AssertionError(f"service {sid} is in no cell")


def test_most_specific_cost_centre_wins_and_team_condition():
    ld = svc(
        20,
        120,
        start=D(2026, 1, 1),
        costs=[(D(2026, 1, 1), 100000, "Weekly", None)],
        reason="Learning Disability Support",
    )
    north = svc(21, 121, start=D(2026, 1, 1), costs=[(D(2026, 1, 1), 100000, "Weekly", None)])
    elsewhere = svc(22, 122, start=D(2026, 1, 1), costs=[(D(2026, 1, 1), 100000, "Weekly", None)])
    home = svc(
        23,
        123,
        type_=COMMUNITY,
        component="Home support or domiciliary care",
        start=D(2026, 1, 1),
        costs=[(D(2026, 1, 1), 2000, "Hourly", 10)],
    )
    result = run(
        [ld, north, elsewhere, home],
        centres=[ANY_RES, RES_LD, RES_NORTH],
        teams_of={121: frozenset({7}), 122: frozenset({8})},
    )
    assert centre_of(result, 20) == RES_LD.id  # client group: two conditions beat one
    assert centre_of(result, 21) == RES_NORTH.id  # the team works with the person
    assert centre_of(result, 22) == ANY_RES.id  # another team: only the category holds
    assert centre_of(result, 23) == commitments.NONE  # home care: no cost centre, never dropped
    total = figures(result)
    assert total.services == 4
    not_in = figures(result, centres=[commitments.NONE], unit="hour")
    # £200 a week: 183 days spent = 522857.14, rounded 522857; 182 days committed = 26 weeks = 520000
    assert not_in.services == 1 and not_in.spent == 522857 and not_in.committed == 520000


def test_budget_and_variance_add_up():
    result = run([A, DD], centres=[ANY_RES])
    budget = commitments.BudgetFigures(5_500_000, 3, 60000)
    f = commitments.add_up(result.cells_of(centres=[ANY_RES.id]), unit="week", months=12, budgets=[budget])
    assert f.forecast == 3924000 + 1915000
    assert f.budget == 5_500_000 and f.variance == 5839000 - 5500000  # overspent by £3,390
    assert f.budgeted_people == 3 and f.budgeted_unit_cost == 60000
    under = commitments.add_up(
        result.cells_of(centres=[ANY_RES.id]),
        unit="week",
        months=12,
        budgets=[commitments.BudgetFigures(6_000_000, 3, 60000)],
    )
    assert under.variance == -161000
    none = commitments.add_up(result.cells_of(centres=[ANY_RES.id]), unit="week", months=12, budgets=[])
    assert none.budget is None and none.variance is None


def test_the_forecast_agrees_with_the_one_cost_calculation_for_any_service():
    """The forecast works the cost out over runs of days (fast); every figure must be costing.cost_between's over
    the same days, to the penny: random services with random versions, ends, one-off costs and units."""
    import random

    from openasc.finance.costing import cost_between

    rng = random.Random(15)
    services = []
    for sid in range(1, 400):
        start = D(2025, 1, 1) + dt.timedelta(days=rng.randint(0, 900))
        end = None if rng.random() < 0.5 else start + dt.timedelta(days=rng.randint(0, 400))
        costs = []
        day = start - dt.timedelta(days=rng.choice([0, 0, 30]))
        for _ in range(rng.randint(0, 4)):
            kind = rng.choice(["Weekly", "Hourly", "Hourly", "One-off", "Daily"])
            units = None if kind in ("Weekly", "One-off") else rng.choice([None, 7, 10.5, 21])
            costs.append((day, rng.randint(0, 200000), kind, units))
            day += dt.timedelta(days=rng.randint(1, 200))
        services.append(svc(sid, sid, start=start, end=end, costs=costs))
    as_at = D(2026, 10, 17)
    result = run(services, as_at=as_at)
    f = figures(result)
    in_year = [s for s in services if s.start_on <= END and (s.end_on is None or s.end_on >= START)]
    assert f.services == len(in_year) and f.spent > 0 and f.committed > 0
    assert f.spent == sum(cost_between(s, START, as_at) for s in in_year)
    assert f.committed == sum(cost_between(s, as_at + dt.timedelta(days=1), END) for s in in_year)
    for i, (first, last) in enumerate(result.months):
        if last <= as_at:
            expected = sum(cost_between(s, first, last) for s in in_year)
            assert f.months_spent[i] == expected and f.months_committed[i] == 0
    october = result.months[6]
    assert f.months_spent[6] == sum(cost_between(s, october[0], as_at) for s in in_year)
    assert f.months_committed[6] == sum(
        cost_between(s, as_at + dt.timedelta(days=1), october[1]) for s in in_year
    )
