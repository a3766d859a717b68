# ruff: noqa: C408  (dict(...) keeps the worked CLD rows readable)
"""ASCOF 2A (Create_ASCOF_2A_2425_Onwards.sql): ST-Max clusters, new clients, sequels."""

from __future__ import annotations

import datetime as dt

from openasc.reporting.engine.measures import compute_measures, measure_detail

from .conftest import cld_con

PS, PE = dt.date(2024, 4, 1), dt.date(2025, 3, 31)
STMAX = "Short term support: ST-Max"
PLANNED = "NFA: Support ended as planned"


def stmax(person, start, end, outcome=PLANNED, **kw):
    return dict(
        person=person,
        type="Service",
        start=start,
        end=end,
        service=STMAX,
        component="Reablement",
        outcome=outcome,
        **kw,
    )


def svc(person, start, end, service, component=None, outcome="Continuation of support or services", **kw):
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


def m2a(rows):
    return compute_measures(cld_con(rows), period_start=PS, period_end=PE)["measures"]["2A"]


def d2a(rows):
    return measure_detail(cld_con(rows), measure="2A", period_start=PS, period_end=PE)


def test_cluster_gap_of_7_days_is_one_cluster():
    rows = [
        stmax("P", "2024-05-01", "2024-05-20", outcome="NFA: Other"),
        stmax("P", "2024-05-27", "2024-06-10"),
    ]
    det = d2a(rows)
    assert len(det) == 1
    assert det[0]["cluster_start"] == "2024-05-01" and det[0]["cluster_end"] == "2024-06-10"
    assert det[0]["n_events"] == 2
    assert m2a(rows)["Total"] == {"numerator": 1, "denominator": 1, "outcome": 100.0}


def test_cluster_gap_of_8_days_is_two_clusters():
    rows = [stmax("P", "2024-05-01", "2024-05-20"), stmax("P", "2024-05-28", "2024-06-10")]
    assert m2a(rows)["Total"] == {"numerator": 2, "denominator": 2, "outcome": 100.0}
    assert [d["cluster_no"] for d in d2a(rows)] == [1, 2]


def test_overlapping_stmax_uses_latest_end_outcome():
    rows = [
        stmax("P", "2024-05-01", "2024-05-20", outcome="Admitted to hospital"),
        stmax("P", "2024-05-05", "2024-05-25", outcome="NFA: Other"),
    ]
    det = d2a(rows)
    assert det[0]["cluster_outcome"] == "NFA: Other"
    assert m2a(rows)["Total"]["numerator"] == 1


def test_cluster_outcome_tie_on_end_date_uses_hierarchy():
    # same end date: 'Admitted to hospital' (6) beats 'NFA: Other' (17)
    rows = [
        stmax("P", "2024-05-01", "2024-05-25", outcome="NFA: Other"),
        stmax("P", "2024-05-05", "2024-05-25", outcome="Admitted to hospital"),
    ]
    det = d2a(rows)
    assert det[0]["cluster_outcome"] == "Admitted to hospital"
    assert det[0]["sequel_type"] == "2"
    assert m2a(rows)["Total"] == {"numerator": 0, "denominator": 0, "outcome": None}


def test_new_client_lts_ended_91_days_before_is_new():
    rows = [
        svc("P", "2024-04-01", "2024-05-02", "Long term support: Community"),  # 91 days before 2024-08-01
        stmax("P", "2024-08-01", "2024-08-20"),
    ]
    assert m2a(rows)["Total"]["denominator"] == 1


def test_new_client_lts_ended_90_days_before_is_not_new():
    rows = [
        svc("P", "2024-04-01", "2024-05-03", "Long term support: Community"),  # 90 days before 2024-08-01
        stmax("P", "2024-08-01", "2024-08-20"),
    ]
    det = d2a(rows)
    assert det[0]["new_client"] is False
    assert "not a new client" in det[0]["rule"]
    assert m2a(rows)["Total"] == {"numerator": 0, "denominator": 0, "outcome": None}


def test_open_lts_at_cluster_start_is_not_new():
    rows = [
        svc("P", "2024-04-10", None, "Long term support: Nursing care"),
        stmax("P", "2024-08-01", "2024-08-20"),
    ]
    assert m2a(rows)["Total"]["denominator"] == 0


def test_sequel_service_starting_7_days_after():
    rows = [
        stmax("P", "2024-05-01", "2024-05-31", outcome="Progress to support planning or services"),
        svc("P", "2024-06-07", None, "Long term support: Community"),
    ]
    det = d2a(rows)
    assert det[0]["final_outcome"] == "Long term support: Community"
    assert det[0]["sequel_type"] == "3"
    assert m2a(rows)["Total"] == {"numerator": 0, "denominator": 1, "outcome": 0.0}


