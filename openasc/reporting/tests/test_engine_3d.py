# ruff: noqa: C408  (dict(...) keeps the worked CLD rows readable)
"""ASCOF 3D (Create_ASCOF_3D_2425_Onwards.sql): self-directed support and direct payments."""

from __future__ import annotations

import datetime as dt

from openasc.reporting.engine.measures import compute_measures, measure_detail

from .conftest import cld_con

PS, PE = dt.date(2024, 4, 1), dt.date(2025, 3, 31)
COMM = "Long term support: Community"
DIRECT = "Unpaid carer support: Direct to unpaid carer"


def lts(
    person,
    dm=None,
    component="Home support or domiciliary care",
    service=COMM,
    start="2024-05-01",
    end=None,
    **kw,
):
    return dict(
        person=person, type="Service", start=start, end=end, service=service, component=component, dm=dm, **kw
    )


def carer(person, dm=None, component="Unpaid carer respite", service=DIRECT, **kw):
    row = dict(
        person=person,
        client="Unpaid carer",
        type="Service",
        start="2024-06-01",
        end="2024-09-01",
        service=service,
        component=component,
        dm=dm,
        outcome="NFA: Support ended as planned",
    )
    row.update(kw)
    return row


def run(rows):
    return compute_measures(cld_con(rows), period_start=PS, period_end=PE)["measures"]


def fig(n, d, o):
    return {"numerator": n, "denominator": d, "outcome": o}


def test_client_delivery_mechanisms():
    rows = [
        lts("A", dm="Direct payment"),
        lts("B", dm="CASSR commissioned support", component="Direct payment"),  # component DP -> DP
        lts("C", dm="CASSR managed personal budget"),
        lts("D", dm="CASSR commissioned support"),
        lts("E", dm=None),  # unknown: denominator only
        lts("F", dm="Direct Payment", dob="1980-05-05"),  # Release 1 casing, 18-64
    ]
    m = run(rows)
    assert m["3D 1a"]["65 and above"] == fig(3, 5, 60.0)
    assert m["3D 2a"]["65 and above"] == fig(2, 5, 40.0)
    assert m["3D 1a"]["18 to 64"] == fig(1, 1, 100.0)
    assert m["3D 1a"]["Total"] == fig(4, 6, 66.7)
    assert m["3D 2a"]["Total"] == fig(3, 6, 50.0)


def test_highest_setting_wins():
    rows = [
        lts("A", dm="Direct payment"),
        lts("A", service="Long term support: Residential care", component="Long term residential care"),
        lts("B", dm="CASSR commissioned support"),
        lts("B", dm="Direct payment", component="Day support"),  # community DP (3) beats commissioned (5)
    ]
    m = run(rows)
    assert m["3D 1a"]["Total"] == fig(1, 1, 100.0)
    det = {
        d["person_id"]: d
        for d in measure_detail(cld_con(rows), measure="3D 1a", period_start=PS, period_end=PE)
    }
    assert det["LA_A"]["setting"] == "Long term support: Residential care"
    assert det["LA_A"]["in_denominator"] is False


def test_service_must_be_open_at_period_end():
    rows = [
        lts("A", dm="Direct payment", end="2025-03-30"),
        lts("B", dm="Direct payment", end="2025-03-31"),
        lts("C", dm="Direct payment", start="2025-04-01"),  # starts after the period (and the file)
    ]
    assert run(rows)["3D 2a"]["Total"] == fig(1, 1, 100.0)


def test_death_before_period_end_excluded_and_unknown_age_in_total_only():
    rows = [
        lts("A", dm="Direct payment", dod="2025-03-30"),
        lts("B", dm="Direct payment", dob=None),
        lts("C", dm="Direct payment", dob="2010-01-01"),  # under 18
    ]
    m = run(rows)
    assert m["3D 1a"]["Total"] == fig(1, 1, 100.0)
    assert m["3D 1a"]["65 and above"] == fig(0, 0, None)
    assert m["3D 1a"]["18 to 64"] == fig(0, 0, None)


def test_carer_support_categories_and_hierarchy():
    rows = [
        carer("A", dm="Direct payment"),
        carer("A", dm="CASSR commissioned support", start="2024-07-01"),
        carer("B", dm="CASSR managed personal budget"),
        carer("C", dm="CASSR commissioned support"),
        carer("D", dm=None),  # unknown delivery mechanism: excluded
        carer("E", component="Direct payment"),  # component direct payment
        carer(
            "F", service="Unpaid carer support: Support involving the person cared-for", dm="Direct payment"
        ),
        dict(
            person="G",
            client="Unpaid carer",
            type="Assessment",
            start="2024-06-01",
            end="2024-06-10",
            outcome="Progress to support planning or services",
        ),
        carer(
            "H", dm="Direct Payment", client="Carer", service="Carer Support: Direct to Carer"
        ),  # Release 1
    ]
    m = run(rows)
    assert m["3D 1b"]["Total"] == fig(4, 5, 80.0)
    assert m["3D 2b"]["Total"] == fig(3, 5, 60.0)
    det = {
        d["person_id"]: d
        for d in measure_detail(cld_con(rows), measure="3D 2b", period_start=PS, period_end=PE)
    }
    assert det["LA_A"]["support"] == "Direct Payment only"
    assert det["LA_D"]["support"] == "Support Direct to Carer: Unknown Delivery Mech"
    assert det["LA_G"]["support"] == "No Direct Support Provided to Carer"
    assert det["LA_G"]["in_denominator"] is False


def test_carer_blank_component_with_budget_falls_through():
    # DHSC CASE: "Service_Component NOT LIKE 'Direct payment'" is NULL for a blank component, so a
    # managed budget with no component matches no category and the carer is not counted.
    rows = [
        carer("A", dm="CASSR managed personal budget", component=None),
        carer("B", dm="Direct payment", component=None),
    ]
    m = run(rows)
    assert m["3D 1b"]["Total"] == fig(1, 1, 100.0)


def test_carer_events_outside_period_excluded():
    rows = [
        carer(
            "A", dm="Direct payment", start="2023-05-01", end="2024-03-31", rps="2023-04-01", rpe="2024-03-31"
        ),
        carer("B", dm="Direct payment", dod="2024-03-01"),
    ]
    assert run(rows)["3D 1b"]["Total"] == fig(0, 0, None)


def test_joined_submission_dedup_collapses_services_differing_only_by_delivery_mechanism():
    # DHSC unique service = person + start + client type + service type + component (no delivery
    # mechanism for joined submissions); the later record (record id) is retained.
    rows = [carer("A", dm="Direct payment"), carer("A", dm="CASSR commissioned support")]
    assert run(rows)["3D 2b"]["Total"] == fig(0, 1, 0.0)
    rows = [carer("A", dm="CASSR commissioned support"), carer("A", dm="Direct payment")]
    assert run(rows)["3D 2b"]["Total"] == fig(1, 1, 100.0)
