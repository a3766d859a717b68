"""SALT-style tables (STS001, STS002a, STS002b, LTS001a/b/c, LTS002a/b, LTS003, LTS004) from CLD, in DuckDB.

Method: NHS England, "Central Transformation Principles - Reproducing SALT metrics from CLD", v0.3 2023/24
FINAL (``/work/shared/specs/data/NHSE_CTP_Reproducing_SALT_from_CLD_2023-24.txt``), rule by rule; ambiguities
settled by reading NHS England's SQL (``NHSDigital/ASC-Client-Level-Data-SALT-ASCOF-transformations``, folders
``SALT STS001`` .. ``SALT LTS004``).  Our own implementation; no code is copied.  ``docs/salt.md`` explains every
table, every rule and every place where we differ, and each :class:`Table` carries the notes users see.

Input is the same typed CLD table the ASCOF engine reads (``load.load_cld_csv`` or the projection of the case
record).  Pipeline (NHS England, where it differs from DHSC's ``prepare.build_main``):

* Person ID (CTP "Distinct headcount methodology"): NHS number when present; otherwise the LA person ID, *unless
  that LA ID also appears on a row with an NHS number* (the row cannot be attributed safely and is dropped).
* Submissions: a submission is a distinct (reporting period start, reporting period end) pair of an LA, ranked by
  end date then file order (as ``prepare``).  Two views are built:
  - *latest version of each event* (STS001, STS002a, STS002b, which look across reporting periods): for each event
    key (LA, ID, client type, event type, start date and: route of access / service type, component and delivery
    mechanism / assessment type / review reason) the rows from the latest submission holding it;
  - *latest submission* (LTS001a/b/c, LTS002a/b, LTS003, LTS004): the rows of the LA's latest submission whose
    reporting period covers the whole period.  When no submission covers it, the latest version of each event is
    used instead and the table says so.
* Coded values are compared case- and punctuation-insensitively, Release 1 and Release 2 wordings both accepted
  (the NHS England SQL runs under a case-insensitive collation and is written in Release 1 wording).
* Age: proxy date of birth = 1st of the birth month; age = floor(days to the period end / 365.25).

Every table is computed as *detail rows* (one per request, episode, review or person, with the cell it counts in
and the rule that put it there) and the cells are counts of those rows, so figures and lists always agree.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import duckdb

from . import refdata as R
from .load import select_columns
from .schema import DEFAULT_LA_CODE

Q = R.sql_quote
FAR = "DATE '9999-12-31'"

TABLE_IDS = [
    "STS001",
    "STS002a",
    "STS002b",
    "LTS001a",
    "LTS001b",
    "LTS001c",
    "LTS002a",
    "LTS002b",
    "LTS003",
    "LTS004",
]
AGE_BANDS = ["18 to 64", "65 and over"]
TOTAL = "Total"
# The database route projects the record from this many days before the period start, so that LTS001c's
# 12 months of continuous support, request clusters and new-client checks can see earlier events.
LOOKBACK_DAYS = 366

NURSING, RESIDENTIAL, COMMUNITY, PRISON = R.LTS_TYPES
OLL = "Short term support: Ongoing low level"
OTHER_ST = "Short term support: Other short term"
CARER_DIRECT = "Unpaid carer support: Direct to unpaid carer"
CARER_INVOLVING = "Unpaid carer support: Support involving the person cared-for"
DP, PB, CS = "Direct payment", "CASSR managed personal budget", "CASSR commissioned support"

# ---------------------------------------------------------------------------------------------------------------
# Reference data
# ---------------------------------------------------------------------------------------------------------------

# STS001 sequels (CTP appendix "STS001"), plus NHS England's extra "unable to classify" category.
S1_STMAX = "Short Term Support to Maximise Independence"
S1_NURSING = "Long Term Support Nursing Care"
S1_RESIDENTIAL = "Long Term Support Residential Care"
S1_COMMUNITY = "Long Term Support Community"
S1_PRISON = "Long Term Support Prison"
S1_NHS = "100% NHS Funded Care"
S1_EOL = "End of Life"
S1_OLL = "Ongoing Low Level Support"
S1_OTHER_ST = "Short Term Support (other)"
S1_UNIVERSAL = "Universal Services/ Signposted to other services"
S1_DECEASED = "No Services Provided - Deceased"
S1_OTHER = "No Services Provided - other reason"
UNCLASSIFIED = "Unable to classify"
STS001_COLUMNS = [
    S1_STMAX,
    S1_NURSING,
    S1_RESIDENTIAL,
    S1_COMMUNITY,
    S1_PRISON,
    S1_NHS,
    S1_EOL,
    S1_OLL,
    S1_OTHER_ST,
    S1_UNIVERSAL,
    S1_DECEASED,
    S1_OTHER,
    UNCLASSIFIED,
    TOTAL,
]
# NHS England STS001 service hierarchy (#REF_Service_Type): ST-Max outranks every other service.
STS001_SERVICES = [
    (R.STMAX, 1, S1_STMAX),
    (NURSING, 2, S1_NURSING),
    (RESIDENTIAL, 3, S1_RESIDENTIAL),
    (COMMUNITY, 4, S1_COMMUNITY),
    (PRISON, 5, S1_PRISON),
    (OLL, 6, S1_OLL),
    (OTHER_ST, 7, S1_OTHER_ST),
]

# STS002a sequels (CTP appendix "STS002a" and #REF_ST_MAX_Sequel_Mappings)
S2_EARLY = "Early cessation of service (not leading to long term support) - 100% NHS funded care/End of Life/deceased"
S2_LTS = "Long Term Support (any setting)"
S2_SELF = "No services provided – needs identified but self-funding"
S2_OLL = "Ongoing Low Level Support"
S2_OTHER_ST = "Short Term Support (other)"
S2_DECLINED = "No services provided – needs identified but support declined"
S2_UNIVERSAL = "No Services Provided – Universal Services / signposted to other services"
S2_OTHER = "No services provided – other"
STS002A_ROWS = [
    S2_EARLY,
    S2_LTS,
    S2_SELF,
    S2_OLL,
    S2_OTHER_ST,
    S2_DECLINED,
    S2_UNIVERSAL,
    S2_OTHER,
    UNCLASSIFIED,
]
STS002_SERVICES = [
    (NURSING, 1, S2_LTS),
    (RESIDENTIAL, 2, S2_LTS),
    (COMMUNITY, 3, S2_LTS),
    (PRISON, 4, S2_LTS),
    (OLL, 5, S2_OLL),
    (OTHER_ST, 6, S2_OTHER_ST),
]

SEAP = "NFA: Support ended as planned"


@dataclass(frozen=True)
class Outcome:
    label: str  # Release 2 wording (Release 1-only values keep their Release 1 wording)
    alternatives: tuple[str, ...]
    rank: int  # NHS England STS001/STS002a #REF_Event_Outcome_Hierarchy (1 = highest), used for ties
    sts001: (
        str | None
    )  # STS001 sequel (None = unable to classify); not None = "Mapping_Code 1" (usable NFA/EOL)
    sts002: str | None  # STS002a sequel when the ST-Max's own outcome is used (None = unable to classify)
    nfa: bool  # an "NFA ..." outcome in Release 1 terms (STS002a looks for these in the sequel chain)


OUTCOMES: list[Outcome] = [
    Outcome("Progress to reablement/ST-Max", ("Progress to Reablement/ST-Max",), 1, None, None, False),
    Outcome(
        "Progress to assessment, review or reassessment",
        ("Progress to Assessment", "Progress to Re-assessment / Unplanned Review"),
        2,
        None,
        None,
        False,
    ),
    Outcome("Admitted to hospital", (), 3, None, S2_OTHER, False),
    Outcome(
        "Progress to support planning or services",
        ("Progress to Support Planning / Services",),
        5,
        None,
        None,
        False,
    ),
    Outcome("Progress to End of Life Care", (), 6, S1_EOL, S2_OTHER, False),
    Outcome("Continuation of support or services", ("No change in package",), 7, None, None, False),
    Outcome(SEAP, ("Service ended as planned",), 8, None, S2_OTHER, False),
    Outcome("Progress to financial assessment", (), 9, None, None, False),
    Outcome("Provision of service", (), 10, None, None, False),
    Outcome("NFA: Deceased", ("NFA - Deceased",), 11, S1_DECEASED, S2_EARLY, True),
    Outcome(
        "NFA: Responsibility moved to another local authority",
        ("NFA - Moved to another LA",),
        12,
        S1_OTHER,
        S2_OTHER,
        True,
    ),
    Outcome(
        "NFA: Referral to NHS services or NHS funded social care",
        ("NFA - 100% NHS funded care",),
        13,
        S1_NHS,
        S2_EARLY,
        True,
    ),
    Outcome(
        "NFA: Information and advice or signposting",
        ("NFA - Information & Advice / Signposting only",),
        14,
        S1_UNIVERSAL,
        S2_UNIVERSAL,
        True,
    ),
    # Release 2 only; no Release 1 equivalent in NHS England's tables.  Mapped as a signposting (assumption).
    Outcome(
        "NFA: Referral to other service within the local authority", (), 15, S1_UNIVERSAL, S2_UNIVERSAL, True
    ),
    Outcome(
        "NFA: Self-funded client or under 12wk disregard",
        ("NFA - Self-funded client (inc. 12wk disregard)",),
        16,
        S1_OTHER,
        S2_SELF,
        True,
    ),
    Outcome("NFA: Support declined", ("NFA - Support declined",), 17, S1_OTHER, S2_DECLINED, True),
    Outcome(
        "NFA: Support ended for other reason",
        ("NFA - Support ended: Other reason",),
        18,
        S1_OTHER,
        S2_OTHER,
        True,
    ),
    Outcome(
        "NFA: No services offered for other reason",
        ("NFA - No services offered: Other reason",),
        19,
        S1_OTHER,
        S2_OTHER,
        True,
    ),
    Outcome("NFA: Other", ("NFA- Other", "NFA - Other"), 20, S1_OTHER, S2_OTHER, True),
]
_OUTCOME_BY_KEY = {R.match_key(v): o for o in OUTCOMES for v in (o.label, *o.alternatives)}

ROUTES = [
    "Planned entry (transition)",
    "Discharge from hospital",
    "Diversion from hospital services",
    "Self-funder with depleted funds",
    "Self-funder with depleted funds (previously 12-week disregard or deferred payment)",
    "Community or other route",
    "Prison",
]
_ROUTE_ALT = {
    "Planned entry (transition)": ["Planned Entry (Transition)", "Planned entry"],
    "Community or other route": ["Community / Other route", "Community/Other route", "Community"],
    "Self-funder with depleted funds (previously 12-week disregard or deferred payment)": [
        "Self-Funder with depleted funds (of which previously provided with 12-week disregard or deferred payment)"
    ],
}
NO_ROUTE = "Route of access not recorded"

PSR_ROWS: list[tuple[str, list[str]]] = [
    ("Physical support: Access and mobility only", ["Physical Support: Access & mobility only"]),
    ("Physical support: Personal care support", []),
    ("Sensory support: Support for visual impairment", []),
    ("Sensory support: Support for hearing impairment", []),
    ("Sensory support: Support for dual impairment", []),
    ("Support with memory and cognition", ["Support with Memory & Cognition"]),
    ("Learning disability support", []),
    ("Mental health support", []),
    ("Social support: Substance misuse support", []),
    ("Social support: Asylum seeker support", []),
    (
        "Social support: Support for social isolation or other reason",
        ["Social Support: Support for Social Isolation/Other"],
    ),
    ("Social support: Support to unpaid carer", ["Social Support: Support to Carer"]),
    ("Unknown", []),
]
PSR_INVALID = "Not recorded or not in the list"
LD = "Learning disability support"

SETTINGS = [
    "Nursing",
    "Residential",
    "Community: Direct payment",
    "Community: CASSR managed personal budget",
    "Community: CASSR commissioned support",
    "Community: delivery mechanism not recorded",
    "Prison: CASSR managed personal budget",
    "Prison: CASSR commissioned support",
    "Prison: delivery mechanism not recorded",
]

UNPLANNED = [
    ("Unplanned: Hospital", "hospital"),
    ("Unplanned: Carer related", "carer"),
    ("Unplanned: Safeguarding concern", "safeguarding"),
    ("Unplanned: Provider failure", "provider"),
    ("Unplanned: Change in commissioning arrangements", "commissioning"),
    ("Unplanned: Other reason", ""),
]
PLANNED_ROW = "Planned review"
REVIEW_SEQUELS = [
    "Admitted to nursing care",
    "Admitted to residential care",
    "Progress to reablement/ST-Max",
    "Further assessment or support planning",
    "Long term support continued",
    "Admitted to hospital",
    "Support ended: deceased",
    "Support ended: other reason",
    UNCLASSIFIED,
]
PROGRESS_OUTCOMES = [
    "Progress to reablement/ST-Max",
    "Progress to assessment, review or reassessment",
    "Progress to support planning or services",
]

CARER_SUPPORT = list(R.CARER_SUPPORT_HIERARCHY)
CARER_AGES = ["Under 18", "18 to 25", "26 to 64", "65 to 84", "85 and over", "Age unknown"]

EMPLOYMENT = [
    "Paid: Less than 16 hours a week",
    "Paid: 16 or more hours a week",
    "Paid: Hours per week unknown",
    "Not in paid employment: Seeking work",
    "Not in paid employment: Not actively seeking work or retired",
    "Not in paid employment: Voluntary work only",
    "Unknown",
]
_EMPLOYMENT_ALT = {"Not in paid employment: Seeking work": ["Not in Paid Employment (seeking work)"]}
GENDER_COLUMNS = ["Male", "Female", "Other or not known", TOTAL]
ETHNIC_GROUPS = [
    "White",
    "Mixed or multiple ethnic groups",
    "Asian or Asian British",
    "Black, Black British, Caribbean or African",
    "Other ethnic group",
    "No data",
]


def _lookup(rows: list[str] | list[tuple[str, list[str]]], alternatives: dict[str, list[str]] | None = None):
    table = {}
    for item in rows:
        label, alts = item if isinstance(item, tuple) else (item, (alternatives or {}).get(item, []))
        for v in (label, *alts):
            table[R.match_key(v)] = label
    return table


_ROUTE_BY_KEY = _lookup(ROUTES, _ROUTE_ALT)
_PSR_BY_KEY = _lookup(PSR_ROWS)
_EMPLOYMENT_BY_KEY = _lookup(EMPLOYMENT, _EMPLOYMENT_ALT)


def _ethnic_group(value: str) -> str | None:
    head = value.split(":", 1)[0].strip()
    for g in ETHNIC_GROUPS:
        if R.match_key(g) == R.match_key(head):
            return g
    return None


# ---------------------------------------------------------------------------------------------------------------
# Result objects
# ---------------------------------------------------------------------------------------------------------------


@dataclass
class Table:
    """One SALT-style table: ``rows`` x ``columns`` of counts, the notes users see, and the detail behind it."""

    id: str
    title: str
    unit: str  # what one count is: "requests", "episodes", "people", "reviews", "carers"
    columns: list[str]
    rows: list[dict[str, Any]]  # {"group": str, "label": str, "cells": [int, ...]}
    notes: list[str]
    details: list[dict[str, Any]] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        return {
            "title": self.title,
            "unit": self.unit,
            "counted": self.counted,
            "columns": self.columns,
            "rows": [dict(r) for r in self.rows],
            "notes": list(self.notes),
        }

    @property
    def counted(self) -> int:
        """The table's headline figure: how many people, requests, episodes, reviews or carers it counts (each
        once, though a table in several blocks, such as LTS001b by reason, gender and ethnic group, counts a person
        in each)."""
        return len(self.cell_details())

    def cell(self, group: str, row: str, column: str) -> int | None:
        for r in self.rows:
            if r["group"] == group and r["label"] == row:
                return r["cells"][self.columns.index(column)]
        return None

    def cell_details(self, group: str = "", row: str = TOTAL, column: str = TOTAL) -> list[dict[str, Any]]:
        """The counted detail rows behind one cell ("Total" row/column and a blank group mean "any"), each unit
        once (the first of its rows: a table in several blocks lists a person in each)."""
        seen: set[tuple] = set()
        out = []
        for d in self.details:
            if (
                d["counted"]
                and (not group or d["group"] == group)
                and (row in ("", TOTAL) or d["row"] == row)
                and (column in ("", TOTAL) or d["column"] == column)
            ):
                key = (d["la_code"], d["person_id"], d["unit"])
                if key not in seen:
                    seen.add(key)
                    out.append(d)
        return out


def _tabulate(
    details: list[dict[str, Any]],
    groups: list[str],
    rows: list[str],
    columns: list[str],
    *,
    extra_rows: bool = True,
    total_row: bool = True,
) -> list[dict[str, Any]]:
    """Count counted details into rows x columns per group; the last column is the row total."""
    data_cols = [c for c in columns if c != TOTAL]
    counts = Counter((d["group"], d["row"], d["column"]) for d in details if d["counted"])
    out = []
    for g in groups:
        labels = list(rows)
        if extra_rows:
            labels += sorted({r for (gg, r, _c) in counts if gg == g} - set(rows))
        for label in labels:
            cells = [counts[(g, label, c)] for c in data_cols]
            if TOTAL in columns:
                cells.append(sum(cells))
            out.append({"group": g, "label": label, "cells": cells})
        if total_row:
            cells = [sum(n for (gg, _r, cc), n in counts.items() if gg == g and cc == c) for c in data_cols]
            if TOTAL in columns:
                cells.append(sum(cells))
            out.append({"group": g, "label": TOTAL, "cells": cells})
    return out


# ---------------------------------------------------------------------------------------------------------------
# Preparation
# ---------------------------------------------------------------------------------------------------------------

_USED = [
    "Reporting_Period_Start_Date",
    "Reporting_Period_End_Date",
    "LA_Code",
    "NHS_Number",
    "LA_Person_Unique_Identifier",
    "Gender",
    "Ethnicity",
    "Date_of_Birth",
    "Date_of_Death",
    "Client_Type",
    "Primary_Support_Reason",
    "Accommodation_Status",
    "Employment_Status",
    "Has_Unpaid_Carer",
    "Event_Type",
    "Event_Start_Date",
    "Event_End_Date",
    "Event_Outcome",
    "Request_Route_of_Access",
    "Assessment_Type",
    "Service_Type",
    "Service_Component",
    "Delivery_Mechanism",
    "Review_Reason",
    "Method_of_Review",
]


def _qi(ident: str) -> str:
    return '"' + ident.replace('"', '""') + '"'


def _d(value: dt.date) -> str:
    return f"DATE '{value.isoformat()}'"


def _age(birth: str, at: str) -> str:
    return f"CAST(FLOOR(date_diff('day', {birth}, {at}) / 365.25) AS INTEGER)"


def _map_field(con, source: str, fieldname: str, name: str, fn, out_cols: list[tuple[str, str]]) -> str:
    """A temp table mapping each distinct value of ``fieldname`` to ``fn(value)`` (a tuple); returns its name."""
    values = [
        r[0]
        for r in con.execute(
            f"SELECT DISTINCT {fieldname} FROM {source} WHERE {fieldname} IS NOT NULL"
        ).fetchall()
    ]
    cols = ", ".join(f"{c} {t}" for c, t in out_cols)
    con.execute(f"CREATE OR REPLACE TEMP TABLE {name} (raw VARCHAR, {cols})")
    if values:
        marks = ", ".join("?" for _ in range(len(out_cols) + 1))
        con.executemany(f"INSERT INTO {name} VALUES ({marks})", [(v, *fn(v)) for v in values])
    return name


def _outcome_fields(value: str):
    o = _OUTCOME_BY_KEY.get(R.match_key(value))
    if o is None:
        return (R.INVALID, 99, None, None, False)
    return (o.label, o.rank, o.sts001, o.sts002, o.nfa)


def _prepare(con: duckdb.DuckDBPyConnection, table: str, ps: dt.date, pe: dt.date) -> dict[str, Any]:
    """Build ``_sa_ver`` (latest version of each event), ``_sa_cur`` (latest covering submission) and
    ``_sa_person``; returns facts for the notes."""
    con.execute(
        f"CREATE OR REPLACE TEMP TABLE _sa_raw AS SELECT rowid AS rid, {select_columns(con, table, _USED, DEFAULT_LA_CODE)} "
        f"FROM {_qi(table)}"
    )
    src = "_sa_raw"
    canon = [
        ("Event_Type", {v: [] for v in R.EVENT_TYPES}, "et"),
        ("Client_Type", R.CLIENT_TYPE, "ct"),
        ("Service_Type", R.SERVICE_TYPE, "st"),
        ("Delivery_Mechanism", R.DELIVERY_MECHANISM, "dm"),
        ("Accommodation_Status", R.ACCOMMODATION, "accom"),
        ("Gender", R.GENDER, "gender"),
    ]
    joins, selects = [], []
    for i, (fld, mapping, alias) in enumerate(canon):
        name = _map_field(
            con,
            src,
            fld,
            f"_sa_m{i}",
            lambda v, m=mapping: (R.canonical(v, m, invalid_if_unknown=True),),
            [("v", "VARCHAR")],
        )
        joins.append(f"LEFT JOIN {name} m{i} ON m{i}.raw = r.{fld}")
        selects.append(f"m{i}.v AS {alias}")
    extra = [
        (
            "Event_Outcome",
            "mo",
            _outcome_fields,
            [
                ("eo", "VARCHAR"),
                ("eo_rank", "INTEGER"),
                ("s1_map", "VARCHAR"),
                ("s2_map", "VARCHAR"),
                ("eo_nfa", "BOOLEAN"),
            ],
        ),
        (
            "Request_Route_of_Access",
            "mr",
            lambda v: (_ROUTE_BY_KEY.get(R.match_key(v), v),),
            [("route", "VARCHAR")],
        ),
        (
            "Primary_Support_Reason",
            "mp",
            lambda v: (_PSR_BY_KEY.get(R.match_key(v), PSR_INVALID),),
            [("psr", "VARCHAR")],
        ),
        (
            "Employment_Status",
            "me",
            lambda v: (_EMPLOYMENT_BY_KEY.get(R.match_key(v)),),
            [("employment", "VARCHAR")],
        ),
        ("Ethnicity", "mn", lambda v: (_ethnic_group(v),), [("ethnic_group", "VARCHAR")]),
    ]
    for fld, alias, fn, out_cols in extra:
        name = _map_field(con, src, fld, f"_sa_{alias}", fn, out_cols)
        joins.append(f"LEFT JOIN {name} {alias} ON {alias}.raw = r.{fld}")
        selects.append(", ".join(f"{alias}.{c}" for c, _ in out_cols))
    con.execute(
        f"""
        CREATE OR REPLACE TEMP TABLE _sa_clean AS
        SELECT r.rid, r.LA_Code, r.Reporting_Period_Start_Date AS rps, r.Reporting_Period_End_Date AS rpe,
               NULLIF(regexp_replace(r.NHS_Number, '\\s', '', 'g'), '') AS nhs,
               r.LA_Person_Unique_Identifier AS la_id,
               r.Date_of_Birth AS dob, r.Date_of_Death AS dod, r.Event_Start_Date AS start_d,
               r.Event_End_Date AS end_d, r.Service_Component AS sc, r.Assessment_Type AS atype,
               r.Review_Reason AS review_reason, r.Method_of_Review AS review_method,
               r.Has_Unpaid_Carer AS has_carer, r.Event_Outcome AS eo_raw,
               r.Primary_Support_Reason AS psr_raw,
               CASE WHEN r.Primary_Support_Reason IS NULL OR lower(r.Primary_Support_Reason) = 'unknown' THEN 0
                    ELSE 1 END AS psr_known,
               {", ".join(selects)}
        FROM {src} r {" ".join(joins)}
        """
    )
    # submissions: (LA, reporting period start, end), ranked by end date then file order
    con.execute(
        """
        CREATE OR REPLACE TEMP TABLE _sa_subs AS
        SELECT LA_Code, rps, rpe, MAX(rid) AS last_rid,
               row_number() OVER (PARTITION BY LA_Code ORDER BY rpe, MAX(rid)) AS sub_rank
        FROM _sa_clean WHERE rps IS NOT NULL AND rpe IS NOT NULL GROUP BY LA_Code, rps, rpe
        """
    )
    # NHS England person ID
    con.execute(
        """
        CREATE OR REPLACE TEMP TABLE _sa_ev AS
        WITH linked AS (SELECT DISTINCT LA_Code, la_id FROM _sa_clean WHERE nhs IS NOT NULL AND la_id IS NOT NULL)
        SELECT c.*, s.sub_rank,
          CASE WHEN c.nhs IS NOT NULL THEN c.nhs WHEN l.la_id IS NULL THEN c.la_id END AS pid
        FROM _sa_clean c
        JOIN _sa_subs s ON s.LA_Code = c.LA_Code AND s.rps = c.rps AND s.rpe = c.rpe
        LEFT JOIN linked l ON l.LA_Code = c.LA_Code AND l.la_id = c.la_id AND c.nhs IS NULL
        """
    )
    facts = dict(
        zip(
            ["rows", "no_period", "dropped_id"],
            con.execute(
                """SELECT (SELECT COUNT(*) FROM _sa_clean),
                  (SELECT COUNT(*) FROM _sa_clean WHERE rps IS NULL OR rpe IS NULL),
                  (SELECT COUNT(*) FROM _sa_ev WHERE pid IS NULL AND la_id IS NOT NULL)"""
            ).fetchone(),
            strict=True,
        )
    )
    con.execute("DELETE FROM _sa_ev WHERE pid IS NULL")
    # latest version of each event (NHS England "bespoke Event ID", latest import wins; end date not in the key)
    con.execute(
        """
        CREATE OR REPLACE TEMP TABLE _sa_ver AS
        SELECT * EXCLUDE (k, top) FROM (
          SELECT *, MAX(sub_rank) OVER (PARTITION BY k) AS top FROM (
            SELECT *, concat_ws(chr(31), LA_Code, pid, COALESCE(ct, ''), COALESCE(et, ''),
                      COALESCE(CAST(start_d AS VARCHAR), ''),
                      CASE et WHEN 'Request' THEN COALESCE(lower(route), '')
                              WHEN 'Service' THEN COALESCE(st, '') || chr(30) || COALESCE(lower(sc), '') || chr(30)
                                                  || COALESCE(dm, '')
                              WHEN 'Assessment' THEN COALESCE(lower(atype), '')
                              WHEN 'Review' THEN COALESCE(lower(review_reason), '') ELSE '' END) AS k
            FROM _sa_ev) a) b
        WHERE sub_rank = top
        """
    )
    # latest submission covering the period, per LA (else fall back to the latest version of each event)
    covering = con.execute(
        f"""SELECT LA_Code, MAX(sub_rank) FROM _sa_subs WHERE rps <= {_d(ps)} AND rpe >= {_d(pe)} GROUP BY LA_Code"""
    ).fetchall()
    las = [r[0] for r in con.execute("SELECT DISTINCT LA_Code FROM _sa_subs ORDER BY 1").fetchall()]
    con.execute("CREATE OR REPLACE TEMP TABLE _sa_cover (LA_Code VARCHAR, sub_rank BIGINT)")
    if covering:
        con.executemany("INSERT INTO _sa_cover VALUES (?, ?)", covering)
    con.execute(
        """
        CREATE OR REPLACE TEMP TABLE _sa_cur AS
        SELECT e.* FROM _sa_ev e JOIN _sa_cover c ON c.LA_Code = e.LA_Code AND c.sub_rank = e.sub_rank
        UNION ALL
        SELECT v.* FROM _sa_ver v WHERE v.LA_Code NOT IN (SELECT LA_Code FROM _sa_cover)
        """
    )
    facts["fallback_las"] = sorted(set(las) - {r[0] for r in covering})
    # person details: latest submitted birth month, death date, gender, ethnic group
    con.execute(
        """
        CREATE OR REPLACE TEMP TABLE _sa_person AS
        SELECT LA_Code, pid,
          arg_max(make_date(year(dob), month(dob), 1), (sub_rank, rid)) FILTER (WHERE dob IS NOT NULL) AS dob1,
          arg_max(dod, (sub_rank, rid)) FILTER (WHERE dod IS NOT NULL) AS dod,
          COALESCE(arg_max(gender, (sub_rank, rid)) FILTER (WHERE gender IN ('Male', 'Female')),
                   'Other or not known') AS gender,
          arg_max(ethnic_group, (sub_rank, rid)) FILTER (WHERE ethnic_group IS NOT NULL AND ethnic_group <> 'No data')
            AS ethnic_group
        FROM _sa_ev GROUP BY LA_Code, pid
        """
    )
    con.execute(
        f"""
        CREATE OR REPLACE TEMP TABLE _sa_age AS
        SELECT LA_Code, pid, dob1, dod, gender, ethnic_group, {_age("dob1", _d(pe))} AS age,
          CASE WHEN dob1 IS NULL THEN 'unknown' WHEN {_age("dob1", _d(pe))} < 18 THEN 'under 18'
               WHEN {_age("dob1", _d(pe))} <= 64 THEN '18 to 64' ELSE '65 and over' END AS band
        FROM _sa_person
        """
    )
    return facts


# ---------------------------------------------------------------------------------------------------------------
# Sequel chains (STS001, STS002a)
# ---------------------------------------------------------------------------------------------------------------


def _hier_case(col: str, services: list[tuple[str, int, str]]) -> str:
    return "CASE " + " ".join(f"WHEN {col} = {Q(s)} THEN {h}" for s, h, _ in services) + " END"


def _chain(
    con,
    out: str,
    anchors: str,
    events: str,
    *,
    exclude: str,
    breaker: str,
    first_window: int,
    services: list[tuple[str, int, str]],
) -> None:
    """Events after each anchor (request cluster / ST-Max episode), in a chain.

    Rows: every event of the person starting on/after the anchor's end (``exclude`` drops the anchor's own rows);
    ``kept`` = the first event starts within ``first_window`` days of the anchor end, no gap of more than 3 days
    after the latest end of the earlier events, and before the first ``breaker`` event (another request /
    another ST-Max supersedes the anchor).
    """
    con.execute(
        f"""
        CREATE OR REPLACE TEMP TABLE {out} AS
        WITH sq AS (
          SELECT a.LA_Code, a.pid, a.k, a.ce, e.et, e.st, e.eo, e.eo_rank, e.s1_map, e.s2_map, e.eo_nfa, e.rid,
                 e.start_d AS s, e.end_d AS ed, COALESCE(e.end_d, {FAR}) AS e,
                 {_hier_case("e.st", services)} AS h,
                 ({breaker}) AS is_break
          FROM {anchors} a JOIN {events} e ON e.LA_Code = a.LA_Code AND e.pid = a.pid
          WHERE e.start_d >= a.ce AND NOT ({exclude})
        ), x AS (
          SELECT *, MIN(s) OVER w AS first_s, MIN(CASE WHEN is_break THEN s END) OVER w AS first_break,
                 MAX(e) OVER (PARTITION BY LA_Code, pid, k ORDER BY s, e, rid
                              ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS prev_end
          FROM sq WINDOW w AS (PARTITION BY LA_Code, pid, k)
        ), y AS (
          SELECT *, MAX(CASE WHEN prev_end IS NOT NULL AND date_diff('day', prev_end, s) > 3 THEN 1 ELSE 0 END)
                      OVER (PARTITION BY LA_Code, pid, k ORDER BY s, e, rid ROWS UNBOUNDED PRECEDING) AS broken
          FROM x
        )
        SELECT *, (broken = 0 AND date_diff('day', ce, first_s) <= {first_window}
                   AND (first_break IS NULL OR s < first_break)) AS kept
        FROM y
        """
    )


def _summarise_chain(con, out: str, chain: str, usable: str) -> None:
    """Per anchor: whether there were later events, the top service in the kept chain, and the latest usable
    NFA outcome among the kept non-service events (``usable`` is a SQL predicate on the chain row)."""
    con.execute(
        f"""
        CREATE OR REPLACE TEMP TABLE {out} AS
        WITH base AS (
          SELECT LA_Code, pid, k, COUNT(*) AS n_after, bool_or(kept) AS any_kept, MIN(first_s) AS first_s,
                 MIN(first_break) AS first_break, MIN(ce) AS ce
          FROM {chain} GROUP BY ALL
        ), svc AS (
          SELECT LA_Code, pid, k, MIN(h) AS top_h, arg_min(st, (h, s, rid)) AS top_st, arg_min(s, (h, s, rid)) AS top_s
          FROM {chain} WHERE kept AND h IS NOT NULL GROUP BY ALL
        ), nfa0 AS (
          SELECT *, MAX(ed) OVER (PARTITION BY LA_Code, pid, k) AS latest
          FROM {chain} WHERE kept AND h IS NULL AND ({usable}) AND ed IS NOT NULL
        ), nfa AS (
          SELECT LA_Code, pid, k, MIN(latest) AS nfa_end, COUNT(DISTINCT eo) AS n_nfa, MIN(eo) AS nfa_eo,
                 arg_min(et, rid) AS nfa_et
          FROM nfa0 WHERE ed = latest GROUP BY ALL
        ), nfa_open AS (
          SELECT LA_Code, pid, k, COUNT(DISTINCT eo) AS n_nfa, MIN(eo) AS nfa_eo, arg_min(et, rid) AS nfa_et
          FROM {chain} WHERE kept AND h IS NULL AND ({usable}) AND ed IS NULL GROUP BY ALL
        )
        SELECT b.*, s.top_h, s.top_st, s.top_s,
               COALESCE(n.n_nfa, o.n_nfa) AS n_nfa, COALESCE(n.nfa_eo, o.nfa_eo) AS nfa_eo,
               COALESCE(n.nfa_et, o.nfa_et) AS nfa_et, n.nfa_end
        FROM base b LEFT JOIN svc s USING (LA_Code, pid, k) LEFT JOIN nfa n USING (LA_Code, pid, k)
        LEFT JOIN nfa_open o USING (LA_Code, pid, k)
        """
    )


def _fmt(d) -> str:
    if d is None or (isinstance(d, dt.date) and d.year == 9999):
        return "open"
    return d.isoformat() if isinstance(d, dt.date) else str(d)


def _fetch(con, sql: str) -> list[dict[str, Any]]:
    cur = con.execute(sql)
    names = [c[0] for c in cur.description]
    return [dict(zip(names, r, strict=True)) for r in cur.fetchall()]


def _band_reason(band: str) -> str | None:
    if band == "unknown":
        return "not counted: age unknown (no date of birth), so no age band"
    if band == "under 18":
        return "not counted: under 18 at the period end"
    return None


# ---------------------------------------------------------------------------------------------------------------
# STS001
# ---------------------------------------------------------------------------------------------------------------


def _sts001(con, ps: dt.date, pe: dt.date) -> tuple[Table, None]:
    lts = "(" + ", ".join(Q(t) for t in R.LTS_TYPES) + ")"
    # service users' events starting on or before the period end, alive at the period start
    con.execute(
        f"""
        CREATE OR REPLACE TEMP TABLE _s_su AS
        SELECT v.* FROM _sa_ver v JOIN _sa_age p USING (LA_Code, pid)
        WHERE v.ct = 'Service user' AND v.start_d IS NOT NULL AND v.start_d <= {_d(pe)}
          AND (p.dod IS NULL OR p.dod >= {_d(ps)})
        """
    )
    # request clusters: a request starting within 4 days of the latest end of the earlier ones joins them
    con.execute(
        f"""
        CREATE OR REPLACE TEMP TABLE _s1_cl AS
        WITH r AS (
          SELECT *, COALESCE(end_d, {FAR}) AS e,
                 MAX(COALESCE(end_d, {FAR})) OVER (PARTITION BY LA_Code, pid ORDER BY start_d, COALESCE(end_d, {FAR}), rid
                     ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS prev_end
          FROM _s_su WHERE et = 'Request'
        ), n AS (
          SELECT *, SUM(CASE WHEN prev_end IS NOT NULL AND date_diff('day', prev_end, start_d) <= 4 THEN 0 ELSE 1 END)
                      OVER (PARTITION BY LA_Code, pid ORDER BY start_d, e, rid ROWS UNBOUNDED PRECEDING) AS k
          FROM r
        ), c AS (
          SELECT *, MIN(start_d) OVER w AS cs, MAX(e) OVER w AS ce, COUNT(*) OVER w AS n_rows,
                 row_number() OVER (PARTITION BY LA_Code, pid, k ORDER BY e DESC, eo_rank, sub_rank DESC, rid DESC) AS rn
          FROM n WINDOW w AS (PARTITION BY LA_Code, pid, k)
        )
        SELECT LA_Code, pid, k, cs, ce, n_rows, route, eo, s1_map FROM c
        WHERE rn = 1 AND ce BETWEEN {_d(ps)} AND {_d(pe)}
        """
    )
    # new clients: no long-term service open when the request cluster started
    con.execute(
        f"""
        CREATE OR REPLACE TEMP TABLE _s1_new AS
        SELECT c.*, x.lts_desc
        FROM _s1_cl c LEFT JOIN (
          SELECT c2.LA_Code, c2.pid, c2.k,
                 arg_min(s.st || ' ' || CAST(s.start_d AS VARCHAR) || ' to ' || COALESCE(CAST(s.end_d AS VARCHAR), 'open'),
                         s.start_d) AS lts_desc
          FROM _s1_cl c2 JOIN _s_su s ON s.LA_Code = c2.LA_Code AND s.pid = c2.pid
          WHERE s.et = 'Service' AND s.st IN {lts} AND s.start_d <= c2.cs AND (s.end_d >= c2.cs OR s.end_d IS NULL)
          GROUP BY ALL
        ) x USING (LA_Code, pid, k)
        """
    )
    _chain(
        con,
        "_s1_chain",
        "(SELECT * FROM _s1_new WHERE lts_desc IS NULL)",
        "_s_su",
        exclude="e.et = 'Request' AND e.start_d <= a.ce",
        breaker="e.et = 'Request'",
        first_window=28,
        services=STS001_SERVICES,
    )
    _summarise_chain(con, "_s1_sum", "_s1_chain", "s1_map IS NOT NULL")
    # STS002a cohort: the ST-Max services that were the sequel (hierarchy 1) of a new client's request
    con.execute(
        f"""
        CREATE OR REPLACE TEMP TABLE _s2_cohort AS
        SELECT DISTINCT c.LA_Code, c.pid, c.s FROM _s1_chain c JOIN _s1_sum m USING (LA_Code, pid, k)
        WHERE c.kept AND c.st = {Q(R.STMAX)} AND m.top_h = 1
        """
    )
    rows = _fetch(
        con,
        """
        SELECT n.*, m.n_after, m.any_kept, m.first_s, m.first_break, m.top_h, m.top_st, m.top_s, m.n_nfa, m.nfa_eo,
               m.nfa_et, m.nfa_end, a.band, a.age
        FROM _s1_new n LEFT JOIN _s1_sum m USING (LA_Code, pid, k) LEFT JOIN _sa_age a USING (LA_Code, pid)
        ORDER BY n.pid, n.cs""",
    )
    svc_cat = {s: cat for s, _, cat in STS001_SERVICES}
    details = []
    for r in rows:
        route = r["route"] or NO_ROUTE
        unit = f"Request {_fmt(r['cs'])} to {_fmt(r['ce'])}" + (
            f" ({r['n_rows']} request rows clustered)" if r["n_rows"] > 1 else ""
        )
        own = r["s1_map"] or UNCLASSIFIED
        own_txt = f"own outcome '{r['eo'] or 'blank'}'"
        if r["lts_desc"]:
            sequel, why = (
                None,
                f"existing client (long-term service {r['lts_desc']} open when the request started)",
            )
        elif not r["n_after"]:
            sequel, why = own, f"no later events; {own_txt}"
        elif not r["any_kept"]:
            gap = (r["first_s"] - r["ce"]).days
            if gap > 28:
                cause = f"first later event starts {gap} days after the request ended (more than 28)"
            else:
                cause = f"superseded by a new request on {_fmt(r['first_break'])}"
            sequel, why = own, f"{cause}; {own_txt}"
        elif r["top_h"] is not None:
            sequel = svc_cat[r["top_st"]]
            why = f"service {r['top_st']} starting {_fmt(r['top_s'])}; hierarchy rank {r['top_h']}"
        elif r["n_nfa"]:
            if r["n_nfa"] > 1:
                sequel, why = (
                    S1_OTHER,
                    f"conflicting NFA outcomes on the latest {r['nfa_et'].lower()}s: treated as NFA: Other",
                )
            else:
                sequel = _OUTCOME_BY_KEY[R.match_key(r["nfa_eo"])].sts001
                why = f"no service; {r['nfa_et'].lower()} outcome '{r['nfa_eo']}' ending {_fmt(r['nfa_end'])}"
        else:
            sequel, why = own, f"later events but no service or usable NFA outcome; {own_txt}"
        skip = _band_reason(r["band"])
        counted = sequel is not None and skip is None
        text = f"{unit} ({route}); " + (f"sequel: {sequel}; {why}" if sequel else why)
        if sequel and skip:
            text += f"; {skip}"
        elif not sequel:
            text += "; not counted: STS001 counts new clients only"
        details.append(
            {
                "person_id": r["pid"],
                "la_code": r["LA_Code"],
                "unit": unit,
                "group": r["band"] if r["band"] in AGE_BANDS else "",
                "row": route,
                "column": sequel or "",
                "counted": counted,
                "rule": text,
            }
        )
    notes = [
        "Requests for support from new clients that ended in the period, by route of access and sequel, "
        "following NHS England's 'Reproducing SALT metrics from CLD' (2023/24).",
        "Requests for the same person starting within 4 days of the previous one ending are one request; "
        "the route of access and outcome are those of the request row that ended last.",
        "A new client had no long-term service (nursing, residential, community or prison) open on the day the "
        "request started.",
        "Sequel: events starting on or after the request ended, the first within 28 days, each within 3 days of "
        "the latest end before it, stopping at the next request. A service there gives the sequel (ST-Max ranks "
        "above all long-term settings, as in NHS England's SQL); otherwise the latest NFA or end-of-life outcome "
        "of an assessment or review; otherwise the request's own outcome.",
        f"'{UNCLASSIFIED}' is NHS England's extra category for requests whose outcome cannot be mapped to a SALT "
        "sequel (for example 'Progress to assessment' with nothing after it). SALT had no such column.",
        "Open requests have not ended and are not counted (NHS England's SQL gives them today's date).",
        "The Release 2 outcome 'NFA: Referral to other service within the local authority' has no Release 1 "
        "mapping; OpenASC counts it as Universal Services/ Signposted to other services.",
        "The Release 2 route 'Self-funder with depleted funds (previously 12-week disregard or deferred payment)' "
        "is SALT's 'of which' row; it is shown as its own row, so add it to 'Self-funder with depleted funds' for "
        "SALT's all self-funders row.",
        "Requests of people with no date of birth, or under 18 at the period end, are listed but not counted "
        "(SALT's tables are 18 to 64 and 65 and over).",
    ]
    table = Table(
        "STS001",
        "Requests for support from new clients, by route of access and sequel",
        "requests",
        STS001_COLUMNS,
        _tabulate(details, AGE_BANDS, ROUTES, STS001_COLUMNS),
        notes,
        details,
    )
    return table, None


# ---------------------------------------------------------------------------------------------------------------
# STS002a / STS002b
# ---------------------------------------------------------------------------------------------------------------


def _stmax_clusters(con, out: str, source: str, ps: dt.date, pe: dt.date) -> None:
    """ST-Max episodes: ST-Max rows of one person starting within 1 day of the latest earlier end; the episode's
    outcome is that of the row ending last (ties: NHS England outcome hierarchy); episodes ending in the period."""
    con.execute(
        f"""
        CREATE OR REPLACE TEMP TABLE {out} AS
        WITH r AS (
          SELECT *, COALESCE(end_d, {FAR}) AS e,
                 MAX(COALESCE(end_d, {FAR})) OVER (PARTITION BY LA_Code, pid ORDER BY start_d, COALESCE(end_d, {FAR}), rid
                     ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS prev_end
          FROM {source}
        ), n AS (
          SELECT *, SUM(CASE WHEN prev_end IS NOT NULL AND date_diff('day', prev_end, start_d) <= 1 THEN 0 ELSE 1 END)
                      OVER (PARTITION BY LA_Code, pid ORDER BY start_d, e, rid ROWS UNBOUNDED PRECEDING) AS k
          FROM r
        ), c AS (
          SELECT *, MIN(start_d) OVER w AS cs, MAX(e) OVER w AS ce, COUNT(*) OVER w AS n_rows,
                 row_number() OVER (PARTITION BY LA_Code, pid, k ORDER BY e DESC, eo_rank, sub_rank DESC, rid DESC) AS rn
          FROM n WINDOW w AS (PARTITION BY LA_Code, pid, k)
        )
        SELECT LA_Code, pid, k, cs, ce, n_rows, eo, eo_rank, s2_map, eo_nfa FROM c
        WHERE rn = 1 AND ce BETWEEN {_d(ps)} AND {_d(pe)}
        """
    )


def _sts002a(con, ps: dt.date, pe: dt.date) -> Table:
    stmax = Q(R.STMAX)
    con.execute(
        f"""
        CREATE OR REPLACE TEMP TABLE _s2_src AS
        SELECT s.* FROM _s_su s JOIN _s2_cohort c ON c.LA_Code = s.LA_Code AND c.pid = s.pid AND c.s = s.start_d
        WHERE s.et = 'Service' AND s.st = {stmax}
        """
    )
    _stmax_clusters(con, "_s2_cl", "_s2_src", ps, pe)
    _chain(
        con,
        "_s2_chain",
        "_s2_cl",
        "_s_su",
        exclude=f"e.et = 'Service' AND e.st = {stmax} AND (e.start_d = a.cs OR e.end_d = a.ce)",
        breaker=f"e.et = 'Service' AND e.st = {stmax}",
        first_window=3,
        services=STS002_SERVICES,
    )
    _summarise_chain(con, "_s2_sum", "_s2_chain", "eo_nfa")
    rows = _fetch(
        con,
        """
        SELECT c.*, m.n_after, m.any_kept, m.first_s, m.first_break, m.top_h, m.top_st, m.top_s, m.n_nfa, m.nfa_eo,
               m.nfa_et, m.nfa_end, a.band
        FROM _s2_cl c LEFT JOIN _s2_sum m USING (LA_Code, pid, k) LEFT JOIN _sa_age a USING (LA_Code, pid)
        ORDER BY c.pid, c.cs""",
    )
    svc_cat = {s: cat for s, _, cat in STS002_SERVICES}
    details = []
    for r in rows:
        unit = f"ST-Max {_fmt(r['cs'])} to {_fmt(r['ce'])}" + (
            f" ({r['n_rows']} rows clustered)" if r["n_rows"] > 1 else ""
        )
        own_txt = f"own outcome '{r['eo'] or 'blank'}'"
        if not r["n_after"]:
            sequel, why = r["s2_map"] or UNCLASSIFIED, f"no later events; {own_txt}"
        elif not r["any_kept"]:
            gap = (r["first_s"] - r["ce"]).days
            cause = (
                f"first later event starts {gap} days after the ST-Max ended (more than 3)"
                if gap > 3
                else f"superseded by another ST-Max on {_fmt(r['first_break'])}"
            )
            sequel, why = r["s2_map"] or UNCLASSIFIED, f"{cause}; {own_txt}"
        elif r["top_h"] is not None:
            sequel = svc_cat[r["top_st"]]
            why = f"service {r['top_st']} starting {_fmt(r['top_s'])}; hierarchy rank {r['top_h']}"
        elif r["n_nfa"]:
            if r["n_nfa"] > 1:
                sequel, why = (
                    S2_OTHER,
                    "conflicting NFA outcomes on the latest later events: treated as NFA: Other",
                )
            else:
                sequel = _OUTCOME_BY_KEY[R.match_key(r["nfa_eo"])].sts002
                why = f"no service; {r['nfa_et'].lower()} outcome '{r['nfa_eo']}' ending {_fmt(r['nfa_end'])}"
        else:
            usable = r["eo_nfa"] or r["eo"] == SEAP
            sequel = (r["s2_map"] if usable else None) or UNCLASSIFIED
            why = f"later events but no service or NFA outcome; {own_txt}"
        skip = _band_reason(r["band"])
        text = f"{unit}; sequel: {sequel}; {why}" + (f"; {skip}" if skip else "")
        details.append(
            {
                "person_id": r["pid"],
                "la_code": r["LA_Code"],
                "unit": unit,
                "group": "",
                "row": sequel,
                "column": r["band"] if r["band"] in AGE_BANDS else "",
                "counted": skip is None,
                "rule": text,
            }
        )
    notes = [
        "ST-Max episodes of new clients that followed a request for support (the STS001 requests whose sequel was "
        "ST-Max) and ended in the period, by what followed.",
        "ST-Max rows starting within 1 day of the previous one ending are one episode.",
        "Sequel: events starting on or after the episode ended, the first within 3 days, each within 3 days of the "
        "latest end before it, stopping at another ST-Max. A service gives the sequel (nursing, residential, "
        "community, prison, ongoing low level, other short term, in that order); otherwise the latest NFA outcome "
        "of a later event; otherwise the episode's own outcome.",
        "Not available from CLD, so not shown: 'Early cessation of service (not leading to long term support)' "
        "and 'Early Cessation of Service (leading to long term support)'. The first row holds only NHS-funded "
        "care and deceased outcomes.",
        "SALT's row 'of whom route of access was self-funder with depleted funds' is not produced.",
        f"'{UNCLASSIFIED}': outcomes that cannot be mapped to a SALT sequel (NHS England's extra category).",
        "People with no date of birth, or under 18 at the period end, are listed but not counted.",
    ]
    columns = [*AGE_BANDS, TOTAL]
    return Table(
        "STS002a",
        "ST-Max for new clients, by what followed",
        "episodes",
        columns,
        _tabulate(details, [""], STS002A_ROWS, columns, extra_rows=False),
        notes,
        details,
    )


def _sts002b(con, ps: dt.date, pe: dt.date) -> Table:
    lts = "(" + ", ".join(Q(t) for t in R.LTS_TYPES) + ")"
    con.execute(
        f"CREATE OR REPLACE TEMP TABLE _s2b_src AS SELECT * FROM _s_su WHERE et = 'Service' "
        f"AND st = {Q(R.STMAX)}"
    )
    _stmax_clusters(con, "_s2b_cl", "_s2b_src", ps, pe)
    rows = _fetch(
        con,
        f"""
        SELECT c.*, a.band, x.lts_desc
        FROM _s2b_cl c LEFT JOIN _sa_age a USING (LA_Code, pid)
        LEFT JOIN (
          SELECT c2.LA_Code, c2.pid, c2.k,
                 arg_min(s.st || ' ' || CAST(s.start_d AS VARCHAR) || ' to ' || COALESCE(CAST(s.end_d AS VARCHAR), 'open'),
                         s.start_d) AS lts_desc
          FROM _s2b_cl c2 JOIN _s_su s ON s.LA_Code = c2.LA_Code AND s.pid = c2.pid
          WHERE s.et = 'Service' AND s.st IN {lts} AND s.start_d <= c2.cs AND (s.end_d >= c2.cs OR s.end_d IS NULL)
          GROUP BY ALL) x USING (LA_Code, pid, k)
        ORDER BY c.pid, c.cs""",
    )
    details = []
    label = "ST-Max episodes of existing clients"
    for r in rows:
        unit = f"ST-Max {_fmt(r['cs'])} to {_fmt(r['ce'])}" + (
            f" ({r['n_rows']} rows clustered)" if r["n_rows"] > 1 else ""
        )
        if r["lts_desc"] is None:
            text, counted = (
                f"{unit}; new client (no long-term service open when it started): STS002a, not here",
                False,
            )
        else:
            skip = _band_reason(r["band"])
            text = f"{unit}; existing client: long-term service {r['lts_desc']} open when it started"
            text += f"; {skip}" if skip else ""
            counted = skip is None
        details.append(
            {
                "person_id": r["pid"],
                "la_code": r["LA_Code"],
                "unit": unit,
                "group": "",
                "row": label,
                "column": r["band"] if r["band"] in AGE_BANDS else "",
                "counted": counted,
                "rule": text,
            }
        )
    notes = [
        "ST-Max episodes ending in the period for people who had a long-term service open when the episode started.",
        "High-level numbers only, as in NHS England's code: what followed the episode (SALT's sequel columns, "
        "including the change-of-setting rows) is not broken down, and route of access does not exist for "
        "ST-Max in CLD (it belongs to requests).",
        "ST-Max rows starting within 1 day of the previous one ending are one episode.",
        "People with no date of birth, or under 18 at the period end, are listed but not counted.",
    ]
    columns = [*AGE_BANDS, TOTAL]
    return Table(
        "STS002b",
        "ST-Max for existing clients",
        "episodes",
        columns,
        _tabulate(details, [""], [label], columns, extra_rows=False, total_row=False),
        notes,
        details,
    )


# ---------------------------------------------------------------------------------------------------------------
# LTS001a/b/c
# ---------------------------------------------------------------------------------------------------------------

_SETTING_SQL = f"""CASE st WHEN {Q(NURSING)} THEN 1 WHEN {Q(RESIDENTIAL)} THEN 2
  WHEN {Q(COMMUNITY)} THEN CASE dm WHEN {Q(DP)} THEN 3 WHEN {Q(PB)} THEN 4 WHEN {Q(CS)} THEN 5 ELSE 6 END
  WHEN {Q(PRISON)} THEN CASE dm WHEN {Q(PB)} THEN 7 WHEN {Q(CS)} THEN 8 ELSE 9 END END"""


def _lts_rows(con, out: str, where: str) -> None:
    lts = "(" + ", ".join(Q(t) for t in R.LTS_TYPES) + ")"
    con.execute(
        f"""
        CREATE OR REPLACE TEMP TABLE {out} AS
        SELECT c.*, {_SETTING_SQL} AS h, a.band, a.age, a.gender AS person_gender, a.dod AS person_dod
        FROM _sa_cur c JOIN _sa_age a USING (LA_Code, pid)
        WHERE c.ct = 'Service user' AND c.et = 'Service' AND c.st IN {lts} AND c.start_d IS NOT NULL
          AND ({where})
        """
    )


def _dedupe(con, out: str, rows: str, value: str, known: str) -> None:
    """NHS England LTS001 de-duplication, one record per person: the highest setting in the hierarchy; of its
    rows, those with a known value; of those, the latest start; conflicting values left -> 'Unknown'."""
    con.execute(
        f"""
        CREATE OR REPLACE TEMP TABLE {out} AS
        WITH r0 AS (SELECT *, {value} AS val, {known} AS known FROM {rows}),
        r1 AS (SELECT * FROM r0 QUALIFY h = MIN(h) OVER (PARTITION BY LA_Code, pid)),
        r2 AS (SELECT * FROM r1 QUALIFY known = MAX(known) OVER (PARTITION BY LA_Code, pid)),
        r3 AS (SELECT * FROM r2 QUALIFY start_d = MAX(start_d) OVER (PARTITION BY LA_Code, pid))
        SELECT LA_Code, pid, MIN(h) AS h, MIN(band) AS band, MIN(age) AS age,
               CASE WHEN COUNT(DISTINCT val) > 1 THEN 'Unknown' ELSE MIN(val) END AS val,
               COUNT(DISTINCT val) > 1 AS conflict,
               arg_min(st || COALESCE(' / ' || dm, '') || ' ' || CAST(start_d AS VARCHAR) || ' to '
                       || COALESCE(CAST(end_d AS VARCHAR), 'open'), rid) AS service,
               (SELECT COUNT(*) FROM {rows} x WHERE x.LA_Code = r3.LA_Code AND x.pid = r3.pid) AS n_services
        FROM r3 GROUP BY LA_Code, pid
        """
    )


def _lts_details(
    con, table: str, group_prefix: str, what: str, extra: str = "", missing: str = PSR_INVALID
) -> list[dict[str, Any]]:
    out = []
    for r in _fetch(con, f"SELECT * FROM {table} ORDER BY pid"):
        setting = SETTINGS[r["h"] - 1]
        val = r["val"] or missing
        text = (
            f"{what}: {r['service']}"
            + (f" (highest of {r['n_services']} services)" if r["n_services"] > 1 else "")
            + f"; setting {setting} (hierarchy rank {r['h']}); {extra or 'primary support reason'} {val}"
            + (" (conflicting values on the latest rows: Unknown)" if r["conflict"] else "")
        )
        skip = _band_reason(r["band"])
        text += f"; {skip}" if skip else ""
        out.append(
            {
                "person_id": r["pid"],
                "la_code": r["LA_Code"],
                "unit": "person",
                "group": (f"{group_prefix}{r['band']}" if r["band"] in AGE_BANDS else ""),
                "row": val,
                "column": setting,
                "counted": skip is None,
                "rule": text,
            }
        )
    return out


_LTS_COMMON = [
    "One record per person: when a person has several services, the highest in the hierarchy Nursing > "
    "Residential > Community (direct payment > managed personal budget > commissioned support > not recorded) > "
    "Prison (managed personal budget > commissioned support > not recorded) is used.",
    "Primary support reason: from that service's rows, a known reason over 'Unknown', then the latest start; "
    "conflicting reasons left after that are shown as Unknown.",
    "SALT's 'Part Direct Payment' column cannot be derived from CLD (one delivery mechanism per service) and is "
    "not shown. Delivery mechanism is not mandatory in CLD, so community and prison columns 'delivery mechanism "
    "not recorded' hold services without one; delivery mechanisms not valid for the setting are ignored.",
    "People with no date of birth, or under 18 at the period end, are listed but not counted.",
]
PSR_LABELS = [label for label, _ in PSR_ROWS]
_PSR_KNOWN = "CASE WHEN psr IS NULL OR psr = 'Unknown' THEN 0 ELSE 1 END"


def _lts001a(con, ps, pe) -> Table:
    _lts_rows(
        con,
        "_l1a_rows",
        f"(c.end_d >= {_d(ps)} OR c.end_d IS NULL) AND c.start_d <= {_d(pe)} "
        f"AND (a.dod IS NULL OR a.dod >= {_d(ps)})",
    )
    _dedupe(con, "_l1a", "_l1a_rows", "psr", _PSR_KNOWN)
    details = _lts_details(con, "_l1a", "", "long-term support during the period")
    columns = [*SETTINGS, TOTAL]
    notes = [
        "People with a long-term service (nursing, residential, community or prison) open at any time in the "
        "period, by primary support reason, age band (at the period end), setting and delivery mechanism.",
        *_LTS_COMMON,
    ]
    return Table(
        "LTS001a",
        "People accessing long-term support during the period",
        "people",
        columns,
        _tabulate(details, AGE_BANDS, PSR_LABELS, columns),
        notes,
        details,
    )


def _lts001b(con, ps, pe) -> Table:
    _lts_rows(
        con,
        "_l1b_rows",
        f"(c.end_d >= {_d(pe)} OR c.end_d IS NULL) AND c.start_d <= {_d(pe)} "
        f"AND (a.dod IS NULL OR a.dod >= {_d(pe)})",
    )
    _dedupe(con, "_l1b", "_l1b_rows", "psr", _PSR_KNOWN)
    details = _lts_details(con, "_l1b", "By primary support reason: ", "long-term support at the period end")
    _dedupe(
        con,
        "_l1b_carer",
        "_l1b_rows",
        "CASE lower(has_carer) WHEN 'yes' THEN 'Has an unpaid carer' WHEN 'no' THEN 'No unpaid carer' END",
        "CASE WHEN lower(has_carer) IN ('yes', 'no') THEN 1 ELSE 0 END",
    )
    details += _lts_details(
        con,
        "_l1b_carer",
        "By support from an unpaid carer: ",
        "long-term support at the period end",
        "support from carer",
        "Not recorded",
    )
    _dedupe(
        con,
        "_l1b_gender",
        "_l1b_rows",
        "COALESCE(gender, 'Unknown')",
        "CASE WHEN gender IN ('Male', 'Female') THEN 1 ELSE 0 END",
    )
    details += [
        dict(d, row=d["row"] if d["row"] in ("Male", "Female") else "Other or not known")
        for d in _lts_details(
            con, "_l1b_gender", "By gender: ", "long-term support at the period end", "gender"
        )
    ]
    _dedupe(
        con,
        "_l1b_eth",
        "_l1b_rows",
        "COALESCE(ethnic_group, 'No data')",
        "CASE WHEN ethnic_group IS NULL OR ethnic_group = 'No data' THEN 0 ELSE 1 END",
    )
    details += [
        dict(d, row=d["row"] if d["row"] in ETHNIC_GROUPS else "No data")
        for d in _lts_details(
            con, "_l1b_eth", "By ethnic group: ", "long-term support at the period end", "ethnic group"
        )
    ]
    columns = [*SETTINGS, TOTAL]
    groups = [
        f"{p}{b}"
        for p in (
            "By primary support reason: ",
            "By support from an unpaid carer: ",
            "By gender: ",
            "By ethnic group: ",
        )
        for b in AGE_BANDS
    ]
    rows_for = {
        "By primary support reason: ": PSR_LABELS,
        "By support from an unpaid carer: ": ["Has an unpaid carer", "No unpaid carer", "Not recorded"],
        "By gender: ": ["Male", "Female", "Other or not known"],
        "By ethnic group: ": ETHNIC_GROUPS,
    }
    table_rows = []
    for g in groups:
        prefix = g[: g.index(": ") + 2]
        table_rows += _tabulate(details, [g], rows_for[prefix], columns)
    notes = [
        "People with a long-term service open on the last day of the period (and alive then), by primary "
        "support reason, support from an unpaid carer, gender and ethnic group (each a separate block; a person "
        "appears once in each block), by age band, setting and delivery mechanism.",
        *_LTS_COMMON,
        "Support from an unpaid carer is CLD's 'Has Unpaid Carer' on the chosen service's rows (same "
        "de-duplication as the primary support reason). Gender and ethnic group (the part of the Release 2 "
        "value before ':') are chosen the same way.",
        "Cells link to the people; a person is listed once per block, so block totals are equal.",
    ]
    return Table(
        "LTS001b",
        "People accessing long-term support at the period end",
        "people",
        columns,
        table_rows,
        notes,
        details,
    )


def _lts001c(con, ps, pe) -> Table:
    try:
        year_before = pe.replace(year=pe.year - 1)
    except ValueError:  # 29 February
        year_before = dt.date(pe.year - 1, 2, 28)
    _lts_rows(con, "_l1c_all", f"c.start_d <= {_d(pe)} AND (a.dod IS NULL OR a.dod >= {_d(pe)})")
    # continuous chains of long-term support (a gap of at most 1 day)
    con.execute(
        f"""
        CREATE OR REPLACE TEMP TABLE _l1c_rows AS
        WITH r AS (
          SELECT *, COALESCE(end_d, {FAR}) AS e,
                 MAX(COALESCE(end_d, {FAR})) OVER (PARTITION BY LA_Code, pid ORDER BY start_d, COALESCE(end_d, {FAR}), rid
                     ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS prev_end
          FROM _l1c_all
        ), n AS (
          SELECT *, SUM(CASE WHEN prev_end IS NOT NULL AND date_diff('day', prev_end, start_d) <= 1 THEN 0 ELSE 1 END)
                      OVER (PARTITION BY LA_Code, pid ORDER BY start_d, e, rid ROWS UNBOUNDED PRECEDING) AS chain
          FROM r
        )
        SELECT * EXCLUDE (e, prev_end), MIN(start_d) OVER (PARTITION BY LA_Code, pid, chain) AS chain_start
        FROM n QUALIFY chain_start <= {_d(year_before)} AND e >= {_d(pe)}
        """
    )
    _dedupe(con, "_l1c", "_l1c_rows", "psr", _PSR_KNOWN)
    starts = {
        (r[0], r[1]): r[2]
        for r in con.execute("SELECT LA_Code, pid, MIN(chain_start) FROM _l1c_rows GROUP BY ALL").fetchall()
    }
    details = _lts_details(con, "_l1c", "", "long-term support at the period end")
    for d in details:
        d["rule"] += f"; continuous long-term support since {_fmt(starts[(d['la_code'], d['person_id'])])}"
    columns = [*SETTINGS, TOTAL]
    notes = [
        f"People in LTS001b (long-term support open on {pe.isoformat()}) whose long-term support had run "
        f"without a break since {year_before.isoformat()} or earlier (12 months or more).",
        "Continuous support: the person's long-term services of any setting, each starting no more than 1 day "
        "after the latest end of the earlier ones, so a change of setting or provider does not break it.",
        "CLD was not mandatory before April 2023, so support that started earlier but was not submitted is "
        "missed (NHS England: 'interrupted services may be recorded differently').",
        *_LTS_COMMON,
    ]
    return Table(
        "LTS001c",
        "People accessing long-term support for 12 months or more at the period end",
        "people",
        columns,
        _tabulate(details, AGE_BANDS, PSR_LABELS, columns),
        notes,
        details,
    )


# ---------------------------------------------------------------------------------------------------------------
# LTS002a/b
# ---------------------------------------------------------------------------------------------------------------


def _review_method_ok(key: str) -> bool:
    """NHS England: Method of Review is 'Service User Only' or 'Service User and Carer'.  Release 2's list says
    how a review was done, not who took part, so any value that is not a Release 1 'who' value passes."""
    if key in ("serviceuseronly", "serviceuserandcarer", ""):
        return True
    return not ("serviceuser" in key or "carer" in key)


def _review_row(reason_key: str) -> str | None:
    if reason_key.startswith("unplanned"):
        for label, word in UNPLANNED:
            if word and word in reason_key:
                return label
        return UNPLANNED[-1][0]
    if reason_key.startswith("planned"):
        return PLANNED_ROW
    return None


def _review_sequel(eo: str | None) -> str:
    if eo == "Progress to reablement/ST-Max":
        return "Progress to reablement/ST-Max"
    if eo in ("Progress to assessment, review or reassessment", "Progress to support planning or services"):
        return "Further assessment or support planning"
    if eo == "Continuation of support or services":
        return "Long term support continued"
    if eo == "Admitted to hospital":
        return "Admitted to hospital"
    if eo == "NFA: Deceased":
        return "Support ended: deceased"
    if eo and eo.startswith("NFA"):
        return "Support ended: other reason"
    return UNCLASSIFIED


def _lts002(con, table_id: str, cohort: str, ps, pe) -> Table:
    """Reviews ending in the period of the people in ``cohort`` (LTS001a or LTS001c), by significant event (review
    reason), setting and sequel."""
    reviews = _fetch(
        con,
        f"""
        SELECT c.pid, c.LA_Code, c.start_d, c.end_d, c.review_reason, c.review_method, c.eo, p.h, p.band,
               (SELECT arg_min(s.st || ' starting ' || CAST(s.start_d AS VARCHAR), (s.start_d, s.st))
                FROM _sa_cur s WHERE s.LA_Code = c.LA_Code AND s.pid = c.pid AND s.et = 'Service'
                  AND s.ct = 'Service user' AND s.st IN ({Q(NURSING)}, {Q(RESIDENTIAL)})
                  AND s.start_d > c.end_d AND s.start_d <= {_d(pe)}) AS admission
        FROM _sa_cur c JOIN {cohort} p USING (LA_Code, pid)
        WHERE c.et = 'Review' AND c.ct = 'Service user' AND c.end_d BETWEEN {_d(ps)} AND {_d(pe)}
        ORDER BY c.pid, c.start_d""",
    )
    details = []
    seen = set()
    for r in reviews:
        key = (r["LA_Code"], r["pid"], r["start_d"], r["end_d"], (r["review_reason"] or "").lower())
        if key in seen:
            continue
        seen.add(key)
        unit = f"Review {_fmt(r['start_d'])} to {_fmt(r['end_d'])}"
        reason = r["review_reason"] or "blank"
        row = _review_row(R.match_key(r["review_reason"] or ""))
        setting = (
            "Residential or nursing" if r["h"] in (1, 2) else "Community" if 3 <= r["h"] <= 6 else "Prison"
        )
        text = f"{unit} ({reason}); client's setting {setting}"
        sequel = None
        why = ""
        if row is None:
            why = "not counted: not a planned or unplanned review of long-term support"
        elif not _review_method_ok(R.match_key(r["review_method"] or "")):
            why = f"not counted: method of review '{r['review_method']}' (service user not involved)"
        elif setting == "Prison":
            why = "not counted: prison settings are not in this table"
        else:
            adm = r["admission"] if setting == "Community" else None
            if row == PLANNED_ROW and (setting != "Community" or r["eo"] not in PROGRESS_OUTCOMES):
                why = (
                    "not counted: planned reviews count only for clients in the community whose review outcome "
                    f"shows something happened next (outcome '{r['eo'] or 'blank'}')"
                )
            elif row == PLANNED_ROW and table_id == "LTS002a" and not adm:
                why = "not counted: planned review not followed by a care home admission"
            elif adm:
                sequel = (
                    "Admitted to nursing care" if adm.startswith(NURSING) else "Admitted to residential care"
                )
                why = f"sequel: {sequel} ({adm})"
            else:
                sequel = _review_sequel(r["eo"])
                why = f"sequel: {sequel} (review outcome '{r['eo'] or 'blank'}')"
        skip = _band_reason(r["band"]) if sequel else None
        text += f"; {why}" + (f"; {skip}" if skip else "")
        details.append(
            {
                "person_id": r["pid"],
                "la_code": r["LA_Code"],
                "unit": unit,
                "group": f"{r['band']}, {setting.lower()}" if sequel and r["band"] in AGE_BANDS else "",
                "row": row or "",
                "column": sequel or "",
                "counted": bool(sequel) and skip is None,
                "rule": text,
            }
        )
    columns = [*REVIEW_SEQUELS, TOTAL]
    groups = [f"{b}, {s}" for b in AGE_BANDS for s in ("community", "residential or nursing")]
    rows = [label for label, _ in UNPLANNED] + [PLANNED_ROW]
    which = (
        "LTS001a (long-term support during the period)"
        if table_id == "LTS002a"
        else "LTS001c (long-term support for 12 months or more at the period end)"
    )
    notes = [
        f"Reviews ending in the period of the people in {which}, by significant event (review reason), the "
        "client's setting (from the LTS001 hierarchy) and sequel. Counts are reviews.",
        "NHS England describes this table's approach but publishes no code; the sequel categories here are "
        "OpenASC's: a nursing or residential service starting after the review (by the period end) for a client in "
        "the community is a care home admission; otherwise the review's outcome gives the sequel.",
        "Not derivable from CLD, so not shown: 'Level of long term support increased', 'decreased' and 'All long "
        "term support temporarily suspended' (no CLD field or outcome records them).",
        "Method of review: NHS England keeps 'Service User Only' and 'Service User and Carer'. Release 2's list "
        "records how a review was done, not who took part, so only Release 1 values naming other participants "
        "are excluded.",
        "Clients in prison and 'Review of short term support' reviews are listed but not counted.",
        "People with no date of birth, or under 18 at the period end, are listed but not counted.",
    ]
    if table_id == "LTS002a":
        notes.insert(
            2,
            "Planned reviews count only where the client lives in the community, the outcome shows "
            "something happened next (progress to reablement, assessment or support planning) and a "
            "care home admission followed (NHS England).",
        )
        title = "Unplanned reviews, and planned reviews leading to a care home admission"
    else:
        notes.insert(
            2,
            "Planned reviews count only where the client lives in the community and the outcome shows "
            "something happened next (NHS England); SALT counted all planned reviews.",
        )
        title = "Reviews of people in long-term support for 12 months or more"
    return Table(
        table_id,
        title,
        "reviews",
        columns,
        _tabulate(details, groups, rows, columns, extra_rows=False),
        notes,
        details,
    )


# ---------------------------------------------------------------------------------------------------------------
# LTS003
# ---------------------------------------------------------------------------------------------------------------


def _lts003(con, ps, pe) -> Table:
    info = Q("NFA: Information and advice or signposting")
    h_case = " ".join(f"WHEN {Q(k)} THEN {v}" for k, v in R.CARER_SUPPORT_HIERARCHY.items())
    con.execute(
        f"""
        CREATE OR REPLACE TEMP TABLE _l3 AS
        WITH b AS (
          SELECT c.*, a.age, a.dob1,
            CASE
              WHEN c.st = {Q(CARER_DIRECT)} AND c.dm = {Q(DP)} THEN 'Direct Payment only'
              WHEN c.st = {Q(CARER_DIRECT)} AND c.dm = {Q(PB)} THEN 'CASSR Managed Personal Budget'
              WHEN c.st = {Q(CARER_DIRECT)} AND c.dm = {Q(CS)} THEN 'CASSR Commissioned Support only'
              WHEN c.st = {Q(CARER_DIRECT)} THEN 'Support Direct to Carer: Unknown Delivery Mech'
              WHEN c.st = {Q(CARER_INVOLVING)} THEN 'No Direct Support Provided to Carer'
              WHEN c.et IN ('Assessment', 'Review') AND c.eo = {info}
                THEN 'Information, Advice and Other Universal Services / Signposting'
              WHEN c.et IN ('Assessment', 'Review') THEN 'No Direct Support Provided to Carer'
              WHEN c.et = 'Request' THEN 'Information, Advice and Other Universal Services / Signposting'
            END AS support
          FROM _sa_cur c JOIN _sa_age a USING (LA_Code, pid)
          WHERE c.ct IN ('Unpaid carer', 'Unpaid carer known by association')
            AND c.start_d <= {_d(pe)} AND (c.end_d >= {_d(ps)} OR c.end_d IS NULL)
            AND (a.dod IS NULL OR a.dod >= {_d(ps)})
            AND ((c.st IS NULL AND c.eo = {info})
                 OR c.st IN ({Q(CARER_DIRECT)}, {Q(CARER_INVOLVING)})
                 OR (c.et IN ('Assessment', 'Review') AND c.st IS NULL))
        ), h AS (SELECT *, CASE support {h_case} END AS h FROM b)
        SELECT LA_Code, pid, MIN(h) AS h, arg_min(support, (h, rid)) AS support, MIN(age) AS age, MIN(dob1) AS dob1,
               arg_min(et || COALESCE(' ' || st, '') || COALESCE(' / ' || dm, '') || ' ' || CAST(start_d AS VARCHAR)
                       || ' to ' || COALESCE(CAST(end_d AS VARCHAR), 'open')
                       || COALESCE(' (outcome ' || eo || ')', ''), (h, rid)) AS event,
               COUNT(*) AS n_events
        FROM h GROUP BY LA_Code, pid
        """
    )
    details = []
    for r in _fetch(con, "SELECT * FROM _l3 ORDER BY pid"):
        age = r["age"]
        band = (
            "Age unknown"
            if age is None
            else "Under 18"
            if age < 18
            else "18 to 25"
            if age <= 25
            else "26 to 64"
            if age <= 64
            else "65 to 84"
            if age <= 84
            else "85 and over"
        )
        text = (
            f"carer support during the period: {r['event']}"
            + (f" (highest of {r['n_events']} events)" if r["n_events"] > 1 else "")
            + f"; support provided {r['support']} (hierarchy rank {r['h']}); carer's age band {band}"
        )
        details.append(
            {
                "person_id": r["pid"],
                "la_code": r["LA_Code"],
                "unit": "carer",
                "group": "",
                "row": r["support"],
                "column": band,
                "counted": True,
                "rule": text,
            }
        )
    columns = [*CARER_AGES, TOTAL]
    notes = [
        "Unpaid carers (client type carer or carer known by association) with a carer support service, an "
        "assessment or review, or an 'information and advice' outcome open at some time in the period, by the "
        "support provided (one per carer, by the hierarchy Direct Payment only > CASSR Managed Personal Budget > "
        "CASSR Commissioned Support only > Support Direct to Carer: Unknown Delivery Mech > Information, Advice "
        "and Other Universal Services / Signposting > No Direct Support Provided to Carer) and the carer's age at "
        "the period end.",
        "NHS England's code produces the high-level total by support provided; the age breakdown uses SALT's "
        "carer age bands with carers of unknown age in their own column (not dropped, as NHS England advises for "
        "carers).",
        "SALT's 'Part Direct Payment' and the split by the cared-for person's support are not available in CLD. "
        "Carer services bought from a third party may not be in CLD at all.",
    ]
    return Table(
        "LTS003",
        "Carer support provided during the period, by support provided and age of carer",
        "carers",
        columns,
        _tabulate(details, [""], CARER_SUPPORT, columns, extra_rows=False),
        notes,
        details,
    )


# ---------------------------------------------------------------------------------------------------------------
# LTS004
# ---------------------------------------------------------------------------------------------------------------


def _lts004(con, ps, pe) -> Table:
    lts3 = f"({Q(NURSING)}, {Q(RESIDENTIAL)}, {Q(COMMUNITY)})"
    settled = R.ACCOMMODATION_R2[:9]
    unsettled = R.ACCOMMODATION_R2[9:]
    con.execute(
        f"""
        CREATE OR REPLACE TEMP TABLE _l4_rows AS
        SELECT c.*, a.age, a.band, a.gender AS person_gender
        FROM _sa_cur c JOIN _sa_age a USING (LA_Code, pid)
        WHERE c.ct = 'Service user' AND c.et = 'Service' AND c.st IN {lts3} AND c.psr = {Q(LD)}
          AND c.start_d <= {_d(pe)} AND (c.end_d >= {_d(ps)} OR c.end_d IS NULL)
          AND (a.dod IS NULL OR a.dod >= {_d(ps)}) AND a.band = '18 to 64'
        """
    )

    def latest(value: str, known: str, name: str) -> None:
        con.execute(
            f"""
            CREATE OR REPLACE TEMP TABLE {name} AS
            WITH r0 AS (SELECT *, {value} AS val, {known} AS known FROM _l4_rows WHERE {value} IS NOT NULL),
            r1 AS (SELECT * FROM r0 QUALIFY start_d = MAX(start_d) OVER (PARTITION BY LA_Code, pid)),
            r2 AS (SELECT * FROM r1 QUALIFY known = MAX(known) OVER (PARTITION BY LA_Code, pid))
            SELECT LA_Code, pid, MIN(person_gender) AS gender, MIN(start_d) AS start_d,
                   CASE WHEN COUNT(DISTINCT val) > 1 THEN 'Unknown' ELSE MIN(val) END AS val,
                   COUNT(DISTINCT val) > 1 AS conflict
            FROM r2 GROUP BY LA_Code, pid
            """
        )

    inv = Q(R.INVALID)
    latest("employment", "CASE WHEN employment = 'Unknown' THEN 0 ELSE 1 END", "_l4_emp")
    latest(
        f"CASE WHEN accom = {inv} THEN NULL ELSE accom END",
        "CASE WHEN accom = 'Unknown' THEN 0 ELSE 1 END",
        "_l4_acc",
    )
    people = _fetch(con, "SELECT DISTINCT LA_Code, pid, person_gender AS gender FROM _l4_rows ORDER BY pid")
    emp = {(r["LA_Code"], r["pid"]): r for r in _fetch(con, "SELECT * FROM _l4_emp")}
    acc = {(r["LA_Code"], r["pid"]): r for r in _fetch(con, "SELECT * FROM _l4_acc")}
    details = []
    missing = "Not recorded or not in the list"
    for p in people:
        key = (p["LA_Code"], p["pid"])
        gender = p["gender"] if p["gender"] in ("Male", "Female") else "Other or not known"
        for group, found, rows_ok in (
            ("Employment status", emp.get(key), EMPLOYMENT),
            ("Accommodation status", acc.get(key), R.ACCOMMODATION_R2),
        ):
            if found is None:
                row, why = missing, f"{group.lower()} not recorded or not a CLD value on any of the services"
            else:
                row = found["val"] if found["val"] in rows_ok else missing
                why = f"{group.lower()} '{row}' from the service starting {_fmt(found['start_d'])}" + (
                    " (conflicting values: Unknown)" if found["conflict"] else ""
                )
            if group == "Accommodation status" and row != missing:
                group = (
                    "Accommodation: settled (SALT table 2a)"
                    if row in settled
                    else "Accommodation: unsettled (SALT table 2b)"
                )
            elif group == "Accommodation status":
                group = "Accommodation: not recorded"
            details.append(
                {
                    "person_id": p["pid"],
                    "la_code": p["LA_Code"],
                    "unit": "person",
                    "group": group,
                    "row": row,
                    "column": gender,
                    "counted": True,
                    "rule": f"learning disability, aged 18 to 64, long-term support in the period; {why}; "
                    f"gender {gender}",
                }
            )
    groups = [
        "Employment status",
        "Accommodation: settled (SALT table 2a)",
        "Accommodation: unsettled (SALT table 2b)",
        "Accommodation: not recorded",
    ]
    rows_for = {
        groups[0]: [*EMPLOYMENT, missing],
        groups[1]: settled,
        groups[2]: unsettled,
        groups[3]: [missing],
    }
    table_rows = []
    for g in groups:
        table_rows += _tabulate(details, [g], rows_for[g], GENDER_COLUMNS, extra_rows=False)
    notes = [
        "People aged 18 to 64 (at the period end) with primary support reason 'Learning disability support' on a "
        "nursing, residential or community long-term service open at some time in the period, by employment status "
        "and accommodation status (last known: the service with the latest start, a known status over 'Unknown', "
        "conflicting statuses -> Unknown) and gender.",
        "Prison services are not included (NHS England's document; its SQL includes them).",
        "Statuses that are blank or not a CLD value are shown in their own row, not dropped, so every person in "
        "the cohort appears once in the employment block and once in the accommodation blocks.",
    ]
    return Table(
        "LTS004",
        "Employment and accommodation of working-age clients with a learning disability",
        "people",
        GENDER_COLUMNS,
        table_rows,
        notes,
        details,
    )


# ---------------------------------------------------------------------------------------------------------------
# Public API
# ---------------------------------------------------------------------------------------------------------------


def _as_date(value) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value))


def salt_tables(
    con: duckdb.DuckDBPyConnection, period_start, period_end, table: str = "cld_input"
) -> dict[str, Table]:
    """Compute every SALT-style table for the period from the CLD table ``table``."""
    ps, pe = _as_date(period_start), _as_date(period_end)
    if pe < ps:
        raise ValueError("period end is before period start")
    facts = _prepare(con, table, ps, pe)
    sts001, _ = _sts001(con, ps, pe)
    tables = [sts001, _sts002a(con, ps, pe), _sts002b(con, ps, pe)]
    l1a, l1b, l1c = _lts001a(con, ps, pe), _lts001b(con, ps, pe), _lts001c(con, ps, pe)
    tables += [
        l1a,
        l1b,
        l1c,
        _lts002(con, "LTS002a", "_l1a", ps, pe),
        _lts002(con, "LTS002b", "_l1c", ps, pe),
        _lts003(con, ps, pe),
        _lts004(con, ps, pe),
    ]
    common = [
        "People are identified by NHS number, else the LA person ID; rows with no NHS number whose LA "
        "person ID also appears with an NHS number are left out (NHS England's method)."
    ]
    if facts["dropped_id"]:
        common.append(
            f"{facts['dropped_id']:,} rows were left out because their LA person ID also appears with an "
            "NHS number."
        )
    if facts["no_period"]:
        common.append(f"{facts['no_period']:,} rows without reporting period dates were ignored.")
    for t in tables:
        if t.id.startswith("LTS") and facts["fallback_las"]:
            t.notes.append(
                "No single submission covers the whole period for "
                + ", ".join(facts["fallback_las"])
                + ": the latest version of each event across the submissions was used instead."
            )
        t.notes.extend(common)
    return {t.id: t for t in tables}


def salt_json(tables: dict[str, Table], period_start, period_end) -> dict[str, Any]:
    """The documented JSON shape: {"period": {...}, "tables": {id: {title, unit, columns, rows, notes}}}."""
    return {
        "period": {"start": _as_date(period_start).isoformat(), "end": _as_date(period_end).isoformat()},
        "tables": {k: t.as_json() for k, t in tables.items()},
    }


def slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9]+", "-", text).strip("-").lower()
