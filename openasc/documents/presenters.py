"""How documents, letters and the printable assessment, plan and review read: plain English, dates in words, money
in pounds. Plain functions of model objects (no database, no request); links are built with format_html, so what a
worker typed is escaped."""

from __future__ import annotations

import datetime as dt

from django.utils.html import format_html

from openasc.core.money import pounds
from openasc.documents import files
from openasc.documents.models import LINK_FIELDS, DocumentKind

DASH = "–"


def long_date(value: dt.date | dt.datetime | None) -> str:
    """3 December 2026 ('' for no date)."""
    return value.strftime("%-d %B %Y") if value else ""


def when(value: dt.datetime | None) -> str:
    """3 December 2026, 14:05 (local time)."""
    if not value:
        return ""
    from django.utils import timezone

    return timezone.localtime(value).strftime("%-d %B %Y, %H:%M")


def address(person) -> str:
    parts = [person.address_line_1, person.address_line_2, person.town, person.postcode]
    return "\n".join(p for p in parts if p)


def eligibility_words(assessment) -> str:
    """The outcome of an assessment as the person is told it."""
    carer = assessment.kind == "carer"
    if assessment.eligible is True:
        return (
            "You have eligible needs for support as a carer under the Care Act 2014."
            if carer
            else "You have eligible needs for care and support under the Care Act 2014."
        )
    if assessment.eligible is False:
        return (
            "You do not have eligible needs for support under the Care Act 2014. We have given you information "
            "and advice about other help that is available."
        )
    return "A decision about your eligibility has not been made yet."


def weekly_budget(plan) -> str:
    pence = plan.agreed_weekly_pence if plan.agreed_weekly_pence is not None else plan.indicative_weekly_pence
    if pence is None:
        return ""
    word = "agreed" if plan.agreed_weekly_pence is not None else "indicative, not yet agreed"
    return f"{pounds(pence)} a week ({word})"


def need_label(outcome_code: str) -> str:
    from openasc.planning.presenters import need_label as label

    return label(outcome_code)


def need_lines(needs) -> list[str]:
    """'Managing and maintaining nutrition: a carer helps with meals (Bluebell Home Care, every morning)'."""
    lines = []
    for need in needs:
        extra = ", ".join(x for x in (getattr(need, "who", ""), getattr(need, "when", "")) if x)
        lines.append(
            f"{need_label(need.outcome_code)}: {need.description}" + (f" ({extra})" if extra else "")
        )
    return lines


def kind_label(document) -> str:
    return DocumentKind(document.kind).label


def about_text(document) -> str:
    field = document.link_field
    return LINK_FIELDS[field] if field else "The person"


def type_text(document) -> str:
    if document.kind == DocumentKind.LETTER:
        return "Letter" + (f", version {document.version}" if document.version > 1 else "")
    label = TYPE_LABELS.get(document.content_type, document.content_type)
    return f"{label}, {files.size_words(document.size)}"


TYPE_LABELS = {
    files.PDF.content_type: "PDF",
    files.PNG.content_type: "PNG image",
    files.JPEG.content_type: "JPEG image",
    files.TEXT.content_type: "Plain text",
    files.DOCX.content_type: "Word document",
}


def document_rows(documents, href) -> list[list[dict]]:
    """The person's documents table: title (linked), kind and type, about, added on and by."""
    return [
        [
            {"html": format_html('<a class="govuk-link" href="{}">{}</a>', href(d.pk), d.title)},
            {"text": type_text(d)},
            {"text": about_text(d)},
            {"text": f"{when(d.created_at)} by {d.created_by.display_name}"},
        ]
        for d in documents
    ]


def summary_rows(document) -> list[dict]:
    def row(key: str, text: str) -> dict:
        return {"key": {"text": key}, "value": {"text": text}}

    rows = [row("Kind", type_text(document)), row("About", about_text(document))]
    if document.kind == DocumentKind.ATTACHMENT:
        rows.append(row("Name when uploaded", document.original_name))
    elif document.template_id:
        rows.append(row("Written from", document.template.name))
    rows.append(row("Stored", f"{when(document.created_at)} by {document.created_by.display_name}"))
    return rows


def version_rows(versions, href, current_pk: int) -> list[list[dict]]:
    out = []
    for v in versions:
        label = f"Version {v.version}" + (" (this one)" if v.pk == current_pk else "")
        cell = (
            {"text": label}
            if v.pk == current_pk
            else {"html": format_html('<a class="govuk-link" href="{}">{}</a>', href(v.pk), label)}
        )
        out.append([cell, {"text": f"{when(v.created_at)} by {v.created_by.display_name}"}])
    return out


