"""The case record as Client Level Data: one row per request, assessment, service (cost version) and review.

This is the CLD-shaped projection that the statutory returns are computed from (DESIGN.md, Reporting) and the
file a council submits each quarter. Values are the exact strings stored by the record (CLD Release 2 lists).

What goes in a submission for a reporting period: every event that was open at some time in the period (it
started on or before the period end and had not ended before the period start). The national processing then
applies its own filters (requests, assessments and reviews counted only if they end in the period, services if
open in it).

Services: the CLD carries one unit cost, cost frequency and planned units per row, so a change of cost or hours
inside the reporting period starts a new service row. The first row keeps the service's real start date and the
cost in force at the start of the period (so that a fee uplift is never counted as a new service, for example a new
care home admission in ASCOF 2B/2C); a row followed by another ends the day before it with the outcome
"Continuation of support or services"; the last row carries the service's own end and outcome.
"""

from __future__ import annotations

import csv
import datetime as dt
from collections import defaultdict
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

from django.db.models import Q
from django.db.models.functions import Coalesce

from openasc.assessments.models import Assessment, AssessmentStatus
from openasc.frontdoor.models import RequestStatus, SupportRequest
from openasc.people.models import CarerLink, Person
from openasc.planning.models import Review, ReviewStatus
from openasc.reporting.engine.schema import CLD_COLUMNS
from openasc.services.models import Service, ServiceCost

FIELDS = [name for name, _, _ in CLD_COLUMNS]
CONTINUATION = "Continuation of support or services"
CHUNK = 5000


def _overlapping(start_field: str, end_field: str, start: dt.date, end: dt.date) -> Q:
    return Q(**{f"{start_field}__lte": end}) & (
        Q(**{f"{end_field}__isnull": True}) | Q(**{f"{end_field}__gte": start})
    )


def _money(pence: int | None) -> str:
    return "" if pence is None else f"{Decimal(pence) / 100:.2f}"


def _units(value) -> str:
    return "" if value is None else f"{Decimal(value):.2f}"


def _date(value: dt.date | None) -> str:
    return value.isoformat() if value else ""


class _People:
    """Person columns for each person id, loaded in chunks so that 200,000 people fit comfortably."""

    PERSON_FIELDS = (
        "id",
        "nhs_number",
        "la_person_id",
        "first_name",
        "last_name",
        "gp_practice_name",
        "gp_practice_code",
        "gender",
        "ethnicity",
        "date_of_birth",
        "date_of_death",
        "client_type",
        "primary_support_reason",
        "postcode",
        "accommodation_status",
        "employment_status",
        "funding_status",
    )

    def __init__(self):
        self.cache: dict[int, dict] = {}

    def load(self, ids: set[int]) -> None:
        missing = [i for i in ids if i not in self.cache]
        for i in range(0, len(missing), CHUNK):
            chunk = missing[i : i + CHUNK]
            for row in Person.objects.filter(pk__in=chunk).values(*self.PERSON_FIELDS):
                self.cache[row["id"]] = row
            carers = defaultdict(list)
            cared_for_has_carer = set()
            links = CarerLink.objects.filter(
                Q(carer_id__in=chunk) | Q(cared_for_id__in=chunk), ended_on__isnull=True
            )
            for link in links.values(
                "carer_id", "cared_for__la_person_id", "cared_for_id", "hours_caring_per_week"
            ):
                carers[link["carer_id"]].append(link)
                cared_for_has_carer.add(link["cared_for_id"])
            for pid in chunk:
                row = self.cache.get(pid)
                if row is not None:
                    row["_cared_for"] = carers.get(pid, [])
                    row["_has_carer"] = pid in cared_for_has_carer

    def columns(self, pid: int) -> dict[str, str]:
        p = self.cache[pid]
        cared_for = p["_cared_for"]
        is_carer = p["client_type"].lower().startswith("unpaid carer")
        return {
            "NHS Number": p["nhs_number"],
            "LA Person Unique Identifier": p["la_person_id"],
            "First Name": p["first_name"],
            "Last Name": p["last_name"],
            "GP Practice Name": p["gp_practice_name"],
            "GP Practice Code": p["gp_practice_code"],
            "Gender": p["gender"],
            "Ethnicity": p["ethnicity"],
            "Date of Birth": _date(p["date_of_birth"]),
            "Date of Death": _date(p["date_of_death"]),
            "Primary Support Reason": p["primary_support_reason"],
            "Postcode": p["postcode"],
            "Accommodation Status": p["accommodation_status"],
            "Employment Status": p["employment_status"],
            "Has Unpaid Carer": "" if is_carer else ("Yes" if p["_has_carer"] else "No"),
            "Client Funding Status": p["funding_status"],
            "Total Hrs Caring per week": cared_for[0]["hours_caring_per_week"]
            if is_carer and cared_for
            else "",
            "No. of adults being cared for": str(len(cared_for)) if is_carer and cared_for else "",
            **{
                f"Adult {i} Linked Person_ID": (
                    cared_for[i - 1]["cared_for__la_person_id"] if is_carer and len(cared_for) >= i else ""
                )
                for i in (1, 2, 3)
            },
        }


