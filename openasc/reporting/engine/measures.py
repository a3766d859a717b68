"""ASCOF measures 2A, 2B, 2C, 2E (+ 2E LD) and 3D from CLD, following DHSC's 2024/25-onwards SQL.

Official method: ``DataS-DHSC/ASC-CLD-LA-Dashboard`` (read at commit 280a89f / 69fe2e4):

* 2A  - ``ASCOF_measures/Create_ASCOF_2A_2425_Onwards.sql``
* 2B/2C - ``ASCOF_measures/Create_ASCOF_2B2C_2425_Onwards.sql``
* 2E  - ``ASCOF_measures/Create_ASCOF_2E_2425_Onwards.sql`` (run with @LD_Filter 0 and 1)
* 3D  - ``ASCOF_measures/Create_ASCOF_3D_2425_Onwards.sql``

Inputs to each are DHSC's joined-submissions main table and latest person details, rebuilt by
``prepare.build_main`` (see that module for submission selection, event filtering, cleaning,
de-duplication and the substitutions made for a single council's file).

Every measure is computed in two stages: a *detail* table with one row per counted unit (ST-Max
cluster for 2A, person otherwise) carrying ``in_numerator`` / ``in_denominator`` flags and a
human-readable ``rule``; then the figures are counts over that table.  So ``measure_detail`` and
``compute_measures`` always agree.

Deliberate differences from the SQL output (documented):

* outcomes are rounded with Decimal ROUND_HALF_UP on the exact ratio (SQL Server's ROUND on a
  FLOAT is also half away from zero, but on a binary approximation);
* a zero denominator gives ``outcome = None`` (DHSC writes 0);
* 2B/2C outcome is ``None`` when no population is given.

SQL Server's case-insensitive collation is reproduced by mapping all coded values to canonical
Release 2 spellings first (``refdata``), and by ILIKE for the LIKE patterns.

Rules and where they come from (SQL section comments quoted):

2A  unit = ST-Max cluster of a service user.  Clustering ("2. Determine whether events are
    consecutive"): ordered by start, end, outcome hierarchy, record id DESC; a new cluster when
    ``DATEDIFF(DAY, Previous_End_Date, Event_Start_Date) > 7`` (previous = running max end; open
    end = 9999-01-01).  Cluster outcome ("3: Assign event outcome"): latest end, then lowest
    hierarchy, then highest record id.  In period: cluster end within the period.  Person filter:
    age at cluster end >= 18 or unknown; death on/after cluster start.  New client ("Identify new
    clients"): no LTS (4 types) starting before the cluster start with
    ``DATEDIFF(DAY, end, cluster start) < 91`` (or open).  Sequel steps 1-6 ("SECTION 2"):
    1 death <= 7 days after cluster end; 2 cluster outcome 'Admitted to hospital'; 3 events
    starting between cluster start and 7 days after its end and ending after it, cut at the first
    ST-Max; top service by hierarchy Nursing..Other short term, short-term residential/nursing
    component preferred -> 'Short term support: Residential or Nursing care'; 4 minimum usable
    hierarchy (unusable outcomes +100) of (a) cluster outcome, (b) non-service window events
    excluding 'NFA: Support ended as planned', (c) latest nested assessment/review ending < 14 days
    before the cluster end; 5 nested 'Equipment' service; 6 cluster outcome.  Numerator and
    denominator outcome lists: "#OutputTable_Disaggregated".  Total includes unknown ages (ROLLUP).
2B/2C  ("1. Select data" .. "4. Aggregated counts"): service user residential/nursing services
    with known birth date, not dead before the period, component NULL or %Residential%/%Nursing%
    and NOT LIKE '%Short%'; admissions start in the period, outcome not 'NFA: Self-funded...';
    not new if an earlier-starting res/nursing service ended < 365 days before (or is open);
    age at start >= 18; one per person with MIN(band).
2E  ("Select cohort for 2E"): service user LTS overlapping the period; latest person details;
    age at the end of the person's latest service capped at the period end; >= 18 or unknown;
    unknown ages excluded from numerator and denominator; settled = the first 9 Release 2 statuses
    + 'Unknown: presumed at home'; by age band then gender (Male, Female, Total = all genders).
    2E LD: PSR 'Learning Disability Support' and 18-64 only.
3D  clients ("Client based measures"): LTS open at the period end, alive at the period end;
    delivery mechanism := 'Direct payment' when component is Direct payment; invalid or
    non-community/prison mechanisms blanked; highest setting per person by the 9-row hierarchy;
    denominator = community; 1a = DP or managed personal budget; 2a = DP.  Carers ("Carer based
    measures"): carer events overlapping the period; support category CASE and 6-row hierarchy;
    denominator = DP only + managed PB + commissioned only; 1b = first two; 2b = DP only.

Quirks of the official SQL that are reproduced on purpose (SQL three-valued logic):

* 2B/2C: ``(component IS NULL OR ...) AND component NOT LIKE '%Short%'`` is NULL for a blank
  component, so residential/nursing services with no service component are never admissions.
* 3D carers: ``... AND Service_Component NOT LIKE 'Direct payment'`` is NULL for a blank component,
  so a direct-to-carer service with a managed budget/commissioned/unknown mechanism and no
  component gets no support category and the carer is not counted.
* 2A: a non-service event in the sequel window whose outcome is 'NFA: Support ended as planned'
  still stops the "ST-Max outcome only" route (step 4a without later events), so such clusters
  fall to step 5/6.
"""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import duckdb

