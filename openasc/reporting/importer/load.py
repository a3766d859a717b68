"""Write a checked plan to the record: people, requests, assessments, services and costs, reviews, carer links.

One transaction; bulk inserts and updates; one audit event per person created or changed (``audit.record_many``,
action create or update, actor the importing user, details naming the import run and what was loaded), so the
audit trail covers every person whose record the import touched. Imported events are remembered by their unique
event key (``ImportedEvent``): loading the same file again finds every key with the same row hash and changes
nothing; a later file updates the events whose rows changed.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from contextlib import contextmanager
from decimal import Decimal
from types import SimpleNamespace

from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone

from openasc.assessments.models import Assessment, AssessmentKind, AssessmentStatus
from openasc.core import audit
from openasc.core.context import current_request_id
from openasc.core.models import AuditAction, User
from openasc.frontdoor.models import ContactBy, RequestStatus, SupportRequest
from openasc.people.models import CarerLink, Person
from openasc.people.services import set_search_keys
from openasc.planning.models import Review, ReviewStatus
from openasc.providers.models import Provider, ProviderLocation
from openasc.reporting.models import ImportedEvent, ImportRun
from openasc.services.models import Service, ServiceCost

from .check import (
    CARER_TYPES,
    FIELDS,
    P_ASSESSMENT,
    P_CLIENT,
    P_COMPONENT,
    P_END,
    P_OUTCOME,
    P_ROUTE,
    P_SERVICE,
    P_START,
    POS,
    Issue,
    Plan,
    row_hash,
)
from .fastinsert import fast_insert, fast_insert_rows, moving_in

BATCH = 2000
EVENT_BATCH = 50_000  # events written per round of inserts (known events are looked up BATCH at a time)
SEARCH_KEYS = ("first_key", "last_key", "first_sound", "last_sound", "postcode_key")
# Event outcomes that mean a request was passed on (routed) rather than concluded at the front door.
PROGRESS_PREFIX = "Progress to"

PERSON_FIELDS = {  # Person field -> CLD field (demographics, from the person's latest row)
    "first_name": "First Name",
    "last_name": "Last Name",
    "gp_practice_name": "GP Practice Name",
    "gp_practice_code": "GP Practice Code",
    "gender": "Gender",
    "ethnicity": "Ethnicity",
    "date_of_birth": "Date of Birth",
    "date_of_death": "Date of Death",
    "client_type": "Client Type",
    "primary_support_reason": "Primary Support Reason",
    "postcode": "Postcode",
    "accommodation_status": "Accommodation Status",
    "employment_status": "Employment Status",
    "funding_status": "Client Funding Status",
}
# Where _values finds what it reads in a row (besides the key fields check.py places), and the status values it
# writes (looked up once, not per event).
P_DESCRIPTION, P_ELIGIBLE = POS["Event Description"], POS["Eligible Needs Identified"]
P_LINKED_1, P_METHOD = POS["Adult 1 Linked Person_ID"], POS["Method of Assessment"]
P_CQC, P_DELIVERY = POS["Provider CQC Location ID"], POS["Delivery Mechanism"]
P_REVIEW_REASON, P_REVIEW_METHOD, P_REVIEW_OUTCOMES = (
    POS["Review Reason"],
    POS["Method of Review"],
    POS["Review Outcomes Achieved"],
)
REQUEST_OPEN, REQUEST_ROUTED, REQUEST_CONCLUDED = (
    RequestStatus.OPEN.value,
    RequestStatus.ROUTED.value,
    RequestStatus.CONCLUDED.value,
)
ASSESSMENT_NEEDS, ASSESSMENT_CARER = AssessmentKind.NEEDS.value, AssessmentKind.CARER.value
ASSESSMENT_COMPLETED, ASSESSMENT_IN_PROGRESS = (
    AssessmentStatus.COMPLETED.value,
    AssessmentStatus.IN_PROGRESS.value,
)
REVIEW_COMPLETED, REVIEW_SCHEDULED = ReviewStatus.COMPLETED.value, ReviewStatus.SCHEDULED.value
EVENT_MODELS = {"Request": SupportRequest, "Assessment": Assessment, "Service": Service, "Review": Review}
# The tables a first import fills from empty (a council moving in): loaded without their indexes, which are built
# at the end (fastinsert.moving_in). Not the audit trail, which is never empty and is append-only.
FIRST_LOAD_MODELS = [Person, *EVENT_MODELS.values(), ServiceCost, CarerLink, ImportedEvent]


class Conflict(Exception):
    """The files disagree with the record (found before anything is written)."""

    def __init__(self, issues: list[Issue]):
        super().__init__(f"{len(issues)} conflicts with the record")
        self.issues = issues


def _key_text(key: tuple) -> str:
    """An event's unique key as ImportedEvent keeps it: its parts joined by '|' (a date in ISO form, none blank)."""
    pid, et, start, client, route, assessment, service, component = key
    return f"{pid}|{et}|{'' if start is None else start}|{client}|{route}|{assessment}|{service}|{component}"


