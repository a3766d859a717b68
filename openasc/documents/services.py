"""Writes for documents: store a letter (and a new version of it), store an attachment, save a letter template.

Every write on a person's record takes the record as opened (`access.open_record`), checks the role
(Capability.WRITE_NOTES: the staff whose work with a person is recorded as contact with them write to them and file
what they send in; ADR 0013), validates every field at once and only then writes, in one transaction with its audit
event. An attachment's file is written before its row, under a random name, and taken back if the row is not
written; nothing is ever half stored. The audit events name the document and the person, its kind and type, never
its words.

- A letter is written from an active template whose placeholders are all known (an unknown one is refused, named);
  the worker's edited words are what is stored. A stored letter never changes: changing it stores version n + 1,
  and the same words again are refused (nothing to store).
- An attachment is a PDF, PNG, JPEG, plain text or Word (.docx) file by its content *and* its name, of at most
  OPENASC_DOCUMENT_MAX_BYTES (at exactly that size accepted, a byte more refused), and not empty.
- A document may be about one thing of the same person's record (a request, an assessment, a plan, a service or a
  review: "plan:12"); someone else's is refused on the `link` field.
"""

from __future__ import annotations

import hashlib
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from openasc.core import access, audit, links, validation
from openasc.core.errors import ValidationFailed
from openasc.core.models import AuditAction, User
from openasc.core.workflow import require_record
from openasc.documents import files, letters, selectors
from openasc.documents.models import LINK_FIELDS, Document, DocumentKind, LetterTemplate, TemplateAbout

MAX_TITLE = 200
MAX_BODY = 50_000


def can_keep_documents(user: User) -> bool:
    return access.has(user, access.Capability.WRITE_NOTES)


def can_edit_templates(user: User) -> bool:
    return access.has(user, access.Capability.EDIT_LETTER_TEMPLATES)


def _require(actor: User) -> None:
    if not can_keep_documents(actor):
        raise PermissionError("Your role cannot write letters or add documents to a record.")


# --- input -----------------------------------------------------------------------------------------------------------


def check_link(record: access.OpenedRecord, link: Any, errors: dict[str, str]) -> tuple[str, Any]:
    """ "plan:12" -> ("plan", the plan), checked to be in the opened record (core.links); "" -> ("", None)."""
    return links.check_link(
        record,
        link,
        errors,
        thing="document",
        find=lambda kind, pk: selectors.find_link(record=record, kind=kind, object_id=pk),
    )


def _text(
    data: dict, errors: dict, field: str, label: str, max_length: int, *, multiline=False, required=True
):
    value = data.get(field)
    try:
        text = validation.clean_text(value, label=label, max_length=max_length, multiline=multiline)
    except validation.TextError as exc:
        errors[field] = str(exc)
        return ""
    if required and not text:
        errors[field] = f"Enter the {label}"
    return text


def _template(value: Any, errors: dict[str, str]) -> LetterTemplate | None:
    if isinstance(value, LetterTemplate):
        template = value
    else:
        key = value.strip() if isinstance(value, str) else ""
        if not key:
            errors["template"] = "Choose the letter to write"
            return None
        try:
            template = selectors.template_get(key=key)
        except LetterTemplate.DoesNotExist:
            errors["template"] = f"There is no letter template {key!r} in use: choose one from the list"
            return None
    if not template.active:
        errors["template"] = f"The letter template {template.name!r} is no longer in use: choose another"
        return None
    bad = letters.check_template({"title": template.subject, "words": template.body})
    if bad:
        errors["template"] = f"The letter template {template.name!r} cannot be used: " + "; ".join(
            f"its {field}: {message}" for field, message in bad.items()
        )
        return None
    return template


def letter_draft(*, record: access.OpenedRecord, template: Any, link: Any = "") -> tuple[str, str]:
    """The letter's title and words filled from the record (not stored): what the worker edits before storing."""
    require_record(record)
    errors: dict[str, str] = {}
    chosen = _template(template, errors)
    _kind, about = check_link(record, link, errors)
    if errors:
        raise ValidationFailed(errors)
    values = selectors.letter_values(
        record=record, sources=selectors.letter_sources(record=record, about=about)
    )
    return letters.fill(chosen.subject, values), letters.fill(chosen.body, values)