from . import refdata as R
from .prepare import MAIN, PERSON, build_main

AGE_GROUPS = ["18 to 64", "65 and above", "Total"]
MEASURE_KEYS = ["2A", "2B", "2C", "2E", "2E LD", "3D 1a", "3D 2a", "3D 1b", "3D 2b"]

A2_DENOMINATOR = [
    "Long term support: Community",
    "Long term support: Nursing care",
    "Long term support: Residential care",
    "Long term support: Prison",
    "Short term support: Ongoing low level",
    "Short term support: Other short term",
    "Short term support: Residential or Nursing care",
    "NFA: Information and advice or signposting",
    "NFA: Support ended as planned",
    "NFA: Responsibility moved to another local authority",
    "NFA: Other",
    "NFA: No services offered for other reason",
    "NFA: Support ended for other reason",
    "NFA: Referral to other service within the local authority",
]
A2_NUMERATOR = [
    "Short term support: Ongoing low level",
    "Short term support: Other short term",
    "NFA: Information and advice or signposting",
    "NFA: Support ended as planned",
    "NFA: Responsibility moved to another local authority",
    "NFA: Other",
    "NFA: No services offered for other reason",
    "NFA: Support ended for other reason",
    "NFA: Referral to other service within the local authority",
]

Q = R.sql_quote


def _in(values: list[str]) -> str:
    return "(" + ", ".join(Q(v) for v in values) + ")"


def _d(value: dt.date) -> str:
    return f"DATE '{value.isoformat()}'"


def _age(birth: str, at: str) -> str:
    # FLOOR(DATEDIFF(DAY, birth, at) / 365.25)
    return f"CAST(FLOOR(date_diff('day', {birth}, {at}) / 365.25) AS INTEGER)"


def round_outcome(numerator: int, denominator: int | None, scale: int = 100) -> float | None:
    """ROUND(num/den*scale, 1), half away from zero, on the exact ratio; None if den is 0/None."""
    if not denominator:
        return None
    value = Decimal(numerator) * Decimal(scale) / Decimal(denominator)
    return float(value.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))


def _figure(num: int, den: int | None, scale: int = 100) -> dict[str, Any]:
    return {
        "numerator": int(num),
        "denominator": None if den is None else int(den),
        "outcome": round_outcome(num, den, scale),
    }


# --------------------------------------------------------------------------------------------
# 2A
# --------------------------------------------------------------------------------------------