def paragraphs(text: str) -> list[str]:
    """A letter's words as paragraphs (blank lines between them); single new lines stay within a paragraph."""
    return [p.strip("\n") for p in (text or "").replace("\r\n", "\n").split("\n\n") if p.strip()]


# --- the printable assessment, plan and review -------------------------------------------------------------------------


def assessment_rows(printable) -> list[dict]:
    a = printable.assessment

    def row(key: str, text: str) -> dict:
        return {"key": {"text": key}, "value": {"text": text or DASH}}

    return [
        row("Kind of assessment", a.get_kind_display()),
        row("Started", long_date(a.started_on)),
        row("Completed", long_date(a.completed_on) or "Not completed yet"),
        row("Assessed by", a.assessor.display_name),
        row("Status", a.get_status_display()),
    ]


def outcome_rows(printable) -> list[list[dict]]:
    return [
        [
            {"text": label},
            {"text": "Yes" if can else "No, needs help"},
            {"text": notes or DASH},
        ]
        for label, can, notes in printable.outcomes
    ]


def plan_rows(printable) -> list[dict]:
    plan = printable.plan

    def row(key: str, text: str) -> dict:
        return {"key": {"text": key}, "value": {"text": text or DASH}}

    agreed = pounds(plan.agreed_weekly_pence) if plan.agreed_weekly_pence is not None else "Not agreed yet"
    indicative = (
        pounds(plan.indicative_weekly_pence) if plan.indicative_weekly_pence is not None else "Not worked out"
    )
    return [
        row("Version", f"{plan.version} ({plan.get_status_display().lower()})"),
        row("Personal budget (agreed, a week)", agreed),
        row("Indicative budget (a week)", indicative),
        row("How the budget is managed", managed_words(plan.delivery_mechanism)),
        row("Starts", long_date(plan.starts_on) or "When it is agreed"),
        row("Agreed on", long_date(plan.agreed_on) or "Not agreed yet"),
        row(
            "Next review",
            long_date(printable.next_review.due_on) if printable.next_review else "Not scheduled",
        ),
        row("Written by", plan.created_by.display_name),
    ]


# The CLD delivery mechanisms (the exact national strings) as the person is told them.
MANAGED_WORDS = {
    "Direct payment": "A direct payment: the council pays the money to you, and you arrange your support",
    "CASSR managed personal budget": "The council holds the money and arranges the support you choose",
    "CASSR commissioned support": "The council arranges your support with care providers",
}


def managed_words(delivery_mechanism: str) -> str:
    if not delivery_mechanism:
        return "Not decided yet"
    return MANAGED_WORDS.get(delivery_mechanism, delivery_mechanism)


def plan_need_rows(needs) -> list[list[dict]]:
    """Each need: what it is, what will be done, who does it and when."""
    return [
        [
            {"text": need_label(n.outcome_code)},
            {"text": n.description},
            {"text": getattr(n, "who", "") or DASH},
            {"text": getattr(n, "when", "") or DASH},
        ]
        for n in needs
    ]


def review_rows(printable) -> list[dict]:
    r = printable.review

    def row(key: str, text: str) -> dict:
        return {"key": {"text": key}, "value": {"text": text or DASH}}

    return [
        row("Status", r.get_status_display()),
        row("Due", long_date(r.due_on)),
        row("Reason", r.reason),
        row("How it was done", r.method),
        row("Completed", long_date(r.completed_on) or "Not completed yet"),
        row("Were the outcomes achieved", r.outcomes_achieved),
        row("What happens next", r.get_what_followed_display() if r.what_followed else ""),
        row("Reviewed by", r.reviewer.display_name if r.reviewer_id else ""),
    ]


def printable_rows(printables, *, print_href, pdf_href) -> list[list[dict]]:
    """What can be printed from the record: a row each, with links to the printable page and the PDF."""

    def links(kind: str, pk: int, label: str) -> dict:
        return {
            "html": format_html(
                '<a class="govuk-link" href="{}">Print<span class="govuk-visually-hidden"> {}</span></a> · '
                '<a class="govuk-link" href="{}">PDF<span class="govuk-visually-hidden"> of {}</span></a>',
                print_href(kind, pk),
                label,
                pdf_href(kind, pk),
                label,
            )
        }

    rows = []
    for p in printables.plans:
        label = f"Care and support plan, version {p.version}"
        rows.append([{"text": label}, {"text": p.get_status_display()}, links("plan", p.pk, label)])
    for a in printables.assessments:
        label = f"{a.get_kind_display()} started {long_date(a.started_on)}"
        rows.append([{"text": label}, {"text": a.get_status_display()}, links("assessment", a.pk, label)])
    for r in printables.reviews:
        label = f"Review due {long_date(r.due_on)}"
        rows.append([{"text": label}, {"text": r.get_status_display()}, links("review", r.pk, label)])
    return rows
