"""Build DHSC's "main table" (joined submissions, cleaned, de-duplicated) and the latest person
details table from a typed CLD input table.

This reproduces, step by step, DHSC's pipeline in ``DataS-DHSC/ASC-CLD-LA-Dashboard``:

1. Submission selection - ``Main_tables/create_main_table_for_period.sql`` +
   ``Main_tables/stored_procedures/create_GetSubmissionsV2_procedure.sql``: the period is cut into
   3-month reference periods and, for each, the latest submission that covers it is taken; a
   selected submission's rows carry Ref_Period_Start/End = the first/last reference period it
   was selected for.
2. Event filtering - ``create_FilterToEventsInPeriod_procedure.sql``: derived end date = date of
   death when death falls between start and end (or after start when the end is blank);
   requests/assessments/reviews kept if they end inside the reference period (and start before
   its end); services kept if they start before the reference period end and end in/after it or
   are open; rows of people who died before the reference period or before the event start are
   dropped.
3. Cleaning / derived fields - ``create_GetDerivedFields_procedure.sql``: text 'NULL' -> NULL;
   Release 1 -> Release 2 mapping (see ``refdata``); combined person ID; DHSC unique event
   reference; cropping of services left open in a reference period and not present in the next.
4. De-duplication - ``create_GetUniqueEvents_procedure.sql`` ('Joined'): one record per unique
   event by Ref_Period_End_Date DESC, derived end (NULL first) DESC, outcome hierarchy ASC,
   conversation flag DESC, record id DESC.
5. Latest person details - ``ASCOF_measures/Create_personal_details_table.sql``: birth date,
   date of death, gender, primary support reason, accommodation status (with the deduction of
   unknown accommodation from the latest service).

Substitutions for things a single council's file cannot have (documented deviations):

* LA code: the optional ``LA_Code`` column, else the constant ``schema.DEFAULT_LA_CODE``.
* ImportDate / load ids: a submission is a distinct (Reporting_Period_Start_Date,
  Reporting_Period_End_Date) pair; "latest submission" = latest Reporting_Period_End_Date, ties
  broken by file order (the submission whose last row comes later).  The record id used in the
  final de-duplication tie-break is the row's position in the input table (later = newer).
* Reporting periods: DHSC derives each file's real period from its event end dates and the
  import month ('Derived'); we have no import dates so we use the stated periods (the 'Stated'
  option of GetSubmissionsV2).  The 3-month reference-period grid is anchored on the latest
  reporting period end date (DHSC anchors on 1 April 2023); for ordinary quarterly rolling
  submissions the two grids are identical.
* Rows without both reporting period dates cannot be placed in a submission and are ignored.
* Several LA codes in one input are handled LA by LA (as DHSC does) but the measures add them up.
* NHS number: DHSC uses the (traced) pseudonymised NHS number; we use the submitted NHS number
  with white space removed.  Person ID = NHS number, else ``LA_Code || '_' || LA person id``.
* Date of death: DHSC's Der_Date_of_Death may also use ONS death registrations; we only have
  the submitted Date of Death.
* Conversation flag (Der_Conversation, an AGEM-derived field): not available, treated as 0.
* Invalid values: DHSC's hand-maintained mapping tables are replaced by the match-key mapping in
  ``refdata`` (case-insensitive, punctuation-insensitive).  Unrecognised event type, client
  type, service type, event outcome, delivery mechanism and accommodation status values become
  'Invalid and not mapped'; unrecognised service components, PSR and gender values are kept as
  submitted (their full Release 2 lists are not public).
"""

from __future__ import annotations

import datetime as dt

import duckdb

from . import refdata as R
from .load import is_normalised, select_columns
from .schema import DEFAULT_LA_CODE

MAIN = "_asc_main"
PERSON = "_asc_person"
FAR_FUTURE = "DATE '9999-01-01'"


def _q(ident: str) -> str:
    return '"' + ident.replace('"', '""') + '"'


def _add_months(d: dt.date, months: int) -> dt.date:
    y, m = divmod(d.month - 1 + months, 12)
    y += d.year
    m += 1
    import calendar

    last = calendar.monthrange(y, m)[1]
    return dt.date(y, m, min(d.day, last))


