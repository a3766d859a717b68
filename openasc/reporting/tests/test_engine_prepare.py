# ruff: noqa: C408  (dict(...) keeps the worked CLD rows readable)
"""DHSC main-table rules: submission selection, event filtering, person id, de-duplication."""

from __future__ import annotations

import datetime as dt

from openasc.reporting.engine.measures import compute_measures, measure_detail, round_outcome
from openasc.reporting.engine.prepare import build_main, reference_periods, select_submissions

from .conftest import cld_con

PS, PE = dt.date(2024, 4, 1), dt.date(2025, 3, 31)
COMM = "Long term support: Community"
S1 = dict(rps="2023-04-01", rpe="2024-03-31")
S2 = dict(rps="2023-07-01", rpe="2024-06-30")
S3 = dict(rps="2024-04-01", rpe="2025-03-31")


def run(rows):
    return compute_measures(cld_con(rows), period_start=PS, period_end=PE)["measures"]


def fig(n, d, o):
    return {"numerator": n, "denominator": d, "outcome": o}


def test_reference_periods_are_quarters_back_from_latest_end():
    q = reference_periods(dt.date(2023, 4, 1), dt.date(2024, 6, 30))
    assert q[0] == (dt.date(2023, 4, 1), dt.date(2023, 6, 30))
    assert q[-1] == (dt.date(2024, 4, 1), dt.date(2024, 6, 30))
    assert len(q) == 5


def test_latest_submission_covering_each_quarter_is_selected():
    con = cld_con(
        [dict(person="P", type="Request", start="2024-01-01", end="2024-01-02", **s) for s in (S1, S2, S3)]
    )
    con.execute(
        "CREATE TEMP TABLE r AS SELECT rowid AS rid, COALESCE(LA_Code, 'LA') AS LA_Code, * EXCLUDE (LA_Code) FROM cld_input"
    )
    sel = sorted(select_submissions(con, "r"))
    assert sel == [
        ("LA", dt.date(2023, 4, 1), dt.date(2024, 3, 31), dt.date(2023, 4, 1), dt.date(2023, 6, 30)),
        ("LA", dt.date(2023, 7, 1), dt.date(2024, 6, 30), dt.date(2023, 7, 1), dt.date(2024, 3, 31)),
        ("LA", dt.date(2024, 4, 1), dt.date(2025, 3, 31), dt.date(2024, 4, 1), dt.date(2025, 3, 31)),
    ]


def test_same_event_in_stacked_submissions_counted_once():
    stmax = dict(
        person="P",
        type="Service",
        start="2024-05-01",
        end="2024-05-31",
        service="Short term support: ST-Max",
        outcome="NFA: Support ended as planned",
    )
    rows = [dict(stmax, **S2), dict(stmax, **S3), dict(stmax, **S3)]
    assert run(rows)["2A"]["Total"] == fig(1, 1, 100.0)
    det = measure_detail(cld_con(rows), measure="2A", period_start=PS, period_end=PE)
    assert det[0]["n_events"] == 1


def test_open_service_updated_by_later_submission_keeps_latest_record():
    svc = dict(
        person="P",
        type="Service",
        start="2023-09-01",
        service=COMM,
        component="Home support or domiciliary care",
        dm="Direct payment",
    )
    rows = [dict(svc, end=None, **S2), dict(svc, end="2024-12-31", **S3)]
    # the Apr24-Mar25 record (ended 2024-12-31) wins: not open at the period end
    assert run(rows)["3D 2a"]["Total"] == fig(0, 0, None)
    con = cld_con(rows)
    build_main(con)
    assert con.execute("SELECT COUNT(*), MAX(Der_Event_End_Date) FROM _asc_main").fetchone() == (
        1,
        dt.date(2024, 12, 31),
    )