def _build_2a(con: duckdb.DuckDBPyConnection, ps: dt.date, pe: dt.date) -> None:
    unusable = _in(R.UNUSABLE_OUTCOMES)
    lts = _in(R.LTS_TYPES)
    stmax = Q(R.STMAX)
    svc_h = " ".join(f"WHEN {Q(k)} THEN {v}" for k, v in R.SEQUEL_SERVICE_HIERARCHY.items())
    name_of_h = " ".join(f"WHEN {v} THEN {Q(k)}" for k, v in R.EVENT_OUTCOME_HIERARCHY.items())
    con.execute(
        f"""
        CREATE OR REPLACE TEMP TABLE _a2_build AS
        SELECT LA_Code, person_id, Event_Type_Cleaned AS et, Event_Start_Date AS s,
               COALESCE(Der_Event_End_Date, DATE '9999-01-01') AS e,
               Service_Type_Cleaned AS st, Service_Component_Cleaned AS sc,
               COALESCE(Event_Outcome_Cleaned, {Q(R.INVALID)}) AS eo,
               COALESCE(CASE WHEN Event_Outcome_Cleaned IN {unusable} THEN Event_Outcome_Hierarchy + 100
                             ELSE Event_Outcome_Hierarchy END, 999) AS h,
               rid
        FROM {MAIN}
        WHERE Client_Type_Cleaned = 'Service user' AND person_id IS NOT NULL
          AND Event_Start_Date IS NOT NULL
          AND (Der_Event_End_Date >= Event_Start_Date OR Der_Event_End_Date IS NULL)
        """
    )
    # ST-Max clustering: a new cluster starts when an ST-Max starts more than 7 days after the
    # latest end of the person's earlier ST-Max events (2A SQL "Cluster ST-Max events together").
    con.execute(
        f"""
        CREATE OR REPLACE TEMP TABLE _a2_cl AS
        WITH g AS (
          SELECT *, MAX(e) OVER (PARTITION BY LA_Code, person_id ORDER BY s, e, h, rid DESC
                                 ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS prev_end
          FROM _a2_build WHERE et = 'Service' AND st = {stmax}
        ), n AS (
          SELECT *, SUM(CASE WHEN date_diff('day', prev_end, s) <= 7 THEN 0 ELSE 1 END)
                    OVER (PARTITION BY LA_Code, person_id ORDER BY s, e, h, rid DESC
                          ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS cluster_no
          FROM g
        ), r AS (
          SELECT *, row_number() OVER (PARTITION BY LA_Code, person_id, cluster_no
                                       ORDER BY e DESC, h ASC, rid DESC) AS rn,
                 MIN(s) OVER (PARTITION BY LA_Code, person_id, cluster_no) AS cs,
                 MAX(e) OVER (PARTITION BY LA_Code, person_id, cluster_no) AS ce,
                 COUNT(*) OVER (PARTITION BY LA_Code, person_id, cluster_no) AS n_events
          FROM n
        )
        SELECT LA_Code, person_id, cluster_no, cs, ce, n_events, eo AS ceo, h AS ch FROM r WHERE rn = 1
        """
    )
    age = _age("p.Der_Birth_Date", "c.ce")
    con.execute(
        f"""
        CREATE OR REPLACE TEMP TABLE _a2_c AS
        SELECT c.*, p.Date_of_Death AS dod, {age} AS age,
          CASE WHEN {age} < 18 THEN 'Under 18' WHEN {age} BETWEEN 18 AND 64 THEN '18 to 64'
               WHEN {age} >= 65 THEN '65 and above' ELSE 'Unknown' END AS age_band
        FROM _a2_cl c LEFT JOIN {PERSON} p USING (LA_Code, person_id)
        WHERE c.ce BETWEEN {_d(ps)} AND {_d(pe)}
          AND ({age} >= 18 OR p.Der_Birth_Date IS NULL)
          AND (p.Date_of_Death >= c.cs OR p.Date_of_Death IS NULL)
        """
    )
    con.execute(
        f"""
        CREATE OR REPLACE TEMP TABLE _a2_j AS
        SELECT c.LA_Code, c.person_id, c.cluster_no, c.cs, c.ce, c.ch,
               b.et, b.s, b.e, b.st, b.sc, b.eo, b.h, b.rid
        FROM _a2_c c JOIN _a2_build b ON b.LA_Code = c.LA_Code AND b.person_id = c.person_id
        WHERE NOT COALESCE(b.s BETWEEN c.cs AND c.ce AND b.et = 'Service' AND b.st = {stmax}, false)
          -- only the events one of the three readings below can use (the rest of a person's history is not
          -- copied): long-term support ending under 91 days before the cluster, what follows within 7 days of
          -- its end, and what ends inside it
          AND ((b.s < c.cs AND date_diff('day', b.e, c.cs) < 91)
               OR (b.s >= c.cs AND b.e > c.ce AND date_diff('day', c.ce, b.s) <= 7)
               OR (b.s >= c.cs AND b.e > c.cs AND b.e <= c.ce))
        """
    )
    key = "LA_Code, person_id, cluster_no"
    con.execute(
        f"""
        CREATE OR REPLACE TEMP TABLE _a2_detail AS
        WITH notnew AS (
          SELECT {key}, arg_max(st || ' ' || CAST(s AS VARCHAR) || ' to ' ||
                 CASE WHEN e = DATE '9999-01-01' THEN 'open' ELSE CAST(e AS VARCHAR) END, e) AS lts
          FROM _a2_j WHERE st IN {lts} AND s < cs AND date_diff('day', e, cs) < 91
          GROUP BY ALL
        ), w0 AS (
          SELECT *, MIN(CASE WHEN st = {stmax} THEN s END) OVER (PARTITION BY {key}) AS first_stmax
          FROM _a2_j WHERE s >= cs AND e > ce AND date_diff('day', ce, s) <= 7
        ), w AS (
          SELECT *, COALESCE(CASE st {svc_h} END, 99) AS svc_h FROM w0
          WHERE first_stmax IS NULL OR s < first_stmax
        ), s3 AS (
          SELECT {key},
            CASE WHEN st = 'Short term support: Other short term'
                      AND sc IN ('Short term residential care', 'Short term nursing care')
                 THEN 'Short term support: Residential or Nursing care' ELSE st END AS outcome,
            'service ' || st || COALESCE(' (' || sc || ')', '') || ' starting ' || CAST(s AS VARCHAR) AS why
          FROM (SELECT *, row_number() OVER (PARTITION BY {key} ORDER BY svc_h,
                   CASE WHEN sc IN ('Short term residential care', 'Short term nursing care') THEN 1 ELSE 2 END,
                   s, rid DESC) AS rn
                FROM w WHERE svc_h <> 99) t WHERE rn = 1
        ), hasw AS (SELECT DISTINCT {key}, 1 AS hw_flag FROM w
        ), fn AS (
          SELECT * FROM w WHERE (ch < 100 OR h < 100) AND eo <> 'NFA: Support ended as planned' AND et <> 'Service'
        ), src12 AS (
          SELECT {key}, MIN(ch) AS src1, MIN(CASE WHEN h < 100 THEN h END) AS src2 FROM fn GROUP BY ALL
        ), nested AS (
          SELECT * FROM _a2_j WHERE s >= cs AND e > cs AND e <= ce
        ), src3 AS (
          SELECT {key}, h AS src3 FROM (
            SELECT *, row_number() OVER (PARTITION BY {key} ORDER BY e DESC, h ASC, rid DESC) AS rn
            FROM nested WHERE et IN ('Assessment', 'Review') AND date_diff('day', e, ce) < 14 AND h < 100
          ) t WHERE rn = 1
        ), equip AS (
          SELECT DISTINCT {key}, 1 AS eq_flag FROM nested WHERE et = 'Service' AND sc = 'Equipment'
        ), allc AS (
          SELECT c.*, nn.lts AS notnew_lts, s3.outcome AS s3_outcome, s3.why AS s3_why,
                 hw.hw_flag IS NOT NULL AS has_window,
                 s12.src1, s12.src2, x3.src3,
                 CASE WHEN hw.hw_flag IS NULL AND c.ch < 100 THEN c.ch END AS src_only,
                 eq.eq_flag IS NOT NULL AS equipment
          FROM _a2_c c
          LEFT JOIN notnew nn USING ({key})
          LEFT JOIN s3 USING ({key})
          LEFT JOIN hasw hw USING ({key})
          LEFT JOIN src12 s12 USING ({key})
          LEFT JOIN src3 x3 USING ({key})
          LEFT JOIN equip eq USING ({key})
        ), fin AS (
          SELECT *, list_min([src1, src2, src3, src_only]) AS min_h FROM allc
        ), out AS (
          SELECT *,
            CASE WHEN notnew_lts IS NOT NULL THEN NULL
                 WHEN dod IS NOT NULL AND date_diff('day', ce, dod) <= 7 THEN 'NFA: Deceased'
                 WHEN ceo = 'Admitted to hospital' THEN ceo
                 WHEN s3_outcome IS NOT NULL THEN s3_outcome
                 WHEN min_h IS NOT NULL THEN (CASE min_h {name_of_h} END)
                 WHEN equipment THEN 'Short term support: Ongoing low level'
                 ELSE ceo END AS final_outcome,
            CASE WHEN notnew_lts IS NOT NULL THEN NULL
                 WHEN dod IS NOT NULL AND date_diff('day', ce, dod) <= 7 THEN '1'
                 WHEN ceo = 'Admitted to hospital' THEN '2'
                 WHEN s3_outcome IS NOT NULL THEN '3'
                 WHEN min_h IS NOT NULL THEN
                   (CASE WHEN min_h = src1 OR min_h = src_only THEN '4a' WHEN min_h = src2 THEN '4b' ELSE '4c' END)
                 WHEN equipment THEN '5'
                 ELSE '6' END AS sequel_type
          FROM fin
        )
        SELECT person_id, cluster_no, cs AS cluster_start, ce AS cluster_end, n_events,
               ceo AS cluster_outcome, age, age_band, notnew_lts IS NULL AS new_client,
               final_outcome, sequel_type,
               COALESCE(final_outcome IN {_in(A2_DENOMINATOR)}, false) AS in_denominator,
               COALESCE(final_outcome IN {_in(A2_NUMERATOR)}, false) AS in_numerator,
               'ST-Max cluster ' || cluster_no || ' ' || CAST(cs AS VARCHAR) || ' to ' || CAST(ce AS VARCHAR)
               || ' (' || n_events || ' ST-Max event' || CASE WHEN n_events > 1 THEN 's' ELSE '' END
               || ', outcome ' || ceo || ')' ||
               CASE
                 WHEN notnew_lts IS NOT NULL THEN '; not a new client: long term support ' || notnew_lts
                      || ' ended less than 91 days before (or open at) the cluster start'
                 ELSE '; sequel (step ' || sequel_type || '): ' || final_outcome ||
                   CASE sequel_type
                     WHEN '1' THEN ' - died ' || CAST(dod AS VARCHAR) || ', within 7 days of the cluster end'
                     WHEN '2' THEN ' - cluster outcome'
                     WHEN '3' THEN ' - ' || s3_why || ' within 7 days of the cluster end'
                     WHEN '4a' THEN ' - outcome of the ST-Max cluster'
                     WHEN '4b' THEN ' - outcome of an assessment/review/request starting within 7 days after'
                     WHEN '4c' THEN ' - outcome of an assessment/review ending in the last 14 days of the cluster'
                     WHEN '5' THEN ' - equipment provided during the cluster'
                     ELSE ' - unable to classify (cluster outcome)' END
                   || CASE WHEN COALESCE(final_outcome IN {_in(A2_NUMERATOR)}, false) THEN ' -> numerator and denominator'
                           WHEN COALESCE(final_outcome IN {_in(A2_DENOMINATOR)}, false) THEN ' -> denominator only'
                           ELSE ' -> excluded' END
               END AS rule
        FROM out
        ORDER BY person_id, cluster_no
        """
    )
    for t in ("_a2_build", "_a2_cl", "_a2_c", "_a2_j"):
        con.execute(f"DROP TABLE IF EXISTS {t}")