def letter_gaps(*, record: access.OpenedRecord, template: Any, link: Any = "") -> list[str]:
    """What the letter asks for that the record does not have (shown "(not recorded)"), in words, for the worker to
    write in before storing it."""
    errors: dict[str, str] = {}
    chosen = _template(template, errors)
    _kind, about = check_link(record, link, errors)
    if errors:
        return []
    values = selectors.letter_values(
        record=record, sources=selectors.letter_sources(record=record, about=about)
    )
    used = letters.placeholders_in(chosen.subject + "\n" + chosen.body)
    return [
        letters.PLACEHOLDERS[name] for name in used if name in letters.PLACEHOLDERS and not values.get(name)
    ]


# --- letters ---------------------------------------------------------------------------------------------------------


def _audit_document(record: access.OpenedRecord, document: Document, action: str, **details) -> None:
    audit.record(
        actor=record.user,
        action=action,
        obj=document,
        person_id=record.person_id,
        basis=record.basis,
        details={"kind": document.kind, "version": document.version, **details},
    )


def letter_store(
    *, record: access.OpenedRecord, template: Any, title: Any, body: Any, link: Any = ""
) -> Document:
    """Store a letter, as the worker edited it, on the person's record (version 1)."""
    require_record(record)
    _require(record.user)
    errors: dict[str, str] = {}
    chosen = _template(template, errors)
    kind, about = check_link(record, link, errors)
    clean_title = _text({"title": title}, errors, "title", "letter's title", MAX_TITLE)
    clean_body = _text({"body": body}, errors, "body", "letter", MAX_BODY, multiline=True)
    unfilled = letters.placeholders_in(clean_body + " " + clean_title)
    if unfilled and "body" not in errors:
        shown = ", ".join("{" + n + "}" for n in unfilled)
        errors["body"] = f"The letter still has {shown} in it: write the words in its place"
    if errors:
        raise ValidationFailed(errors)
    with transaction.atomic():
        document = Document.objects.create(
            person=record.person,
            kind=DocumentKind.LETTER,
            title=clean_title,
            template=chosen,
            body=clean_body,
            created_by=record.user,
            created_at=timezone.now(),
            **({kind: about} if kind else {}),
        )
        _audit_document(record, document, AuditAction.CREATE, template=chosen.key, link=kind)
    return document


def letter_revise(*, record: access.OpenedRecord, document: Document, title: Any, body: Any) -> Document:
    """Store a changed letter as its next version; the stored one stays as it was."""
    require_record(record)
    _require(record.user)
    if document.person_id != record.person_id:
        raise ValidationFailed({"body": "That letter is in another person's record, not the record opened"})
    errors: dict[str, str] = {}
    if document.kind != DocumentKind.LETTER:
        raise ValidationFailed({"body": "Only a letter can be changed; upload a new attachment instead"})
    if not selectors.is_latest(document):
        raise ValidationFailed({"body": "A later version of this letter is stored: change that one instead"})
    clean_title = _text({"title": title}, errors, "title", "letter's title", MAX_TITLE)
    clean_body = _text({"body": body}, errors, "body", "letter", MAX_BODY, multiline=True)
    if not errors and clean_title == document.title and clean_body == document.body:
        errors["body"] = f"The letter is the same as version {document.version}: change it, or go back"
    if errors:
        raise ValidationFailed(errors)
    with transaction.atomic():
        try:
            revised = Document.objects.create(
                person=record.person,
                kind=DocumentKind.LETTER,
                title=clean_title,
                template_id=document.template_id,
                body=clean_body,
                version=document.version + 1,
                previous=document,
                created_by=record.user,
                created_at=timezone.now(),
                **{f"{name}_id": getattr(document, f"{name}_id") for name in LINK_FIELDS},
            )
        except IntegrityError:
            raise ValidationFailed(
                {"body": "Someone stored a new version at the same time: start again"}
            ) from None
        _audit_document(record, revised, AuditAction.UPDATE, previous=document.pk)
    return revised


# --- attachments -----------------------------------------------------------------------------------------------------


def read_upload(upload) -> tuple[str, bytes, int]:
    """(name, content, size) of an uploaded file, reading no more than one byte past the size limit (a larger file
    is refused by its size without being read into memory)."""
    if upload is None:
        return "", b"", 0
    name = str(getattr(upload, "name", "") or "")
    if hasattr(upload, "seek"):
        upload.seek(0)
    data = upload.read(files.max_bytes() + 1)
    size = max(int(getattr(upload, "size", 0) or 0), len(data))
    return name, data, size