def test_sequel_service_starting_8_days_after_is_ignored():
    rows = [
        stmax("P", "2024-05-01", "2024-05-31", outcome="Progress to support planning or services"),
        svc("P", "2024-06-08", None, "Long term support: Community"),
    ]
    det = d2a(rows)
    assert det[0]["sequel_type"] == "6"
    assert det[0]["final_outcome"] == "Progress to support planning or services"
    assert m2a(rows)["Total"]["denominator"] == 0


def test_service_hierarchy_nursing_beats_low_level():
    rows = [
        stmax("P", "2024-05-01", "2024-05-31"),
        svc("P", "2024-06-02", "2024-06-20", "Short term support: Ongoing low level", "Equipment"),
        svc("P", "2024-06-05", None, "Long term support: Nursing care"),
    ]
    assert d2a(rows)[0]["final_outcome"] == "Long term support: Nursing care"
    assert m2a(rows)["Total"] == {"numerator": 0, "denominator": 1, "outcome": 0.0}


def test_short_term_residential_sequel_is_denominator_only():
    rows = [
        stmax("P", "2024-05-01", "2024-05-31"),
        svc("P", "2024-06-02", "2024-06-20", "Short term support: Other short term", "Day support"),
        svc(
            "P",
            "2024-06-03",
            "2024-06-25",
            "Short term support: Other short term",
            "Short term residential care",
        ),
    ]
    assert d2a(rows)[0]["final_outcome"] == "Short term support: Residential or Nursing care"
    assert m2a(rows)["Total"] == {"numerator": 0, "denominator": 1, "outcome": 0.0}


def test_other_short_term_sequel_is_numerator():
    rows = [
        stmax("P", "2024-05-01", "2024-05-31"),
        svc("P", "2024-06-02", "2024-06-20", "Short term support: Other short term", "Day support"),
    ]
    assert m2a(rows)["Total"] == {"numerator": 1, "denominator": 1, "outcome": 100.0}


def test_death_within_7_days_is_deceased_and_excluded():
    rows = [stmax("P", "2024-05-01", "2024-05-31", dod="2024-06-07")]
    det = d2a(rows)
    assert det[0]["final_outcome"] == "NFA: Deceased" and det[0]["sequel_type"] == "1"
    assert m2a(rows)["Total"]["denominator"] == 0


def test_death_8_days_after_is_not_deceased_sequel():
    rows = [stmax("P", "2024-05-01", "2024-05-31", dod="2024-06-08")]
    assert m2a(rows)["Total"] == {"numerator": 1, "denominator": 1, "outcome": 100.0}


def test_death_before_cluster_start_excludes_cluster():
    # DoD before start: filtered out as the event starts after death
    rows = [stmax("P", "2024-05-01", "2024-05-31", dod="2024-04-20")]
    assert d2a(rows) == []


def test_non_service_event_outcome_in_window_is_used():
    rows = [
        stmax("P", "2024-05-01", "2024-05-31", outcome="Continuation of support or services"),
        dict(
            person="P",
            type="Review",
            start="2024-06-03",
            end="2024-06-10",
            outcome="NFA: Information and advice or signposting",
        ),
    ]
    det = d2a(rows)
    assert det[0]["sequel_type"] == "4b"
    assert det[0]["final_outcome"] == "NFA: Information and advice or signposting"
    assert m2a(rows)["Total"] == {"numerator": 1, "denominator": 1, "outcome": 100.0}


def test_support_ended_as_planned_on_later_event_is_ignored():
    rows = [
        stmax("P", "2024-05-01", "2024-05-31", outcome="Continuation of support or services"),
        dict(person="P", type="Review", start="2024-06-03", end="2024-06-10", outcome=PLANNED),
    ]
    det = d2a(rows)
    assert det[0]["sequel_type"] == "6"
    assert m2a(rows)["Total"]["denominator"] == 0


def test_best_outcome_between_cluster_and_later_event():
    # cluster 'NFA: Support declined' (12) vs later request 'NFA: Other' (17): lower hierarchy wins
    rows = [
        stmax("P", "2024-05-01", "2024-05-31", outcome="NFA: Support declined"),
        dict(person="P", type="Request", start="2024-06-02", end="2024-06-04", outcome="NFA: Other"),
    ]
    det = d2a(rows)
    assert det[0]["final_outcome"] == "NFA: Support declined" and det[0]["sequel_type"] == "4a"
    assert m2a(rows)["Total"]["denominator"] == 0


def test_nested_assessment_13_days_before_end_is_used():
    rows = [
        stmax("P", "2024-05-01", "2024-05-31", outcome="Continuation of support or services"),
        dict(person="P", type="Assessment", start="2024-05-10", end="2024-05-18", outcome="NFA: Other"),
    ]
    det = d2a(rows)
    assert det[0]["sequel_type"] == "4c" and det[0]["final_outcome"] == "NFA: Other"
    assert m2a(rows)["Total"] == {"numerator": 1, "denominator": 1, "outcome": 100.0}


def test_nested_assessment_14_days_before_end_is_not_used():
    rows = [
        stmax("P", "2024-05-01", "2024-05-31", outcome="Continuation of support or services"),
        dict(person="P", type="Assessment", start="2024-05-10", end="2024-05-17", outcome="NFA: Other"),
    ]
    assert d2a(rows)[0]["sequel_type"] == "6"
    assert m2a(rows)["Total"]["denominator"] == 0


