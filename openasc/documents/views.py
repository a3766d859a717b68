"""Pages for documents: a person's documents, a document, writing and changing a letter, uploading an attachment,
downloading one, the printable assessment, plan and review (and their PDFs), and the council's letter templates.

Every page about a person opens the record through the selectors (audited with its purpose, refusals too); a
download is purpose "download document". Files and PDFs are sent as attachments with nosniff, never shown inline, so
an uploaded file cannot run in the service's pages."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ObjectDoesNotExist
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.html import format_html
from django.utils.http import content_disposition_header

from openasc.core import access
from openasc.core.errors import AccessDenied, ValidationFailed
from openasc.documents import files, forms, letters, pdf, presenters, selectors, services
from openasc.documents.models import DocumentKind, LetterTemplate
from openasc.people.models import Person
from openasc.ui import forms as ui
from openasc.ui.actions import RecordAction
from openasc.ui.responses import denied, forbidden, not_found

PRINTABLE = {
    "assessment": ("documents/_assessment.jinja", "assessment"),
    "plan": ("documents/_plan.jinja", "care and support plan"),
    "review": ("documents/_review.jinja", "review"),
}


def _print_href(kind: str, pk: int) -> str:
    return reverse("documents:print", args=[kind, pk])


def _pdf_href(kind: str, pk: int) -> str:
    return reverse("documents:print-pdf", args=[kind, pk])


def _detail_href(pk: int) -> str:
    return reverse("documents:detail", args=[pk])


def _file_response(content: bytes, *, content_type: str, filename: str) -> HttpResponse:
    """A download: never shown inline, never sniffed as another type, never cached."""
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = content_disposition_header(True, filename)
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "private, no-store"
    response["Content-Length"] = str(len(content))
    return response


# --- a person's documents --------------------------------------------------------------------------------------------


def person(request: HttpRequest, person_id: int) -> HttpResponse:
    """The person's letters and attachments, and what of their record can be printed."""
    try:
        record = selectors.person_documents_open(user=request.user, person_id=person_id)
    except Person.DoesNotExist:
        return not_found(request, "person")
    except AccessDenied as exc:
        return denied(request, exc, person_id)
    documents = selectors.documents_for_person(record=record)
    printables = selectors.printables_for_person(record=record)
    return render(
        request,
        "documents/person.jinja",
        {
            "person": record.person,
            "title": f"Documents and letters: {record.person.full_name}",
            "rows": presenters.document_rows(documents, _detail_href),
            "printable_rows": presenters.printable_rows(
                printables, print_href=_print_href, pdf_href=_pdf_href
            ),
            "can_write": services.can_keep_documents(request.user),
            "has_templates": bool(selectors.active_templates()),
        },
    )


def _open_document(request: HttpRequest, document_id: int, purpose: str):
    try:
        document, record = selectors.document_get(user=request.user, document_id=document_id, purpose=purpose)
    except ObjectDoesNotExist:
        return None, not_found(request, "document")
    except AccessDenied as exc:
        return None, denied(request, exc, None)
    request.opened_record = record
    return document, None


def _letter_context(document) -> dict:
    return {
        "person": document.person,
        "letter_title": document.title,
        "letter_paragraphs": presenters.paragraphs(document.body),
        "letter_date": presenters.long_date(document.created_at),
        "letter_address": presenters.address(document.person),
        "letter_version": document.version,
    }


def detail(request: HttpRequest, document_id: int) -> HttpResponse:
    document, failed = _open_document(request, document_id, "view document")
    if failed:
        return failed
    versions = selectors.versions_of(document) if document.is_letter else []
    latest = versions[-1].pk == document.pk if versions else True
    return render(
        request,
        "documents/detail.jinja",
        {
            "document": document,
            "person": document.person,
            "title": document.title,
            "summary_rows": presenters.summary_rows(document),
            "version_rows": presenters.version_rows(versions, _detail_href, document.pk)
            if len(versions) > 1
            else [],
            "latest": latest,
            "latest_href": _detail_href(versions[-1].pk) if versions and not latest else "",
            "can_change": document.is_letter and latest and services.can_keep_documents(request.user),
            **(_letter_context(document) if document.is_letter else {}),
        },
    )


