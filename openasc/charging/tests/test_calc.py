"""Worked examples for the financial assessment (charging.calc), on both sides of every boundary, with the 2025-26
rates shipped in the reference data (migration 0002, from specs/data/charging_rates_england.csv)."""

import datetime as dt
import json
from dataclasses import replace
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from openasc.charging.calc import Assessment, AssessmentError, Capital, Income, Policy, Stay, assess
from openasc.charging.inputs import parse
from openasc.charging.rates import rates_for

D = dt.date
pytestmark = pytest.mark.django_db


@pytest.fixture
def rates():
    return rates_for("2025-26")


AT_HOME = Assessment(
    rates_year="2025-26",
    assessed_on=D(2025, 6, 1),
    setting="non_residential",
    age=30,
    cost_of_care_weekly_pence=40000,
    income=(Income("other", 25000),),
)


def at_home(**kw) -> Assessment:
    return replace(AT_HOME, **kw)


def savings(pounds: str) -> tuple[Capital, ...]:
    return (Capital("savings", int(Decimal(pounds) * 100)),)


def test_the_issue_example_is_137_50(rates):
    result = assess(at_home(capital=savings("14250.00")), rates)
    assert result.weekly_charge_pence == 13750  # £250 income less the MIG of £112.50 (single, 25 to PC age)
    assert [s.rule for s in result.steps] == [
        "capital_counted",
        "tariff_income",
        "income_counted",
        "total_income",
        "mig",
        "weekly_charge",
    ]


@pytest.mark.parametrize(
    "capital, tariff_pence",
    [
        ("14250.00", 0),
        ("14250.01", 100),
        ("14500.00", 100),
        ("14500.01", 200),
        ("20000.00", 2300),
        ("23250.00", 3600),
    ],
)
def test_tariff_income_is_a_pound_for_every_250_or_part_above_the_lower_limit(rates, capital, tariff_pence):
    result = assess(at_home(capital=savings(capital)), rates)
    assert next(s.pence for s in result.steps if s.rule == "tariff_income") == tariff_pence
    assert result.weekly_charge_pence == 13750 + tariff_pence


def test_a_penny_above_the_upper_limit_pays_the_full_cost(rates):
    assert assess(at_home(capital=savings("23250.00")), rates).weekly_charge_pence == 13750 + 3600
    above = assess(at_home(capital=savings("23250.01")), rates)
    assert above.weekly_charge_pence == 40000 and above.steps[-1].rule == "above_upper_limit"


def test_a_council_may_set_a_higher_limit_for_care_at_home_but_not_in_a_care_home(rates):
    policy = Policy(non_residential_upper_limit_pence=3000000)
    assert assess(at_home(capital=savings("23250.01")), rates, policy).steps[-1].rule == "weekly_charge"
    home = at_home(setting="care_home_permanent", admitted_on=D(2025, 1, 6), capital=savings("23250.01"))
    assert assess(home, rates, policy).steps[-1].rule == "above_upper_limit"


def test_a_share_of_joint_capital_is_counted(rates):
    joint = (Capital("savings", 3000000, Decimal("0.5")),)  # £30,000 held jointly: £15,000 counted, £3 tariff
    assert assess(at_home(capital=joint), rates).weekly_charge_pence == 13750 + 300


@pytest.mark.parametrize(
    "age, key, mig_pence",
    [
        (18, "single_18_24", 8915),
        (24, "single_18_24", 8915),
        (25, "single_25_to_pc_age", 11250),
        (65, "single_25_to_pc_age", 11250),
        (66, "single_pc_age", 23260),
    ],
)
def test_the_minimum_income_guarantee_by_age(rates, age, key, mig_pence):
    result = assess(at_home(age=age, income=(Income("other", 30000),)), rates)
    assert f"mig_{key}" in result.rates_used
    assert result.weekly_charge_pence == 30000 - mig_pence


def test_couples_children_and_premiums(rates):
    couple = assess(at_home(member_of_couple=True, premiums=frozenset({"disability"})), rates)
    assert couple.weekly_charge_pence == 25000 - 8835 - 3540  # couple each + couple disability premium (each)
    lone = assess(at_home(children=2, income=(Income("other", 50000),)), rates)
    assert lone.weekly_charge_pence == 50000 - 11250 - 2 * 10295  # lone parent amount + two children
    single = assess(at_home(premiums=frozenset({"disability", "enhanced_disability", "carer"})), rates)
    assert single.weekly_charge_pence == 25000 - 11250 - 4965 - 2425 - 5325


def test_housing_costs_and_disability_related_expenditure_are_kept_and_nothing_left_is_no_charge(rates):
    assert (
        assess(at_home(housing_costs_weekly_pence=2000, dre_weekly_pence=1085), rates).weekly_charge_pence
        == 13750 - 3085
    )
    nothing = assess(at_home(income=(Income("other", 11000),)), rates)
    assert nothing.weekly_charge_pence == 0 and "nothing_left" in [s.rule for s in nothing.steps]


def test_the_charge_is_never_more_than_the_cost_of_care(rates):
    assert assess(at_home(cost_of_care_weekly_pence=13750), rates).weekly_charge_pence == 13750
    capped = assess(at_home(cost_of_care_weekly_pence=13749), rates)
    assert capped.weekly_charge_pence == 13749 and capped.steps[-1].rule == "cost_of_care_cap"


