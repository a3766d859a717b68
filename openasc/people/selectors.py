"""Reads of the person record, always for a given user, always through the access rules, always audited."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Q

from openasc.core import access, audit, nhs_number
from openasc.core.errors import AccessDenied
from openasc.core.models import AuditAction, AuditEvent, Restriction, User
from openasc.people import matching
from openasc.people.matching import ParsedQuery, parse_query
from openasc.people.models import Alert, CarerLink, Contact, Person


@dataclass
class SearchHit:
    person: Person
    score: float
    can_open: bool
    restricted: bool = False  # a restricted record the user cannot open: only its person id is shown


@dataclass
class SearchResults:
    query: str
    hits: list[SearchHit] = field(default_factory=list)
    interpreted_as: list[str] = field(default_factory=list)
    limited_to_own: bool = (
        False  # the role sees only the people it may open (said on every search, found or not)
    )


# What the results list shows.
_HIT_FIELDS = (
    "id",
    "la_person_id",
    "nhs_number",
    "first_name",
    "middle_names",
    "last_name",
    "date_of_birth",
    "date_of_death",
    "postcode",
    "first_key",
    "last_key",
    "client_type",
    "town",
)


def person_search(*, user: User, query: str, limit: int = 50) -> SearchResults:
    """Find people by name (typo-tolerant, either order), NHS number, LA id, date of birth or postcode."""
    parsed = parse_query(query)
    results = SearchResults(query=query)
    if parsed.empty:
        return results
    results.interpreted_as = _describe(parsed)
    candidates = matching.candidates(parsed, Person.objects.all())
    search_all = access.has(user, access.Capability.SEARCH_ALL)
    if not search_all:
        # Only the records the user may open are candidates, for an exact identifier too: a role that cannot search
        # everyone learns nothing about anyone else, not even whether a record exists.
        candidates = access.people_visible_to(user, candidates)
    scored = matching.best_matches(parsed, candidates, limit=limit)
    shown = Person.objects.only(*_HIT_FIELDS).in_bulk([r.pk for r, _ in scored])
    scored = [(shown[r.pk], s) for r, s in scored if r.pk in shown]
    ids = [p.pk for p, _ in scored]
    if search_all:
        open_ids = set(
            access.people_visible_to(user, Person.objects.filter(pk__in=ids)).values_list("pk", flat=True)
        )
        restricted_ids = set(
            Restriction.objects.filter(person_id__in=ids, lifted_at__isnull=True).values_list(
                "person_id", flat=True
            )
        )
    else:
        open_ids, restricted_ids = set(ids), set()
    hits = []
    for p, s in scored:
        can_open = p.pk in open_ids
        # A restricted record the user cannot open is listed (so that nobody adds a duplicate) by its person id
        # alone: no name, date of birth, NHS number or address.
        hits.append(
            SearchHit(
                person=_identity_only(p) if (p.pk in restricted_ids and not can_open) else p,
                score=s,
                can_open=can_open,
                restricted=p.pk in restricted_ids,
            )
        )
    results.hits = hits
    results.limited_to_own = not search_all
    # The search, and each person shown audited against that person (same request id), so the search appears in
    # their "who has looked"; the search event itself keeps the count, not a second copy of the ids. One write.
    audit.write(
        [
            audit.event(
                actor=user,
                action=AuditAction.SEARCH,
                basis="Search everyone (role)" if search_all else "Own relationships",
                details={"query": query, "results": len(ids)},
            ),
            *access.disclosure_events(
                user, [h.person for h in hits], purpose="search result", details={"query": query}
            ),
        ]
    )
    return results


def _identity_only(person: Person) -> Person:
    """A stand-in for a restricted record in search results: its ids only."""
    return Person(
        pk=person.pk,
        la_person_id=person.la_person_id,
        first_name="",
        last_name="",
        middle_names="",
        nhs_number="",
        postcode="",
        town="",
        client_type="",
        date_of_birth=None,
        date_of_death=None,
    )


def _describe(parsed: ParsedQuery) -> list[str]:
    parts = []
    if parsed.nhs_number:
        parts.append(f"NHS number {nhs_number.display(parsed.nhs_number)}")
    if parsed.la_person_id:
        parts.append(f"person id {parsed.la_person_id}")
    if parsed.names:
        parts.append("name " + " ".join(parsed.names))
    if parsed.date_of_birth:
        parts.append(f"date of birth {parsed.date_of_birth:%-d %B %Y}")
    elif parsed.birth_year:
        parts.append(f"born in {parsed.birth_year}")
    if parsed.postcode:
        parts.append(f"postcode {parsed.postcode}")
    if parsed.outward_code:
        parts.append(f"postcode area {parsed.outward_code}")
    return parts


def person_get(*, user: User, person_id: int, purpose: str = "view") -> tuple[Person, access.Access]:
    """Open a record: allowed only on a legitimate basis; every opening and every refusal is audited."""
    opened = person_open(user=user, person_id=person_id, purpose=purpose)
    return opened.person, opened.decision


def person_open(*, user: User, person_id: int, purpose: str = "view") -> access.OpenedRecord:
    """The record opened for a purpose (raises Person.DoesNotExist or, after auditing the refusal, AccessDenied)."""
    person = Person.objects.select_related("merged_into").get(pk=person_id)
    return access.open_record(user, person, purpose)


_IDENTITY_FIELDS = ("id", "la_person_id", "first_name", "last_name", "date_of_birth")


def person_for_break_glass(*, user: User, person_id: int) -> tuple[Person, access.Access]:
    """The record's identity for the emergency-access page, and whether the user may open it already.

    Only roles that may use break-glass get here (the view refuses the others before looking the record up). The
    page names the person only to roles that may search everyone; each showing is audited against the person."""
    person = Person.objects.only(*_IDENTITY_FIELDS).get(pk=person_id)
    decision = access.explain(user, person)
    if not decision.allowed:
        access.disclose(user, [person], purpose="break-glass page")
    return person, decision


def person_for_restriction(*, user: User, person_id: int):
    """(identity, live restriction or None) for the restriction page, for those who may change it; audited."""
    from openasc.core.selectors import restriction_for

    person = Person.objects.only(*_IDENTITY_FIELDS).get(pk=person_id)
    current = restriction_for(user=user, person=person)
    audit.record(
        actor=user,
        action=AuditAction.VIEW,
        obj=person,
        basis="Restriction management",
        details={"purpose": "restriction"},
    )
    return person, current


@dataclass
class PersonRecord:
    person: Person
    access: access.Access
    contacts: list[Contact]
    carers: list[CarerLink]
    caring_for: list[CarerLink]
    alerts: list[Alert]
    relationships: list


def person_record(*, user: User, person_id: int) -> PersonRecord:
    """Everything on the person's page, after one access check and one audit event."""
    from openasc.core.models import CareRelationship

    person, decision = person_get(user=user, person_id=person_id)
    today = dt.date.today()
    # Both directions of caring in one query: who cares for the person, and whom the person cares for.
    links = list(
        CarerLink.objects.filter(Q(cared_for=person) | Q(carer=person), ended_on__isnull=True)
        .select_related("carer", "cared_for")
        .order_by("pk")
    )
    return PersonRecord(
        person=person,
        access=decision,
        contacts=list(person.contacts.order_by("kind", "name")),
        carers=[link for link in links if link.cared_for_id == person.pk],
        caring_for=[link for link in links if link.carer_id == person.pk],
        alerts=list(
            person.alerts.filter(Q(ends_on__isnull=True) | Q(ends_on__gte=today)).order_by("-starts_on")
        ),
        relationships=list(
            CareRelationship.objects.filter(person=person)
            .filter(Q(ends_at__isnull=True) | Q(ends_at__gt=dt.datetime.now(dt.UTC)))
            .select_related("user", "team")
        ),
    )