def letter_pdf(request: HttpRequest, document_id: int) -> HttpResponse:
    """A stored letter as a PDF (its words exactly as stored)."""
    document, failed = _open_document(request, document_id, selectors.DOWNLOAD)
    if failed:
        return failed
    if not document.is_letter:
        return not_found(request, "letter")
    content = pdf.render(
        "documents/_letter.jinja", {"title": document.title, **_letter_context(document)}, request=request
    )
    name = f"letter-{document.person.la_person_id}-{document.pk}-v{document.version}.pdf"
    return _file_response(content, content_type=pdf.PDF_CONTENT_TYPE, filename=name)


def download(request: HttpRequest, document_id: int) -> HttpResponse:
    """An attachment's file, to someone who may open the person's record (audited); refused (audited) otherwise."""
    document, failed = _open_document(request, document_id, selectors.DOWNLOAD)
    if failed:
        return failed
    if document.kind != DocumentKind.ATTACHMENT:
        return redirect("documents:pdf", document_id=document.pk)
    try:
        content = services.attachment_bytes(record=request.opened_record, document=document)
    except OSError:
        return not_found(
            request,
            "file",
            explanation="The file of this document cannot be found on the server. Ask your system administrator to "
            "restore it from the documents backup.",
        )
    return _file_response(content, content_type=document.content_type, filename=document.original_name)


# --- printable pages -------------------------------------------------------------------------------------------------


def _printable(request: HttpRequest, kind: str, object_id: int, purpose: str):
    """(template, context) of the printable page, or the response to send instead."""
    if kind not in PRINTABLE:
        raise Http404
    try:
        if kind == "assessment":
            p = selectors.assessment_print(user=request.user, assessment_id=object_id, purpose=purpose)
            context = {
                "assessment": p.assessment,
                "summary_rows": presenters.assessment_rows(p),
                "outcome_rows": presenters.outcome_rows(p),
                "eligible": p.eligible,
                "outcome_words": presenters.eligibility_words(p.assessment),
                "title": f"{p.assessment.get_kind_display()}: {p.record.person.full_name}",
            }
        elif kind == "plan":
            p = selectors.plan_print(user=request.user, plan_id=object_id, purpose=purpose)
            context = {
                "plan": p.plan,
                "summary_rows": presenters.plan_rows(p),
                "need_rows": presenters.plan_need_rows(p.needs),
                "title": f"Care and support plan: {p.record.person.full_name}",
            }
        else:
            p = selectors.review_print(user=request.user, review_id=object_id, purpose=purpose)
            context = {
                "review": p.review,
                "summary_rows": presenters.review_rows(p),
                "title": f"Review: {p.record.person.full_name}",
            }
    except ObjectDoesNotExist:
        return None, None, not_found(request, PRINTABLE[kind][1])
    except AccessDenied as exc:
        return None, None, denied(request, exc, None)
    request.opened_record = p.record
    context.update(person=p.record.person, printed_on=presenters.long_date(dt.date.today()))
    return PRINTABLE[kind][0], context, None


def printable(request: HttpRequest, kind: str, object_id: int) -> HttpResponse:
    body, context, failed = _printable(request, kind, object_id, f"print {kind}")
    if failed:
        return failed
    return render(
        request,
        "documents/print.jinja",
        {**context, "body_template": body, "pdf_href": _pdf_href(kind, object_id), "kind": kind},
    )


def printable_pdf(request: HttpRequest, kind: str, object_id: int) -> HttpResponse:
    body, context, failed = _printable(request, kind, object_id, selectors.DOWNLOAD)
    if failed:
        return failed
    content = pdf.render(body, context, request=request)
    name = f"{kind}-{context['person'].la_person_id}-{object_id}.pdf"
    return _file_response(content, content_type=pdf.PDF_CONTENT_TYPE, filename=name)


# --- writing a letter ------------------------------------------------------------------------------------------------