def reference_periods(min_start: dt.date, max_end: dt.date) -> list[tuple[dt.date, dt.date]]:
    """3-month reference periods ending on ``max_end``, going back while they overlap min_start.

    The earliest one is clipped to ``min_start`` when the span is not a whole number of quarters.
    """
    anchor = max_end + dt.timedelta(days=1)
    out = []
    k = 0
    while True:
        q_end = _add_months(anchor, -3 * k) - dt.timedelta(days=1)
        q_start = _add_months(anchor, -3 * (k + 1))
        if q_end < min_start:
            break
        out.append((max(q_start, min_start), q_end))
        k += 1
        if k > 400:
            break
    return list(reversed(out))


def select_submissions(con: duckdb.DuckDBPyConnection, raw: str) -> list[tuple]:
    """(LA_Code, RPS, RPE, ref_start, ref_end) for each selected submission."""
    subs = con.execute(
        f"""SELECT LA_Code, Reporting_Period_Start_Date, Reporting_Period_End_Date, MAX(rid)
            FROM {raw}
            WHERE Reporting_Period_Start_Date IS NOT NULL AND Reporting_Period_End_Date IS NOT NULL
            GROUP BY ALL"""
    ).fetchall()
    by_la: dict[str, list[tuple]] = {}
    for la, rps, rpe, mx in subs:
        by_la.setdefault(la, []).append((rps, rpe, mx))
    selected: dict[tuple, list[tuple[dt.date, dt.date]]] = {}
    for la, lst in by_la.items():
        min_start = min(s for s, _, _ in lst)
        max_end = max(e for _, e, _ in lst)
        for q_start, q_end in reference_periods(min_start, max_end):
            covering = [x for x in lst if x[0] <= q_start and x[1] >= q_end]
            if not covering:
                continue
            best = max(covering, key=lambda x: (x[1], x[2]))
            selected.setdefault((la, best[0], best[1]), []).append((q_start, q_end))
    out = []
    for (la, rps, rpe), qs in selected.items():
        out.append((la, rps, rpe, min(q[0] for q in qs), max(q[1] for q in qs)))
    return out


# Input columns the measures use (the others are not copied, for speed).
USED_COLUMNS = {
    "Reporting_Period_Start_Date",
    "Reporting_Period_End_Date",
    "LA_Code",
    "NHS_Number",
    "LA_Person_Unique_Identifier",
    "Gender",
    "Date_of_Birth",
    "Date_of_Death",
    "Client_Type",
    "Primary_Support_Reason",
    "Accommodation_Status",
    "Event_Type",
    "Event_Start_Date",
    "Event_End_Date",
    "Event_Outcome",
    "Request_Route_of_Access",
    "Assessment_Type",
    "Service_Type",
    "Service_Component",
    "Delivery_Mechanism",
}


