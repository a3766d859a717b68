"""Reference data: Release 2 values, Release 1 -> Release 2 mappings and hierarchies.

Sources (read, not copied): DHSC ``DataS-DHSC/ASC-CLD-LA-Dashboard`` methodology
(``Main_tables/docs/methodology/5-data-cleaning.md``, ``6-deduplication.md``) and ASCOF SQL;
Release 1 wording from NHS England ``ASC-Client-Level-Data-SALT-ASCOF-transformations`` as compiled in
``/work/shared/specs/data``.

Matching rule.  DHSC's SQL Server runs a case-insensitive collation, and DHSC maps Release 1 and
invalid spellings to Release 2 with hand-maintained mapping tables.  We reproduce that with a
*match key*: the value lower-cased with everything except letters and digits removed, so
"Service User", "service user" and "SERVICE  USER" are the same value, and "NFA- Other" matches
"NFA - Other".  The key of every Release 2 value and of every Release 1 value we know is mapped to
the canonical Release 2 spelling.  (This is slightly more lenient than a pure case-insensitive
comparison: punctuation and spacing differences are also forgiven.)
"""

from __future__ import annotations

import re

INVALID = "Invalid and not mapped"
R1_NOT_MAPPED = "Release 1 specification only: Not mapped"


def match_key(value: str) -> str:
    return re.sub(r"[^a-z0-9]", "", value.lower())


KEY_SQL = "regexp_replace(lower({x}), '[^a-z0-9]', '', 'g')"

EVENT_TYPES = ["Request", "Assessment", "Service", "Review"]

CLIENT_TYPE = {
    "Service user": ["Service User"],
    "Unpaid carer": ["Carer"],
    "Unpaid carer known by association": ["Carer known by association"],
}

SERVICE_TYPE = {
    "Long term support: Nursing care": ["Long Term Support: Nursing Care"],
    "Long term support: Residential care": ["Long Term Support: Residential Care"],
    "Long term support: Community": ["Long Term Support: Community"],
    "Long term support: Prison": ["Long Term Support: Prison"],
    "Short term support: ST-Max": ["Short Term Support: ST-Max"],
    "Short term support: Ongoing low level": ["Short Term Support: Ongoing Low Level"],
    "Short term support: Other short term": ["Short Term Support: Other Short Term"],
    "Unpaid carer support: Direct to unpaid carer": ["Carer Support: Direct to Carer"],
    "Unpaid carer support: Support involving the person cared-for": [
        "Carer Support: Support involving the person cared-for"
    ],
}
LTS_TYPES = [
    "Long term support: Nursing care",
    "Long term support: Residential care",
    "Long term support: Community",
    "Long term support: Prison",
]
STMAX = "Short term support: ST-Max"

# DHSC event outcome hierarchy (6-deduplication.md), Release 2 wording.
EVENT_OUTCOME_HIERARCHY = {
    "Progress to reablement/ST-Max": 1,
    "Progress to assessment, review or reassessment": 2,
    R1_NOT_MAPPED: 3,
    "Progress to support planning or services": 4,
    "Continuation of support or services": 5,
    "Admitted to hospital": 6,
    "NFA: Responsibility moved to another local authority": 7,
    "NFA: Referral to NHS services or NHS funded social care": 8,
    "NFA: Self-funded client or under 12wk disregard": 9,
    "NFA: Information and advice or signposting": 10,
    "NFA: Referral to other service within the local authority": 11,
    "NFA: Support declined": 12,
    "NFA: Deceased": 13,
    "NFA: Support ended as planned": 14,
    "NFA: Support ended for other reason": 15,
    "NFA: No services offered for other reason": 16,
    "NFA: Other": 17,
}
EVENT_OUTCOME = {k: [] for k in EVENT_OUTCOME_HIERARCHY}
EVENT_OUTCOME["Progress to reablement/ST-Max"] += ["Progress to Reablement/ST-Max"]
EVENT_OUTCOME["Progress to assessment, review or reassessment"] += [
    "Progress to Assessment",
    "Progress to Re-assessment / Unplanned Review",
]
EVENT_OUTCOME[R1_NOT_MAPPED] += [
    "Progress to financial assessment",
    "Provision of service",
    "Progress to End of Life Care",
]
EVENT_OUTCOME["Progress to support planning or services"] += ["Progress to Support Planning / Services"]
EVENT_OUTCOME["Continuation of support or services"] += ["No change in package"]
EVENT_OUTCOME["NFA: Responsibility moved to another local authority"] += ["NFA - Moved to another LA"]
EVENT_OUTCOME["NFA: Referral to NHS services or NHS funded social care"] += ["NFA - 100% NHS funded care"]
EVENT_OUTCOME["NFA: Self-funded client or under 12wk disregard"] += [
    "NFA - Self-funded client (inc. 12wk disregard)"
]
EVENT_OUTCOME["NFA: Information and advice or signposting"] += [
    "NFA - Information & Advice / Signposting only"
]
EVENT_OUTCOME["NFA: Support declined"] += ["NFA - Support declined"]
EVENT_OUTCOME["NFA: Deceased"] += ["NFA - Deceased"]
EVENT_OUTCOME["NFA: Support ended as planned"] += ["Service ended as planned"]
EVENT_OUTCOME["NFA: Support ended for other reason"] += ["NFA - Support ended: Other reason"]
EVENT_OUTCOME["NFA: No services offered for other reason"] += ["NFA - No services offered: Other reason"]
EVENT_OUTCOME["NFA: Other"] += ["NFA- Other", "NFA - Other"]

