"""Pages for case notes: the person's notes (list and search), add a note, a note, correct it, add an addendum."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone

from openasc.casenotes import forms, presenters, selectors
from openasc.casenotes import services as note_writes
from openasc.casenotes.models import CaseNote
from openasc.core import access
from openasc.core.errors import AccessDenied, ValidationFailed
from openasc.people.models import Person
from openasc.ui.actions import RecordAction
from openasc.ui.pagination import pagination
from openasc.ui.responses import denied, forbidden, not_found


def person_notes(request: HttpRequest, person_id: int) -> HttpResponse:
    """The person's notes, newest first, 25 a page; `q` searches the subject and body of the notes the user may read."""
    form = forms.SearchForm(request.GET or None)
    query = form.cleaned_data["q"].strip()[:200] if form.is_valid() else ""
    page = request.GET.get("page", 1)
    try:
        record = selectors.notes_open(user=request.user, person_id=person_id, query=query, page=page)
    except Person.DoesNotExist:
        return not_found(request, "person")
    except AccessDenied as exc:
        return denied(request, exc, person_id)
    listed = selectors.notes_for_person(record=record, query=query, page=page)
    return render(
        request,
        "casenotes/person.jinja",
        {
            "person": record.person,
            "title": f"Case notes: {record.person.full_name}",
            "form": form,
            "query": query,
            "rows": presenters.list_rows(listed.page.object_list),
            "page": listed.page,
            "total": listed.total,
            "pagination": pagination(listed.page, {"q": query} if query else {}, label="Pages of case notes"),
            "can_write": note_writes.can_write_notes(request.user),
        },
    )


def _open(request: HttpRequest, note_id: int, purpose: str):
    """The note and the record as opened, or the response to send instead (not found, or the refusal, audited)."""
    try:
        note, record = selectors.note_get(user=request.user, note_id=note_id, purpose=purpose)
    except CaseNote.DoesNotExist:
        return None, not_found(request, "case note")
    except AccessDenied as exc:
        if exc.access.explanation == selectors.SENSITIVE_REFUSED:
            return None, forbidden(request, "You cannot read this note", exc.access.explanation, audited=True)
        return None, denied(request, exc, None)
    request.opened_record = record
    return note, None


def detail(request: HttpRequest, note_id: int) -> HttpResponse:
    note, failed = _open(request, note_id, "view case note")
    if failed:
        return failed
    contacts = selectors.contacts_of(note)
    versions = selectors.versions_of(note) if note.edited else []
    user = request.user
    return render(
        request,
        "casenotes/detail.jinja",
        {
            "note": note,
            "person": note.person,
            "title": note.subject,
            "summary_rows": presenters.summary_rows(note, contacts),
            "tags": presenters.tags(note),
            "addenda": presenters.addendum_items(selectors.addenda_of(note)),
            "versions": versions,
            "version_rows": presenters.version_rows(versions),
            "earlier_versions": presenters.earlier_versions(versions),
            "body": presenters.paragraphs(note.body),
            "can_edit": note_writes.may_edit(user, note),
            "editable_until": presenters.when(note_writes.editable_until(note)),
            "can_add": note_writes.can_write_notes(user),
        },
    )


class _NoteAction(RecordAction):
    capability = access.Capability.WRITE_NOTES
    refused_title = "You cannot write case notes"
    refused_explanation = "Your role cannot write case notes."
    what = "case note"

    def form_kwargs(self, request: HttpRequest, obj) -> dict:
        record = request.opened_record
        return {
            "links": selectors.link_choices(record=record),
            "contacts": selectors.contact_choices(record=record),
        }

    def _save(self, data: dict, call) -> object:
        """Call the service with the form's data. A date or time the form could not read is reported with every
        error the service finds, in place of the service's own "enter the date and time" (the service is given no
        time then, so it never writes)."""
        when_errors = data.get("_when_errors") or {}
        try:
            return call()
        except ValidationFailed as exc:
            errors = dict(exc.errors)
            if when_errors:
                errors.pop("occurred_at", None)
            raise ValidationFailed({**errors, **when_errors}) from None