# --------------------------------------------------------------------------------------------
# 2B / 2C
# --------------------------------------------------------------------------------------------


def _build_2bc(con: duckdb.DuckDBPyConnection, ps: dt.date, pe: dt.date) -> None:
    age = _age("p.Der_Birth_Date", "m.Event_Start_Date")
    con.execute(
        f"""
        CREATE OR REPLACE TEMP TABLE _b_build AS
        SELECT m.LA_Code, m.person_id, m.Event_Start_Date AS s, m.Der_Event_End_Date AS e,
               m.Service_Type_Cleaned AS st, m.Event_Outcome_Cleaned AS eo, {age} AS age
        FROM {MAIN} m LEFT JOIN {PERSON} p USING (LA_Code, person_id)
        WHERE m.Event_Type_Cleaned = 'Service' AND m.Client_Type_Cleaned = 'Service user'
          AND m.Service_Type_Cleaned IN ('Long term support: Residential care', 'Long term support: Nursing care')
          AND p.Der_Birth_Date IS NOT NULL
          AND (p.Date_of_Death >= {_d(ps)} OR p.Date_of_Death IS NULL)
          AND (m.Service_Component_Cleaned IS NULL OR m.Service_Component_Cleaned ILIKE '%Residential%'
               OR m.Service_Component_Cleaned ILIKE '%Nursing%')
          AND m.Service_Component_Cleaned NOT ILIKE '%Short%'
        """
    )
    con.execute(
        f"""
        CREATE OR REPLACE TEMP TABLE _bc_detail AS
        WITH adm AS (
          SELECT DISTINCT LA_Code, person_id, s, age, st FROM _b_build
          WHERE s BETWEEN {_d(ps)} AND {_d(pe)}
            AND (eo IS NULL OR eo <> 'NFA: Self-funded client or under 12wk disregard')
        ), flagged AS (
          SELECT a.*, (SELECT arg_max(b.st || ' ' || CAST(b.s AS VARCHAR) || ' to ' || COALESCE(CAST(b.e AS VARCHAR), 'open'), b.s)
                       FROM _b_build b
                       WHERE b.LA_Code = a.LA_Code AND b.person_id = a.person_id AND b.s < a.s
                         AND (date_diff('day', b.e, a.s) < 365 OR b.e IS NULL)) AS previous
          FROM adm a
        ), banded AS (
          SELECT *, CASE WHEN age BETWEEN 18 AND 64 THEN '18 to 64' WHEN age > 64 THEN '65 and above' END AS band
          FROM flagged WHERE age >= 18
        )
        SELECT person_id,
          COALESCE(MIN(CASE WHEN previous IS NULL THEN band END), MIN(band)) AS age_band,
          bool_or(previous IS NULL) AS in_numerator,
          false AS in_denominator,
          CASE WHEN bool_or(previous IS NULL)
               THEN 'new admission: ' || arg_min(CASE WHEN previous IS NULL THEN st || ' starting ' || CAST(s AS VARCHAR)
                                                     || ' (age ' || age || ')' END,
                                                 CASE WHEN previous IS NULL THEN band || CAST(s AS VARCHAR) END)
                    || '; no residential/nursing service started earlier and ended within 365 days before it'
               ELSE 'not a new admission: ' || MIN(st || ' starting ' || CAST(s AS VARCHAR)) || ' follows '
                    || MIN(previous) || ' (ended less than 365 days before, or open)'
          END AS rule
        FROM banded GROUP BY person_id ORDER BY person_id
        """
    )
    con.execute("DROP TABLE IF EXISTS _b_build")