def test_open_service_missing_from_next_submission_is_cropped():
    svc = dict(
        person="P",
        type="Service",
        start="2023-09-01",
        service=COMM,
        component="Home support or domiciliary care",
        dm="Direct payment",
        Accommodation_Status="Owner occupier or shared ownership scheme",
    )
    other = dict(person="Q", type="Request", start="2024-06-01", end="2024-06-01", **S3)
    con = cld_con([dict(svc, end=None, **S2), other])
    build_main(con)
    # S2 is used for Jul23-Mar24 only, the service is not in S3 -> end cropped to 2024-03-31
    assert con.execute(
        "SELECT Der_Event_End_Date, cropped FROM _asc_main WHERE person_id = 'LA_P'"
    ).fetchone() == (dt.date(2024, 3, 31), True)
    assert run([dict(svc, end=None, **S2), other])["2E"]["65 and above"]["Total"] == fig(0, 0, None)
    # present (still open) in the next submission -> not cropped, counted in 2E and 3D
    rows = [dict(svc, end=None, **S2), dict(svc, end=None, **S3)]
    m = run(rows)
    assert m["2E"]["65 and above"]["Total"] == fig(1, 1, 100.0)
    assert m["3D 2a"]["Total"] == fig(1, 1, 100.0)


def test_requests_filtered_by_end_date_in_reference_period():
    rows = [
        dict(person="P", type="Request", start="2024-03-20", end="2024-04-02", **S3),  # ends in period: kept
        dict(person="Q", type="Request", start="2024-03-20", end="2024-03-31", **S3),  # ends before: dropped
        dict(person="R", type="Request", start="2024-03-20", end=None, **S3),  # open request: dropped
    ]
    con = cld_con(rows)
    build_main(con)
    assert con.execute("SELECT list(person_id ORDER BY person_id) FROM _asc_main").fetchone()[0] == ["LA_P"]


def test_date_of_death_replaces_end_date_and_drops_later_events():
    rows = [
        dict(person="P", type="Service", start="2024-05-01", end=None, service=COMM, dod="2024-10-10"),
        dict(person="P", type="Review", start="2024-10-20", end="2024-10-21", dod="2024-10-10"),
    ]
    con = cld_con(rows)
    build_main(con)
    assert con.execute("SELECT Event_Type_Cleaned, Der_Event_End_Date FROM _asc_main").fetchall() == [
        ("Service", dt.date(2024, 10, 10))
    ]
    m = run(rows)
    assert m["3D 1a"]["Total"] == fig(0, 0, None)
    assert m["2E"]["65 and above"]["Total"]["denominator"] == 1


def test_person_id_prefers_nhs_number_and_drops_rows_without_ids():
    rows = [
        dict(person="A1", NHS_Number="943 476 5919", type="Request", start="2024-05-01", end="2024-05-02"),
        dict(person="A2", NHS_Number="9434765919", type="Request", start="2024-06-01", end="2024-06-02"),
        dict(person="B", type="Request", start="2024-05-01", end="2024-05-02"),
        dict(person=None, type="Request", start="2024-05-01", end="2024-05-02"),
    ]
    con = cld_con(rows)
    build_main(con)
    assert con.execute("SELECT list(DISTINCT person_id ORDER BY person_id) FROM _asc_main").fetchone()[0] == [
        "9434765919",
        "LA_B",
    ]


def test_text_null_treated_as_blank_and_la_code_used():
    rows = [
        dict(
            person="P",
            type="Service",
            start="2024-05-01",
            end="NULL",
            service=COMM,
            dm="NULL",
            LA_Code="E08000021",
        )
    ]
    rows[0]["end"] = None
    con = cld_con(rows)
    build_main(con)
    assert con.execute("SELECT person_id, Delivery_Mechanism_Cleaned FROM _asc_main").fetchone() == (
        "E08000021_P",
        None,
    )


def test_empty_input_gives_zero_counts_and_null_outcomes():
    m = run([])
    assert m["2A"]["Total"] == fig(0, 0, None)
    assert m["2B"]["18 to 64"] == {"numerator": 0, "denominator": None, "outcome": None}
    assert m["2E"]["18 to 64"]["Male"] == fig(0, 0, None)
    assert m["3D 2b"]["Total"] == fig(0, 0, None)
    assert set(m) == {"2A", "2B", "2C", "2E", "2E LD", "3D 1a", "3D 2a", "3D 1b", "3D 2b"}


