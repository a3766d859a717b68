"""What the CLD import accepts: defined lists (confirmed or not), Release 1 mappings, required fields, lengths.

Everything here is read from reference files and models, never typed in as list literals:

* Release 2 values and whether the national list is published: ``openasc/core/reference/codes.csv`` through
  ``openasc.core.codes`` / ``ReferenceCode.is_confirmed``.
* Release 1 -> Release 2 mappings: the engine's ``refdata`` (as DHSC maps them) plus
  ``openasc/reporting/reference/cld_release1_mappings.csv`` (Primary Support Reason, Review Reason wording).
* Required fields by event type: ``openasc/reporting/reference/cld_required_fields.csv``.
* Maximum lengths: the model fields each CLD field is stored in.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from openasc.core import codes
from openasc.core.models import ReferenceCode
from openasc.reporting.engine import refdata
from openasc.reporting.engine.schema import CLD_COLUMNS, DATE, INTEGER, MONEY

REFERENCE = Path(__file__).resolve().parent.parent / "reference"
REQUIRED_FILE = REFERENCE / "cld_required_fields.csv"
R1_MAPPING_FILE = REFERENCE / "cld_release1_mappings.csv"

SUBMITTED = {db: sub for sub, db, _ in CLD_COLUMNS}
DATE_FIELDS = [sub for sub, _, typ in CLD_COLUMNS if typ == DATE]
MONEY_FIELDS = [sub for sub, _, typ in CLD_COLUMNS if typ == MONEY]
INTEGER_FIELDS = [sub for sub, _, typ in CLD_COLUMNS if typ == INTEGER]

# Engine mappings (Release 2 value -> Release 1 spellings) that apply to the submitted spellings exactly.
# Primary Support Reason is taken from cld_release1_mappings.csv instead (the engine keeps the R1 casing).
ENGINE_MAPPINGS = {
    "Client Type": refdata.CLIENT_TYPE,
    "Service Type": refdata.SERVICE_TYPE,
    "Event Outcome": refdata.EVENT_OUTCOME,
    "Delivery Mechanism": refdata.DELIVERY_MECHANISM,
    "Accommodation Status": refdata.ACCOMMODATION,
}


@dataclass
class CodedList:
    name: str
    values: frozenset[str]
    confirmed: bool
    release1: dict[str, str] = field(default_factory=dict)  # exact R1 spelling -> R2 value
    release1_unmapped: frozenset[str] = frozenset()  # R1 values with no R2 equivalent


@dataclass
class Rules:
    lists: dict[str, CodedList]
    required: dict[str, list[tuple[str, bool]]]  # event type or "*" -> [(field, only when ended)]
    max_length: dict[str, int]


def _release1_mappings() -> dict[str, dict[str, str]]:
    out: dict[str, dict[str, str]] = {}
    for list_name, mapping in ENGINE_MAPPINGS.items():
        m = out.setdefault(list_name, {})
        for r2, alts in mapping.items():
            for alt in alts:
                m[alt] = r2
    with R1_MAPPING_FILE.open(newline="", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            out.setdefault(row["list_name"], {})[row["release_1_value"]] = row["release_2_value"]
    return out


def _required() -> dict[str, list[tuple[str, bool]]]:
    out: dict[str, list[tuple[str, bool]]] = {}
    with REQUIRED_FILE.open(newline="", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            only_when_ended = "ended" in (row.get("note") or "")
            out.setdefault(row["event_type"], []).append((row["field"], only_when_ended))
    return out


def _max_lengths() -> dict[str, int]:
    from openasc.assessments.models import Assessment
    from openasc.frontdoor.models import SupportRequest
    from openasc.people.models import CarerLink, Person
    from openasc.planning.models import Review
    from openasc.providers.models import ProviderLocation
    from openasc.services.models import Service, ServiceCost

    stored_in = {
        "LA Person Unique Identifier": (Person, "la_person_id"),
        "First Name": (Person, "first_name"),
        "Last Name": (Person, "last_name"),
        "GP Practice Name": (Person, "gp_practice_name"),
        "GP Practice Code": (Person, "gp_practice_code"),
        "Gender": (Person, "gender"),
        "Ethnicity": (Person, "ethnicity"),
        "Primary Support Reason": (Person, "primary_support_reason"),
        "Postcode": (Person, "postcode"),
        "Accommodation Status": (Person, "accommodation_status"),
        "Employment Status": (Person, "employment_status"),
        "Client Type": (Person, "client_type"),
        "Client Funding Status": (Person, "funding_status"),
        "Request: Route of Access": (SupportRequest, "route_of_access"),
        "Event Outcome": (SupportRequest, "outcome"),
        "Assessment Type": (Assessment, "assessment_type"),
        "Method of Assessment": (Assessment, "method"),
        "Total Hrs Caring per week": (CarerLink, "hours_caring_per_week"),
        "Service Type": (Service, "service_type"),
        "Service Component": (Service, "service_component"),
        "Delivery Mechanism": (Service, "delivery_mechanism"),
        "Provider CQC Location Name": (ProviderLocation, "name"),
        "Provider CQC Location ID": (ProviderLocation, "cqc_location_id"),
        "Review Reason": (Review, "reason"),
        "Review Outcomes Achieved": (Review, "outcomes_achieved"),
        "Method of Review": (Review, "method"),
        "Cost Frequency (Unit Type)": (ServiceCost, "cost_frequency"),
    }
    return {name: model._meta.get_field(f).max_length for name, (model, f) in stored_in.items()}


@lru_cache(maxsize=1)
def load_rules() -> Rules:
    codes.values("Event Type")  # refills an emptied reference table from the versioned file
    confirmed: dict[str, bool] = {}
    r2: dict[str, set[str]] = {}
    r1: dict[str, set[str]] = {}
    for list_name, release, value, is_confirmed in ReferenceCode.objects.filter(
        active=True, release__in=["R1", "R2"]
    ).values_list("list_name", "release", "value", "is_confirmed"):
        if release == "R2":
            r2.setdefault(list_name, set()).add(value)
            confirmed[list_name] = confirmed.get(list_name, True) and is_confirmed
        else:
            r1.setdefault(list_name, set()).add(value)
    mappings = _release1_mappings()
    lists = {}
    for list_name, values in r2.items():
        mapping = {
            k: v
            for k, v in mappings.get(list_name, {}).items()
            if v != refdata.R1_NOT_MAPPED and k not in values
        }
        unmapped = {k for k, v in mappings.get(list_name, {}).items() if v == refdata.R1_NOT_MAPPED}
        unmapped |= {v for v in r1.get(list_name, set()) if v not in values and v not in mapping}
        lists[list_name] = CodedList(
            list_name, frozenset(values), confirmed[list_name], mapping, frozenset(unmapped)
        )
    return Rules(lists=lists, required=_required(), max_length=_max_lengths())


def clear() -> None:
    load_rules.cache_clear()
