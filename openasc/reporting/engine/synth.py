"""Synthetic CLD generator for benchmarks and tests.

``write_synthetic_cld(path, people=..., seed=..., period_end=...)`` writes a realistic CLD CSV
(gzip when the path ends ``.gz``) for a council of ``people`` service users plus about one unpaid
carer per eight users, as four stacked rolling 12-month quarterly submissions ending at
``period_end`` (so most events appear in several submissions, as in real returns).

Per person: a request, usually an assessment, often an ST-Max (reablement) episode (sometimes in
two parts), then a sequel (long term community / residential / nursing support with realistic
weekly costs, equipment, or nothing), reviews of long term support (mostly planned; some unplanned or changing
the support), reablement for some people already in long-term support, some deaths.  Carers get
carer assessments and carer services with direct payments, personal budgets or commissioned
support.  Everything is generated inside DuckDB from hashes of (person, seed, salt), so it is
deterministic for a seed and fast (200,000 people, 1.4 million rows, in about 20 seconds, most of it
writing the file).  NHS numbers pass the Modulus 11 check, so the file imports (``openasc cld import``) as well as
computes.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import duckdb

from .schema import CLD_COLUMNS


def _pick(u: str, options: list[tuple[str, float]]) -> str:
    """SQL CASE choosing among ``options`` (value, probability) with uniform ``u``."""
    acc = 0.0
    parts = []
    for value, prob in options[:-1]:
        acc += prob
        parts.append(f"WHEN {u} < {acc:.6f} THEN {value}")
    return f"(CASE {' '.join(parts)} ELSE {options[-1][0]} END)"


def _s(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def write_synthetic_cld(path: str | Path, *, people: int, seed: int, period_end: dt.date) -> int:
    """Write the synthetic CLD file; returns the number of rows written."""
    path = Path(path)
    if people < 1:
        raise ValueError("people must be >= 1")
    carers = max(1, people // 8)
    con = duckdb.connect()
    con.execute("SET enable_progress_bar = false")
    con.execute(f"CREATE MACRO u(p, k) AS (hash(p, k, {int(seed)}) % 1000003) / 1000003.0")
    # NHS numbers that pass the Modulus 11 check (as the importer requires): nine digits, then the check digit.
    # 400000000 + 2 * pid is unique per person; when its check digit would be 10 (never issued), the next
    # number up (+1 changes the weighted sum by 2, so its check digit is 8) is used instead.
    weighted = " + ".join(
        f"{w} * CAST(substr(s, {i}, 1) AS INTEGER)" for i, w in enumerate(range(10, 1, -1), 1)
    )
    con.execute(f"CREATE MACRO nhs_check(s) AS 11 - (({weighted}) % 11)")
    con.execute(
        "CREATE MACRO nhs_of(n) AS CASE WHEN nhs_check(CAST(n AS VARCHAR)) = 10 "
        "THEN CAST(n + 1 AS VARCHAR) || CAST(nhs_check(CAST(n + 1 AS VARCHAR)) % 11 AS VARCHAR) "
        "ELSE CAST(n AS VARCHAR) || CAST(nhs_check(CAST(n AS VARCHAR)) % 11 AS VARCHAR) END"
    )
    base = period_end - dt.timedelta(days=800)
    pe = f"DATE '{period_end.isoformat()}'"
    b = f"DATE '{base.isoformat()}'"

    outcome_stmax = _pick(
        "u(pid, 30)",
        [
            (_s("NFA: Support ended as planned"), 0.45),
            (_s("Progress to support planning or services"), 0.18),
            (_s("Continuation of support or services"), 0.08),
            (_s("Admitted to hospital"), 0.08),
            (_s("NFA: Information and advice or signposting"), 0.08),
            (_s("NFA: Support declined"), 0.05),
            (_s("NFA: Other"), 0.05),
            (_s("NFA: Self-funded client or under 12wk disregard"), 0.03),
        ],
    )
    outcome_req = _pick(
        "u(pid, 31)",
        [
            (_s("Progress to assessment, review or reassessment"), 0.6),
            (_s("NFA: Information and advice or signposting"), 0.2),
            (_s("Progress to reablement/ST-Max"), 0.1),
            (_s("NFA: Other"), 0.1),
        ],
    )
    outcome_ass = _pick(
        "u(pid, 32)",
        [
            (_s("Progress to support planning or services"), 0.55),
            (_s("Progress to reablement/ST-Max"), 0.25),
            (_s("NFA: Information and advice or signposting"), 0.1),
            (_s("NFA: Support declined"), 0.1),
        ],
    )
    accom = _pick(
        "u(pid, 5)",
        [
            (_s("Owner occupier or shared ownership scheme"), 0.35),
            (_s("Tenant: Local authority or other social housing provider"), 0.2),
            (_s("Tenant: Private landlord"), 0.08),
            (_s("Settled mainstream housing with family or friends"), 0.1),
            (_s("Supported accommodation, supported lodgings or supported group home"), 0.05),
            (_s("Sheltered housing, extra care housing or other sheltered housing"), 0.05),
            (_s("Registered care home"), 0.05),
            (_s("Unknown"), 0.07),
            ("NULL", 0.05),
        ],
    )
    psr = _pick(
        "u(pid, 6)",
        [
            (_s("Physical support: Personal care support"), 0.5),
            (_s("Physical support: Access and mobility only"), 0.1),
            (_s("Support with memory and cognition"), 0.12),
            (_s("Learning Disability Support"), 0.1),
            (_s("Mental health support"), 0.1),
            (_s("Social support: Support for social isolation or other reason"), 0.08),
        ],
    )
    ethnicity = _pick(
        "u(pid, 7)",
        [
            (_s("White: English, Welsh, Scottish, Northern Irish or British"), 0.8),
            (_s("Asian or Asian British: Pakistani"), 0.06),
            (_s("Black, Black British, Caribbean or African: Caribbean"), 0.04),
            (_s("Mixed or multiple ethnic groups: White and Asian"), 0.03),
            (_s("No data: Undeclared or not known"), 0.07),
        ],
    )
    lts_kind = _pick(
        "u(pid, 40)", [("'C'", 0.32), ("'R'", 0.07), ("'N'", 0.04), ("'E'", 0.15), ("NULL", 0.42)]
    )
    dm = _pick(
        "u(pid, 41)",
        [
            (_s("Direct payment"), 0.25),
            (_s("CASSR managed personal budget"), 0.15),
            (_s("CASSR commissioned support"), 0.55),
            ("NULL", 0.05),
        ],
    )
    carer_dm = _pick(
        "u(pid, 60)",
        [
            (_s("Direct payment"), 0.4),
            (_s("CASSR managed personal budget"), 0.15),
            (_s("CASSR commissioned support"), 0.35),
            ("NULL", 0.1),
        ],
    )

    con.execute(
        f"""
        CREATE TABLE people AS
        SELECT pid,
          (pid > {people}) AS is_carer,
          {b} + CAST(floor(u(pid, 1) * 760) AS INTEGER) AS t0,
          CASE WHEN u(pid, 2) < 0.32 THEN {pe} - CAST(floor(365.25 * (18 + u(pid, 3) * 47)) AS INTEGER)
               ELSE {pe} - CAST(floor(365.25 * (65 + u(pid, 3) * 35)) AS INTEGER) END AS dob,
          CASE WHEN u(pid, 4) < 0.58 THEN 'Female' WHEN u(pid, 4) < 0.995 THEN 'Male' ELSE 'Unknown' END AS gender,
          {accom} AS accom, {psr} AS psr, {ethnicity} AS eth,
          CASE WHEN u(pid, 8) < 0.9 THEN nhs_of(400000000 + pid * 2) END AS nhs,
          'LAP' || pid AS la_id,
          CASE WHEN u(pid, 9) < 0.04 THEN {b} + CAST(floor(120 + u(pid, 10) * 700) AS INTEGER) END AS dod
        FROM range(1, {people + carers + 1}) t(pid)
        """
    )
    con.execute(
        f"""
        CREATE TABLE tl AS
        SELECT *,
          t0 + CAST(floor(u(pid, 11) * 7) AS INTEGER) AS req_end,
          u(pid, 12) < 0.75 AS has_ass,
          u(pid, 14) < 0.35 AS has_stmax,
          u(pid, 17) < 0.1 AS stmax_split,
          {lts_kind} AS kind
        FROM people WHERE NOT is_carer
        """
    )
    con.execute(
        """
        CREATE TABLE tl2 AS
        SELECT *,
          CASE WHEN has_ass THEN req_end + CAST(floor(u(pid, 13) * 5) AS INTEGER) END AS ass_start
        FROM tl
        """
    )
    con.execute(
        """
        CREATE TABLE tl3 AS
        SELECT *, ass_start + 7 + CAST(floor(u(pid, 15) * 30) AS INTEGER) AS ass_end FROM tl2
        """
    )
    con.execute(
        """
        CREATE TABLE tl4 AS
        SELECT *, COALESCE(ass_end, req_end) + CAST(floor(u(pid, 16) * 4) AS INTEGER) AS sm_start FROM tl3
        """
    )
    con.execute(
        """
        CREATE TABLE tl5 AS
        SELECT *, sm_start + 14 + CAST(floor(u(pid, 18) * 35) AS INTEGER) AS sm_end,
               CASE WHEN stmax_split THEN CAST(floor(u(pid, 19) * 10) AS INTEGER) END AS split_gap
        FROM tl4
        """
    )
    con.execute(
        """
        CREATE TABLE tl6 AS
        SELECT *,
          (CASE WHEN has_stmax THEN COALESCE(sm_end + split_gap + 14, sm_end) ELSE COALESCE(ass_end, req_end) END)
            + CAST(floor(u(pid, 20) * 10) AS INTEGER) AS lts_start,
          CASE WHEN u(pid, 21) < 0.6 THEN NULL ELSE CAST(60 + floor(u(pid, 22) * 540) AS INTEGER) END AS lts_len
        FROM tl5
        """
    )
    cols = {db: "NULL" for _, db, _ in CLD_COLUMNS}
    ev_cols = [
        "pid",
        "Event_Type",
        "Event_Start_Date",
        "Event_End_Date",
        "Event_Outcome",
        "Service_Type",
        "Service_Component",
        "Delivery_Mechanism",
        "Unit_Cost",
        "Cost_Frequency_Unit_Type",
        "Planned_units_per_week",
        "Assessment_Type",
        "Review_Reason",
        "Request_Route_of_Access",
        "Client_Type",
        "Adult_1_Linked_Person_ID",
    ]

    def ev(**kw) -> str:
        vals = dict.fromkeys(ev_cols, "NULL")
        vals.update(kw)
        return ", ".join(f"{vals[c]} AS {c}" for c in ev_cols)

    su = "'Service user'"
    dp = _s("Direct payment")
    nfa_other = _s("NFA: Other")
    stmax_outcome = f"CASE WHEN stmax_split THEN {nfa_other} ELSE {outcome_stmax} END"
    review_reason = _pick(
        "u(pid, 51)",
        [
            (_s("Planned"), 0.8),
            (_s("Unplanned: Hospital"), 0.08),
            (_s("Unplanned: Carer related"), 0.04),
            (_s("Unplanned: Safeguarding concern"), 0.03),
            (_s("Unplanned: Other reason"), 0.05),
        ],
    )
    review_outcome = _pick(
        "u(pid, 52)",
        [
            (_s("Continuation of support or services"), 0.75),
            (_s("Progress to support planning or services"), 0.1),
            (_s("Progress to reablement/ST-Max"), 0.05),
            (_s("Progress to assessment, review or reassessment"), 0.04),
            (_s("Admitted to hospital"), 0.03),
            (_s("NFA: Support ended for other reason"), 0.03),
        ],
    )
    community_component = (
        f"CASE WHEN d = {dp} AND u(pid, 42) < 0.5 THEN {dp} "
        f"WHEN u(pid, 43) < 0.75 THEN {_s('Home support or domiciliary care')} "
        f"WHEN u(pid, 43) < 0.85 THEN {_s('Community supported living')} ELSE {_s('Day support')} END"
    )
    carer_type = (
        f"CASE WHEN u(pid, 62) < 0.85 THEN {_s('Unpaid carer support: Direct to unpaid carer')} "
        f"ELSE {_s('Unpaid carer support: Support involving the person cared-for')} END"
    )
    carer_component = f"CASE WHEN d = {dp} THEN {dp} ELSE {_s('Unpaid carer respite')} END"
    linked = f"'LAP' || (1 + pid % {people})"
    selects = [
        # requests
        f"SELECT {ev(pid='pid', Event_Type=_s('Request'), Event_Start_Date='t0', Event_End_Date='req_end', Event_Outcome=outcome_req, Request_Route_of_Access=_s('Community / Other route'), Client_Type=su)} FROM tl6",
        # assessments
        f"SELECT {ev(pid='pid', Event_Type=_s('Assessment'), Event_Start_Date='ass_start', Event_End_Date='ass_end', Event_Outcome=outcome_ass, Assessment_Type=_s('Long term assessment'), Client_Type=su)} FROM tl6 WHERE has_ass",
        # ST-Max (first part)
        f"SELECT {ev(pid='pid', Event_Type=_s('Service'), Event_Start_Date='sm_start', Event_End_Date='sm_end', Event_Outcome=stmax_outcome, Service_Type=_s('Short term support: ST-Max'), Service_Component=_s('Reablement'), Delivery_Mechanism=_s('CASSR commissioned support'), Unit_Cost='CAST(round(20 + u(pid, 23) * 8, 2) AS DECIMAL(18,2))', Cost_Frequency_Unit_Type=_s('Hourly'), Planned_units_per_week='CAST(round(5 + u(pid, 24) * 10, 2) AS DECIMAL(18,2))', Client_Type=su)} FROM tl6 WHERE has_stmax",
        # ST-Max second part
        f"SELECT {ev(pid='pid', Event_Type=_s('Service'), Event_Start_Date='sm_end + split_gap', Event_End_Date='sm_end + split_gap + 14', Event_Outcome=outcome_stmax, Service_Type=_s('Short term support: ST-Max'), Service_Component=_s('Reablement'), Delivery_Mechanism=_s('CASSR commissioned support'), Unit_Cost='CAST(22.50 AS DECIMAL(18,2))', Cost_Frequency_Unit_Type=_s('Hourly'), Planned_units_per_week='CAST(7 AS DECIMAL(18,2))', Client_Type=su)} FROM tl6 WHERE has_stmax AND stmax_split",
        # long term community
        f"SELECT {ev(pid='pid', Event_Type=_s('Service'), Event_Start_Date='lts_start', Event_End_Date='lts_start + lts_len', Event_Outcome=_s('Continuation of support or services'), Service_Type=_s('Long term support: Community'), Service_Component=community_component, Delivery_Mechanism='d', Unit_Cost='CAST(round(19 + u(pid, 44) * 9, 2) AS DECIMAL(18,2))', Cost_Frequency_Unit_Type=_s('Hourly'), Planned_units_per_week='CAST(round(3 + u(pid, 45) * 30, 2) AS DECIMAL(18,2))', Client_Type=su)} FROM (SELECT *, {dm} AS d FROM tl6) WHERE kind = 'C'",
        # residential
        f"SELECT {ev(pid='pid', Event_Type=_s('Service'), Event_Start_Date='lts_start', Event_End_Date='lts_start + lts_len', Event_Outcome=_s('Continuation of support or services'), Service_Type=_s('Long term support: Residential care'), Service_Component=_s('Long term residential care'), Delivery_Mechanism=_s('CASSR commissioned support'), Unit_Cost='CAST(round(780 + u(pid, 46) * 500, 2) AS DECIMAL(18,2))', Cost_Frequency_Unit_Type=_s('Weekly'), Planned_units_per_week='CAST(1 AS DECIMAL(18,2))', Client_Type=su)} FROM tl6 WHERE kind = 'R'",
        # nursing
        f"SELECT {ev(pid='pid', Event_Type=_s('Service'), Event_Start_Date='lts_start', Event_End_Date='lts_start + lts_len', Event_Outcome=_s('Continuation of support or services'), Service_Type=_s('Long term support: Nursing care'), Service_Component=_s('Long term nursing care'), Delivery_Mechanism=_s('CASSR commissioned support'), Unit_Cost='CAST(round(900 + u(pid, 47) * 600, 2) AS DECIMAL(18,2))', Cost_Frequency_Unit_Type=_s('Weekly'), Planned_units_per_week='CAST(1 AS DECIMAL(18,2))', Client_Type=su)} FROM tl6 WHERE kind = 'N'",
        # equipment (ongoing low level)
        f"SELECT {ev(pid='pid', Event_Type=_s('Service'), Event_Start_Date='lts_start', Event_End_Date='lts_start + 1', Event_Outcome=_s('NFA: Support ended as planned'), Service_Type=_s('Short term support: Ongoing low level'), Service_Component=_s('Equipment'), Delivery_Mechanism=_s('CASSR commissioned support'), Unit_Cost='CAST(round(50 + u(pid, 48) * 400, 2) AS DECIMAL(18,2))', Cost_Frequency_Unit_Type=_s('One-off'), Client_Type=su)} FROM tl6 WHERE kind = 'E'",
        # reviews of long term support: mostly planned and continuing; some unplanned, some changing the support
        f"SELECT {ev(pid='pid', Event_Type=_s('Review'), Event_Start_Date='lts_start + 84 + CAST(floor(u(pid, 50) * 40) AS INTEGER)', Event_End_Date='lts_start + 90 + CAST(floor(u(pid, 50) * 40) AS INTEGER)', Event_Outcome=review_outcome, Review_Reason=review_reason, Client_Type=su)} FROM tl6 WHERE kind IN ('C', 'R', 'N')",
        # reablement for people already in long-term community support (SALT STS002b), while it stays open
        f"SELECT {ev(pid='pid', Event_Type=_s('Service'), Event_Start_Date='lts_start + 150', Event_End_Date='lts_start + 178', Event_Outcome=_s('Continuation of support or services'), Service_Type=_s('Short term support: ST-Max'), Service_Component=_s('Reablement'), Delivery_Mechanism=_s('CASSR commissioned support'), Unit_Cost='CAST(24.00 AS DECIMAL(18,2))', Cost_Frequency_Unit_Type=_s('Hourly'), Planned_units_per_week='CAST(8 AS DECIMAL(18,2))', Client_Type=su)} FROM tl6 WHERE kind = 'C' AND u(pid, 53) < 0.08 AND (lts_len IS NULL OR lts_len > 190)",
        # carers: assessment + carer service
        f"SELECT {ev(pid='pid', Event_Type=_s('Assessment'), Event_Start_Date='t0', Event_End_Date='t0 + 14', Event_Outcome=_s('Progress to support planning or services'), Assessment_Type=_s('Long term assessment'), Client_Type=_s('Unpaid carer'), Adult_1_Linked_Person_ID=linked)} FROM people WHERE is_carer",
        f"SELECT {ev(pid='pid', Event_Type=_s('Service'), Event_Start_Date='t0 + 20', Event_End_Date='t0 + 20 + CAST(floor(u(pid, 61) * 300) AS INTEGER)', Event_Outcome=_s('NFA: Support ended as planned'), Service_Type=carer_type, Service_Component=carer_component, Delivery_Mechanism='d', Unit_Cost='CAST(round(100 + u(pid, 63) * 400, 2) AS DECIMAL(18,2))', Cost_Frequency_Unit_Type=_s('One-off'), Client_Type=_s('Unpaid carer'), Adult_1_Linked_Person_ID=linked)} FROM (SELECT *, {carer_dm} AS d FROM people WHERE is_carer)",
    ]
    con.execute("CREATE TABLE events AS " + " UNION ALL ".join(selects))
    subs = []
    for k in range(3, -1, -1):
        end = _month_end_shift(period_end, -3 * k)
        start = _month_end_shift(end, -12) + dt.timedelta(days=1)
        subs.append((start, end))
    sub_sql = " UNION ALL ".join(
        f"SELECT DATE '{s.isoformat()}' AS S, DATE '{e.isoformat()}' AS E" for s, e in subs
    )
    cols.update(
        {
            "Reporting_Period_Start_Date": "sb.S",
            "Reporting_Period_End_Date": "sb.E",
            "NHS_Number": "p.nhs",
            "LA_Person_Unique_Identifier": "p.la_id",
            "Gender": "p.gender",
            "Ethnicity": "p.eth",
            "Date_of_Birth": "p.dob",
            "Date_of_Death": "CASE WHEN p.dod <= sb.E THEN p.dod END",
            "Client_Type": "ev.Client_Type",
            "Primary_Support_Reason": "CASE WHEN p.is_carer THEN 'Social support: Support to unpaid carer' ELSE p.psr END",
            "Accommodation_Status": "p.accom",
            "Employment_Status": "'Not in paid employment: Not actively seeking work or retired'",
            "Has_Unpaid_Carer": "CASE WHEN u(p.pid, 70) < 0.3 THEN 'Yes' ELSE 'No' END",
            "Client_Funding_Status": "'Fully social care funded'",
            "Event_Type": "ev.Event_Type",
            "Event_Reference": "'EV' || ev.pid || '-' || ev.Event_Type || '-' || CAST(ev.Event_Start_Date AS VARCHAR)",
            "Event_Start_Date": "ev.Event_Start_Date",
            "Event_End_Date": "CASE WHEN ev.Event_End_Date > sb.E THEN NULL ELSE ev.Event_End_Date END",
            "Event_Outcome": "CASE WHEN ev.Event_End_Date > sb.E THEN NULL ELSE ev.Event_Outcome END",
            "Request_Route_of_Access": "ev.Request_Route_of_Access",
            "Assessment_Type": "ev.Assessment_Type",
            "Adult_1_Linked_Person_ID": "ev.Adult_1_Linked_Person_ID",
            "Service_Type": "ev.Service_Type",
            "Service_Component": "ev.Service_Component",
            "Delivery_Mechanism": "ev.Delivery_Mechanism",
            "Review_Reason": "ev.Review_Reason",
            "Unit_Cost": "ev.Unit_Cost",
            "Cost_Frequency_Unit_Type": "ev.Cost_Frequency_Unit_Type",
            "Planned_units_per_week": "ev.Planned_units_per_week",
            "Postcode": "'ZZ99 9ZZ'",
        }
    )
    select = ", ".join(f'{cols[db]} AS "{sub}"' for sub, db, _ in CLD_COLUMNS)
    query = f"""
        SELECT {select}
        FROM events ev JOIN people p ON p.pid = ev.pid
        CROSS JOIN ({sub_sql}) sb
        WHERE ev.Event_Start_Date <= sb.E
          AND (p.dod IS NULL OR p.dod >= ev.Event_Start_Date)
          AND ((ev.Event_Type = 'Service' AND (ev.Event_End_Date IS NULL OR ev.Event_End_Date >= sb.S))
               OR (ev.Event_Type <> 'Service' AND ev.Event_End_Date BETWEEN sb.S AND sb.E))
        ORDER BY sb.E, ev.pid, ev.Event_Start_Date
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    compression = "gzip" if path.suffix == ".gz" else "none"
    target = str(path).replace("'", "''")
    con.execute(f"COPY ({query}) TO '{target}' (FORMAT csv, HEADER true, COMPRESSION {compression})")
    n = con.execute(f"SELECT COUNT(*) FROM ({query})").fetchone()[0]
    con.close()
    return n


def _month_end_shift(d: dt.date, months: int) -> dt.date:
    """Last day of the month ``months`` after the month of ``d``."""
    y, m = divmod(d.month - 1 + months, 12)
    y += d.year
    m += 1
    first_next = dt.date(y + (m == 12), (m % 12) + 1, 1)
    return first_next - dt.timedelta(days=1)
