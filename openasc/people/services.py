"""Writes to the person record. Each is atomic and audited; bad input raises ValidationFailed."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from django.db import IntegrityError, transaction

from openasc.core import access, audit
from openasc.core.errors import ValidationFailed
from openasc.core.models import AuditAction, RelationshipKind, User
from openasc.core.validation import check_person_fields, postcode_key
from openasc.people import matching, merging
from openasc.people.models import Alert, CarerLink, Contact, Person
from openasc.people.names import fold, sound_key, tokens

CREATOR_GRANT_DAYS = 30

PERSON_FIELDS = (
    "nhs_number",
    "first_name",
    "middle_names",
    "last_name",
    "preferred_name",
    "date_of_birth",
    "date_of_death",
    "gender",
    "ethnicity",
    "primary_support_reason",
    "accommodation_status",
    "employment_status",
    "client_type",
    "funding_status",
    "address_line_1",
    "address_line_2",
    "town",
    "postcode",
    "phone",
    "email",
    "gp_practice_code",
    "gp_practice_name",
    "communication_needs",
)


class PossibleDuplicate(Exception):
    """The new person may already have a record; the caller offers those records first.

    `candidates` holds only the records the actor may see (those they may open, and for roles that search everyone
    the identity of unrestricted records); `hidden` counts the others, of which the actor learns only that a record
    may exist. `nhs_clash`: a record already holds this NHS number, so no new one can be made."""

    def __init__(
        self,
        candidates: list[Person],
        hidden: int = 0,
        nhs_clash: bool = False,
        openable: frozenset[int] = frozenset(),
    ):
        super().__init__("This person may already have a record")
        self.candidates = candidates
        self.hidden = hidden
        self.nhs_clash = nhs_clash
        self.openable = openable  # ids of the candidates the actor may open (linked on the page)

    @property
    def message(self) -> str:
        if self.nhs_clash and not self.candidates:
            return (
                "A record with this NHS number already exists, and you cannot open it. Ask the front door to check "
                "before you add this person."
            )
        if self.nhs_clash:
            return "A record with this NHS number already exists. Use the existing record."
        if not self.candidates:
            return (
                "A record may already exist for this person. Ask the front door to check, or confirm that you "
                "have checked and this is a new person."
            )
        return "This person may already have a record. Use the existing record if it is the same person."


def _duplicate_warning(actor: User, candidates: list[Person], *, nhs_clash: bool) -> PossibleDuplicate:
    """Split the candidates into those the actor may see and the rest, and audit each against that person."""
    from openasc.core.models import Restriction

    ids = [c.pk for c in candidates]
    may_open = set(
        access.people_visible_to(actor, Person.objects.filter(pk__in=ids)).values_list("pk", flat=True)
    )
    if access.has(actor, access.Capability.SEARCH_ALL):
        restricted = set(
            Restriction.objects.filter(person_id__in=ids, lifted_at__isnull=True).values_list(
                "person_id", flat=True
            )
        )
        shown = [c for c in candidates if c.pk in may_open or c.pk not in restricted]
    else:
        shown = [c for c in candidates if c.pk in may_open]
    hidden = [c for c in candidates if c not in shown]
    # Outside the creating transaction, so the trail keeps what was disclosed even though nothing was created.
    access.disclose(
        actor, shown, purpose="duplicate warning", details={"shown": "identity", "nhs_clash": nhs_clash}
    )
    access.disclose(
        actor,
        hidden,
        purpose="duplicate warning",
        details={"shown": "that a record may exist", "nhs_clash": nhs_clash},
    )
    return PossibleDuplicate(shown, hidden=len(hidden), nhs_clash=nhs_clash, openable=frozenset(may_open))


def _require(actor: User, capability: str, what: str) -> None:
    if not access.has(actor, capability):
        raise PermissionError(f"Your role cannot {what}.")


def _texts(model, errors: dict[str, str], **fields: tuple[str, bool, str]) -> dict[str, str]:
    """Each text field (label, multi-line, value) through the shared normaliser, with the model's maximum length:
    NFKC, trimmed, no NUL or control characters; an error per bad field, all at once."""
    from django.core.exceptions import FieldDoesNotExist

    from openasc.core.validation import check_text

    clean = {name: value or "" for name, (_, _, value) in fields.items()}
    for name, (label, multiline, _) in fields.items():
        try:
            max_length = model._meta.get_field(name).max_length
        except FieldDoesNotExist:  # a value that is not a column of the model (a merge's reason)
            max_length = None
        check_text(clean, errors, name, label=label, max_length=max_length, multiline=multiline)
    return clean


def set_search_keys(person: Person) -> None:
    """Derived keys used by search; set whenever names or postcode change."""
    person.first_key = fold(person.first_name)
    person.last_key = fold(person.last_name)
    person.first_sound = sound_key(person.first_name)
    person.last_sound = sound_key(person.last_name)
    person.postcode_key = postcode_key(person.postcode)


def find_possible_duplicates(
    *,
    nhs_number: str = "",
    first_name: str = "",
    last_name: str = "",
    middle_names: str = "",
    date_of_birth: dt.date | None = None,
    postcode: str = "",
    exclude_id: int | None = None,
) -> list[Person]:
    """Live records with the same NHS number, or that person search would find for the same names with the same
    date of birth (the one matcher, people.matching: nicknames and misspellings within its tolerance, either order,
    middle names or not; the same postcode as well lets the names differ a little more)."""
    found: dict[int, Person] = {}
    if nhs_number:
        for person in Person.objects.filter(nhs_number=nhs_number, merged_into__isnull=True).order_by("pk")[
            :10
        ]:
            found[person.pk] = person
    if date_of_birth and first_name and last_name:
        parsed = matching.ParsedQuery(
            date_of_birth=date_of_birth,
            postcode=postcode_key(postcode) if postcode else "",
            names=tokens(" ".join(n for n in (first_name, middle_names, last_name) if n))[
                : matching.MAX_NAME_TOKENS
            ],
        )
        queries = [parsed]
        if parsed.postcode:  # at another address the names must match as closely as a search needs
            queries.append(matching.ParsedQuery(date_of_birth=date_of_birth, names=parsed.names))
        for query in queries:
            rows = matching.best_matches(query, matching.candidates(query, Person.objects.all()), limit=10)
            ids = [r.pk for r, _ in rows if r.pk not in found]
            found.update(Person.objects.in_bulk(ids))
    found.pop(exclude_id, None)
    return sorted(found.values(), key=lambda p: p.pk)[:10]


def _clean(data: dict[str, Any], *, partial: bool) -> dict[str, Any]:
    unknown = set(data) - set(PERSON_FIELDS)
    if unknown:
        raise ValidationFailed(dict.fromkeys(sorted(unknown), "This field cannot be set here"))
    errors: dict[str, str] = {}
    if not partial:
        data = {"first_name": "", "last_name": "", **data}
    clean = check_person_fields(data, errors)
    if errors:
        raise ValidationFailed(errors)
    return {
        k: ("" if v is None and k not in ("date_of_birth", "date_of_death") else v) for k, v in clean.items()
    }


def person_check(data: dict[str, Any]) -> dict[str, str]:
    """Field errors for partly-entered details, so that a page can list every problem at once."""
    try:
        _clean({k: v for k, v in data.items() if k in PERSON_FIELDS}, partial=True)
    except ValidationFailed as exc:
        return exc.errors
    return {}


def person_create(*, actor: User, data: dict[str, Any], confirm_not_duplicate: bool = False) -> Person:
    """Create a person after checking for an existing record; same NHS number is never allowed twice."""
    _require(actor, access.Capability.CREATE_PERSON, "create records")
    clean = _clean(data, partial=False)
    candidates = find_possible_duplicates(
        nhs_number=clean.get("nhs_number", ""),
        first_name=clean["first_name"],
        last_name=clean["last_name"],
        middle_names=clean.get("middle_names", ""),
        date_of_birth=clean.get("date_of_birth"),
        postcode=clean.get("postcode", ""),
    )
    same_nhs = [c for c in candidates if c.nhs_number and c.nhs_number == clean.get("nhs_number")]
    if same_nhs:
        raise _duplicate_warning(actor, same_nhs, nhs_clash=True)
    if candidates and not confirm_not_duplicate:
        raise _duplicate_warning(actor, candidates, nhs_clash=False)
    return _person_create(actor, clean)


@transaction.atomic
def _person_create(actor: User, clean: dict[str, Any]) -> Person:
    person = Person(la_person_id="tmp-" + uuid.uuid4().hex[:14], **clean)
    set_search_keys(person)
    try:
        with transaction.atomic():
            person.save()
    except IntegrityError as exc:
        raise ValidationFailed({"nhs_number": "A person with this NHS number already has a record"}) from exc
    person.la_person_id = f"P{person.pk:07d}"
    person.save(update_fields=["la_person_id"])
    audit.record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=person,
        details={"fields": sorted(k for k, v in clean.items() if v not in ("", None))},
    )
    if not access.has(actor, access.Capability.VIEW_ALL):
        # Whoever creates a record can keep working on it until it is allocated: a time-limited grant.
        from django.utils import timezone

        from openasc.core.services import care_relationship_create

        now = timezone.now()
        care_relationship_create(
            actor=actor,
            person=person,
            kind=RelationshipKind.GRANT,
            user=actor,
            starts_at=now,
            ends_at=now + dt.timedelta(days=CREATOR_GRANT_DAYS),
            basis="Created the record",
            automatic="creator",
        )
    return person


def person_update(*, record: access.OpenedRecord, data: dict[str, Any]) -> Person:
    """Change some of a person's details; the audit event holds each old and new value.

    Takes the record as opened by the access rules (access.open_record), never a bare person: who is changing it
    and on what basis come from the opening, not from the caller."""
    actor, person, basis = record.user, record.person, record.basis
    _require(actor, access.Capability.EDIT_PERSON, "change records")
    if person.merged_into_id:
        raise ValidationFailed({"person": "This record was merged into another; change that record instead"})
    clean = _clean(data, partial=True)
    if clean.get("nhs_number") and clean["nhs_number"] != person.nhs_number:
        clash = find_possible_duplicates(nhs_number=clean["nhs_number"], exclude_id=person.pk)
        if clash:
            warning = _duplicate_warning(actor, clash, nhs_clash=True)
            where = f" ({warning.candidates[0].la_person_id})" if warning.candidates else ""
            raise ValidationFailed({"nhs_number": f"This NHS number belongs to another record{where}"})
    return _person_update(actor, person, clean, basis)


@transaction.atomic
def _person_update(actor: User, person: Person, clean: dict[str, Any], basis: str) -> Person:
    before = {k: getattr(person, k) for k in clean}
    for k, v in clean.items():
        setattr(person, k, v)
    set_search_keys(person)
    person.save()
    diff = audit.changes_between(before, clean)
    audit.record(actor=actor, action=AuditAction.UPDATE, obj=person, basis=basis, details={"changes": diff})
    return person


@transaction.atomic
def person_merge(*, actor: User, keep: Person, duplicate: Person, reason: str) -> Person:
    """Fold a duplicate record into the one kept: links move across, blanks are filled, nothing is lost."""
    _require(actor, access.Capability.MERGE, "merge records")
    if keep.pk == duplicate.pk:
        raise ValidationFailed({"duplicate": "Choose a different record to merge"})
    if keep.merged_into_id or duplicate.merged_into_id:
        raise ValidationFailed({"duplicate": "One of these records has already been merged"})
    if keep.nhs_number and duplicate.nhs_number and keep.nhs_number != duplicate.nhs_number:
        raise ValidationFailed(
            {"duplicate": "These records have different NHS numbers, so they are different people"}
        )
    errors: dict[str, str] = {}
    reason = _texts(Person, errors, reason=("the reason", True, reason))["reason"]
    if errors:
        raise ValidationFailed(errors)
    if not reason:
        raise ValidationFailed({"reason": "Enter why these records are the same person"})
    filled = {}
    for field in PERSON_FIELDS:
        if getattr(keep, field) in ("", None) and getattr(duplicate, field) not in ("", None):
            filled[field] = getattr(duplicate, field)
    # bulk moves: audited by the two merge events below, which say how many of each moved
    with audit.bulk(actor=actor, action=AuditAction.MERGE, reason=reason, summary=False):
        moved = {
            "contacts": Contact.objects.filter(person=duplicate).update(person=keep),
            "alerts": Alert.objects.filter(person=duplicate).update(person=keep),
            "carer_links_as_carer": CarerLink.objects.filter(carer=duplicate)
            .exclude(cared_for=keep)
            .update(carer=keep),
            "carer_links_as_cared_for": CarerLink.objects.filter(cared_for=duplicate)
            .exclude(carer=keep)
            .update(cared_for=keep),
        }
        from openasc.core.models import CareRelationship

        moved["care_relationships"] = CareRelationship.objects.filter(person=duplicate).update(person=keep)
        moved.update(_move_care_records(actor, keep, duplicate))
        moved.update(
            merging.move_all(keep=keep, duplicate=duplicate)
        )  # case notes and the other contexts' rows
    duplicate.merged_into = keep
    dup_nhs = duplicate.nhs_number
    duplicate.save(update_fields=["merged_into", "updated_at"])
    for k, v in filled.items():
        setattr(keep, k, v)
    if "nhs_number" in filled:
        filled["nhs_number"] = dup_nhs
    set_search_keys(keep)
    keep.save()
    details = {
        "kept": keep.la_person_id,
        "merged": duplicate.la_person_id,
        "filled": sorted(filled),
        "moved": moved,
    }
    audit.record(actor=actor, action=AuditAction.MERGE, obj=keep, reason=reason, details=details)
    audit.record(actor=actor, action=AuditAction.MERGE, obj=duplicate, reason=reason, details=details)
    return keep


def _move_care_records(actor: User, keep: Person, duplicate: Person) -> dict[str, int]:
    """The duplicate's requests, assessments, plans, services and reviews become the kept record's history."""
    from django.db.models import Max

    from openasc.assessments.models import Assessment
    from openasc.frontdoor.models import SupportRequest
    from openasc.planning.models import Plan, Review
    from openasc.services.models import Service

    moved = {
        "requests": SupportRequest.objects.filter(person=duplicate).update(person=keep),
        "assessments": Assessment.objects.filter(person=duplicate).update(person=keep),
        "carer_assessments_about": Assessment.objects.filter(cared_for=duplicate).update(cared_for=keep),
        "services": Service.objects.filter(person=duplicate).update(person=keep),
        "reviews": Review.objects.filter(person=duplicate).update(person=keep),
    }
    # Plan versions are numbered per person: the duplicate's versions follow the kept record's.
    next_version = (Plan.objects.filter(person=keep).aggregate(v=Max("version"))["v"] or 0) + 1
    plans = list(Plan.objects.filter(person=duplicate).order_by("version", "pk"))
    for offset, plan in enumerate(plans):
        plan.person = keep
        plan.version = next_version + offset
        plan.save(update_fields=["person", "version"])
    audit.record_many(
        actor=actor,
        action=AuditAction.MERGE,
        objs=plans,
        details={"moved_from": duplicate.la_person_id, "moved_to": keep.la_person_id},
    )
    moved["plans"] = len(plans)
    return moved


@transaction.atomic
def contact_add(
    *,
    actor: User,
    person: Person,
    kind: str,
    name: str,
    relationship: str = "",
    phone: str = "",
    email: str = "",
    notes: str = "",
) -> Contact:
    _require(actor, access.Capability.EDIT_PERSON, "change records")
    errors: dict[str, str] = {}
    text = _texts(
        Contact,
        errors,
        name=("the contact's name", False, name),
        relationship=("relationship", False, relationship),
        phone=("phone number", False, phone),
        email=("email address", False, email),
        notes=("notes", True, notes),
    )
    if "name" not in errors and not text["name"]:
        errors["name"] = "Enter the contact's name"
    if kind not in dict(Contact._meta.get_field("kind").choices):
        errors["kind"] = "Select the kind of contact"
    if errors:
        raise ValidationFailed(errors)
    contact = Contact.objects.create(person=person, kind=kind, **text)
    audit.record(actor=actor, action=AuditAction.CREATE, obj=contact)
    return contact


@transaction.atomic
def carer_link_create(
    *,
    actor: User,
    carer: Person,
    cared_for: Person,
    relationship: str = "",
    lives_with: bool = False,
    started_on: dt.date | None = None,
) -> CarerLink:
    """Link an unpaid carer to the adult they care for (both have records)."""
    _require(actor, access.Capability.EDIT_PERSON, "change records")
    if carer.pk == cared_for.pk:
        raise ValidationFailed({"cared_for": "A person cannot be their own carer"})
    if CarerLink.objects.filter(carer=carer, cared_for=cared_for, ended_on__isnull=True).exists():
        raise ValidationFailed({"cared_for": "This carer is already linked to this person"})
    errors: dict[str, str] = {}
    relationship = _texts(CarerLink, errors, relationship=("relationship", False, relationship))[
        "relationship"
    ]
    if errors:
        raise ValidationFailed(errors)
    link = CarerLink.objects.create(
        carer=carer,
        cared_for=cared_for,
        relationship=relationship,
        lives_with=lives_with,
        started_on=started_on,
    )
    audit.record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=link,
        person_id=cared_for.pk,
        details={"carer": carer.pk, "cared_for": cared_for.pk},
    )
    audit.record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=link,
        person_id=carer.pk,
        details={"carer": carer.pk, "cared_for": cared_for.pk},
    )
    return link


@transaction.atomic
def alert_add(
    *,
    actor: User,
    person: Person,
    kind: str,
    description: str,
    starts_on: dt.date | None = None,
    ends_on: dt.date | None = None,
) -> Alert:
    _require(actor, access.Capability.EDIT_PERSON, "change records")
    errors: dict[str, str] = {}
    description = _texts(Alert, errors, description=("the alert", True, description))["description"]
    if kind not in dict(Alert._meta.get_field("kind").choices):
        errors["kind"] = "Select the kind of alert"
    if "description" not in errors and not description:
        errors["description"] = "Describe what staff need to know"
    starts_on = starts_on or dt.date.today()
    if ends_on and ends_on < starts_on:
        errors["ends_on"] = "The end date must be the same as or after the start date"
    if errors:
        raise ValidationFailed(errors)
    alert = Alert.objects.create(
        person=person, kind=kind, description=description, starts_on=starts_on, ends_on=ends_on
    )
    audit.record(actor=actor, action=AuditAction.CREATE, obj=alert)
    return alert


@transaction.atomic
def alert_end(*, actor: User, alert: Alert, ends_on: dt.date | None = None) -> Alert:
    _require(actor, access.Capability.EDIT_PERSON, "change records")
    ends_on = ends_on or dt.date.today()
    if ends_on < alert.starts_on:
        raise ValidationFailed({"ends_on": "The end date must be the same as or after the start date"})
    alert.ends_on = ends_on
    alert.save(update_fields=["ends_on"])
    audit.record(actor=actor, action=AuditAction.UPDATE, obj=alert, details={"ends_on": str(ends_on)})
    return alert
