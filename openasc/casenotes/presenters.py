"""Formatting for the case-note pages: plain functions of notes (no database, no request).

A note the reader may not read (`can_read` False on a listed note) is shown as "A sensitive note (restricted)" with
its date and kind only: nothing here reads its subject, body, author or who was present.
"""

from __future__ import annotations

from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe

from openasc.casenotes.models import LINK_FIELDS, NoteKind

RESTRICTED = "A sensitive note (restricted)"
_KINDS = dict(NoteKind.choices)


def when(value) -> str:
    """'20 November 2026, 14:30' in UK time."""
    if value is None:
        return ""
    local = timezone.localtime(value)
    return f"{local:%-d %B %Y, %H:%M}"


def kind_label(kind: str) -> str:
    return _KINDS.get(kind, kind)


def link_text(note) -> str:
    """What the note is about, as the pages name it ("" when it is about none of them)."""
    field = note.link_field
    if not field:
        return ""
    obj = getattr(note, field, None)
    noun = LINK_FIELDS[field]
    if obj is None:
        return noun
    if field == "request":
        return f"{noun} received {obj.received_on:%-d %B %Y}"
    if field == "assessment":
        return f"{obj.get_kind_display()} started {obj.started_on:%-d %B %Y}"
    if field == "plan":
        return f"{noun}, version {obj.version}"
    if field == "service":
        return f"{noun}: {obj.service_type} from {obj.start_on:%-d %B %Y}"
    return f"{noun} due {obj.due_on:%-d %B %Y}"


_LINK_PAGES = {
    "request": "frontdoor:request",
    "assessment": "assessments:detail",
    "plan": "planning:detail",
    "service": "services:detail",
    "review": "planning:review",
}


def link_href(note) -> str:
    field = note.link_field
    if not field:
        return ""
    try:
        return reverse(_LINK_PAGES[field], args=[getattr(note, f"{field}_id")])
    except NoReverseMatch:  # (a page that does not take one id: show the text without a link)
        return ""


def present_lines(note, contacts=()) -> list[str]:
    names = [line for line in (note.present or "").split("\n") if line.strip()]
    names += [f"{c.name} ({c.get_kind_display().lower()})" for c in contacts]
    return names


def tags(note) -> list[dict]:
    out = []
    if note.sensitive:
        out.append({"text": "Sensitive", "classes": "govuk-tag--red"})
    if note.version > 1:
        out.append({"text": "Edited", "classes": "govuk-tag--grey"})
    return out


def list_rows(notes) -> list[dict]:
    """One entry per listed note for the notes list: a heading link, the date, kind, author and tags."""
    rows = []
    for n in notes:
        href = reverse("casenotes:detail", args=[n.pk])
        if not getattr(n, "can_read", False):
            rows.append(
                {
                    "href": href,
                    "title": RESTRICTED,
                    "meta": f"{when(n.occurred_at)} · {kind_label(n.kind)}",
                    "restricted": True,
                    "tags": [],
                    "summary": "",
                }
            )
            continue
        addenda = getattr(n, "addenda_count", 0) or 0
        extra = [f"{addenda} addend{'um' if addenda == 1 else 'a'}"] if addenda else []
        about = link_text(n)
        rows.append(
            {
                "href": href,
                "title": n.subject,
                "meta": " · ".join(
                    [when(n.occurred_at), kind_label(n.kind), f"by {n.author.display_name}", *extra]
                ),
                "about": about,
                "restricted": False,
                "tags": tags(n),
                "summary": _excerpt(n.body),
            }
        )
    return rows


def _excerpt(text: str, length: int = 160) -> str:
    text = " ".join((text or "").split())
    return text if len(text) <= length else text[: length - 1].rstrip() + "…"


def summary_rows(note, contacts=()) -> list[dict]:
    """The note's facts for govukSummaryList."""
    present = present_lines(note, contacts)
    rows = [
        {"key": {"text": "Kind"}, "value": {"text": kind_label(note.kind)}},
        {"key": {"text": "When it happened"}, "value": {"text": when(note.occurred_at)}},
        {
            "key": {"text": "Who was present"},
            "value": {"html": format_html_join(mark_safe("<br>"), "{}", ((p,) for p in present))}
            if present
            else {"text": "Not recorded"},
        },
        {
            "key": {"text": "Written by"},
            "value": {"text": f"{note.author.display_name}, {when(note.created_at)}"},
        },
    ]
    about, href = link_text(note), link_href(note)
    if about:
        value = (
            {"html": format_html('<a class="govuk-link" href="{}">{}</a>', href, about)}
            if href
            else {"text": about}
        )
        rows.insert(2, {"key": {"text": "About"}, "value": value})
    if note.sensitive:
        rows.append(
            {
                "key": {"text": "Sensitive"},
                "value": {"text": "Yes: only the author's team and named roles can read it"},
            }
        )
    return rows


def version_rows(versions) -> list[dict]:
    """Each saved version for the history table, newest first."""
    rows = []
    for v in sorted(versions, key=lambda v: v.version, reverse=True):
        rows.append(
            [
                {"text": str(v.version)},
                {"text": when(v.saved_at)},
                {"text": v.saved_by.display_name},
                {"text": v.reason or ("First written" if v.version == 1 else "No reason given")},
            ]
        )
    return rows


def paragraphs(text: str) -> list[str]:
    """What a worker typed, as paragraphs (one a line, blank lines dropped)."""
    return [line.strip() for line in (text or "").split("\n") if line.strip()]


def addendum_items(addenda) -> list[dict]:
    return [
        {
            "when": when(a.written_at),
            "who": a.written_by.display_name,
            "body": a.body,
            "paragraphs": paragraphs(a.body),
        }
        for a in addenda
    ]


def earlier_versions(versions) -> list[dict]:
    """The versions before the current one, newest first, for "Version n as saved"."""
    ordered = sorted(versions, key=lambda v: v.version, reverse=True)[1:]
    return [{"version": v.version, "subject": v.subject, "paragraphs": paragraphs(v.body)} for v in ordered]