def project(
    start: dt.date,
    end: dt.date,
    *,
    reporting_start: dt.date | None = None,
    reporting_end: dt.date | None = None,
) -> Iterator[dict[str, str]]:
    """CLD rows for the events open at some time between `start` and `end`, as {field name: text}."""
    reporting = {
        "Reporting Period Start Date": _date(reporting_start or start),
        "Reporting Period End Date": _date(reporting_end or end),
    }
    people = _People()

    def rows_for(event_rows):
        batch = []
        for row in event_rows:
            batch.append(row)
            if len(batch) >= CHUNK:
                yield from flush(batch)
                batch = []
        yield from flush(batch)

    def flush(batch):
        people.load({pid for pid, _ in batch})
        for pid, event in batch:
            if pid in people.cache:
                row = dict.fromkeys(FIELDS, "")
                row.update(reporting)
                row.update(people.columns(pid))
                row.update(event)
                yield row

    yield from rows_for(_requests(start, end))
    yield from rows_for(_assessments(start, end))
    yield from rows_for(_services(start, end))
    yield from rows_for(_reviews(start, end))


def _requests(start, end):
    # A request ends when it is concluded, or when triage passes it to a team (its outcome is then the
    # progression, e.g. "Progress to assessment, review or reassessment").
    ended = Coalesce("concluded_on", "triaged_on")
    qs = (
        SupportRequest.objects.annotate(ended_on=ended)
        .filter(_overlapping("received_on", "ended_on", start, end))
        .exclude(status=RequestStatus.CANCELLED)
        .order_by("pk")
    )
    for r in qs.values(
        "id", "person_id", "received_on", "ended_on", "outcome", "route_of_access", "client_type", "reason"
    ).iterator(chunk_size=CHUNK):
        yield (
            r["person_id"],
            {
                "Event Type": "Request",
                "Event Reference": f"REQ-{r['id']}",
                "Client Type": r["client_type"],
                "Event Start Date": _date(r["received_on"]),
                "Event End Date": _date(r["ended_on"]),
                "Event Outcome": r["outcome"] if r["ended_on"] else "",
                "Event Description": r["reason"][:200],
                "Request: Route of Access": r["route_of_access"],
            },
        )


def _assessments(start, end):
    qs = (
        Assessment.objects.filter(_overlapping("started_on", "completed_on", start, end))
        .exclude(status=AssessmentStatus.CANCELLED)
        .order_by("pk")
    )
    for a in qs.values(
        "id",
        "person_id",
        "kind",
        "assessment_type",
        "method",
        "started_on",
        "completed_on",
        "outcome",
        "eligible",
        "status",
    ).iterator(chunk_size=CHUNK):
        done = a["completed_on"] is not None and a["status"] != AssessmentStatus.IN_PROGRESS
        yield (
            a["person_id"],
            {
                "Event Type": "Assessment",
                "Event Reference": f"ASM-{a['id']}",
                "Client Type": "Unpaid carer" if a["kind"] == "carer" else "Service user",
                "Event Start Date": _date(a["started_on"]),
                "Event End Date": _date(a["completed_on"] if done else None),
                "Event Outcome": a["outcome"] if done else "",
                "Assessment Type": a["assessment_type"],
                "Method of Assessment": a["method"],
                "Eligible Needs Identified": ("Yes" if a["eligible"] else "No")
                if done and a["eligible"] is not None
                else "",
            },
        )


