"""Reads of case notes, always for a given user, through the access rules and the sensitive-note rule.

Opening the notes list, a search of it or one note is a view of the person's record (`access.open_record` with the
purpose, audited). A sensitive note is read only by its author, the members of the teams the author was in when it
was written, and the roles in OPENASC_SENSITIVE_NOTE_ROLES (`may_read`); everyone else who may open the record sees
it in the list as "A sensitive note (restricted)" with its date and kind only, never in a search (a search that
matched a restricted note would tell them what it says), and is refused the note itself, audited.

A person may have thousands of notes: a page of the list is three queries, whatever its length: the count and the
page's ids on the (person, occurred_at) index, then those 25 notes with whether each may be read, its addenda count,
its author and its link.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.core.paginator import Page, Paginator
from django.db.models import Case, Count, Exists, F, OuterRef, Q, QuerySet, Subquery, Value, When
from django.db.models.functions import Coalesce

from openasc.casenotes.models import LINK_FIELDS, CaseNote, CaseNoteAddendum, CaseNoteVersion
from openasc.core import access
from openasc.core.errors import AccessDenied
from openasc.core.models import User
from openasc.core.validation import normalise_query

PAGE_SIZE = 25
SENSITIVE_REFUSED = (
    "This is a sensitive note. Only its author, the team they were in when they wrote it and the staff named by the "
    "council (team managers and safeguarding leads) can read it."
)


def sensitive_note_roles() -> frozenset[str]:
    raw = str(getattr(settings, "OPENASC_SENSITIVE_NOTE_ROLES", "") or "")
    return frozenset(r.strip() for r in raw.split(",") if r.strip())


def _team_ids(user: User) -> list[int]:
    return access._team_ids(user)


def readable(user: User) -> Q:
    """The notes `user` may read, as a condition on CaseNote rows (of records already opened)."""
    if user.role in sensitive_note_roles():
        return Q(pk__isnull=False)
    in_team = Exists(
        CaseNote.teams.through.objects.filter(casenote_id=OuterRef("pk"), team_id__in=_team_ids(user))
    )
    return Q(sensitive=False) | Q(author=user) | Q(in_team)


def may_read(user: User, note: CaseNote) -> bool:
    """Whether `user` may read this note (they may open the person's record: asked separately)."""
    if not note.sensitive or note.author_id == user.pk or user.role in sensitive_note_roles():
        return True
    teams = _team_ids(user)
    return bool(teams) and note.teams.filter(pk__in=teams).exists()


def _refuse_sensitive(user: User, note: CaseNote, purpose: str) -> AccessDenied:
    return access.refuse(
        user,
        person_id=note.person_id,
        purpose=f"{purpose}: sensitive note",
        explanation=SENSITIVE_REFUSED,
        obj=note,
    )


def note_get(
    *, user: User, note_id: int, purpose: str = "view case note"
) -> tuple[CaseNote, access.OpenedRecord]:
    """One note and the record as opened (audited, with the note as object). Someone who may not open the person's
    record is refused as for any record; someone who may open it but not read this sensitive note is refused too,
    audited, without a view of the note being written."""
    note = CaseNote.objects.select_related("person", "author", *LINK_FIELDS).get(pk=note_id)
    if not may_read(user, note):
        if not access.explain(user, note.person).allowed:
            access.open_record(user, note.person, purpose, obj=note)  # refuses, audited as any record
        raise _refuse_sensitive(user, note, purpose)
    return note, access.open_record(user, note.person, purpose, obj=note)


def refuse_unreadable(record: access.OpenedRecord, note: CaseNote, purpose: str) -> None:
    """For a service given a note on a record already opened: a sensitive note the user may not read is refused."""
    if not may_read(record.user, note):
        raise _refuse_sensitive(record.user, note, purpose)


@dataclass(frozen=True)
class NotesPage:
    page: Page
    query: str
    total: int  # notes on the person's record (all of them, restricted included)


def _annotated(user: User, ids: list[int]) -> QuerySet:
    """The notes of one page, with whether the user may read each, its addenda count, its author and its link."""
    addenda = (
        CaseNoteAddendum.objects.filter(note=OuterRef("pk"))
        .order_by()
        .values("note")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return (
        CaseNote.objects.filter(pk__in=ids)
        .annotate(
            can_read=Q(readable(user)),
            addenda_count=Coalesce(Subquery(addenda), Value(0)),
        )
        .select_related("author", *LINK_FIELDS)
        .order_by("-occurred_at", "-pk")
    )


def notes_for_person(
    *, record: access.OpenedRecord, query: str = "", page: int | str = 1, page_size: int = PAGE_SIZE
) -> NotesPage:
    """One page of the person's notes, newest first, on the record as opened (the caller opened it, audited).

    With a query, only notes the user may read whose subject or body contains it (case-insensitive) are listed;
    without one, every note, with `can_read` saying whether its subject and body may be shown.

    The page is chosen on the (person, occurred_at) index alone (ids only), then only its 25 notes are read with
    their author, link and addenda: the cost of a page does not grow with the joins times the person's notes."""
    user = record.user
    query = normalise_query(query or "").strip()  # no NUL (PostgreSQL refuses it) or control characters
    ids = CaseNote.objects.filter(person_id=record.person_id)
    if query:
        ids = ids.filter(readable(user)).filter(Q(subject__icontains=query) | Q(body__icontains=query))
    paginator = Paginator(ids.order_by("-occurred_at", "-pk").values_list("pk", flat=True), page_size)
    chosen = paginator.get_page(page)
    chosen.object_list = list(_annotated(user, list(chosen.object_list)))
    total = paginator.count if not query else CaseNote.objects.filter(person_id=record.person_id).count()
    return NotesPage(page=chosen, query=query, total=total)


def notes_open(*, user: User, person_id: int, query: str = "", page: int | str = 1) -> access.OpenedRecord:
    """Open the person's record to list or search their notes (audited with the search and the page); raises
    Person.DoesNotExist or, after auditing the refusal, AccessDenied."""
    from openasc.people.models import Person

    person = Person.objects.get(pk=person_id)
    details = {"page": str(page)[:10]}
    if query:
        details["search"] = query[:200]
    return access.open_record(user, person, "case notes", details=details)


def versions_of(note: CaseNote) -> list[CaseNoteVersion]:
    """Every saved version of a note the caller has read (oldest first)."""
    return list(CaseNoteVersion.objects.filter(note=note).select_related("saved_by").order_by("version"))


def addenda_of(note: CaseNote) -> list[CaseNoteAddendum]:
    return list(
        CaseNoteAddendum.objects.filter(note=note).select_related("written_by").order_by("written_at", "pk")
    )


def contacts_of(note: CaseNote) -> list:
    return list(note.contacts.order_by("name", "pk"))


def timeline_notes(person, limit: int = 300) -> list[CaseNote]:
    """The person's latest notes for the timeline (the page that shows it has opened the record); only the fields the
    timeline shows, so that a restricted note's subject and body are never even loaded for it."""
    return list(
        CaseNote.objects.filter(person_id=person.pk)
        .select_related("author")
        .only("pk", "kind", "occurred_at", "sensitive", "person_id", *(f"author__{f}" for f in USER_ONLY))
        .annotate(shown_subject=Case(When(sensitive=True, then=Value("")), default=F("subject")))
        .order_by("-occurred_at", "-pk")[:limit]
    )


USER_ONLY = ("first_name", "last_name", "username")


def link_choices(*, record: access.OpenedRecord) -> list[tuple[str, str]]:
    """What a note on this record may be about: ("request:12", "Request for support received 3 November 2026")."""
    from openasc.assessments.models import Assessment
    from openasc.frontdoor.models import SupportRequest
    from openasc.planning.models import Plan, Review
    from openasc.services.models import Service

    pid = record.person_id
    out: list[tuple[str, str]] = []
    for r in SupportRequest.objects.filter(person_id=pid).order_by("-received_on", "-pk")[:50]:
        out.append((f"request:{r.pk}", f"Request for support received {r.received_on:%-d %B %Y}"))
    for a in Assessment.objects.filter(person_id=pid).order_by("-started_on", "-pk")[:50]:
        out.append((f"assessment:{a.pk}", f"{a.get_kind_display()} started {a.started_on:%-d %B %Y}"))
    for p in Plan.objects.filter(person_id=pid).order_by("-version", "-pk")[:50]:
        out.append(
            (f"plan:{p.pk}", f"Care and support plan, version {p.version} ({p.get_status_display().lower()})")
        )
    for s in Service.objects.filter(person_id=pid).order_by("-start_on", "-pk")[:50]:
        out.append((f"service:{s.pk}", f"Service: {s.service_type} from {s.start_on:%-d %B %Y}"))
    for v in Review.objects.filter(person_id=pid).order_by("-due_on", "-pk")[:50]:
        out.append((f"review:{v.pk}", f"Review due {v.due_on:%-d %B %Y}"))
    return out


def contact_choices(*, record: access.OpenedRecord) -> list[tuple[str, str]]:
    from openasc.people.models import Contact

    return [
        (str(c.pk), f"{c.name} ({c.get_kind_display().lower()})")
        for c in Contact.objects.filter(person_id=record.person_id).order_by("name", "pk")
    ]