def _chunks(items: list, size: int = BATCH) -> Iterable[list]:
    for i in range(0, len(items), size):
        yield items[i : i + size]


def _v(row: tuple, name: str):
    return row[POS[name]]


def _person_values(row: tuple) -> dict:
    out = {}
    for f, name in PERSON_FIELDS.items():
        v = row[POS[name]]
        if v not in ("", None):
            out[f] = v
    return out


def match_people(plan: Plan) -> tuple[dict[str, Person], list[Issue]]:
    """Existing people for the plan's person ids (NHS number first, else LA person id), and conflicts."""
    by_nhs: dict[str, Person] = {}
    by_la: dict[str, Person] = {}
    if not Person.objects.exists():  # an empty record (a first import): nobody to match
        return {}, []
    nhs_ids = [pid[4:] for pid in plan.people if pid.startswith("NHS:")]
    la_ids = [_v(row, "LA Person Unique Identifier") for _, row in plan.people.values()]
    la_ids = [x for x in la_ids if x]
    for chunk in _chunks(nhs_ids):
        for p in Person.objects.filter(nhs_number__in=chunk, merged_into__isnull=True):
            by_nhs[p.nhs_number] = p
    for chunk in _chunks(la_ids):
        for p in Person.objects.filter(la_person_id__in=chunk):
            by_la[p.la_person_id] = p
    found: dict[str, Person] = {}
    issues = []
    for pid, (rank, row) in plan.people.items():
        la = _v(row, "LA Person Unique Identifier")
        if pid.startswith("NHS:"):
            nhs = pid[4:]
            person = by_nhs.get(nhs)
            other = by_la.get(la) if la else None
            if person is None and other is not None:
                if other.nhs_number and other.nhs_number != nhs:
                    issues.append(
                        Issue(
                            "",
                            rank[2],
                            "LA Person Unique Identifier",
                            la,
                            f"This LA person id belongs to a person with another NHS number "
                            f"({other.nhs_number}) in the record",
                        )
                    )
                    continue
                person = other
            if person is not None:
                found[pid] = person
        else:
            person = by_la.get(la)
            if person is not None:
                found[pid] = person
    return found, issues