# ASCOF 2A: outcomes that cannot be a sequel get +100 on the hierarchy
# (Create_ASCOF_2A_2425_Onwards.sql, #REF_Event_Outcome_Hierarchy_UTC).
UNUSABLE_OUTCOMES = [
    "Continuation of support or services",
    "Progress to support planning or services",
    "Progress to assessment, review or reassessment",
    "Progress to reablement/ST-Max",
    R1_NOT_MAPPED,
    INVALID,
]

DELIVERY_MECHANISM = {
    "Direct payment": ["Direct Payment"],
    "CASSR managed personal budget": ["CASSR Managed Personal Budget"],
    "CASSR commissioned support": ["CASSR Commissioned Support"],
}

# Partial list: unknown components are kept as submitted (trimmed), not marked invalid.
SERVICE_COMPONENT = {
    "Short term residential care": [],
    "Short term nursing care": [],
    "Equipment": [],
    "Direct payment": [],
    "Home support or domiciliary care": [],
    "Reablement": [],
    "Extra care housing": [],
    "Shared Lives": [],
    "Community supported living": [],
}

ACCOMMODATION_R2 = [
    "Owner occupier or shared ownership scheme",
    "Tenant: Local authority or other social housing provider",
    "Tenant: Private landlord",
    "Settled mainstream housing with family or friends",
    "Supported accommodation, supported lodgings or supported group home",
    "Shared Lives scheme",
    "Approved premises for offenders released from prison or under probation supervision",
    "Sheltered housing, extra care housing or other sheltered housing",
    "Mobile accommodation for Gypsy, Roma and Traveller communities",
    "Rough sleeper or squatting",
    "Night shelter, emergency hostel or direct access hostel",
    "Refuge",
    "Placed in temporary accommodation by the council (inc. homelessness resettlement)",
    "Staying with family or friends as a short term guest",
    "Acute hospital or long term healthcare residential facility",
    "Registered care home",
    "Registered nursing home",
    "Prison, young offenders institution or detention centre",
    "Other temporary accommodation",
    "Unknown",
]
ACCOMMODATION_R1 = [
    "Owner occupier or shared ownership scheme",
    "Tenant",
    "Tenant - private landlord",
    "Settled mainstream housing with family / friends",
    "Supported accommodation / supported lodgings / supported group home",
    "Shared Lives scheme",
    "Approved premises for offenders released from prison or under probation supervision",
    "Sheltered housing / extra care housing / other sheltered housing",
    "Mobile accommodation for Gypsy / Roma and Traveller communities",
    "Rough sleeper / squatting",
    "Night shelter / emergency hostel / direct access hostel",
    "Refuge",
    "Placed in temporary accommodation by the council (inc. homelessness resettlement)",
    "Staying with family / friends as a short-term guest",
    "Acute / long-term healthcare residential facility or hospital",
    "Registered care home",
    "Registered nursing home",
    "Prison / Young offenders institution / detention centre",
    "Other temporary accommodation",
    "Unknown",
]
ACCOMMODATION = {r2: [r1] for r2, r1 in zip(ACCOMMODATION_R2, ACCOMMODATION_R1, strict=True)}
# ASCOF 2E settled accommodation (Create_ASCOF_2E_2425_Onwards.sql #REF_Accommodation_Status group 1)
SETTLED = [*ACCOMMODATION_R2[:9], "Unknown: Presumed at home"]
PRESUMED_AT_HOME = "Unknown: Presumed at home"
PRESUMED_IN_COMMUNITY = "Unknown: Presumed in community"

