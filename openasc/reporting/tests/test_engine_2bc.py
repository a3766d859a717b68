# ruff: noqa: C408  (dict(...) keeps the worked CLD rows readable)
"""ASCOF 2B / 2C (Create_ASCOF_2B2C_2425_Onwards.sql): new admissions to residential/nursing care."""

from __future__ import annotations

import datetime as dt

from openasc.reporting.engine.measures import compute_measures, measure_detail

from .conftest import cld_con

PS, PE = dt.date(2024, 4, 1), dt.date(2025, 3, 31)
RES = "Long term support: Residential care"
NURS = "Long term support: Nursing care"
OLD = dict(rps="2023-04-01", rpe="2024-03-31")


def adm(person, start, end=None, service=RES, component="Long term residential care", outcome=None, **kw):
    return dict(
        person=person,
        type="Service",
        start=start,
        end=end,
        service=service,
        component=component,
        outcome=outcome,
        **kw,
    )


def run(rows, population=None):
    return compute_measures(cld_con(rows), period_start=PS, period_end=PE, population=population)["measures"]


def test_new_admissions_by_age_band_per_100000():
    rows = [
        adm("A", "2024-06-01", dob="1950-01-01"),
        adm("B", "2024-07-01", service=NURS, component="Long term nursing care", dob="1945-03-03"),
        adm("C", "2024-08-01", dob="1980-01-01"),
    ]
    m = run(rows, {"18-64": 200000, "65+": 50000})
    assert m["2B"] == {"18 to 64": {"numerator": 1, "denominator": 200000, "outcome": 0.5}}
    assert m["2C"] == {"65 and above": {"numerator": 2, "denominator": 50000, "outcome": 4.0}}


def test_population_missing_gives_null_outcome():
    m = run([adm("A", "2024-06-01")])
    assert m["2C"] == {"65 and above": {"numerator": 1, "denominator": None, "outcome": None}}
    assert m["2B"] == {"18 to 64": {"numerator": 0, "denominator": None, "outcome": None}}


def test_rounding_half_up_per_100000():
    # 1 / 400,000 * 100,000 = 0.25 -> 0.3 (half away from zero, not banker's 0.2)
    m = run([adm("A", "2024-06-01")], {"65+": 400000})
    assert m["2C"]["65 and above"]["outcome"] == 0.3
    m = run([adm("A", "2024-06-01")], {"65+": 3})
    assert m["2C"]["65 and above"]["outcome"] == 33333.3


def test_previous_service_ended_365_days_before_is_new():
    rows = [adm("A", "2023-01-01", "2023-06-02", **OLD), adm("A", "2024-06-01")]
    assert run(rows)["2C"]["65 and above"]["numerator"] == 1


def test_previous_service_ended_364_days_before_is_not_new():
    rows = [adm("A", "2023-01-01", "2023-06-03", **OLD), adm("A", "2024-06-01")]
    assert run(rows)["2C"]["65 and above"]["numerator"] == 0
    det = measure_detail(cld_con(rows), measure="2C", period_start=PS, period_end=PE)
    assert det[0]["in_numerator"] is False and "not a new admission" in det[0]["rule"]


def test_move_from_residential_to_nursing_is_not_new():
    rows = [
        adm("A", "2024-05-01", "2024-07-01"),
        adm("A", "2024-07-02", service=NURS, component="Long term nursing care"),
    ]
    assert run(rows)["2C"]["65 and above"]["numerator"] == 1  # counted once, as a person


def test_self_funded_outcome_is_not_an_admission():
    rows = [adm("A", "2024-06-01", "2024-09-01", outcome="NFA: Self-funded client or under 12wk disregard")]
    assert run(rows)["2C"]["65 and above"]["numerator"] == 0


def test_short_term_component_and_blank_component_excluded():
    rows = [
        adm("A", "2024-06-01", component="Short term residential care"),
        # DHSC: (component IS NULL OR ...) AND component NOT LIKE '%Short%' -> NULL for a blank
        # component, so the row is dropped (SQL three-valued logic), replicated on purpose
        adm("B", "2024-06-01", component=None),
        adm("C", "2024-06-01", component="LONG TERM RESIDENTIAL CARE"),
        adm("D", "2024-06-01", component="Home support or domiciliary care"),
    ]
    assert run(rows)["2C"]["65 and above"]["numerator"] == 1


def test_age_uses_first_of_birth_month_and_18_boundary():
    rows = [
        adm("A", "2024-06-01", dob="2006-06-28"),  # proxy DOB 2006-06-01 -> 18 at start
        adm("B", "2024-06-01", dob="2006-07-01"),  # 17 at start: excluded
        adm("C", "2024-06-01", dob=None),  # unknown DOB: excluded
    ]
    m = run(rows)
    assert m["2B"]["18 to 64"]["numerator"] == 1
    assert m["2C"]["65 and above"]["numerator"] == 0


def test_person_with_admissions_in_both_bands_counted_in_18_to_64():
    rows = [
        adm("A", "2024-04-05", "2024-04-10", dob="1959-06-10"),  # 64 at start (proxy 1959-06-01)
        adm("A", "2025-02-01", service=NURS, component="Long term nursing care", dob="1959-06-10"),
    ]
    # second admission is not new (first ended < 365 days before) -> band from the first
    m = run(rows)
    assert m["2B"]["18 to 64"]["numerator"] == 1 and m["2C"]["65 and above"]["numerator"] == 0


def test_died_before_period_excluded_and_carer_excluded():
    rows = [adm("A", "2024-03-01", dod="2024-03-20", **OLD), adm("B", "2024-06-01", client="Unpaid carer")]
    m = run(rows)
    assert m["2C"]["65 and above"]["numerator"] == 0