def _services(start, end):
    qs = (
        Service.objects.filter(_overlapping("start_on", "end_on", start, end))
        .order_by("pk")
        .values(
            "id",
            "person_id",
            "service_type",
            "service_component",
            "delivery_mechanism",
            "client_type",
            "start_on",
            "end_on",
            "end_outcome",
            "description",
            "provider_location__name",
            "provider_location__cqc_location_id",
        )
    )
    for chunk in _chunks(qs.iterator(chunk_size=CHUNK), CHUNK):
        costs = defaultdict(list)
        for c in (
            ServiceCost.objects.filter(service_id__in=[s["id"] for s in chunk])
            .order_by("service_id", "effective_from", "pk")
            .values(
                "service_id", "effective_from", "unit_cost_pence", "cost_frequency", "planned_units_per_week"
            )
        ):
            costs[c["service_id"]].append(c)
        for s in chunk:
            yield from _service_rows(s, costs.get(s["id"], []), start, end)


def _service_rows(s: dict, versions: list[dict], start: dt.date, end: dt.date):
    """One row per cost version in force during the period; the first keeps the service's real start date,
    so that a fee uplift is never mistaken for a new service (e.g. a new care home admission)."""
    first = max(s["start_on"], start)
    in_force = [v for v in versions if v["effective_from"] <= first]
    later = [v for v in versions if first < v["effective_from"] <= end]
    segments = [(s["start_on"], in_force[-1] if in_force else (versions[0] if versions else None))]
    segments += [(v["effective_from"], v) for v in later]
    for i, (seg_start, version) in enumerate(segments):
        last = i == len(segments) - 1
        seg_end = s["end_on"] if last else segments[i + 1][0] - dt.timedelta(days=1)
        outcome = (s["end_outcome"] if s["end_on"] else "") if last else CONTINUATION
        yield (
            s["person_id"],
            {
                "Event Type": "Service",
                "Event Reference": f"SVC-{s['id']}-{i + 1}",
                "Client Type": s["client_type"],
                "Event Start Date": _date(seg_start),
                "Event End Date": _date(seg_end),
                "Event Outcome": outcome,
                "Event Description": s["description"][:200],
                "Service Type": s["service_type"],
                "Service Component": s["service_component"],
                "Delivery Mechanism": s["delivery_mechanism"],
                "Provider CQC Location Name": s["provider_location__name"] or "",
                "Provider CQC Location ID": s["provider_location__cqc_location_id"] or "",
                "Unit Cost": _money(version["unit_cost_pence"]) if version else "",
                "Cost Frequency (Unit Type)": version["cost_frequency"] if version else "",
                "Planned units per week": _units(version["planned_units_per_week"]) if version else "",
            },
        )


def _reviews(start, end):
    qs = (
        Review.objects.filter(status=ReviewStatus.COMPLETED, started_on__isnull=False)
        .filter(_overlapping("started_on", "completed_on", start, end))
        .order_by("pk")
    )
    for r in qs.values(
        "id",
        "person_id",
        "started_on",
        "completed_on",
        "outcome",
        "reason",
        "method",
        "outcomes_achieved",
        "person__client_type",
    ).iterator(chunk_size=CHUNK):
        yield (
            r["person_id"],
            {
                "Event Type": "Review",
                "Event Reference": f"REV-{r['id']}",
                "Client Type": r["person__client_type"] or "Service user",
                "Event Start Date": _date(r["started_on"]),
                "Event End Date": _date(r["completed_on"]),
                "Event Outcome": r["outcome"],
                "Review Reason": r["reason"],
                "Method of Review": r["method"],
                "Review Outcomes Achieved": r["outcomes_achieved"],
            },
        )


def _chunks(iterator, size):
    chunk = []
    for item in iterator:
        chunk.append(item)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def write_csv(rows, path: Path) -> int:
    """Write CLD rows with the CLD field names as headers; returns the number of rows."""
    n = 0
    with path.open("w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, fieldnames=FIELDS)
        writer.writeheader()
        for row in rows:
            writer.writerow(row)
            n += 1
    return n