LD_PSR = "Learning Disability Support"
PSR = {
    LD_PSR: ["Learning disability support"],
    "Social support: Support to unpaid carer": ["Social Support: Support to Carer"],
    "Unknown": [],
}

GENDER = {"Male": [], "Female": [], "Unknown": ["Not known", "Not stated", "Not specified"]}

# ASCOF 2A sequel service hierarchy (Create_ASCOF_2A_2425_Onwards.sql #REF_Service_Type)
SEQUEL_SERVICE_HIERARCHY = {
    "Long term support: Nursing care": 1,
    "Long term support: Residential care": 2,
    "Long term support: Community": 3,
    "Long term support: Prison": 4,
    STMAX: 5,
    "Short term support: Ongoing low level": 6,
    "Short term support: Other short term": 7,
}

# ASCOF 3D client setting / delivery hierarchy (#REF_Service_Type_Delivery_Mech)
CLIENT_SETTING_HIERARCHY = [
    ("Long term support: Nursing care", "", 1),
    ("Long term support: Residential care", "", 2),
    ("Long term support: Community", "Direct payment", 3),
    ("Long term support: Community", "CASSR managed personal budget", 4),
    ("Long term support: Community", "CASSR commissioned support", 5),
    ("Long term support: Community", "", 6),
    ("Long term support: Prison", "CASSR managed personal budget", 7),
    ("Long term support: Prison", "CASSR commissioned support", 8),
    ("Long term support: Prison", "", 9),
]
CARER_SUPPORT_HIERARCHY = {
    "Direct Payment only": 1,
    "CASSR Managed Personal Budget": 2,
    "CASSR Commissioned Support only": 3,
    "Support Direct to Carer: Unknown Delivery Mech": 4,
    "Information, Advice and Other Universal Services / Signposting": 5,
    "No Direct Support Provided to Carer": 6,
}


def sql_quote(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def canonical(value: str | None, mapping: dict[str, list[str]], *, invalid_if_unknown: bool) -> str | None:
    """Canonical Release 2 spelling of ``value`` (None stays None)."""
    if value is None:
        return None
    table = _LOOKUPS.get(id(mapping))
    if table is None:
        table = {}
        for canon, alts in mapping.items():
            for v in [canon, *alts]:
                table.setdefault(match_key(v), canon)
        _LOOKUPS[id(mapping)] = table
    hit = table.get(match_key(value))
    if hit is not None:
        return hit
    return INVALID if invalid_if_unknown else value


_LOOKUPS: dict[int, dict[str, str]] = {}


def mapping_case(expr: str, mapping: dict[str, list[str]], *, otherwise: str | None) -> str:
    """SQL CASE mapping ``expr`` (already blank->NULL) to canonical Release 2 spellings.

    ``otherwise``: SQL for values not in the mapping (e.g. ``'Invalid and not mapped'`` or the
    trimmed raw value).  NULL stays NULL.
    """
    pairs: dict[str, str] = {}
    for canon, alts in mapping.items():
        for v in [canon, *alts]:
            pairs.setdefault(match_key(v), canon)
    key = KEY_SQL.format(x=expr)
    whens = " ".join(f"WHEN {sql_quote(k)} THEN {sql_quote(v)}" for k, v in pairs.items())
    other = otherwise if otherwise is not None else "NULL"
    return f"(CASE WHEN {expr} IS NULL THEN NULL ELSE (CASE {key} {whens} ELSE {other} END) END)"


def values_sql(rows: list[tuple]) -> str:
    def lit(v):
        if v is None:
            return "NULL"
        if isinstance(v, int | float):
            return str(v)
        return sql_quote(str(v))

    return ", ".join("(" + ", ".join(lit(v) for v in r) + ")" for r in rows)