def build_main(con: duckdb.DuckDBPyConnection, table: str = "cld_input") -> None:
    """Create temp tables ``_asc_main`` (one row per unique event) and ``_asc_person``."""
    cols = select_columns(con, table, USED_COLUMNS, DEFAULT_LA_CODE)
    raw = f"(SELECT rowid AS rid, {cols} FROM {_q(table)})"
    try:
        con.execute(f"SELECT 1 FROM {raw} LIMIT 1").fetchall()
    except duckdb.Error:  # a view has no rowid: fall back to scan order
        raw = f"(SELECT row_number() OVER () AS rid, {cols} FROM {_q(table)})"
    con.execute(f"CREATE OR REPLACE TEMP VIEW _asc_raw AS SELECT * FROM {raw}")

    sel = select_submissions(con, "_asc_raw")
    con.execute(
        "CREATE OR REPLACE TEMP TABLE _asc_sel (LA_Code VARCHAR, rps DATE, rpe DATE, ref_start DATE, ref_end DATE)"
    )
    if sel:
        con.executemany("INSERT INTO _asc_sel VALUES (?, ?, ?, ?, ?)", sel)

    # -- 2. event filtering (FilterToEventsInPeriod) ----------------------------------------
    con.execute(
        """
        CREATE OR REPLACE TEMP VIEW _asc_ev AS
        SELECT * FROM (
          SELECT r.*, s.ref_start AS Ref_Period_Start_Date, s.ref_end AS Ref_Period_End_Date,
            CASE WHEN (r.Date_of_Death BETWEEN r.Event_Start_Date AND r.Event_End_Date)
                   OR (r.Date_of_Death > r.Event_Start_Date AND r.Event_End_Date IS NULL)
                 THEN r.Date_of_Death ELSE r.Event_End_Date END AS Der_Event_End_Date
          FROM _asc_raw r
          JOIN _asc_sel s
            ON r.LA_Code = s.LA_Code AND r.Reporting_Period_Start_Date = s.rps
           AND r.Reporting_Period_End_Date = s.rpe
        ) a
        WHERE ((Event_Type NOT ILIKE '%service%'
                AND Der_Event_End_Date BETWEEN Ref_Period_Start_Date AND Ref_Period_End_Date
                AND Event_Start_Date <= Ref_Period_End_Date)
            OR (Event_Type ILIKE '%service%'
                AND (Der_Event_End_Date >= Ref_Period_Start_Date OR Der_Event_End_Date IS NULL)
                AND Event_Start_Date <= Ref_Period_End_Date))
          AND (Date_of_Death IS NULL
               OR (Date_of_Death >= Ref_Period_Start_Date AND Date_of_Death >= Event_Start_Date))
        """
    )

    # -- 3. cleaning and derived fields (GetDerivedFields) ---------------------------------
    # Release 1 / case variants -> Release 2, done on the distinct values of each field (fast)
    mapped = [
        ("Event_Type", {v: [] for v in R.EVENT_TYPES}, True),
        ("Client_Type", R.CLIENT_TYPE, True),
        ("Service_Type", R.SERVICE_TYPE, True),
        ("Service_Component", R.SERVICE_COMPONENT, False),
        ("Delivery_Mechanism", R.DELIVERY_MECHANISM, True),
        ("Event_Outcome", R.EVENT_OUTCOME, True),
        ("Accommodation_Status", R.ACCOMMODATION, True),
        ("Primary_Support_Reason", R.PSR, False),
        ("Gender", R.GENDER, False),
    ]
    joins, selects = [], []
    # the values to map: a table from load_cld_csv holds them as they are (read from it directly: fast); others
    # through the cleaning of _asc_raw. Mapping more values than the events in the period hold changes nothing.
    values_from = _q(table) if is_normalised(con, table) else "_asc_raw"
    for i, (field, mapping, strict) in enumerate(mapped):
        values = [
            r[0]
            for r in con.execute(
                f"SELECT DISTINCT {field} FROM {values_from} WHERE {field} IS NOT NULL"
            ).fetchall()
        ]
        con.execute(f"CREATE OR REPLACE TEMP TABLE _asc_map{i} (raw VARCHAR, canon VARCHAR)")
        if values:
            con.executemany(
                f"INSERT INTO _asc_map{i} VALUES (?, ?)",
                [(v, R.canonical(v, mapping, invalid_if_unknown=strict)) for v in values],
            )
        joins.append(f"LEFT JOIN _asc_map{i} m{i} ON m{i}.raw = e.{field}")
        selects.append(f"m{i}.canon AS {field}_Cleaned")
    hier_case = " ".join(f"WHEN {R.sql_quote(k)} THEN {v}" for k, v in R.EVENT_OUTCOME_HIERARCHY.items())
    con.execute(
        f"""
        CREATE OR REPLACE TEMP VIEW _asc_clean AS
        SELECT *,
          (CASE Event_Outcome_Cleaned {hier_case} ELSE NULL END) AS Event_Outcome_Hierarchy,
          CASE WHEN nhs IS NOT NULL THEN nhs
               ELSE LA_Code || '_' || LA_Person_Unique_Identifier END AS person_id
        FROM (
          SELECT e.*, {", ".join(selects)},
            NULLIF(regexp_replace(e.NHS_Number, '\\s', '', 'g'), '') AS nhs,
            year(e.Date_of_Birth) AS Der_Birth_Year,
            month(e.Date_of_Birth) AS Der_Birth_Month
          FROM _asc_ev e {" ".join(joins)}
        ) x
        WHERE COALESCE(nhs, LA_Person_Unique_Identifier) IS NOT NULL
        """
    )
    # DHSC unique event reference (joined submissions definition).  DHSC numbers the distinct
    # combinations with DENSE_RANK; an exact composite key is equivalent and avoids a global sort.
    con.execute(
        """
        CREATE OR REPLACE TEMP TABLE _asc_uer AS
        SELECT *,
          concat_ws(chr(31), LA_Code, CAST(Event_Start_Date AS VARCHAR),
              COALESCE(CAST(CASE WHEN Event_Type_Cleaned != 'Service' THEN Der_Event_End_Date END AS VARCHAR), chr(30)),
              COALESCE(Client_Type_Cleaned, chr(30)), person_id, COALESCE(Event_Type_Cleaned, chr(30)),
              COALESCE(CASE WHEN Event_Type_Cleaned = 'Request' THEN lower(Request_Route_of_Access) END, chr(30)),
              COALESCE(CASE WHEN Event_Type_Cleaned = 'Assessment' THEN lower(Assessment_Type) END, chr(30)),
              COALESCE(CASE WHEN Event_Type_Cleaned = 'Service' THEN Service_Type_Cleaned END, chr(30)),
              COALESCE(CASE WHEN Event_Type_Cleaned = 'Service' THEN lower(Service_Component_Cleaned) END, chr(30))
          ) AS uer
        FROM _asc_clean
        """
    )
    # cropping of services open at the end of a reference period but absent from the next one
    con.execute(
        """
        CREATE OR REPLACE TEMP TABLE _asc_crop AS
        WITH refp AS (
          SELECT DISTINCT LA_Code, Ref_Period_Start_Date, Ref_Period_End_Date FROM _asc_uer
        ), prior_p AS (
          SELECT * FROM refp
          WHERE Ref_Period_Start_Date <> (SELECT MAX(r2.Ref_Period_Start_Date) FROM refp r2 WHERE r2.LA_Code = refp.LA_Code)
        ), nxt AS (
          SELECT DISTINCT LA_Code, Ref_Period_Start_Date, uer FROM _asc_uer
        )
        SELECT p.rid FROM _asc_uer p
        JOIN prior_p pp ON p.LA_Code = pp.LA_Code AND p.Ref_Period_Start_Date = pp.Ref_Period_Start_Date
                       AND p.Ref_Period_End_Date = pp.Ref_Period_End_Date
        LEFT JOIN nxt n ON n.LA_Code = p.LA_Code AND n.uer = p.uer
                       AND n.Ref_Period_Start_Date = p.Ref_Period_End_Date + INTERVAL 1 DAY
        WHERE (p.Der_Event_End_Date IS NULL OR p.Der_Event_End_Date > p.Ref_Period_End_Date)
          AND n.uer IS NULL
        """
    )
    # -- 4. de-duplication (GetUniqueEvents, 'Joined') --------------------------------------
    # ROW_NUMBER() OVER (PARTITION BY unique event ORDER BY Ref_Period_End_Date DESC, end (NULL
    # first) DESC, outcome hierarchy ASC, [conversation flag DESC,] record id DESC) = 1, computed
    # as arg_max over the same ordering key (a hash aggregate instead of a sort).
    con.execute(
        f"""
        CREATE OR REPLACE TEMP TABLE {MAIN} AS
        WITH u AS (
          SELECT u.* REPLACE (
                   CASE WHEN c.rid IS NOT NULL THEN u.Ref_Period_End_Date ELSE u.Der_Event_End_Date END
                   AS Der_Event_End_Date),
                 c.rid IS NOT NULL AS cropped
          FROM _asc_uer u LEFT JOIN _asc_crop c ON u.rid = c.rid
        ), win AS (
          SELECT arg_max(rid, (Ref_Period_End_Date, COALESCE(Der_Event_End_Date, {FAR_FUTURE}),
                               -COALESCE(Event_Outcome_Hierarchy, 999), rid)) AS rid
          FROM u GROUP BY uer
        )
        SELECT * FROM u WHERE rid IN (SELECT rid FROM win)
        """
    )
    for view in ("_asc_clean", "_asc_ev", "_asc_raw"):  # views (not copies) where they are read once
        con.execute(f"DROP VIEW IF EXISTS {view}")
    for t in (
        "_asc_uer",
        "_asc_crop",
        *(f"_asc_map{i}" for i in range(len(mapped))),
    ):
        con.execute(f"DROP TABLE IF EXISTS {t}")
    build_person_details(con)


