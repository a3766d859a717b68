"""Checks a CLD row before it leaves the council: missing required fields and values outside the defined lists.

The national field-by-field mandatory matrix is in the AGEM specification, which is not available to the
project (specs/national-data.md §1.2, NOT FOUND). The fields required here are therefore OpenASC's own
configurable list (`reference/cld_required_fields.csv`): the ones the national processing needs to count an
event. Defined-list values are checked exactly (including case) for the lists whose Release 2 values are
published; unconfirmed lists are not enforced.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from django.urls import reverse

from openasc.core.models import ReferenceCode

REQUIRED_FILE = Path(__file__).parent / "reference" / "cld_required_fields.csv"
WHEN_ENDED = "when"

# CLD field -> reference list name, for fields whose values come from a defined list.
CODED_FIELDS = {
    "Event Type": "Event Type",
    "Gender": "Gender",
    "Ethnicity": "Ethnicity",
    "Client Type": "Client Type",
    "Primary Support Reason": "Primary Support Reason",
    "Accommodation Status": "Accommodation Status",
    "Employment Status": "Employment Status",
    "Client Funding Status": "Client Funding Status",
    "Event Outcome": "Event Outcome",
    "Request: Route of Access": "Request: Route of Access",
    "Assessment Type": "Assessment Type",
    "Service Type": "Service Type",
    "Service Component": "Service Component",
    "Delivery Mechanism": "Delivery Mechanism",
    "Cost Frequency (Unit Type)": "Cost Frequency (Unit Type)",
    "Review Reason": "Review Reason",
    "Method of Review": "Method of Review",
    "Has Unpaid Carer": "Has Unpaid Carer",
}


@dataclass(frozen=True)
class Problem:
    event_reference: str
    person: str
    field: str
    value: str
    reason: str
    fix_url: str


@cache
def _required() -> dict[str, list[tuple[str, bool]]]:
    rules: dict[str, list[tuple[str, bool]]] = {}
    with REQUIRED_FILE.open(newline="", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            rules.setdefault(row["event_type"], []).append((row["field"], row["note"].startswith(WHEN_ENDED)))
    return rules


def _lists() -> dict[str, tuple[set[str], bool]]:
    """For each coded field: the Release 2 values, and whether that list is confirmed (strict) or not."""
    out: dict[str, tuple[set[str], bool]] = {}
    codes = ReferenceCode.objects.filter(release__in=["R2", "R1+R2", "local"], active=True)
    by_list: dict[str, list] = {}
    for c in codes.values("list_name", "value", "is_confirmed"):
        by_list.setdefault(c["list_name"], []).append(c)
    for field, list_name in CODED_FIELDS.items():
        rows = by_list.get(list_name, [])
        out[field] = ({r["value"] for r in rows}, bool(rows) and all(r["is_confirmed"] for r in rows))
    return out


def check_rows(rows, person_ids: dict[str, int] | None = None):
    """Yield (row, problems) for every row; strict lists give errors, unconfirmed lists are not enforced."""
    lists = _lists()
    rules = _required()
    for row in rows:
        problems = []
        ref = row.get("Event Reference", "")
        person = row.get("LA Person Unique Identifier", "")
        pid = (person_ids or {}).get(person)
        fix = reverse("people:edit", args=[pid]) if pid else ""
        if not row.get("NHS Number") and not person:
            problems.append(
                Problem(
                    ref,
                    person,
                    "NHS Number",
                    "",
                    "Either the NHS number or the LA person id is required",
                    fix,
                )
            )
        ended = bool(row.get("Event End Date"))
        for field, only_when_ended in rules.get("*", []) + rules.get(row.get("Event Type", ""), []):
            if only_when_ended and not ended:
                continue
            if not row.get(field):
                problems.append(
                    Problem(ref, person, field, "", "Missing: this field is needed to count the event", fix)
                )
        for field, (allowed, strict) in lists.items():
            value = row.get(field, "")
            if value and strict and value not in allowed:
                problems.append(
                    Problem(ref, person, field, value, "Not a value of the CLD Release 2 list", fix)
                )
        yield row, problems