def person_exists(*, person_id: int) -> int | None:
    """`person_id` if a record has it (for auditing an attempt against them, never shown to the user), else None."""
    return Person.objects.filter(pk=person_id).values_list("pk", flat=True).first()


def person_contacts(*, user: User, person_id: int) -> list[Contact]:
    """A person's contacts, after the access decision and a view event (purpose "contacts")."""
    record = person_open(user=user, person_id=person_id, purpose="contacts")
    return list(record.person.contacts.order_by("kind", "name"))


def person_carer_links(*, user: User, person_id: int) -> tuple[list[CarerLink], list[CarerLink]]:
    """(who cares for the person, whom the person cares for): current links only."""
    record = person_open(user=user, person_id=person_id, purpose="carers")
    return (
        list(CarerLink.objects.filter(cared_for=record.person, ended_on__isnull=True).order_by("pk")),
        list(CarerLink.objects.filter(carer=record.person, ended_on__isnull=True).order_by("pk")),
    )


def person_alerts(*, user: User, person_id: int) -> list[Alert]:
    """Alerts in force today or later, newest first."""
    record = person_open(user=user, person_id=person_id, purpose="alerts")
    today = dt.date.today()
    return list(
        record.person.alerts.filter(Q(ends_on__isnull=True) | Q(ends_on__gte=today)).order_by(
            "-starts_on", "-pk"
        )
    )


def person_alert(*, user: User, person_id: int, alert_id: int) -> tuple[Alert, access.OpenedRecord]:
    """One of a person's alerts (for ending it), with the record as opened; another person's alert is not found."""
    record = person_open(user=user, person_id=person_id, purpose="end alert")
    return Alert.objects.get(pk=alert_id, person=record.person), record


ACCESS_LOG_REFUSED = (
    "Only information governance, or a manager who works with this person, can see who has looked "
    "at their record."
)


def person_access_log(*, user: User, person_id: int, limit: int = 200) -> tuple[Person, list[AuditEvent]]:
    """Who has looked at or changed this record: for information governance, and managers who may open it."""
    person = Person.objects.only(*_IDENTITY_FIELDS).get(pk=person_id)
    allowed = access.has(user, access.Capability.VIEW_ACCESS_LOG) and (
        user.role == "information_governance" or access.explain(user, person).allowed
    )
    if not allowed:
        raise access.refuse(user, person_id=person.pk, purpose="access log", explanation=ACCESS_LOG_REFUSED)
    events = list(
        AuditEvent.objects.filter(person_id=person_id)
        .select_related("actor", "on_behalf_of")
        .order_by("-occurred_at", "-pk")[:limit]
    )
    audit.record(
        actor=user,
        action=AuditAction.VIEW,
        person_id=person_id,
        basis="Access log review",
        details={"purpose": "access log"},
    )
    return person, events


NOT_FOUND_OR_CLOSED = "There is no person with that id that you can open: check it, or ask the front door"


def person_by_la_id(*, user: User, la_person_id: str, purpose: str = "link or merge") -> Person | None:
    """A live record by its LA person id, for linking or merging, only if the user may open it: None otherwise, the
    same answer whether or not the record exists (a refusal is audited against the person)."""
    person = Person.objects.filter(
        la_person_id=la_person_id.strip().upper(), merged_into__isnull=True
    ).first()
    if person is None:
        return None
    try:
        access.check(user, person, purpose)
    except AccessDenied:
        return None
    return person