def test_nested_equipment_gives_ongoing_low_level():
    rows = [
        stmax("P", "2024-05-01", "2024-05-31", outcome="Progress to support planning or services"),
        svc(
            "P",
            "2024-05-03",
            "2024-05-04",
            "Short term support: Ongoing low level",
            "Equipment",
            outcome=PLANNED,
        ),
    ]
    det = d2a(rows)
    assert det[0]["sequel_type"] == "5"
    assert det[0]["final_outcome"] == "Short term support: Ongoing low level"
    assert m2a(rows)["Total"] == {"numerator": 1, "denominator": 1, "outcome": 100.0}


def test_age_bands_unknown_age_and_under_18():
    rows = [
        stmax("A", "2024-05-01", "2024-05-31", dob="1990-03-10"),  # 34
        stmax("B", "2024-05-01", "2024-05-31", dob=None),  # unknown: Total only
        stmax("C", "2024-05-01", "2024-05-31", dob="2007-01-01"),  # 17 at cluster end: excluded
        stmax("D", "2024-05-01", "2024-05-31", outcome="Admitted to hospital"),  # 65+: excluded outcome
    ]
    res = m2a(rows)
    assert res["18 to 64"] == {"numerator": 1, "denominator": 1, "outcome": 100.0}
    assert res["65 and above"] == {"numerator": 0, "denominator": 0, "outcome": None}
    assert res["Total"] == {"numerator": 2, "denominator": 2, "outcome": 100.0}
    assert {d["person_id"] for d in d2a(rows)} == {"LA_A", "LA_B", "LA_D"}


def test_cluster_must_end_in_period():
    rows = [
        stmax("P", "2024-03-01", "2024-03-31", rps="2023-04-01", rpe="2024-03-31"),
        stmax("Q", "2025-03-20", "2025-04-01", rps="2024-07-01", rpe="2025-06-30"),
        stmax("R", "2025-03-01", "2025-03-31", rps="2024-07-01", rpe="2025-06-30"),
    ]
    det = d2a(rows)
    assert [d["person_id"] for d in det] == ["LA_R"]
    assert m2a(rows)["Total"]["denominator"] == 1


def test_rounding_two_thirds_and_one_eighth():
    rows = [stmax(f"N{i}", "2024-05-01", "2024-05-31") for i in range(2)] + [
        stmax("L", "2024-05-01", "2024-05-31"),
        svc("L", "2024-06-01", None, "Long term support: Community"),
    ]
    assert m2a(rows)["Total"] == {"numerator": 2, "denominator": 3, "outcome": 66.7}
    rows = [stmax("N", "2024-05-01", "2024-05-31")]
    for i in range(7):
        rows += [
            stmax(f"L{i}", "2024-05-01", "2024-05-31"),
            svc(f"L{i}", "2024-06-01", None, "Long term support: Community"),
        ]
    assert m2a(rows)["Total"] == {"numerator": 1, "denominator": 8, "outcome": 12.5}


def test_case_insensitive_and_release_1_values():
    rows = [
        dict(
            person="P",
            type="SERVICE",
            start="2024-05-01",
            end="2024-05-31",
            service="Short Term Support: ST-Max",
            component="reablement",
            outcome="Service ended as planned",
            client="Service User",
        ),
        dict(
            person="Q",
            type="service",
            start="2024-05-01",
            end="2024-05-31",
            service="short term support: st-max",
            outcome="nfa - information & advice / signposting only",
            client="SERVICE USER",
        ),
        dict(
            person="R",
            type="Service",
            start="2024-05-01",
            end="2024-05-31",
            service="Short Term Support: ST-Max",
            outcome="NFA - 100% NHS funded care",
            client="Service User",
        ),
    ]
    res = m2a(rows)
    assert res["Total"] == {"numerator": 2, "denominator": 2, "outcome": 100.0}
    assert {d["final_outcome"] for d in d2a(rows)} == {
        PLANNED,
        "NFA: Information and advice or signposting",
        "NFA: Referral to NHS services or NHS funded social care",
    }


def test_carer_stmax_is_not_counted():
    rows = [stmax("P", "2024-05-01", "2024-05-31", client="Unpaid carer")]
    assert m2a(rows)["Total"]["denominator"] == 0


def test_detail_rule_text():
    rows = [
        stmax("P", "2024-05-01", "2024-06-02"),
        svc("P", "2024-06-03", "2024-06-30", "Short term support: Ongoing low level", "Equipment"),
    ]
    det = d2a(rows)
    assert det[0]["rule"].startswith("ST-Max cluster 1 2024-05-01 to 2024-06-02")
    assert "sequel (step 3): Short term support: Ongoing low level" in det[0]["rule"]
    assert det[0]["in_numerator"] is True and det[0]["in_denominator"] is True