# --------------------------------------------------------------------------------------------
# 2E
# --------------------------------------------------------------------------------------------


def _build_2e(con: duckdb.DuckDBPyConnection, ps: dt.date, pe: dt.date, ld: bool, out: str) -> None:
    lts = _in(R.LTS_TYPES)
    settled = "(" + ", ".join(Q(v.lower()) for v in R.SETTLED) + ")"
    ld_filter = f"AND lower(p.Primary_Support_Reason) = {Q(R.LD_PSR.lower())}" if ld else ""
    age = _age("p.Der_Birth_Date", "b.capped")
    con.execute(
        f"""
        CREATE OR REPLACE TEMP TABLE {out} AS
        WITH build AS (
          SELECT LA_Code, person_id,
                 MAX(LEAST(COALESCE(Der_Event_End_Date, DATE '9999-01-01'), {_d(pe)})) AS capped,
                 COUNT(*) AS n_services,
                 string_agg(DISTINCT Service_Type_Cleaned, ', ' ORDER BY Service_Type_Cleaned) AS types
          FROM {MAIN}
          WHERE Client_Type_Cleaned = 'Service user' AND Event_Type_Cleaned = 'Service'
            AND Service_Type_Cleaned IN {lts} AND person_id IS NOT NULL AND Event_Start_Date IS NOT NULL
            AND (Der_Event_End_Date >= Event_Start_Date OR Der_Event_End_Date IS NULL)
            AND Event_Start_Date <= {_d(pe)}
            AND (Der_Event_End_Date >= {_d(ps)} OR Der_Event_End_Date IS NULL)
          GROUP BY LA_Code, person_id
        ), pd AS (
          SELECT b.*, p.Accommodation_Status, p.accommodation_submitted, p.Gender, p.Primary_Support_Reason,
                 {age} AS age
          FROM build b LEFT JOIN {PERSON} p USING (LA_Code, person_id)
          WHERE (p.Date_of_Death >= {_d(ps)} OR p.Date_of_Death IS NULL) {ld_filter}
        ), banded AS (
          SELECT *, CASE WHEN age BETWEEN 1 AND 17 THEN 'Under 18' WHEN age BETWEEN 18 AND 64 THEN '18 to 64'
                         WHEN age >= 65 THEN '65 and above' ELSE 'Unknown' END AS age_band,
                 COALESCE(lower(Accommodation_Status) IN {settled}, false) AS settled
          FROM pd WHERE age >= 18 OR age IS NULL
        )
        SELECT person_id, age_band, age, Gender AS gender, Accommodation_Status AS accommodation_status,
               age_band <> 'Unknown' AS in_denominator,
               age_band <> 'Unknown' AND settled AS in_numerator,
               'long term support (' || types || ') during the period; age ' || COALESCE(CAST(age AS VARCHAR), 'unknown')
               || ' at the end of the latest service (capped at period end); accommodation '
               || Accommodation_Status
               || CASE WHEN NOT COALESCE(accommodation_submitted, false) THEN ' (deduced from the latest service)' ELSE '' END
               || CASE WHEN age_band = 'Unknown' THEN ' -> excluded (unknown age)'
                       WHEN settled THEN ' -> settled: numerator and denominator'
                       ELSE ' -> not settled: denominator only' END AS rule
        FROM banded
        WHERE {"age_band = '18 to 64'" if ld else "age_band <> 'Under 18'"}
        ORDER BY person_id
        """
    )


# --------------------------------------------------------------------------------------------
# 3D
# --------------------------------------------------------------------------------------------