def attachment_store(
    *, record: access.OpenedRecord, upload: Any, title: Any = "", link: Any = ""
) -> Document:
    """Store an uploaded file on the person's record: checked by content and name, kept outside the database.
    `upload` is what the page or the API received (a name, a size and read())."""
    require_record(record)
    _require(record.user)
    errors: dict[str, str] = {}
    kind, about = check_link(record, link, errors)
    name, data, size = read_upload(upload)
    if upload is None:
        errors["file"] = "Select a file to upload"
        found, refusal = None, ""
    else:
        found, refusal = files.check(name, data, size=size)
    if refusal:
        errors["file"] = refusal
    original = files.clean_name(name)
    clean_title = _text({"title": title}, errors, "title", "title", MAX_TITLE, required=False) or original
    if errors:
        raise ValidationFailed(errors)
    file_name = files.new_name()
    files.write(file_name, data)
    try:
        with transaction.atomic():
            document = Document.objects.create(
                person=record.person,
                kind=DocumentKind.ATTACHMENT,
                title=clean_title[:MAX_TITLE],
                file_name=file_name,
                original_name=original,
                content_type=found.content_type,
                size=len(data),
                sha256=hashlib.sha256(data).hexdigest(),
                created_by=record.user,
                created_at=timezone.now(),
                **({kind: about} if kind else {}),
            )
            _audit_document(
                record,
                document,
                AuditAction.CREATE,
                content_type=found.content_type,
                size=len(data),
                link=kind,
            )
    except BaseException:
        files.remove(file_name)
        raise
    return document


def attachment_bytes(*, record: access.OpenedRecord, document: Document) -> bytes:
    """The file of an attachment in the opened record, checked against the digest stored with it."""
    require_record(record)
    if document.person_id != record.person_id or document.kind != DocumentKind.ATTACHMENT:
        raise ValueError("Not an attachment of the record opened")
    data = files.path_of(document.file_name).read_bytes()
    if hashlib.sha256(data).hexdigest() != document.sha256:
        raise OSError(f"The stored file of document {document.pk} has changed since it was uploaded")
    return data


def documents_move(*, keep, duplicate) -> int:
    """A merge's move of the duplicate's letters and attachments to the kept record (their files stay where they are:
    the rows name them); for `people.services.person_merge`, inside its `audit.bulk` block, whose merge events say how
    many moved."""
    return Document.objects.filter(person=duplicate).update(person=keep)


# --- letter templates (reference data) -------------------------------------------------------------------------------


def letter_template_save(
    *,
    actor: User,
    template: LetterTemplate | None,
    key: Any,
    name: Any,
    about: Any,
    subject: Any,
    body: Any,
    active: bool = True,
) -> LetterTemplate:
    """Add or change a letter template; its placeholders must all be ones the record can fill (named if not)."""
    if not can_edit_templates(actor):
        raise PermissionError("Your role cannot change the council's letter templates.")
    errors: dict[str, str] = {}
    clean_key = _text({"key": key}, errors, "key", "short name", 60)
    if clean_key and not all(ch.isascii() and (ch.isalnum() or ch == "-") for ch in clean_key):
        errors["key"] = "The short name can only have letters, digits and hyphens, like assessment-outcome"
    clean_name = _text({"name": name}, errors, "name", "template's name", 200)
    if about not in TemplateAbout.values:
        errors["about"] = "Choose what the letter is about"
    clean_subject = _text({"subject": subject}, errors, "subject", "letter's title", MAX_TITLE)
    clean_body = _text({"body": body}, errors, "body", "letter's words", MAX_BODY, multiline=True)
    for field, message in letters.check_template({"subject": clean_subject, "body": clean_body}).items():
        errors.setdefault(field, message)
    if clean_key and "key" not in errors:
        clash = LetterTemplate.objects.filter(key=clean_key).exclude(pk=template.pk if template else None)
        if clash.exists():
            errors["key"] = f"Another template is called {clean_key!r}: choose another short name"
    if errors:
        raise ValidationFailed(errors)
    before = (
        {"key": template.key, "name": template.name, "subject": template.subject, "active": template.active}
        if template
        else {}
    )
    with transaction.atomic():
        if template is None:
            template = LetterTemplate(key=clean_key)
        template.key = clean_key
        template.name = clean_name
        template.about = about
        template.subject = clean_subject
        template.body = clean_body
        template.active = bool(active)
        template.updated_by = actor
        template.save()
        audit.record(
            actor=actor,
            action=AuditAction.UPDATE if before else AuditAction.CREATE,
            obj=template,
            details={"key": template.key, "before": before},
        )
    return template