def test_round_outcome_half_up_on_exact_ratio():
    assert round_outcome(2, 3) == 66.7
    assert round_outcome(1, 8) == 12.5
    assert round_outcome(1, 16) == 6.3  # 6.25 -> 6.3 (float round() would give 6.2)
    assert round_outcome(1, 400000, 100000) == 0.3
    assert round_outcome(5, 0) is None
    assert round_outcome(0, 7) == 0.0


R2_ROWS = [
    dict(
        person="A",
        type="Service",
        start="2024-05-01",
        end="2024-05-31",
        service="Short term support: ST-Max",
        outcome="NFA: Support ended as planned",
        client="Service user",
    ),
    dict(
        person="B",
        type="Service",
        start="2024-05-01",
        end="2024-05-31",
        service="Short term support: ST-Max",
        outcome="Progress to support planning or services",
        client="Service user",
    ),
    dict(
        person="B",
        type="Service",
        start="2024-06-02",
        service="Long term support: Community",
        dm="Direct payment",
        component="Home support or domiciliary care",
        accom="Settled mainstream housing with family or friends",
        client="Service user",
    ),
    dict(
        person="C",
        type="Service",
        start="2024-06-02",
        service="Long term support: Community",
        dm="CASSR commissioned support",
        component="Home support or domiciliary care",
        accom="Staying with family or friends as a short term guest",
        client="Service user",
    ),
    dict(
        person="D",
        type="Service",
        start="2024-06-02",
        end="2024-08-01",
        service="Unpaid carer support: Direct to unpaid carer",
        dm="CASSR managed personal budget",
        component="Unpaid carer respite",
        client="Unpaid carer",
    ),
]
R1_ROWS = [
    dict(
        person="A",
        type="Service",
        start="2024-05-01",
        end="2024-05-31",
        service="Short Term Support: ST-Max",
        outcome="Service ended as planned",
        client="Service User",
    ),
    dict(
        person="B",
        type="Service",
        start="2024-05-01",
        end="2024-05-31",
        service="Short Term Support: ST-Max",
        outcome="Progress to Support Planning / Services",
        client="Service User",
    ),
    dict(
        person="B",
        type="Service",
        start="2024-06-02",
        service="Long Term Support: Community",
        dm="Direct Payment",
        component="Home support or domiciliary care",
        accom="Settled mainstream housing with family / friends",
        client="Service User",
    ),
    dict(
        person="C",
        type="Service",
        start="2024-06-02",
        service="Long Term Support: Community",
        dm="CASSR Commissioned Support",
        component="Home support or domiciliary care",
        accom="Staying with family / friends as a short-term guest",
        client="Service User",
    ),
    dict(
        person="D",
        type="Service",
        start="2024-06-02",
        end="2024-08-01",
        service="Carer Support: Direct to Carer",
        dm="CASSR Managed Personal Budget",
        component="Unpaid carer respite",
        client="Carer",
    ),
]


def test_release_1_file_gives_same_measures_as_release_2():
    r1, r2 = run(R1_ROWS), run(R2_ROWS)
    assert r1 == r2
    assert r1["2A"]["Total"] == fig(1, 2, 50.0)
    assert r1["2E"]["65 and above"]["Total"] == fig(1, 2, 50.0)
    assert r1["3D 1a"]["Total"] == fig(1, 2, 50.0)
    assert r1["3D 2a"]["Total"] == fig(1, 2, 50.0)
    assert r1["3D 1b"]["Total"] == fig(1, 1, 100.0)
    assert r1["3D 2b"]["Total"] == fig(0, 1, 0.0)


def test_input_can_be_a_named_view():
    con = cld_con(
        [
            dict(
                person="P",
                type="Service",
                start="2024-05-01",
                end="2024-05-31",
                service="Short term support: ST-Max",
                outcome="NFA: Other",
            ),
        ],
        table="cld_other",
    )
    con.execute("CREATE VIEW cld_view AS SELECT * FROM cld_other")
    res = compute_measures(con, period_start=PS, period_end=PE, table="cld_view")
    assert res["measures"]["2A"]["Total"] == fig(1, 1, 100.0)