def _build_3d(con: duckdb.DuckDBPyConnection, ps: dt.date, pe: dt.date) -> None:
    lts = _in(R.LTS_TYPES)
    ref = R.values_sql(R.CLIENT_SETTING_HIERARCHY)
    age = _age("p.Der_Birth_Date", _d(pe))
    band = (
        f"CASE WHEN {age} < 18 THEN 'Under 18' WHEN {age} BETWEEN 18 AND 64 THEN '18 to 64' "
        f"WHEN {age} >= 65 THEN '65 and above' ELSE 'Unknown' END"
    )
    con.execute(
        f"""
        CREATE OR REPLACE TEMP TABLE _d3_clients AS
        WITH ref(st, dm, h) AS (VALUES {ref}),
        b0 AS (
          SELECT m.person_id, m.LA_Code, m.Service_Type_Cleaned AS st, m.Service_Component_Cleaned AS sc,
                 m.Event_Start_Date AS s, m.Der_Event_End_Date AS e,
                 CASE WHEN m.Service_Component_Cleaned = 'Direct payment' THEN 'Direct payment'
                      ELSE m.Delivery_Mechanism_Cleaned END AS dm0,
                 {age} AS age, {band} AS age_band
          FROM {MAIN} m LEFT JOIN {PERSON} p USING (LA_Code, person_id)
          WHERE m.Service_Type_Cleaned IN {lts} AND m.Client_Type_Cleaned = 'Service user'
            AND m.Event_Start_Date <= {_d(pe)} AND m.person_id IS NOT NULL
            AND (m.Der_Event_End_Date >= m.Event_Start_Date OR m.Der_Event_End_Date IS NULL)
            AND (m.Der_Event_End_Date >= {_d(pe)} OR m.Der_Event_End_Date IS NULL)
            AND (p.Date_of_Death >= {_d(pe)} OR p.Date_of_Death IS NULL)
        ), b1 AS (
          SELECT b0.*, CASE WHEN r.dm IS NOT NULL AND b0.st IN ('Long term support: Community', 'Long term support: Prison')
                            THEN b0.dm0 ELSE '' END AS dm
          FROM b0 LEFT JOIN ref r ON r.st = b0.st AND r.dm = b0.dm0
        ), b2 AS (
          SELECT b1.*, CASE WHEN b1.st = 'Long term support: Community' AND b1.sc = 'Direct payment' THEN 3 ELSE r.h END AS h
          FROM b1 LEFT JOIN ref r ON r.st = b1.st AND r.dm = b1.dm
        ), ranked AS (
          SELECT *, MIN(h) OVER (PARTITION BY LA_Code, person_id) AS min_h FROM b2
        ), fin AS (
          SELECT * FROM ranked WHERE h = min_h AND min_h IS NOT NULL
            AND age_band IN ('18 to 64', '65 and above', 'Unknown')
        )
        SELECT person_id, MIN(age_band) AS age_band, MIN(st) AS setting,
          bool_or(st = 'Long term support: Community') AS in_denominator,
          bool_or(st = 'Long term support: Community' AND (dm = 'Direct payment' OR sc = 'Direct payment'
                  OR dm = 'CASSR managed personal budget')) AS in_numerator_1a,
          bool_or(st = 'Long term support: Community' AND (dm = 'Direct payment' OR sc = 'Direct payment')) AS in_numerator_2a,
          'long term service open at ' || CAST({_d(pe)} AS VARCHAR) || '; highest setting ' || MIN(st)
            || CASE WHEN MIN(dm) <> '' THEN ' / ' || MIN(dm) ELSE '' END
            || ' (hierarchy ' || MIN(h) || ')'
            || CASE WHEN bool_or(sc = 'Direct payment') THEN ', service component Direct payment' ELSE '' END
            || CASE WHEN NOT bool_or(st = 'Long term support: Community') THEN ' -> not community: excluded'
                    WHEN bool_or(dm = 'Direct payment' OR sc = 'Direct payment') THEN ' -> direct payment (1a and 2a numerators)'
                    WHEN bool_or(dm = 'CASSR managed personal budget') THEN ' -> managed personal budget (1a numerator)'
                    WHEN MIN(dm) = '' THEN ' -> delivery mechanism unknown: denominator only'
                    ELSE ' -> commissioned support: denominator only' END AS rule
        FROM fin GROUP BY LA_Code, person_id ORDER BY person_id
        """
    )
    carer_h = " ".join(f"WHEN {Q(k)} THEN {v}" for k, v in R.CARER_SUPPORT_HIERARCHY.items())
    direct = Q("Unpaid carer support: Direct to unpaid carer")
    involving = Q("Unpaid carer support: Support involving the person cared-for")
    info = Q("NFA: Information and advice or signposting")
    con.execute(
        f"""
        CREATE OR REPLACE TEMP TABLE _d3_carers AS
        WITH b AS (
          SELECT m.person_id, m.LA_Code, m.Event_Type_Cleaned AS et, m.Service_Type_Cleaned AS st,
                 m.Service_Component_Cleaned AS sc, m.Delivery_Mechanism_Cleaned AS dm,
                 COALESCE(m.Event_Outcome_Cleaned, {Q(R.INVALID)}) AS eo, m.Event_Start_Date AS s,
                 {age} AS age
          FROM {MAIN} m LEFT JOIN {PERSON} p USING (LA_Code, person_id)
          WHERE m.Client_Type_Cleaned IN ('Unpaid carer', 'Unpaid carer known by association')
            AND m.Event_Start_Date <= {_d(pe)} AND m.person_id IS NOT NULL
            AND (m.Der_Event_End_Date >= {_d(ps)} OR m.Der_Event_End_Date IS NULL)
            AND (m.Der_Event_End_Date >= m.Event_Start_Date OR m.Der_Event_End_Date IS NULL)
            AND (p.Date_of_Death >= {_d(ps)} OR p.Date_of_Death IS NULL)
            AND ((m.Service_Type_Cleaned IS NULL AND m.Event_Outcome_Cleaned = {info})
                 OR m.Service_Type_Cleaned IN ({direct}, {involving})
                 OR (m.Event_Type_Cleaned IN ('Assessment', 'Review') AND m.Service_Type_Cleaned IS NULL))
        ), c AS (
          SELECT *, CASE
            WHEN st = {direct} AND (dm = 'Direct payment' OR sc = 'Direct payment') THEN 'Direct Payment only'
            WHEN st = {direct} AND (dm = 'CASSR managed personal budget' AND sc NOT ILIKE 'Direct payment')
              THEN 'CASSR Managed Personal Budget'
            WHEN st = {direct} AND (dm = 'CASSR commissioned support' AND sc NOT ILIKE 'Direct payment')
              THEN 'CASSR Commissioned Support only'
            WHEN st = {direct} AND (dm NOT IN ('Direct payment', 'CASSR managed personal budget', 'CASSR commissioned support')
                                    AND sc NOT ILIKE 'Direct payment')
              THEN 'Support Direct to Carer: Unknown Delivery Mech'
            WHEN st = {direct} AND (dm IS NULL AND sc NOT ILIKE 'Direct payment')
              THEN 'Support Direct to Carer: Unknown Delivery Mech'
            WHEN st = {involving} THEN 'No Direct Support Provided to Carer'
            WHEN et IN ('Assessment', 'Review') AND eo NOT ILIKE {info} THEN 'No Direct Support Provided to Carer'
            WHEN et IN ('Assessment', 'Review') AND eo IS NULL THEN 'No Direct Support Provided to Carer'
            WHEN et IN ('Assessment', 'Review') AND eo = {info}
              THEN 'Information, Advice and Other Universal Services / Signposting'
            WHEN et = 'Request' THEN 'Information, Advice and Other Universal Services / Signposting'
          END AS support
          FROM b
        ), h AS (
          SELECT *, CASE support {carer_h} END AS h FROM c
        ), r AS (
          SELECT LA_Code, person_id, MIN(h) AS min_h, MIN(age) AS min_age FROM h GROUP BY LA_Code, person_id
        ), fin AS (
          SELECT h.*, CASE WHEN r.min_age < 18 THEN 'Under 18' WHEN r.min_age BETWEEN 18 AND 64 THEN '18 to 64'
                           WHEN r.min_age >= 65 THEN '65 and above' ELSE 'Unknown' END AS age_band
          FROM h JOIN r ON h.LA_Code = r.LA_Code AND h.person_id = r.person_id AND h.h = r.min_h
          WHERE r.min_h IS NOT NULL
        )
        SELECT person_id, MIN(age_band) AS age_band, MIN(support) AS support,
          bool_or(support IN ('Direct Payment only', 'CASSR Managed Personal Budget', 'CASSR Commissioned Support only')) AS in_denominator,
          bool_or(support IN ('Direct Payment only', 'CASSR Managed Personal Budget')) AS in_numerator_1b,
          bool_or(support = 'Direct Payment only') AS in_numerator_2b,
          'carer support during the period; highest support provided: ' || MIN(support)
            || CASE WHEN MIN(h) <= 2 THEN ' -> self-directed (1b numerator' || CASE WHEN MIN(h) = 1 THEN ', 2b numerator)' ELSE ')' END
                    WHEN MIN(h) = 3 THEN ' -> denominator only'
                    ELSE ' -> excluded (not direct payment / personal budget / commissioned support)' END AS rule
        FROM fin WHERE age_band IN ('18 to 64', '65 and above', 'Unknown')
        GROUP BY LA_Code, person_id ORDER BY person_id
        """
    )


