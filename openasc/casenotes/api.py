"""Case notes over JSON: the same services, selectors, access rules and audit as the pages.

The input schemas take every field as loosely as JSON allows (text, or nothing) and leave the checking to the
service, so that an invalid POST is answered with every invalid field at once, each with its message, rather than
the first one a schema refused. A sensitive note the caller may not read is listed with its id, date and kind only
(`restricted: true`), never found by a search, and refused (403, audited) when asked for.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest
from ninja import Field, Router, Schema
from ninja.responses import Status

from openasc.casenotes import selectors
from openasc.casenotes import services as note_writes
from openasc.core.validation import normalise_query

router = Router(tags=["case notes"])


class NoteIn(Schema):
    kind: Any = Field(None, description="visit, phone_call, email, meeting, management_decision or other")
    occurred_at: Any = Field(
        None, description="When it happened, ISO 8601 (e.g. 2026-11-20T14:30; UK time without an offset)"
    )
    subject: Any = Field(None, description="A few words that say what the note is about")
    body: Any = Field(None, description="The note")
    present: Any = Field(None, description="Who was present: a list of names, or text with one name a line")
    contact_ids: Any = Field(None, description="Ids of the person's own contacts who were present")
    link: Any = Field(
        None,
        description='What the note is about, in the same person\'s record: "request:ID", "assessment:ID", '
        '"plan:ID", "service:ID" or "review:ID"',
    )
    sensitive: Any = Field(False, description="Only the author's teams and named roles may read it")


class AddendumIn(Schema):
    body: Any = Field(None, description="What is added to the note")


class AddendumOut(Schema):
    id: int
    body: str
    written_by: str
    written_at: dt.datetime


class NoteOut(Schema):
    id: int
    person_id: int
    kind: str
    occurred_at: dt.datetime
    restricted: bool = Field(..., description="A sensitive note you may not read: no subject, body or author")
    subject: str | None = None
    body: str | None = None
    present: list[str] | None = None
    contact_ids: list[int] | None = None
    link: str | None = None
    sensitive: bool
    author: str | None = None
    created_at: dt.datetime | None = None
    version: int | None = None
    edited: bool | None = None
    addenda: list[AddendumOut] | None = None


class NotesOut(Schema):
    count: int = Field(..., description="Notes listed (with a search: notes you may read that match)")
    page: int
    pages: int
    notes: list[NoteOut]


class ErrorOut(Schema):
    detail: str
    errors: list[dict] = []


def _link(note) -> str:
    field = note.link_field
    return f"{field}:{getattr(note, f'{field}_id')}" if field else ""


def _out(note, *, can_read: bool, contacts=None, addenda=None) -> dict:
    base = {
        "id": note.pk,
        "person_id": note.person_id,
        "kind": note.kind,
        "occurred_at": note.occurred_at,
        "sensitive": note.sensitive,
        "restricted": not can_read,
    }
    if not can_read:
        return base
    return {
        **base,
        "subject": note.subject,
        "body": note.body,
        "present": [line for line in note.present.split("\n") if line.strip()],
        "contact_ids": [c.pk for c in contacts] if contacts is not None else None,
        "link": _link(note),
        "author": note.author.display_name,
        "created_at": note.created_at,
        "version": note.version,
        "edited": note.edited,
        "addenda": [
            {"id": a.pk, "body": a.body, "written_by": a.written_by.display_name, "written_at": a.written_at}
            for a in addenda
        ]
        if addenda is not None
        else None,
    }


def _detail(note) -> dict:
    return _out(note, can_read=True, contacts=selectors.contacts_of(note), addenda=selectors.addenda_of(note))


@router.get(
    "/people/{person_id}",
    response={200: NotesOut, 403: ErrorOut, 404: ErrorOut},
    summary="A person's case notes, newest first (q searches the notes you may read)",
)
def list_notes(request: HttpRequest, person_id: int, q: str = "", page: int = 1):
    q = normalise_query(q or "")[:200]  # as a search box reads it: no NUL or control characters
    record = selectors.notes_open(user=request.user, person_id=person_id, query=q, page=page)
    listed = selectors.notes_for_person(record=record, query=q, page=page)
    return {
        "count": listed.page.paginator.count,
        "page": listed.page.number,
        "pages": listed.page.paginator.num_pages,
        "notes": [_out(n, can_read=n.can_read) for n in listed.page.object_list],
    }


@router.post(
    "/people/{person_id}",
    response={201: NoteOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut},
    summary="Record a case note on a person",
)
def create_note(request: HttpRequest, person_id: int, payload: NoteIn):
    from openasc.people import selectors as people_selectors

    record = people_selectors.person_open(user=request.user, person_id=person_id, purpose="add case note")
    note = note_writes.case_note_create(record=record, **payload.dict())
    return Status(201, _detail(note))


@router.get(
    "/{note_id}",
    response={200: NoteOut, 403: ErrorOut, 404: ErrorOut},
    summary="One case note with its addenda",
)
def read_note(request: HttpRequest, note_id: int):
    note, _ = selectors.note_get(user=request.user, note_id=note_id)
    return _detail(note)


@router.post(
    "/{note_id}/addenda",
    response={201: NoteOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut},
    summary="Add an addendum to a case note",
)
def add_addendum(request: HttpRequest, note_id: int, payload: AddendumIn):
    note, record = selectors.note_get(user=request.user, note_id=note_id, purpose="add to case note")
    note_writes.case_note_addendum_add(record=record, note=note, body=payload.body)
    return Status(201, _detail(note))