class Loader:
    def __init__(self, plan: Plan, user: User, run: ImportRun, progress: Callable[[int], None]):
        self.plan, self.user, self.run, self.progress = plan, user, run, progress
        self.counts: Counter = Counter()
        self.pk_of: dict[str, int] = {}
        self.touched: dict[int, Counter] = defaultdict(Counter)  # person pk -> what changed
        self.created_pks: list[int] = []  # people this import created, in order
        self.created: set[int] = set()
        self.locations: dict[str, ProviderLocation] = {}

    # -- people ---------------------------------------------------------------------------------------------------
    def people(self, existing: dict[str, Person]) -> None:
        new: list[dict] = []  # rows for new people (no model instances: 200,000 of them cost seconds)
        changed = []
        changed_fields: set[str] = set()
        keys_cache: dict[tuple, tuple] = {}
        for pid, (_, row) in self.plan.people.items():
            values = _person_values(row)
            person = existing.get(pid)
            if person is None:
                nhs = pid[4:] if pid.startswith("NHS:") else ""
                la = _v(row, "LA Person Unique Identifier") or nhs
                values = {"la_person_id": la, "nhs_number": nhs, **values}
                names = (
                    values.get("first_name", ""),
                    values.get("last_name", ""),
                    values.get("postcode", ""),
                )
                search = keys_cache.get(names)
                if search is None:  # as set_search_keys(person) sets them
                    keys = SimpleNamespace(first_name=names[0], last_name=names[1], postcode=names[2])
                    set_search_keys(keys)
                    search = keys_cache[names] = tuple(getattr(keys, k) for k in SEARCH_KEYS)
                values.update(zip(SEARCH_KEYS, search, strict=True))
                new.append(values)
                continue
            diff = {f: v for f, v in values.items() if getattr(person, f) != v}
            if pid.startswith("NHS:") and not person.nhs_number:
                diff["nhs_number"] = pid[4:]
            if diff:
                for f, v in diff.items():
                    setattr(person, f, v)
                set_search_keys(person)
                changed.append(person)
                changed_fields |= set(diff)
                self.touched[person.pk]["demographics"] += 1
            self.pk_of[pid] = person.pk
        new_pks = fast_insert_rows(Person, new)
        if changed:
            fields = sorted(
                changed_fields
                | {"first_key", "last_key", "first_sound", "last_sound", "postcode_key", "updated_at"}
            )
            now = timezone.now()
            for p in changed:
                p.updated_at = now
            Person.objects.bulk_update(changed, fields, batch_size=BATCH)
        by_la = {values["la_person_id"]: pk for values, pk in zip(new, new_pks, strict=True)}
        for pid, (_, row) in self.plan.people.items():
            if pid not in self.pk_of:
                self.pk_of[pid] = by_la[_v(row, "LA Person Unique Identifier") or pid[4:]]
        self.created_pks = new_pks
        self.created = set(new_pks)
        self.counts["people created"] = len(new)
        self.counts["people updated"] = len(changed)

    # -- providers ------------------------------------------------------------------------------------------------
    def provider_locations(self) -> None:
        wanted: dict[str, str] = {}
        for _, row in self.plan.events.values():
            cqc = _v(row, "Provider CQC Location ID")
            if cqc:
                wanted.setdefault(cqc, _v(row, "Provider CQC Location Name") or cqc)
        self.locations, self.counts["provider locations created"] = provider_locations(wanted)

    # -- events ---------------------------------------------------------------------------------------------------
    def _values(self, et: str, row: tuple) -> dict:
        """Column values (by attribute name) a CLD row gives the record of its event."""
        g = row.__getitem__
        person_id = self.pk_of[self._pid(row)]
        start, end = g(P_START), g(P_END)
        outcome = g(P_OUTCOME) if end else ""
        client = g(P_CLIENT) or "Service user"
        if et == "Request":
            routed = bool(end) and outcome.startswith(PROGRESS_PREFIX)
            status = (REQUEST_ROUTED if routed else REQUEST_CONCLUDED) if end else REQUEST_OPEN
            return {
                "person_id": person_id,
                "received_on": start,
                "route_of_access": g(P_ROUTE),
                "client_type": client,
                "outcome": outcome,
                "reason": g(P_DESCRIPTION),
                "concluded_on": None if routed else end,
                "triaged_on": end if routed else None,
                "status": status,
            }
        if et == "Assessment":
            carer = client in CARER_TYPES
            eligible = {"Yes": True, "No": False}.get(g(P_ELIGIBLE))
            cared_for = None
            if carer:
                linked = g(P_LINKED_1)
                cared_for = self.linked_pk(linked) if linked else None
            return {
                "person_id": person_id,
                "kind": ASSESSMENT_CARER if carer else ASSESSMENT_NEEDS,
                "cared_for_id": cared_for,
                "assessment_type": g(P_ASSESSMENT),
                "method": g(P_METHOD),
                "started_on": start,
                "completed_on": end,
                "status": ASSESSMENT_COMPLETED if end else ASSESSMENT_IN_PROGRESS,
                "eligible": eligible if end else None,
                "outcome": outcome,
            }
        if et == "Service":
            cqc = g(P_CQC)
            location = self.locations.get(cqc) if cqc else None
            return {
                "person_id": person_id,
                "service_type": g(P_SERVICE),
                "service_component": g(P_COMPONENT),
                "provider_location_id": location.pk if location else None,
                "delivery_mechanism": g(P_DELIVERY),
                "client_type": client,
                "start_on": start,
                "end_on": end,
                "end_outcome": outcome,
                "description": g(P_DESCRIPTION),
            }
        return {
            "person_id": person_id,
            "due_on": start,
            "reason": g(P_REVIEW_REASON) or "Planned",
            "method": g(P_REVIEW_METHOD),
            "started_on": start,
            "completed_on": end,
            "outcomes_achieved": g(P_REVIEW_OUTCOMES),
            "outcome": outcome,
            "notes": g(P_DESCRIPTION),
            "status": REVIEW_COMPLETED if end else REVIEW_SCHEDULED,
        }

    def _new(self, et: str, row: tuple) -> dict:
        values = self._values(et, row)
        uid = self.user.pk
        if et == "Request":
            values.update(contact_by=ContactBy.OTHER_PROFESSIONAL.value, what_matters="", created_by_id=uid)
        elif et == "Assessment":
            values["assessor_id"] = uid
        elif et == "Service":
            values["created_by_id"] = uid
        else:
            values["reviewer_id"] = uid
        return values

    def _pid(self, row: tuple) -> str:
        nhs = row[POS["NHS Number"]]
        if nhs:
            return f"NHS:{nhs}"
        la = row[POS["LA Person Unique Identifier"]]
        pid = f"LA:{la}"
        return pid if pid in self.pk_of else self._la_to_pid.get(la, pid)

    @property
    def _la_to_pid(self) -> dict[str, str]:
        if not hasattr(self, "_la_map"):
            self._la_map = {
                _v(row, "LA Person Unique Identifier"): pid for pid, (_, row) in self.plan.people.items()
            }
        return self._la_map

    def _linked_in_plan(self, linked: str) -> int | None:
        pid = self._la_to_pid.get(linked)
        if pid is None and f"NHS:{linked}" in self.pk_of:
            pid = f"NHS:{linked}"
        return self.pk_of.get(pid) if pid else None

    def linked_pk(self, linked: str) -> int | None:
        if not hasattr(self, "_linked"):
            self._linked: dict[str, int | None] = {}
        if linked not in self._linked:
            pk = self._linked_in_plan(linked)
            if pk is None:
                self._linked_in_record()
                if linked in self._linked:
                    return self._linked[linked]
                pk = (
                    Person.objects.filter(
                        Q(la_person_id=linked) | Q(nhs_number=linked), merged_into__isnull=True
                    )
                    .values_list("pk", flat=True)
                    .first()
                )
            self._linked[linked] = pk
        return self._linked[linked]

    def _linked_in_record(self) -> None:
        """Look up, in a few queries, every linked person id in the plan that the plan itself does not resolve:
        the person with that LA person id or NHS number (the first by id, as one query each would find)."""
        if getattr(self, "_linked_looked_up", False):
            return
        self._linked_looked_up = True
        client, linked_p = POS["Client Type"], POS["Adult 1 Linked Person_ID"]
        wanted = {linked for _, linked in self.plan.links}
        wanted |= {
            row[linked_p]
            for key, (_, row) in self.plan.events.items()
            if key[1] == "Assessment" and (row[client] or "Service user") in CARER_TYPES and row[linked_p]
        }
        wanted = [w for w in wanted if w not in self._linked and self._linked_in_plan(w) is None]
        found: dict[str, int] = {}
        for chunk in _chunks(wanted):
            values = set(chunk)
            for pk, la, nhs in Person.objects.filter(
                Q(la_person_id__in=chunk) | Q(nhs_number__in=chunk), merged_into__isnull=True
            ).values_list("pk", "la_person_id", "nhs_number"):
                for v in {la, nhs} & values:
                    if v not in found or pk < found[v]:
                        found[v] = pk
        for w in wanted:
            self._linked[w] = found.get(w)

    def _cost(self, service_id: int, start: dt.date, row: tuple) -> dict | None:
        cost = row[POS["Unit Cost"]]
        if cost in ("", None):
            return None
        units = row[POS["Planned units per week"]]
        return {
            "service_id": service_id,
            "effective_from": start,
            "unit_cost_pence": int((Decimal(cost) * 100).quantize(Decimal(1))),
            "cost_frequency": row[POS["Cost Frequency (Unit Type)"]],
            "planned_units_per_week": None if units in ("", None) else units,
            "reason": "CLD import",
            "created_by_id": self.user.pk,
        }

    def events(self) -> None:
        items = list(self.plan.events.items())
        kind = {
            "Request": "requests",
            "Assessment": "assessments",
            "Service": "services",
            "Review": "reviews",
        }
        created_label = {et: f"{label} created" for et, label in kind.items()}
        any_imported = ImportedEvent.objects.exists()  # none yet (a first import): nothing to look up
        created, touched = self.created, self.touched
        for chunk in _chunks(items, EVENT_BATCH):
            keys = {_key_text(key): (key, row) for key, (_, row) in chunk}
            known = {}
            if any_imported:
                for part in _chunks(list(keys)):
                    known.update(
                        (ie.event_key, ie) for ie in ImportedEvent.objects.filter(event_key__in=part)
                    )
            new_by_type: dict[str, list] = defaultdict(list)
            upd_by_type: dict[str, list] = defaultdict(list)
            changed_ie = []
            for text_key, (key, row) in keys.items():
                et = key[1]
                h = row_hash(row)
                ie = known.get(text_key)
                if ie is None:
                    new_by_type[et].append((text_key, row, h, self._new(et, row)))
                elif ie.row_hash != h:
                    ie.row_hash = h
                    ie.import_run = self.run
                    changed_ie.append(ie)
                    upd_by_type[et].append((ie.object_id, row))
            imported = []
            for et, entries in new_by_type.items():
                model = EVENT_MODELS[et]
                ids = fast_insert_rows(model, [e[3] for e in entries])
                label = model._meta.label_lower
                run_pk, what = self.run.pk, created_label[et]
                for (text_key, _row, h, values), pk in zip(entries, ids, strict=True):
                    imported.append(
                        {
                            "event_key": text_key,
                            "object_type": label,
                            "object_id": pk,
                            "row_hash": h,
                            "import_run_id": run_pk,
                        }
                    )
                    if (
                        values["person_id"] not in created
                    ):  # people created are audited as created, nothing more
                        touched[values["person_id"]][what] += 1
                self.counts[f"{kind[et]} created"] += len(ids)
                if et == "Service":
                    costs = [
                        c
                        for c in (
                            self._cost(pk, values["start_on"], row)
                            for (_, row, _, values), pk in zip(entries, ids, strict=True)
                        )
                        if c
                    ]
                    fast_insert_rows(ServiceCost, costs)
                    self.counts["service costs created"] += len(costs)
            fast_insert_rows(ImportedEvent, imported)
            for et, entries in upd_by_type.items():
                self._update(et, entries, kind[et])
            ImportedEvent.objects.bulk_update(changed_ie, ["row_hash", "import_run"])
            self.progress(len(chunk))

    def _update(self, et: str, entries: list[tuple[int, tuple]], label: str) -> None:
        model = EVENT_MODELS[et]
        objs = model.objects.in_bulk([pk for pk, _ in entries])
        updated = []
        fields: set[str] = set()
        for pk, row in entries:
            obj = objs.get(pk)
            if obj is None:
                continue
            before = {f.attname: getattr(obj, f.attname) for f in model._meta.concrete_fields}
            for f, v in self._values(et, row).items():
                setattr(obj, f, v)
            diff = [f for f, v in before.items() if getattr(obj, f) != v]
            if diff:
                fields |= set(diff)
                updated.append(obj)
                self.touched[obj.person_id][f"{label} updated"] += 1
            if et == "Service":
                self._update_cost(obj, row)
        if updated:
            model.objects.bulk_update(updated, sorted(fields), batch_size=BATCH)
        self.counts[f"{label} updated"] += len(updated)

    def _update_cost(self, service: Service, row: tuple) -> None:
        values = self._cost(service.pk, service.start_on, row)
        if values is None:
            return
        new = ServiceCost(**values)
        current = ServiceCost.objects.filter(service=service).order_by("-effective_from", "-pk").first()
        if current is None:
            ServiceCost.objects.bulk_create([new])
            self.counts["service costs created"] += 1
        elif (current.unit_cost_pence, current.cost_frequency, current.planned_units_per_week) != (
            new.unit_cost_pence,
            new.cost_frequency,
            new.planned_units_per_week,
        ) and current.effective_from == new.effective_from:
            current.unit_cost_pence, current.cost_frequency = new.unit_cost_pence, new.cost_frequency
            current.planned_units_per_week = new.planned_units_per_week
            ServiceCost.objects.bulk_update(
                [current], ["unit_cost_pence", "cost_frequency", "planned_units_per_week"]
            )
            self.counts["service costs updated"] += 1

    # -- carer links ----------------------------------------------------------------------------------------------
    def carer_links(self) -> list[tuple[str, str]]:
        missing = []
        wanted = {}
        for (carer_pid, linked), (hours, start) in self.plan.links.items():
            carer = self.pk_of.get(carer_pid)
            cared_for = self.linked_pk(linked)
            if carer is None or cared_for is None or carer == cared_for:
                missing.append((carer_pid, linked))
                continue
            wanted[(carer, cared_for)] = (hours, start)
        existing = set()
        for chunk in _chunks(list(wanted)):
            carers = {c for c, _ in chunk}
            existing |= set(
                CarerLink.objects.filter(carer_id__in=carers).values_list("carer_id", "cared_for_id")
            )
        new = [
            CarerLink(carer_id=c, cared_for_id=cf, hours_caring_per_week=hours, started_on=start)
            for (c, cf), (hours, start) in wanted.items()
            if (c, cf) not in existing
        ]
        fast_insert(CarerLink, new)
        for link in new:
            self.touched[link.carer_id]["carer links created"] += 1
            self.touched[link.cared_for_id]["carer links created"] += 1
        self.counts["carer links created"] = len(new)
        return missing

    # -- audit ----------------------------------------------------------------------------------------------------
    def audit(self) -> int:
        created_pks = self.created
        details = {"import_run": self.run.pk, "what": "CLD import", "files": self.plan.files}
        # one create event per person created, as audit.record_many writes them (which checks the actor here)
        audit.record_many(
            actor=self.user, action=AuditAction.CREATE, objs=[], basis="CLD import", details=details
        )
        now = timezone.now()
        rid = current_request_id()
        # both kinds in one chained insert (audit.insert_rows: ids and hashes under the chain's lock, ADR 0008)
        created = [
            {
                "occurred_at": now,
                "actor_id": self.user.pk,
                "action": str(AuditAction.CREATE),
                "person_id": pk,
                "object_type": "people.person",
                "object_id": str(pk),
                "basis": "CLD import",
                "request_id": rid,
                "details": details,
            }
            for pk in self.created_pks
        ]
        changed_pks = [pk for pk in self.touched if pk not in created_pks]
        # one update event per existing person whose record changed, naming what changed
        changed = [
            {
                "occurred_at": now,
                "actor_id": self.user.pk,
                "action": str(AuditAction.UPDATE),
                "person_id": pk,
                "object_type": "people.person",
                "object_id": str(pk),
                "basis": "CLD import",
                "details": {**details, "changes": dict(self.touched[pk])},
            }
            for pk in changed_pks
        ]
        audit.insert_rows(created + changed)
        return len(created) + len(changed)