# --------------------------------------------------------------------------------------------
# Public API
# --------------------------------------------------------------------------------------------


def _as_date(value: dt.date | str) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value))


def build_all(con: duckdb.DuckDBPyConnection, period_start, period_end, table: str = "cld_input") -> None:
    ps, pe = _as_date(period_start), _as_date(period_end)
    if pe < ps:
        raise ValueError("period end is before period start")
    build_main(con, table)
    _build_2a(con, ps, pe)
    _build_2bc(con, ps, pe)
    _build_2e(con, ps, pe, ld=False, out="_e2_all")
    _build_2e(con, ps, pe, ld=True, out="_e2_ld")
    _build_3d(con, ps, pe)


def _group_counts(con, table: str, num_col: str, den_col: str) -> dict[str, dict[str, Any]]:
    rows = con.execute(
        f"""SELECT age_band, COUNT(*) FILTER (WHERE {num_col}), COUNT(*) FILTER (WHERE {den_col})
            FROM {table} GROUP BY age_band"""
    ).fetchall()
    by = {b: (n, d) for b, n, d in rows}
    out = {}
    for g in ("18 to 64", "65 and above"):
        n, d = by.get(g, (0, 0))
        out[g] = _figure(n, d)
    tn = sum(n for n, _ in by.values())
    td = sum(d for _, d in by.values())
    out["Total"] = _figure(tn, td)
    return out