def build_person_details(con: duckdb.DuckDBPyConnection) -> None:
    """Latest person details (Create_personal_details_table.sql)."""
    inv = R.sql_quote(R.INVALID)
    # The latest known value per person of three attributes; conflicting values at the top rank -> 'Unknown'.
    # DENSE_RANK() OVER (PARTITION BY person ORDER BY known DESC, Ref_Period_End_Date DESC, end (NULL = 9999-01-01)
    # DESC, start DESC) = 1, done as "rows whose key equals the person's max key" for the three at once: one
    # grouping for the max keys (with birth and death), then one join and one grouping for the values.
    attrs = {  # name: (value, known)
        "Gender": (
            f"CASE WHEN Gender_Cleaned IS NULL OR Gender_Cleaned IN ('Unknown', {inv}) THEN 'Unknown' "
            "ELSE Gender_Cleaned END",
            f"CASE WHEN Gender_Cleaned IS NULL OR Gender_Cleaned IN ('Unknown', {inv}) THEN 0 ELSE 1 END",
        ),
        "Primary_Support_Reason": (
            f"CASE WHEN Primary_Support_Reason_Cleaned IS NULL OR Primary_Support_Reason_Cleaned = {inv} "
            "THEN 'Unknown' ELSE Primary_Support_Reason_Cleaned END",
            f"CASE WHEN Primary_Support_Reason_Cleaned IS NULL OR Primary_Support_Reason_Cleaned IN "
            f"('Unknown', {inv}, 'Social support: Support to unpaid carer') THEN 0 ELSE 1 END",
        ),
        "Accommodation_Status_Latest": (
            f"CASE WHEN Accommodation_Status_Cleaned IS NULL OR Accommodation_Status_Cleaned = {inv} THEN 'Unknown' "
            "ELSE Accommodation_Status_Cleaned END",
            f"CASE WHEN Accommodation_Status_Cleaned IS NULL OR Accommodation_Status_Cleaned IN ('Unknown', {inv}) "
            "THEN 0 ELSE 1 END",
        ),
    }
    rank_tail = f"Ref_Period_End_Date, COALESCE(Der_Event_End_Date, {FAR_FUTURE}), Event_Start_Date"
    attr_cols = ", ".join(
        f"{value} AS v{i}, ({known}, {rank_tail}) AS k{i}" for i, (value, known) in enumerate(attrs.values())
    )
    top_keys = ", ".join(f"max(k{i}) AS mk{i}" for i in range(len(attrs)))
    latest = ", ".join(
        f"CASE WHEN COUNT(DISTINCT lower(v{i})) FILTER (WHERE k{i} = mk{i}) > 1 THEN 'Unknown' "
        f"ELSE MIN(v{i}) FILTER (WHERE k{i} = mk{i}) END AS {name}"
        for i, name in enumerate(attrs)
    )
    useful = "('Shared Lives', 'Community supported living', 'Extra care housing', 'Home support or domiciliary care')"
    st_h = " ".join(f"WHEN {R.sql_quote(k)} THEN {v}" for k, v in R.SEQUEL_SERVICE_HIERARCHY.items())
    con.execute(
        f"""
        CREATE OR REPLACE TEMP TABLE {PERSON} AS
        WITH a AS (
          SELECT LA_Code, person_id, Der_Birth_Year, Der_Birth_Month, Date_of_Death, Ref_Period_End_Date,
                 {attr_cols}
          FROM {MAIN}
        ),
        tops AS (
          SELECT LA_Code, person_id,
            arg_max({{'y': Der_Birth_Year, 'm': Der_Birth_Month}},
                    ((CASE WHEN Der_Birth_Year IS NULL OR Der_Birth_Month IS NULL THEN 1 ELSE 2 END),
                     Ref_Period_End_Date, COALESCE(-Der_Birth_Year, 0), COALESCE(-Der_Birth_Month, 0))) AS b,
            arg_max(Date_of_Death, ((CASE WHEN Date_of_Death IS NULL THEN 1 ELSE 2 END), Ref_Period_End_Date,
                                    COALESCE(Date_of_Death, DATE '0001-01-01'))) AS Date_of_Death,
            {top_keys}
          FROM a GROUP BY LA_Code, person_id
        ),
        latest AS (
          SELECT a.LA_Code, a.person_id, {latest}
          FROM a JOIN tops t ON a.LA_Code = t.LA_Code AND a.person_id = t.person_id
          GROUP BY a.LA_Code, a.person_id
        ),
        s0 AS (
          SELECT LA_Code, person_id, Service_Type_Cleaned, Service_Component_Cleaned,
                 (COALESCE(Der_Event_End_Date, {FAR_FUTURE}),
                  -COALESCE(CASE Service_Type_Cleaned {st_h} END, 99),
                  CASE WHEN Service_Component_Cleaned IN {useful} THEN 1 ELSE 0 END,
                  Event_Start_Date) AS key,
                 COALESCE(CASE Service_Type_Cleaned {st_h} END, 99) AS h,
                 CASE WHEN Service_Component_Cleaned IN {useful} THEN 1 ELSE 0 END AS u
          FROM {MAIN} WHERE Event_Type_Cleaned = 'Service'
        ),
        svc AS (
          SELECT s0.LA_Code, s0.person_id,
            CASE WHEN COUNT(DISTINCT CASE WHEN h <> 99 THEN Service_Type_Cleaned END) = 1
                 THEN MAX(CASE WHEN h <> 99 THEN Service_Type_Cleaned END) END AS stype,
            CASE WHEN COUNT(DISTINCT CASE WHEN u = 1 THEN Service_Component_Cleaned END) = 1
                 THEN MAX(CASE WHEN u = 1 THEN Service_Component_Cleaned END) END AS scomp
          FROM s0 JOIN (SELECT LA_Code, person_id, max(key) AS mk FROM s0 GROUP BY ALL) t
            ON s0.LA_Code = t.LA_Code AND s0.person_id = t.person_id AND s0.key = t.mk
          GROUP BY s0.LA_Code, s0.person_id
        )
        SELECT t.LA_Code, t.person_id,
          CASE WHEN t.b.y IS NULL OR t.b.m IS NULL THEN NULL ELSE make_date(t.b.y, t.b.m, 1) END AS Der_Birth_Date,
          t.Date_of_Death,
          l.Gender,
          l.Primary_Support_Reason,
          CASE WHEN l.Accommodation_Status_Latest <> 'Unknown' THEN l.Accommodation_Status_Latest
               WHEN v.stype = 'Long term support: Nursing care' THEN 'Registered nursing home'
               WHEN v.stype = 'Long term support: Residential care' THEN 'Registered care home'
               WHEN v.scomp = 'Shared Lives' THEN 'Shared Lives scheme'
               WHEN v.scomp = 'Extra care housing' THEN 'Sheltered housing, extra care housing or other sheltered housing'
               WHEN v.scomp = 'Community supported living' THEN 'Supported accommodation, supported lodgings or supported group home'
               WHEN v.stype = 'Long term support: Community' AND v.scomp = 'Home support or domiciliary care'
                    THEN {R.sql_quote(R.PRESUMED_AT_HOME)}
               WHEN v.stype = 'Long term support: Community' AND v.scomp IS NULL THEN {R.sql_quote(R.PRESUMED_IN_COMMUNITY)}
               WHEN v.stype = 'Long term support: Prison' THEN 'Prison, young offenders institution or detention centre'
               ELSE 'Unknown' END AS Accommodation_Status,
          l.Accommodation_Status_Latest <> 'Unknown' AS accommodation_submitted
        FROM tops t
        LEFT JOIN latest l USING (LA_Code, person_id)
        LEFT JOIN svc v USING (LA_Code, person_id)
        """
    )
