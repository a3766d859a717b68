"""Writes for case notes: record a note, correct it within the edit window, add an addendum. Atomic and audited.

Every write takes the record as opened (`access.open_record`), checks the role (Capability.WRITE_NOTES), validates
every field at once (so the page and the API report every mistake together, each on its field) and only then writes,
in one transaction with its audit event. The audit events name the note and the person and say what kind of note it
is and whether it is sensitive, never its subject or body: the access log is read by people who may not read a
sensitive note.

- A note's time may not be in the future (a minute's grace for clocks that differ), nor before 1900.
- A note may be about one thing in the same person's record: a request for support, an assessment, a plan, a service
  or a review ("request:12"); anything else, or someone else's, is refused on the `link` field.
- People present are free text (one a line) and/or the person's own contacts.
- The author may correct the note until OPENASC_CASE_NOTE_EDIT_MINUTES after writing it (at exactly that minute
  still; a second later no longer); after that, or for anyone else, only an addendum adds to it. Every save writes an
  immutable CaseNoteVersion, the first one included.
- An addendum may be added by anyone who may write notes, open the record and read the note.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from openasc.casenotes import selectors
from openasc.casenotes.models import LINK_FIELDS, CaseNote, CaseNoteAddendum, CaseNoteVersion, NoteKind
from openasc.core import access, audit, links, validation
from openasc.core.errors import ValidationFailed
from openasc.core.models import AuditAction, User
from openasc.core.workflow import require_record

EARLIEST = dt.datetime(1900, 1, 1, tzinfo=dt.UTC)
CLOCK_GRACE = dt.timedelta(minutes=1)
MAX_PRESENT = 50  # names in "who was present"
MAX_BODY = 50_000
MAX_ADDENDUM = 20_000


def can_write_notes(user: User) -> bool:
    return access.has(user, access.Capability.WRITE_NOTES)


def _require(actor: User) -> None:
    if not can_write_notes(actor):
        raise PermissionError("Your role cannot write case notes.")


def edit_window() -> dt.timedelta:
    return dt.timedelta(minutes=int(getattr(settings, "OPENASC_CASE_NOTE_EDIT_MINUTES", 60)))


def editable_until(note: CaseNote) -> dt.datetime:
    return note.created_at + edit_window()


def may_edit(user: User, note: CaseNote, now: dt.datetime | None = None) -> bool:
    """The author, within the edit window, with a role that writes notes."""
    now = now or timezone.now()
    return note.author_id == user.pk and can_write_notes(user) and now <= editable_until(note)


def edit_refusal(user: User, note: CaseNote, now: dt.datetime | None = None) -> str:
    """Why this user cannot correct this note now ("" when they can)."""
    if may_edit(user, note, now):
        return ""
    if not can_write_notes(user):
        return "Your role cannot write case notes."
    if note.author_id != user.pk:
        return "Only the author can correct a case note. Add an addendum instead."
    minutes = int(edit_window().total_seconds() // 60)
    return f"A case note can be corrected only in the {minutes} minutes after it was written. Add an addendum instead."


# --- input -----------------------------------------------------------------------------------------------------------


def parse_occurred_at(value: Any) -> dt.datetime:
    """A datetime, or ISO 8601 text ("2026-11-20T14:30", with or without an offset; local time when without)."""
    if isinstance(value, dt.datetime):
        when = value
    elif isinstance(value, str) and value.strip():
        try:
            when = dt.datetime.fromisoformat(validation.ascii_digits(value).strip().replace("Z", "+00:00"))
        except ValueError:
            raise ValueError("Enter the date and time it happened, like 2026-11-20T14:30") from None
    elif isinstance(value, dt.date):
        raise ValueError("Enter the time it happened as well as the date")
    else:
        raise ValueError("Enter the date and time it happened")
    if timezone.is_naive(when):
        when = timezone.make_aware(when)
    return when


def _check_when(value: Any, errors: dict[str, str], now: dt.datetime) -> dt.datetime | None:
    try:
        when = parse_occurred_at(value)
    except ValueError as exc:
        errors["occurred_at"] = str(exc)
        return None
    if when > now + CLOCK_GRACE:
        errors["occurred_at"] = "The date and time it happened must be now or in the past"
    elif when < EARLIEST:
        errors["occurred_at"] = "The date and time it happened must be after 1900"
    return when


def _find_link(kind: str, object_id: int):
    model = CaseNote._meta.get_field(kind).related_model
    return model.objects.filter(pk=object_id).only("pk", "person_id").first()


def _check_contacts(record: access.OpenedRecord, contact_ids: Any, errors: dict[str, str]) -> list[int]:
    from openasc.people.models import Contact

    if contact_ids in (None, "", []):
        return []
    if isinstance(contact_ids, str | int):
        contact_ids = [contact_ids]
    try:
        ids = sorted({int(str(c)) for c in contact_ids})
    except (TypeError, ValueError):
        errors["contact_ids"] = "Choose the contacts who were present from the list"
        return []
    own = set(Contact.objects.filter(person_id=record.person_id, pk__in=ids).values_list("pk", flat=True))
    if set(ids) - own:
        errors["contact_ids"] = "A contact chosen is not one of this person's contacts: choose from the list"
        return []
    return ids


def _clean_present(value: Any, errors: dict[str, str]) -> str:
    if isinstance(value, list | tuple):
        if not all(isinstance(v, str) for v in value):
            errors["present"] = "Enter who was present as names, one a line"
            return ""
        value = "\n".join(value)
    try:
        text = validation.clean_text(value, label="list of who was present", max_length=5000, multiline=True)
    except validation.TextError as exc:
        errors["present"] = str(exc)
        return ""
    names = [line.strip() for line in text.split("\n") if line.strip()]
    if len(names) > MAX_PRESENT:
        errors["present"] = f"List at most {MAX_PRESENT} people who were present"
    return "\n".join(names)


def _clean(
    record: access.OpenedRecord,
    *,
    kind: Any,
    occurred_at: Any,
    subject: Any,
    body: Any,
    present: Any,
    contact_ids: Any,
    link: Any,
    sensitive: Any,
    now: dt.datetime,
) -> tuple[dict[str, Any], dict[str, str]]:
    errors: dict[str, str] = {}
    clean: dict[str, Any] = {"subject": subject, "body": body}
    if not isinstance(kind, str) or kind not in NoteKind.values:
        errors["kind"] = (
            "Select what kind of note it is: visit, phone call, email, meeting, management decision or other"
        )
    clean["kind"] = kind
    clean["occurred_at"] = _check_when(occurred_at, errors, now)
    validation.check_text(clean, errors, "subject", label="subject", max_length=200)
    validation.check_text(clean, errors, "body", label="note", max_length=MAX_BODY, multiline=True)
    if "subject" not in errors and not clean["subject"]:
        errors["subject"] = "Enter a subject: a few words that say what the note is about"
    if "body" not in errors and not clean["body"]:
        errors["body"] = "Enter the note: what happened, what was said and what was decided"
    clean["present"] = _clean_present(present, errors)
    clean["contact_ids"] = _check_contacts(record, contact_ids, errors)
    clean["link_field"], clean["link"] = links.check_link(record, link, errors, thing="note", find=_find_link)
    if not isinstance(sensitive, bool):
        errors["sensitive"] = "Say whether the note is sensitive (true or false)"
    clean["sensitive"] = bool(sensitive) if isinstance(sensitive, bool) else False
    return clean, errors


def _apply(note: CaseNote, clean: dict[str, Any]) -> None:
    for f in ("kind", "occurred_at", "subject", "body", "present", "sensitive"):
        setattr(note, f, clean[f])
    for name in LINK_FIELDS:
        setattr(note, name, clean["link"] if name == clean["link_field"] else None)


def _version(
    record: access.OpenedRecord, note: CaseNote, clean: dict[str, Any], *, at: dt.datetime, reason: str = ""
) -> CaseNoteVersion:
    """The immutable copy of the note as saved now, audited as its own object (the note's event says what changed)."""
    version = CaseNoteVersion.objects.create(
        note=note,
        version=note.version,
        kind=note.kind,
        occurred_at=note.occurred_at,
        subject=note.subject,
        body=note.body,
        present=note.present,
        contact_ids=clean["contact_ids"],
        sensitive=note.sensitive,
        link_field=clean["link_field"],
        link_id=clean["link"].pk if clean["link"] is not None else None,
        saved_by=record.user,
        saved_at=at,
        reason=reason,
    )
    audit.record(
        actor=record.user,
        action=AuditAction.CREATE,
        obj=version,
        person_id=note.person_id,
        basis=record.basis,
        details={"event": "case_note_version", "note": note.pk, "version": version.version},
    )
    return version


def _details(subject_note: CaseNote, event: str, **more) -> dict[str, Any]:
    """What the audit trail says about a note: never its subject, body or who was present."""
    note = subject_note
    link = note.link_field
    return {
        "event": event,
        "kind": note.kind,
        "sensitive": note.sensitive,
        "version": note.version,
        "link": f"{link}:{getattr(note, f'{link}_id')}" if link else "",
        **more,
    }


# --- writes ----------------------------------------------------------------------------------------------------------


def case_note_create(
    *,
    record: access.OpenedRecord,
    kind: str,
    occurred_at: Any,
    subject: str,
    body: str,
    present: Any = "",
    contact_ids: Any = None,
    link: Any = "",
    sensitive: Any = False,
) -> CaseNote:
    """Record a note on the opened record, with its first version; audited against the person."""
    actor, person = require_record(record).user, record.person
    _require(actor)
    now = timezone.now()
    clean, errors = _clean(
        record,
        kind=kind,
        occurred_at=occurred_at,
        subject=subject,
        body=body,
        present=present,
        contact_ids=contact_ids,
        link=link,
        sensitive=sensitive,
        now=now,
    )
    if errors:
        raise ValidationFailed(errors)
    with transaction.atomic():
        note = CaseNote(person=person, author=actor, created_at=now, updated_at=now, version=1)
        _apply(note, clean)
        note.save()
        note.contacts.set(clean["contact_ids"])
        note.teams.set(selectors._team_ids(actor))
        _version(record, note, clean, at=now)
        audit.record(
            actor=actor,
            action=AuditAction.CREATE,
            obj=note,
            person_id=person.pk,
            basis=record.basis,
            details=_details(note, "case_note_created"),
        )
    return note


def case_note_edit(
    *,
    record: access.OpenedRecord,
    note: CaseNote,
    kind: str,
    occurred_at: Any,
    subject: str,
    body: str,
    present: Any = "",
    contact_ids: Any = None,
    link: Any = "",
    sensitive: Any = False,
    reason: str = "",
) -> CaseNote:
    """The author corrects the note within the edit window: a new version; the earlier ones are kept."""
    actor = require_record(record).user
    _require(actor)
    if note.person_id != record.person_id:
        raise ValidationFailed(
            {"note": "This note belongs to another person's record: open that record to change it"}
        )
    selectors.refuse_unreadable(record, note, "edit case note")
    now = timezone.now()
    refusal = edit_refusal(actor, note, now)
    if refusal:
        raise access.refuse(
            actor, person_id=note.person_id, purpose="edit case note", explanation=refusal, obj=note
        )
    clean, errors = _clean(
        record,
        kind=kind,
        occurred_at=occurred_at,
        subject=subject,
        body=body,
        present=present,
        contact_ids=contact_ids,
        link=link,
        sensitive=sensitive,
        now=now,
    )
    words = {"reason": reason}
    validation.check_text(words, errors, "reason", label="reason for the change", max_length=300)
    if errors:
        raise ValidationFailed(errors)
    with transaction.atomic():
        locked = CaseNote.objects.select_for_update().get(pk=note.pk)
        if locked.version != note.version:
            raise ValidationFailed(
                {
                    "note": "Someone saved this note while you were changing it: open it again to see the new version"
                }
            )
        before = {"kind": locked.kind, "sensitive": locked.sensitive, "link": locked.link_field}
        _apply(locked, clean)
        locked.version += 1
        locked.updated_at = now
        locked.save()
        locked.contacts.set(clean["contact_ids"])
        _version(record, locked, clean, at=now, reason=words["reason"])
        audit.record(
            actor=actor,
            action=AuditAction.UPDATE,
            obj=locked,
            person_id=locked.person_id,
            basis=record.basis,
            # (the reason the author typed stays on the version: like the note's words, not in the audit trail)
            details=_details(locked, "case_note_edited", before=before, reason_given=bool(words["reason"])),
        )
    return locked


def case_note_addendum_add(*, record: access.OpenedRecord, note: CaseNote, body: str) -> CaseNoteAddendum:
    """A dated addition to a note, by anyone who may write notes on the person and read the note."""
    actor = require_record(record).user
    _require(actor)
    if note.person_id != record.person_id:
        raise ValidationFailed(
            {"note": "This note belongs to another person's record: open that record to add to it"}
        )
    selectors.refuse_unreadable(record, note, "add to case note")
    errors: dict[str, str] = {}
    words = {"body": body}
    validation.check_text(words, errors, "body", label="addendum", max_length=MAX_ADDENDUM, multiline=True)
    if "body" not in errors and not words["body"]:
        errors["body"] = "Enter the addendum: what you are adding to the note"
    if errors:
        raise ValidationFailed(errors)
    now = timezone.now()
    with transaction.atomic():
        addendum = CaseNoteAddendum.objects.create(
            note=note, body=words["body"], written_by=actor, written_at=now
        )
        audit.record(
            actor=actor,
            action=AuditAction.CREATE,
            obj=addendum,
            person_id=note.person_id,
            basis=record.basis,
            details=_details(note, "case_note_addendum", note=note.pk),
        )
        # The note's own trail says it was added to (its history is read by the note as object).
        audit.record(
            actor=actor,
            action=AuditAction.UPDATE,
            obj=note,
            person_id=note.person_id,
            basis=record.basis,
            details=_details(note, "case_note_added_to", addendum=addendum.pk),
        )
    return addendum


def case_notes_move(*, keep, duplicate) -> int:
    """A merge's move of the duplicate's notes to the kept record (their versions and addenda go with them); for
    `people.services.person_merge`, inside its `audit.bulk` block, whose merge events say how many moved."""
    return CaseNote.objects.filter(person=duplicate).update(person=keep)