def provider_locations(wanted: dict[str, str]) -> tuple[dict[str, ProviderLocation], int]:
    """The provider location of each CQC location id wanted (id -> name for a new one): found in the record, else
    created with a provider of the same name; and how many were created."""
    locations: dict[str, ProviderLocation] = {}
    if not wanted:
        return locations, 0
    for loc in ProviderLocation.objects.filter(cqc_location_id__in=list(wanted)):
        locations.setdefault(loc.cqc_location_id, loc)
    created = 0
    for cqc, name in wanted.items():
        if cqc not in locations:
            provider = Provider.objects.create(name=name)
            locations[cqc] = ProviderLocation.objects.create(
                provider=provider, name=name, cqc_location_id=cqc
            )
            created += 1
    return locations, created


@contextmanager
def _large_cache():
    """SQLite: a 256 MB page cache while loading, so index inserts for a million rows stay in memory."""
    if connection.vendor != "sqlite":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA cache_size")
        before = cursor.fetchone()[0]
        cursor.execute("PRAGMA cache_size = -262144")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"PRAGMA cache_size = {int(before)}")


def load(
    plan: Plan, *, user: User, run: ImportRun, progress: Callable[[int], None] = lambda n: None
) -> tuple[dict[str, int], list[tuple[str, str]]]:
    """Write the plan in one transaction; returns (counts, carer links whose cared-for person was not found).

    A plan whose rows were left in DuckDB (a first import, ``plan.staged``) is written as sets (``setload``)."""
    existing, conflicts = match_people(plan)  # (a staged plan has no people of its own to match)
    if conflicts:
        raise Conflict(conflicts)
    # bulk writes allowed: each person created or changed gets its audit event (Loader.audit, setload's)
    with (
        _large_cache(),
        transaction.atomic(),
        moving_in(FIRST_LOAD_MODELS),
        audit.bulk(actor=user, action=AuditAction.CREATE, reason="CLD import", summary=False),
    ):
        if plan.staged is not None:
            from .setload import load_staged

            return load_staged(plan.staged, user=user, run=run, progress=progress)
        loader = Loader(plan, user, run, progress)
        loader.people(existing)
        loader.provider_locations()
        loader.events()
        missing = loader.carer_links()
        loader.counts["audit events"] = loader.audit()
    return {k: v for k, v in loader.counts.items() if v}, missing


def event_date(value) -> str:
    return value.isoformat() if isinstance(value, dt.date) else str(value or "")


__all__ = ["FIELDS", "Conflict", "load", "match_people"]