class AddNote(_NoteAction):
    """Record a note on the person named in the URL; typed text is kept as a draft (ADR 0006)."""

    purpose = "add case note"
    form_class = forms.NoteForm
    template = "casenotes/form.jinja"
    title = "Add a case note"
    success_message = "Case note saved"
    drafts = True

    def initial(self, request: HttpRequest, person) -> dict:
        initial = forms.initial_for_now()
        link = request.GET.get("link", "")
        if any(link == value for value, _ in selectors.link_choices(record=request.opened_record)):
            initial["link"] = link
        return initial

    def perform(self, record, person, data: dict):
        return self._save(data, lambda: note_writes.case_note_create(record=record, **_note_data(data)))

    def success_url(self, person, note) -> str:
        return reverse("casenotes:detail", args=[note.pk])

    def context(self, request: HttpRequest, person) -> dict:
        return {
            "back": reverse("casenotes:person", args=[person.pk]),
            "submit": "Save note",
            "editing": False,
            "note_forms": forms,
        }


def _note_data(data: dict) -> dict:
    return {
        "kind": data.get("kind") or "",
        "occurred_at": data.get("when"),
        "subject": data.get("subject") or "",
        "body": data.get("body") or "",
        "present": data.get("present") or "",
        "contact_ids": data.get("contact_ids") or [],
        "link": data.get("link") or "",
        "sensitive": bool(data.get("sensitive")),
    }


class _OnNote(_NoteAction):
    """An action on one note, opened through its selector (a sensitive note the user may not read is refused)."""

    def open(self, request: HttpRequest, *, note_id: int):
        return selectors.note_get(user=request.user, note_id=note_id, purpose=self.purpose)

    def denied_page(self, request: HttpRequest, exc: AccessDenied, **kwargs) -> HttpResponse:
        if exc.access.explanation == selectors.SENSITIVE_REFUSED:
            return forbidden(request, "You cannot read this note", exc.access.explanation, audited=True)
        return denied(request, exc, None)

    def success_url(self, note, result) -> str:
        return reverse("casenotes:detail", args=[note.pk])


class EditNote(_OnNote):
    """The author corrects a note within the edit window; a new version is kept beside the earlier ones."""

    purpose = "edit case note"
    form_class = forms.EditForm
    template = "casenotes/form.jinja"
    title = "Correct the case note"
    success_message = "Case note corrected"
    refused_title = "You cannot correct this note"
    drafts = True  # the correction is typed within the window: a timeout must not lose it either

    def may(self, user, note) -> bool:
        return note_writes.may_edit(user, note)

    def refused_page(self, request: HttpRequest, note=None) -> HttpResponse:
        if note is None:
            return super().refused_page(request)
        why = note_writes.edit_refusal(request.user, note, timezone.now())
        access.refuse(request.user, person_id=note.person_id, purpose=self.purpose, explanation=why, obj=note)
        return forbidden(request, self.refused_title, why, audited=True)  # (audited against the person above)

    def initial(self, request: HttpRequest, note) -> dict:
        return forms.initial_from(note)

    def perform(self, record, note, data: dict):
        return self._save(
            data,
            lambda: note_writes.case_note_edit(
                record=record, note=note, reason=data.get("reason") or "", **_note_data(data)
            ),
        )

    def context(self, request: HttpRequest, note) -> dict:
        return {
            "note": note,
            "back": reverse("casenotes:detail", args=[note.pk]),
            "submit": "Save correction",
            "editing": True,
            "note_forms": forms,
            "editable_until": presenters.when(note_writes.editable_until(note)),
        }


class AddAddendum(_OnNote):
    """A dated addition to a note, by anyone who may write notes and read it; kept as a draft while typed."""

    purpose = "add to case note"
    form_class = forms.AddendumForm
    template = "casenotes/addendum.jinja"
    title = "Add an addendum"
    success_message = "Addendum added"
    drafts = True

    def form_kwargs(self, request: HttpRequest, obj) -> dict:
        return {}

    def perform(self, record, note, data: dict):
        return note_writes.case_note_addendum_add(record=record, note=note, body=data.get("body") or "")

    def context(self, request: HttpRequest, note) -> dict:
        return {"note": note, "summary_rows": presenters.summary_rows(note)}


person = person_notes
create = AddNote.as_view()
edit = EditNote.as_view()
addendum = AddAddendum.as_view()