class _DocumentAction(RecordAction):
    capability = access.Capability.WRITE_NOTES
    refused_title = "You cannot add documents to this record"
    refused_explanation = "Your role cannot write letters or add documents to a record."
    what = "document"


def _choose_page(request: HttpRequest, record, data=None, errors: dict | None = None) -> HttpResponse:
    form = forms.ChooseLetterForm(
        data, templates=selectors.active_templates(), links=selectors.link_choices(record=record)
    )
    if errors:
        form.is_valid()  # the form's own refusal of a letter not in the list says it best; the service adds the rest
        ui.add_service_errors(form, {k: v for k, v in errors.items() if k not in form.errors})
    return render(
        request,
        "documents/letter_choose.jinja",
        {
            "form": form,
            "person": record.person,
            "title": "Write a letter",
            "errors": ui.error_summary(form) if errors else [],
        },
        status=400 if errors else 200,
    )


def choose_letter(request: HttpRequest, person_id: int) -> HttpResponse:
    """Which letter to write, and what of the record it is about (a GET form to the letter's page)."""
    if not services.can_keep_documents(request.user):
        return forbidden(request, _DocumentAction.refused_title, _DocumentAction.refused_explanation)
    try:
        record = selectors.person_documents_open(
            user=request.user, person_id=person_id, purpose="write a letter"
        )
    except Person.DoesNotExist:
        return not_found(request, "person")
    except AccessDenied as exc:
        return denied(request, exc, person_id)
    return _choose_page(request, record)


class WriteLetter(_DocumentAction):
    """The letter filled from the record, to be read and changed by the worker, then stored."""

    purpose = "write a letter"
    form_class = forms.LetterForm
    template = "documents/letter_form.jinja"
    title = "Check and change the letter"
    success_message = "Letter stored on the record"

    def precondition(self, request: HttpRequest, person):
        if request.method != "GET":
            return None
        chosen = {"template": request.GET.get("template", ""), "link": request.GET.get("link", "")}
        try:
            self.drafted = services.letter_draft(record=request.opened_record, **chosen)
        except ValidationFailed as exc:
            return _choose_page(request, request.opened_record, chosen, exc.errors)
        self.chosen = chosen
        self.gaps = services.letter_gaps(record=request.opened_record, **chosen)
        return None

    def initial(self, request: HttpRequest, person) -> dict:
        title, body = self.drafted
        return {**self.chosen, "title": title, "body": body}

    def perform(self, record, person, data: dict):
        try:
            return services.letter_store(
                record=record,
                template=data.get("template") or "",
                link=data.get("link") or "",
                title=data.get("title") or "",
                body=data.get("body") or "",
            )
        except (
            ValidationFailed
        ) as exc:  # the template and what it is about are hidden: their errors go on the form
            hidden = {"template", "link"}
            raise ValidationFailed(
                {("form" if k in hidden else k): v for k, v in exc.errors.items()}
            ) from None

    def success_url(self, person, document) -> str:
        return _detail_href(document.pk)

    def context(self, request: HttpRequest, person) -> dict:
        return {
            "back": reverse("documents:letter-choose", args=[person.pk]),
            "submit": "Store the letter",
            "gaps": getattr(self, "gaps", []),
        }

    def form_context(self, form, person) -> dict:
        source = form.data if form.is_bound else form.initial
        return {"hidden": {name: source.get(name, "") or "" for name in ("template", "link")}}


class ReviseLetter(_DocumentAction):
    """Change a stored letter: the changed words are stored as its next version; the stored one stays."""

    purpose = "change a letter"
    form_class = forms.ReviseForm
    template = "documents/letter_form.jinja"
    title = "Change the letter"
    success_message = "New version of the letter stored"
    refused_title = "You cannot change this letter"

    def open(self, request: HttpRequest, *, document_id: int):
        return selectors.document_get(user=request.user, document_id=document_id, purpose=self.purpose)

    def precondition(self, request: HttpRequest, document):
        if not document.is_letter:
            return redirect("documents:detail", document_id=document.pk)
        if not selectors.is_latest(document):
            return redirect("documents:detail", document_id=selectors.latest_version(document).pk)
        return None

    def initial(self, request: HttpRequest, document) -> dict:
        return {"title": document.title, "body": document.body}

    def perform(self, record, document, data: dict):
        return services.letter_revise(
            record=record, document=document, title=data.get("title") or "", body=data.get("body") or ""
        )

    def success_url(self, document, revised) -> str:
        return _detail_href(revised.pk)

    def context(self, request: HttpRequest, document) -> dict:
        return {
            "back": _detail_href(document.pk),
            "submit": "Store as a new version",
            "revising": document,
        }


