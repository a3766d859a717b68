"""The uplift calculation on plain data: scope, rounding, the benchmark rules, and what goes to the year's
commitment. Worked examples on both sides of each boundary."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from openasc.finance import costing
from openasc.finance.categories import CategoryRule
from openasc.finance.uplifts import calc

D = dt.date
DAY = D(2026, 10, 1)
YEAR_END = D(2027, 3, 31)
HOME = "Long term support: Community"
BORN = D(1950, 1, 1)
START = D(2025, 4, 1)
EVERYONE = calc.Scope()
TWO_PERCENT = calc.Method(percent=Decimal(2))


def svc(
    sid=1,
    *,
    born=BORN,
    start=START,
    end=None,
    versions=None,
    provider=7,
    stype=HOME,
    comp="",
):
    versions = versions or [(start, 2000, "Hourly", Decimal(10))]
    return costing.CostedService(
        id=sid,
        person_id=100 + sid,
        service_type=stype,
        service_component=comp,
        delivery_mechanism="CASSR commissioned support",
        start_on=start,
        end_on=end,
        provider_id=provider,
        date_of_birth=born,
        versions=tuple(costing.version(*v) for v in versions),
    )


def run(services, *, scope=EVERYONE, method=TWO_PERCENT, categories=()):
    return calc.preview(
        services,
        scope=scope,
        method=method,
        effective_from=DAY,
        year_last=YEAR_END,
        categories=list(categories),
    )


@pytest.mark.parametrize(
    ("old", "pct", "new"),
    [
        (1000, "2.5", 1025),
        (1001, "2.5", 1026),
        (1002, "2.5", 1027),
        (2000, "2", 2040),
        (1999, "2", 2039),
        (1, "50", 2),
    ],
)
def test_percent_rounds_half_up_to_the_penny(old, pct, new):
    # 1001 x 1.025 = 1026.025 -> 1026; 1002 x 1.025 = 1027.05 -> 1027; 1999 x 1.02 = 2038.98 -> 2039; 1.5 -> 2
    assert calc.uplifted_unit_cost(old, Decimal(pct)) == new


def test_age_from_65_takes_a_person_65_on_the_date_and_leaves_one_who_is_64():
    turns_65_on_the_day = svc(1, born=D(1961, 10, 1))
    turns_65_the_day_after = svc(2, born=D(1961, 10, 2))
    result = run([turns_65_on_the_day, turns_65_the_day_after], scope=calc.Scope(age_from=65))
    assert [x.service_id for x in result.lines] == [1]
    assert result.skipped == []


def test_age_under_65_is_the_other_side_of_the_same_boundary():
    result = run([svc(1, born=D(1961, 10, 1)), svc(2, born=D(1961, 10, 2))], scope=calc.Scope(age_under=65))
    assert [x.service_id for x in result.lines] == [2]


def test_no_date_of_birth_is_skipped_with_its_reason_only_when_the_scope_is_by_age():
    assert run([svc(1, born=None)], scope=calc.Scope(age_from=65)).skipped[0].reason == calc.SKIP_NO_BIRTH
    assert [x.service_id for x in run([svc(1, born=None)]).lines] == [1]


def test_percent_line_weekly_annual_and_in_year_change():
    # £20.00 an hour x 10 hours = £200.00 a week; 2% -> £20.40 x 10 = £204.00, +£4.00 a week, £208.00 a year
    line = run([svc()]).lines[0]
    assert (line.old_unit_cost_pence, line.new_unit_cost_pence) == (2000, 2040)
    assert (line.old_weekly_pence, line.new_weekly_pence, line.weekly_change_pence) == (20000, 20400, 400)
    assert line.annual_change_pence == 20800
    # 1 October 2026 to 31 March 2027 is 182 days: 400 x 182 / 7 = 10400
    assert line.in_year_change_pence == 10400


def test_a_service_ending_mid_year_changes_the_year_only_until_it_ends():
    # ends 7 October: 7 days at +£4.00 a week
    line = run([svc(end=D(2026, 10, 7))]).lines[0]
    assert line.in_year_change_pence == 400


def test_services_not_running_on_the_date_are_out_of_scope():
    ended_before = svc(1, end=D(2026, 9, 30))
    ends_on_the_day = svc(2, end=DAY)
    starts_after = svc(3, start=D(2026, 10, 2))
    result = run([ended_before, ends_on_the_day, starts_after])
    assert [x.service_id for x in result.lines] == [2]
    assert result.skipped == []


def test_a_cost_already_from_the_date_is_skipped_never_replaced():
    starts_that_day = svc(1, start=DAY)
    changed_that_day = svc(
        2, versions=[(D(2025, 4, 1), 2000, "Hourly", Decimal(10)), (DAY, 2100, "Hourly", Decimal(10))]
    )
    result = run([starts_that_day, changed_that_day])
    assert result.lines == []
    assert {s.reason for s in result.skipped} == {calc.SKIP_SAME_DAY}


def test_one_off_and_unknown_weekly_costs_are_skipped_with_their_reasons():
    one_off = svc(1, versions=[(D(2025, 4, 1), 50000, "One-off", None)])
    no_units = svc(2, versions=[(D(2025, 4, 1), 2000, "Hourly", None)])
    reasons = {s.service_id: s.reason for s in run([one_off, no_units]).skipped}
    assert reasons == {1: calc.SKIP_ONE_OFF, 2: calc.SKIP_NO_WEEKLY}


def bench(within=0):
    return calc.Method(
        kind=calc.TO_BENCHMARK, benchmark_unit_cost_pence=120000, skip_uplifted_within_days=within
    )


def weekly(sid, unit, *, changed_on=None):
    versions = [(D(2025, 4, 1), 100000, "Weekly", None)]
    if changed_on:
        versions.append((changed_on, unit, "Weekly", None))
    else:
        versions = [(D(2025, 4, 1), unit, "Weekly", None)]
    return svc(sid, versions=versions)


def test_to_benchmark_raises_below_and_leaves_equal_and_above():
    result = run([weekly(1, 119999), weekly(2, 120000), weekly(3, 120001)], method=bench())
    assert [(x.service_id, x.new_unit_cost_pence) for x in result.lines] == [(1, 120000)]
    assert {s.service_id: s.reason for s in result.skipped} == {
        2: calc.SKIP_AT_BENCHMARK,
        3: calc.SKIP_AT_BENCHMARK,
    }
    assert result.lines[0].weekly_change_pence == 1


def test_to_benchmark_leaves_a_cost_changed_within_the_window_and_raises_one_changed_the_day_before_it():
    # 90 days before 1 October 2026 is 3 July 2026
    inside = weekly(1, 110000, changed_on=D(2026, 7, 3))
    outside = weekly(2, 110000, changed_on=D(2026, 7, 2))
    result = run([inside, outside], method=bench(90))
    assert [x.service_id for x in result.lines] == [2]
    assert result.skipped[0].service_id == 1 and result.skipped[0].reason == calc.SKIP_RECENT


def test_a_service_that_started_recently_is_not_a_recent_change():
    started = svc(1, start=D(2026, 9, 1), versions=[(D(2026, 9, 1), 110000, "Weekly", None)])
    assert [x.service_id for x in run([started], method=bench(90)).lines] == [1]


def test_scope_by_provider_service_type_and_care_category():
    home_rule = CategoryRule(
        5,
        "home-care",
        "Home care",
        "hour",
        40,
        frozenset({HOME.casefold()}),
        frozenset({"home support or domiciliary care"}),
        frozenset(),
        frozenset(),
    )
    a = svc(1, provider=7, comp="Home support or domiciliary care")
    b = svc(2, provider=8, comp="Home support or domiciliary care")
    c = svc(3, provider=7, stype="Long term support: Nursing care")
    assert [x.service_id for x in run([a, b, c], scope=calc.Scope(provider_id=7)).lines] == [1, 3]
    assert [x.service_id for x in run([a, b, c], scope=calc.Scope(service_type=HOME)).lines] == [1, 2]
    by_category = run([a, b, c], scope=calc.Scope(care_category_id=5), categories=[home_rule])
    assert [x.service_id for x in by_category.lines] == [1, 2]


def test_a_later_planned_cost_stands_and_the_year_changes_only_until_it():
    later = svc(
        versions=[(D(2025, 4, 1), 2000, "Hourly", Decimal(10)), (D(2026, 10, 8), 3000, "Hourly", Decimal(10))]
    )
    line = run([later]).lines[0]
    assert line.in_year_change_pence == 400  # 7 days at +£4.00 a week, then the planned cost


def test_totals_and_the_table_by_provider():
    result = run([svc(1, provider=7), svc(2, provider=7), svc(3, provider=8), svc(4, provider=None)])
    assert (result.services, result.people, result.providers) == (4, 4, 2)
    assert result.annual_change_pence == 4 * 20800
    assert result.in_year_change_pence == 4 * 10400
    rows = result.by_provider()
    assert [(r.provider_id, r.services) for r in rows] == [(7, 2), (8, 1), (None, 1)]


@pytest.mark.parametrize(
    "shape",
    [
        {},
        {"end": D(2026, 10, 1)},
        {"end": D(2027, 1, 9)},
        {"end": D(2028, 1, 1)},
        {
            "versions": [
                (START, 1999, "Hourly", Decimal("7.5")),
                (D(2026, 12, 25), 2111, "Hourly", Decimal("7.5")),
            ]
        },
        {"versions": [(START, 99999, "Weekly", None), (D(2026, 10, 2), 100001, "Weekly", None)]},
        {"versions": [(START, 33333, "4-weekly", None), (D(2027, 3, 31), 40000, "4-weekly", None)]},
    ],
)
def test_the_cost_after_is_cost_between_of_the_service_with_the_new_version(shape):
    import dataclasses

    service = svc(**shape)
    line = run([service]).lines[0]
    new = costing.version(DAY, line.new_unit_cost_pence, line.cost_frequency, line.planned_units_per_week)
    after = dataclasses.replace(service, versions=(*service.versions, new))
    assert line.in_year_before_pence == costing.cost_between(service, DAY, YEAR_END)
    assert line.in_year_after_pence == costing.cost_between(after, DAY, YEAR_END)
