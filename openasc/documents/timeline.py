"""Letters and attachments on the person's timeline, each linking to its page (which opens the record, audited)."""

from __future__ import annotations

from openasc.core.timeline import TimelineEntry, href_for, register
from openasc.documents import selectors
from openasc.documents.models import DocumentKind


@register
def document_events(person):
    link = href_for("documents:detail")
    for document in selectors.timeline_documents(person):
        if document.kind == DocumentKind.LETTER:
            title = f"Letter: {document.title}"
            detail = (
                "Letter stored" if document.version == 1 else f"Letter changed (version {document.version})"
            )
        else:
            title = f"Document added: {document.title}"
            detail = "Attachment"
        yield TimelineEntry(
            when=document.created_at,
            title=title,
            who=document.created_by.display_name,
            detail=detail,
            href=link(document.pk),
            kind="document",
        )