class Attach(_DocumentAction):
    """Upload a scanned form or a document to the person's record, or to one of their requests, assessments,
    plans, services or reviews."""

    purpose = "add a document"
    form_class = forms.AttachForm
    template = "documents/attach.jinja"
    title = "Add a document"
    success_message = "Document added to the record"

    def form_kwargs(self, request: HttpRequest, person) -> dict:
        kwargs = {"links": selectors.link_choices(record=request.opened_record)}
        if request.method == "POST":
            kwargs["files"] = request.FILES
        return kwargs

    def initial(self, request: HttpRequest, person) -> dict:
        link = request.GET.get("link", "")
        return {"link": link} if link else {}

    def perform(self, record, person, data: dict):
        return services.attachment_store(
            record=record, upload=data.get("file"), title=data.get("title") or "", link=data.get("link") or ""
        )

    def success_url(self, person, document) -> str:
        return _detail_href(document.pk)

    def context(self, request: HttpRequest, person) -> dict:
        return {
            "back": reverse("documents:person", args=[person.pk]),
            "max_size": files.size_words(files.max_bytes()),
            "accepted": files.ACCEPTED,
        }


# --- the council's letter templates ------------------------------------------------------------------------------------


def templates(request: HttpRequest) -> HttpResponse:
    if not services.can_edit_templates(request.user):
        return forbidden(
            request, "You cannot change letter templates", "Your role cannot change the council's letters."
        )
    rows = [
        [
            {
                "html": format_html(
                    '<a class="govuk-link" href="{}">{}</a>',
                    reverse("documents:template-edit", args=[t.pk]),
                    t.name,
                )
            },
            {"text": t.get_about_display()},
            {"text": "In use" if t.active else "Not in use"},
        ]
        for t in selectors.all_templates()
    ]
    return render(request, "documents/templates.jinja", {"title": "Letter templates", "rows": rows})


def template_edit(request: HttpRequest, template_id: int | None = None) -> HttpResponse:
    if not services.can_edit_templates(request.user):
        return forbidden(
            request, "You cannot change letter templates", "Your role cannot change the council's letters."
        )
    template = None
    if template_id is not None:
        try:
            template = selectors.template_by_id(template_id=template_id)
        except LetterTemplate.DoesNotExist:
            return not_found(request, "letter template")
    if request.method == "POST":
        form = forms.TemplateForm(request.POST)
        if form.is_valid():
            try:
                services.letter_template_save(actor=request.user, template=template, **form.cleaned_data)
            except ValidationFailed as exc:
                ui.add_service_errors(form, exc.errors)
            else:
                from django.contrib import messages

                messages.success(request, "Letter template saved")
                return redirect("documents:templates")
        status = 400
    else:
        initial = (
            {k: getattr(template, k) for k in ("key", "name", "about", "subject", "body", "active")}
            if template
            else {"active": True, "about": "person"}
        )
        form = forms.TemplateForm(initial=initial)
        status = 200
    return render(
        request,
        "documents/template_form.jinja",
        {
            "form": form,
            "template_obj": template,
            "title": f"Change the letter: {template.name}" if template else "Add a letter template",
            "errors": ui.error_summary(form),
            "placeholders": list(letters.PLACEHOLDERS.items()),
            "active_checked": bool(form.data.get("active") if form.is_bound else form.initial.get("active")),
        },
        status=status,
    )


write_letter = WriteLetter.as_view()
revise = ReviseLetter.as_view()
attach = Attach.as_view()