def test_disregarded_income(rates):
    result = assess(
        at_home(income=(Income("other", 25000), Income("earnings", 10000), Income("pip_mobility", 2895))),
        rates,
    )
    assert result.weekly_charge_pence == 13750


def in_care_home(assessed_on, **kw) -> Assessment:
    return at_home(
        setting="care_home_permanent",
        admitted_on=D(2025, 5, 1),
        assessed_on=assessed_on,
        age=80,
        cost_of_care_weekly_pence=90000,
        capital=(Capital("property_main_home", 25000000),),
        **kw,
    )


def test_the_12_week_property_disregard_from_the_first_day_to_the_last(rates):
    # admitted 1 May 2025: the 12 weeks are 1 May to 23 July; from 24 July the home counts (£250,000: full cost)
    first = assess(in_care_home(D(2025, 5, 1)), rates)
    assert first.weekly_charge_pence == 25000 - 3065  # income less the PEA of £30.65
    assert "runs to 23 July 2025" in first.steps[0].text
    assert assess(in_care_home(D(2025, 7, 23)), rates).weekly_charge_pence == 25000 - 3065
    after = assess(in_care_home(D(2025, 7, 24)), rates)
    assert after.weekly_charge_pence == 90000 and after.steps[-1].rule == "above_upper_limit"


def test_a_readmission_within_52_weeks_has_only_the_rest_of_the_12_weeks(rates):
    # a first stay of 30 days (1 to 30 January 2025) leaves 54 days; back on 1 May 2025 (within 52 weeks)
    earlier = Stay(D(2025, 1, 1), D(2025, 1, 30))
    assert (
        assess(in_care_home(D(2025, 6, 23), previous_stay=earlier), rates).weekly_charge_pence == 25000 - 3065
    )
    assert assess(in_care_home(D(2025, 6, 24), previous_stay=earlier), rates).weekly_charge_pence == 90000
    # more than 52 weeks after the first stay ended: a new 12 weeks
    long_ago = Stay(D(2024, 1, 1), D(2024, 4, 30))
    assert (
        assess(in_care_home(D(2025, 7, 23), previous_stay=long_ago), rates).weekly_charge_pence
        == 25000 - 3065
    )


def test_the_home_is_disregarded_at_home_for_a_temporary_resident_and_with_a_qualifying_relative(rates):
    home = (Capital("property_main_home", 25000000),)
    assert assess(at_home(capital=home), rates).weekly_charge_pence == 13750
    temporary = assess(
        at_home(setting="care_home_temporary", capital=home, housing_costs_weekly_pence=5000), rates
    )
    assert temporary.weekly_charge_pence == 25000 - 3065 - 5000
    relative = assess(replace(in_care_home(D(2025, 12, 1)), qualifying_relative_in_home=True), rates)
    assert relative.weekly_charge_pence == 25000 - 3065


def test_a_short_term_resident_is_assessed_as_at_home_unless_the_council_says_not(rates):
    short = at_home(setting="care_home_short_term")
    assert assess(short, rates).weekly_charge_pence == 13750
    assert (
        assess(short, rates, Policy(short_term_as_non_residential=False)).weekly_charge_pence == 25000 - 3065
    )


def test_light_touch_pays_the_full_cost(rates):
    assert assess(at_home(light_touch=True), rates).weekly_charge_pence == 40000


def test_a_year_without_a_rate_refuses_and_says_which_rate_to_set():
    with pytest.raises(AssessmentError) as e:
        assess(at_home(rates_year="2026-27"), rates_for("2026-27"))
    assert "capital_upper for 2026-27 is not set" in e.value.errors["rates_year"]


def test_bad_input_names_every_field_at_once():
    with pytest.raises(AssessmentError) as e:
        parse(
            {
                "age": 12,
                "setting": "x",
                "income": [{"kind": "lottery", "weekly": "abc"}],
                "capital": [{"kind": "savings", "value": "1", "share": "2"}],
            }
        )
    assert set(e.value.errors) >= {
        "rates_year",
        "assessed_on",
        "cost_of_care_weekly",
        "age",
        "setting",
        "income[0].weekly",
        "income[0].kind",
        "capital[0].share",
    }


def test_the_command_prints_the_result_and_exits_2_on_bad_input(tmp_path, capsys):
    good = tmp_path / "a.json"
    good.write_text(
        json.dumps(
            {
                "rates_year": "2025-26",
                "assessed_on": "2025-06-01",
                "setting": "non_residential",
                "age": 30,
                "income": [{"kind": "other", "weekly": "250.00"}],
                "capital": [{"kind": "savings", "value": "14250.00", "share": "1"}],
                "cost_of_care_weekly": "400.00",
            }
        )
    )
    call_command("charging", "calculate", str(good))
    out = json.loads(capsys.readouterr().out)
    assert out["weekly_charge_pence"] == 13750 and out["steps"][-1]["rule"] == "weekly_charge"
    assert "mig_single_25_to_pc_age" in out["unconfirmed_rates"]  # a secondary source, not yet confirmed
    bad = tmp_path / "b.json"
    bad.write_text("{not json")
    with pytest.raises(CommandError) as e:
        call_command("charging", "calculate", str(bad))
    assert e.value.returncode == 2 and "is not JSON" in str(e.value)
