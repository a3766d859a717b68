"""Documents over JSON: a person's letters and attachments, one document, its file, and storing a letter; the same
selectors, services, access rules and audit as the pages.

A letter posted without a title or words is stored as the template fills it from the record (an integration that
sends the standard letter); with them, as given. Uploading attachments is on the pages only for now.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest
from ninja import Field, Router, Schema
from ninja.responses import Status

from openasc.documents import pdf, selectors, services
from openasc.documents.models import DocumentKind

router = Router(tags=["documents"])


class LetterIn(Schema):
    template: Any = Field(None, description="The letter template's short name, e.g. care-and-support-plan")
    link: Any = Field(
        None,
        description='What the letter is about, in the same person\'s record: "request:ID", "assessment:ID", '
        '"plan:ID", "service:ID" or "review:ID"',
    )
    title: Any = Field(
        None, description="The letter's title; left out, the template's, filled from the record"
    )
    body: Any = Field(
        None, description="The letter's words; left out, the template's, filled from the record"
    )


class DocumentOut(Schema):
    id: int
    person_id: int
    kind: str = Field(..., description="letter or attachment")
    title: str
    link: str = Field(..., description='What it is about ("plan:12"), or "" for the person')
    version: int
    previous_id: int | None = None
    template: str | None = Field(None, description="A letter: the template's short name")
    body: str | None = Field(None, description="A letter: its words as stored")
    file_name: str | None = Field(None, description="An attachment: the name it was uploaded with")
    content_type: str | None = None
    size: int | None = None
    created_by: str
    created_at: dt.datetime


class DocumentsOut(Schema):
    count: int
    documents: list[DocumentOut]


class ErrorOut(Schema):
    detail: str
    errors: list[dict] = []


def _out(d, *, words: bool) -> dict:
    field = d.link_field
    out = {
        "id": d.pk,
        "person_id": d.person_id,
        "kind": d.kind,
        "title": d.title,
        "link": f"{field}:{getattr(d, f'{field}_id')}" if field else "",
        "version": d.version,
        "previous_id": d.previous_id,
        "created_by": d.created_by.display_name,
        "created_at": d.created_at,
    }
    if d.kind == DocumentKind.LETTER:
        out["template"] = d.template.key if d.template_id else None
        if words:
            out["body"] = d.body
    else:
        out.update(file_name=d.original_name, content_type=d.content_type, size=d.size)
    return out


@router.get(
    "/people/{person_id}",
    response={200: DocumentsOut, 403: ErrorOut, 404: ErrorOut},
    summary="A person's letters (each at its latest version) and attachments, newest first",
)
def list_documents(request: HttpRequest, person_id: int):
    record = selectors.person_documents_open(user=request.user, person_id=person_id)
    documents = selectors.documents_for_person(record=record)
    return {"count": len(documents), "documents": [_out(d, words=False) for d in documents]}


@router.post(
    "/people/{person_id}/letters",
    response={201: DocumentOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut},
    summary="Store a letter on a person's record, from one of the council's templates",
)
def store_letter(request: HttpRequest, person_id: int, payload: LetterIn):
    record = selectors.person_documents_open(user=request.user, person_id=person_id, purpose="write a letter")
    title, body = payload.title, payload.body
    if title is None or body is None:
        drafted = services.letter_draft(record=record, template=payload.template, link=payload.link)
        title = drafted[0] if title is None else title
        body = drafted[1] if body is None else body
    letter = services.letter_store(
        record=record, template=payload.template, link=payload.link, title=title, body=body
    )
    return Status(201, _out(letter, words=True))


@router.get(
    "/{document_id}",
    response={200: DocumentOut, 403: ErrorOut, 404: ErrorOut},
    summary="One document (a letter with its words)",
)
def read_document(request: HttpRequest, document_id: int):
    document, _ = selectors.document_get(user=request.user, document_id=document_id)
    return _out(document, words=True)


@router.get(
    "/{document_id}/file",
    response={200: None, 403: ErrorOut, 404: ErrorOut},
    summary="An attachment's file, or a letter as a PDF (audited as 'download document')",
)
def document_file(request: HttpRequest, document_id: int):
    from openasc.documents import views

    document, record = selectors.document_get(
        user=request.user, document_id=document_id, purpose=selectors.DOWNLOAD
    )
    if document.kind == DocumentKind.ATTACHMENT:
        try:
            content = services.attachment_bytes(record=record, document=document)
        except OSError:
            return Status(404, {"detail": "The file of this document cannot be found on the server"})
        return views._file_response(
            content, content_type=document.content_type, filename=document.original_name
        )
    content = pdf.render(
        "documents/_letter.jinja",
        {"title": document.title, **views._letter_context(document)},
        request=request,
    )
    return views._file_response(
        content, content_type=pdf.PDF_CONTENT_TYPE, filename=f"letter-{document.pk}-v{document.version}.pdf"
    )