def _gender_counts(con, table: str, bands: list[str]) -> dict[str, dict[str, dict[str, Any]]]:
    rows = con.execute(
        f"""SELECT age_band, gender, COUNT(*) FILTER (WHERE in_numerator), COUNT(*) FILTER (WHERE in_denominator)
            FROM {table} WHERE in_denominator GROUP BY age_band, gender"""
    ).fetchall()
    out: dict[str, dict[str, dict[str, Any]]] = {}
    for band in bands:
        sub = [r for r in rows if r[0] == band]
        res = {"Total": _figure(sum(r[2] for r in sub), sum(r[3] for r in sub))}
        for g in ("Male", "Female"):
            res[g] = _figure(sum(r[2] for r in sub if r[1] == g), sum(r[3] for r in sub if r[1] == g))
        out[band] = res
    return out


def _collect(con, population: dict[str, int] | None) -> dict[str, Any]:
    population = population or {}
    m: dict[str, Any] = {}
    m["2A"] = _group_counts(con, "_a2_detail", "in_numerator", "in_denominator")
    bc = dict(
        con.execute(
            "SELECT age_band, COUNT(*) FILTER (WHERE in_numerator) FROM _bc_detail GROUP BY age_band"
        ).fetchall()
    )
    for key, band, pop_key in (("2B", "18 to 64", "18-64"), ("2C", "65 and above", "65+")):
        pop = population.get(pop_key)
        m[key] = {band: _figure(bc.get(band, 0), pop, 100000)}
    m["2E"] = _gender_counts(con, "_e2_all", ["18 to 64", "65 and above"])
    m["2E LD"] = _gender_counts(con, "_e2_ld", ["18 to 64"])
    m["3D 1a"] = _group_counts(con, "_d3_clients", "in_numerator_1a", "in_denominator")
    m["3D 2a"] = _group_counts(con, "_d3_clients", "in_numerator_2a", "in_denominator")
    m["3D 1b"] = _group_counts(con, "_d3_carers", "in_numerator_1b", "in_denominator")
    m["3D 2b"] = _group_counts(con, "_d3_carers", "in_numerator_2b", "in_denominator")
    return m


def compute_measures(
    con: duckdb.DuckDBPyConnection,
    *,
    period_start: dt.date,
    period_end: dt.date,
    population: dict[str, int] | None = None,
    table: str = "cld_input",
) -> dict[str, Any]:
    """Compute ASCOF 2A, 2B, 2C, 2E, 2E LD and 3D (1a, 2a, 1b, 2b) for the period."""
    ps, pe = _as_date(period_start), _as_date(period_end)
    build_all(con, ps, pe, table)
    return {"period": {"start": ps.isoformat(), "end": pe.isoformat()}, "measures": _collect(con, population)}


_DETAIL_SQL = {
    "2A": """SELECT person_id, cluster_no, cluster_start, cluster_end, n_events, cluster_outcome, age, age_band,
                    new_client, final_outcome, sequel_type, in_numerator, in_denominator, rule FROM _a2_detail""",
    "2B": """SELECT person_id, age_band, in_numerator, in_denominator, rule FROM _bc_detail
             WHERE age_band = '18 to 64'""",
    "2C": """SELECT person_id, age_band, in_numerator, in_denominator, rule FROM _bc_detail
             WHERE age_band = '65 and above'""",
    "2E": """SELECT person_id, age_band, age, gender, accommodation_status, in_numerator, in_denominator, rule
             FROM _e2_all""",
    "2E LD": """SELECT person_id, age_band, age, gender, accommodation_status, in_numerator, in_denominator, rule
                FROM _e2_ld""",
    "3D 1a": """SELECT person_id, age_band, setting, in_numerator_1a AS in_numerator, in_denominator, rule
                FROM _d3_clients""",
    "3D 2a": """SELECT person_id, age_band, setting, in_numerator_2a AS in_numerator, in_denominator, rule
                FROM _d3_clients""",
    "3D 1b": """SELECT person_id, age_band, support, in_numerator_1b AS in_numerator, in_denominator, rule
                FROM _d3_carers""",
    "3D 2b": """SELECT person_id, age_band, support, in_numerator_2b AS in_numerator, in_denominator, rule
                FROM _d3_carers""",
}


def _fetch_detail(con, measure: str) -> list[dict[str, Any]]:
    cur = con.execute(_DETAIL_SQL[measure] + " ORDER BY person_id")
    names = [d[0] for d in cur.description]
    out = []
    for row in cur.fetchall():
        rec = dict(zip(names, row, strict=True))
        for k, v in rec.items():
            if isinstance(v, dt.date):
                rec[k] = v.isoformat()
        out.append(rec)
    return out


def measure_detail(
    con: duckdb.DuckDBPyConnection,
    *,
    measure: str,
    period_start: dt.date,
    period_end: dt.date,
    table: str = "cld_input",
) -> list[dict[str, Any]]:
    """Rows behind one measure: one per ST-Max cluster (2A) or person (others).

    Numerator = rows with ``in_numerator``; denominator = rows with ``in_denominator``
    (2B/2C: the denominator is the ONS population, so ``in_denominator`` is always False).
    Rows with both flags False are shown to explain exclusions.
    """
    if measure not in _DETAIL_SQL:
        raise ValueError(f"unknown measure {measure!r}; expected one of {', '.join(MEASURE_KEYS)}")
    build_all(con, period_start, period_end, table)
    return _fetch_detail(con, measure)


def all_details(con: duckdb.DuckDBPyConnection) -> dict[str, list[dict[str, Any]]]:
    """Detail rows of every measure from the last ``build_all``/``compute_measures`` call."""
    return {m: _fetch_detail(con, m) for m in MEASURE_KEYS}
