"""Pages for finding, opening, creating and changing a person's record."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from openasc.core import access
from openasc.core import selectors as core_selectors
from openasc.core import services as core_services
from openasc.core import timeline as core_timeline
from openasc.core.errors import AccessDenied, ValidationFailed
from openasc.frontdoor import selectors as frontdoor_selectors
from openasc.people import forms, selectors, services
from openasc.people.models import Person
from openasc.people.opening import open_person, opens_person
from openasc.safeguarding import selectors as safeguarding_selectors
from openasc.ui import forms as ui
from openasc.ui.responses import denied, forbidden, not_found, restore_draft


def search(request: HttpRequest) -> HttpResponse:
    form = forms.SearchForm(request.GET or None)
    results = None
    if form.is_valid() and form.cleaned_data["q"].strip():
        results = selectors.person_search(user=request.user, query=form.cleaned_data["q"])
    template = "people/_results.jinja" if request.htmx else "people/search.jinja"
    return render(
        request,
        template,
        {"form": form, "results": results, "title": "Find a person", "active_nav": "search"},
    )


def detail(request: HttpRequest, person_id: int) -> HttpResponse:
    try:
        record = selectors.person_record(user=request.user, person_id=person_id)
    except Person.DoesNotExist:
        return not_found(request, "person")
    except AccessDenied as exc:
        return denied(request, exc, person_id)
    if record.person.merged_into_id:
        messages.info(request, f"{record.person.la_person_id} was merged into this record.")
        return redirect("people:detail", person_id=record.person.merged_into_id)
    # The banner for emergency access, only when that is how the record was opened (one query fewer otherwise).
    glass = (
        core_selectors.active_break_glass(user=request.user, person_id=person_id)
        if record.access.basis == "Break-glass"
        else None
    )
    return render(
        request,
        "people/detail.jinja",
        {
            "record": record,
            "person": record.person,
            "title": record.person.full_name,
            "break_glass": glass,
            "timeline": core_timeline.entries_for(record.person, viewer=request.user),
            "safeguarding": safeguarding_selectors.for_person(user=request.user, person_id=record.person.pk),
            "can_edit": access.has(request.user, access.Capability.EDIT_PERSON),
            "can_merge": access.has(request.user, access.Capability.MERGE),
            "can_see_access_log": access.has(request.user, access.Capability.VIEW_ACCESS_LOG),
            "requests": frontdoor_selectors.requests_for_person(person=record.person),
        },
    )


def _all_errors(form) -> None:
    """Add the domain checks (NHS number, postcode, coded values) for fields the form itself accepted."""
    extra = services.person_check(form.cleaned_data)
    ui.add_service_errors(form, {k: v for k, v in extra.items() if k not in form.errors})


@require_http_methods(["GET", "POST"])
def create(request: HttpRequest) -> HttpResponse:
    if not access.has(request.user, access.Capability.CREATE_PERSON):
        return forbidden(request, "You cannot add people", "Your role cannot create records.")
    path = reverse("people:create")
    duplicate = None
    restored = None
    if request.method == "POST":
        form = forms.PersonForm(request.POST)
        if form.is_valid():
            try:
                person = services.person_create(
                    actor=request.user,
                    data=form.person_data(),
                    confirm_not_duplicate=form.cleaned_data["confirm_not_duplicate"],
                )
            except ValidationFailed as exc:
                ui.add_service_errors(form, exc.errors)
            except services.PossibleDuplicate as exc:
                duplicate = exc
            else:
                core_services.form_draft_discard(user=request.user, path=path)
                messages.success(request, f"Record created for {person.full_name} ({person.la_person_id})")
                return redirect("people:detail", person_id=person.pk)
        else:
            _all_errors(form)
    else:
        form, restored = restore_draft(request, forms.PersonForm, path)
    status = 400 if request.method == "POST" and (form.errors or duplicate) else 200
    return render(
        request,
        "people/form.jinja",
        {
            "form": form,
            "title": "Add a person",
            "errors": ui.error_summary(form),
            "duplicate": duplicate,
            "draft_path": path,
            "restored": restored,
            "active_nav": "create",
            "submit": "Save person",
        },
        status=status,
    )


@require_http_methods(["GET", "POST"])
@opens_person("edit")
def edit(request: HttpRequest, person: Person, decision) -> HttpResponse:
    if not access.has(request.user, access.Capability.EDIT_PERSON):
        return forbidden(
            request, "You cannot change this record", "Your role can read records but not change them."
        )
    path = reverse("people:edit", args=[person.pk])
    restored = None
    if request.method == "POST":
        form = forms.PersonForm(request.POST)
        if form.is_valid():
            try:
                services.person_update(record=request.opened_record, data=form.person_data())
            except ValidationFailed as exc:
                ui.add_service_errors(form, exc.errors)
            else:
                core_services.form_draft_discard(user=request.user, path=path)
                messages.success(request, "Details saved")
                return redirect("people:detail", person_id=person.pk)
        else:
            _all_errors(form)
    else:
        form, restored = restore_draft(request, forms.PersonForm, path)
        if restored is None:
            form = forms.PersonForm(initial={f: getattr(person, f) for f in services.PERSON_FIELDS})
    return render(
        request,
        "people/form.jinja",
        {
            "form": form,
            "person": person,
            "title": f"Change details for {person.full_name}",
            "errors": ui.error_summary(form),
            "draft_path": path,
            "restored": restored,
            "submit": "Save changes",
        },
        status=400 if request.method == "POST" else 200,
    )


def _linked_person(user, la_id: str, field: str) -> Person:
    person = selectors.person_by_la_id(user=user, la_person_id=la_id)
    if person is None:
        raise ValidationFailed({field: selectors.NOT_FOUND_OR_CLOSED})
    return person


def _subform(
    request: HttpRequest, person_id: int, form_class, template: str, title: str, save
) -> HttpResponse:
    """Shared flow for the small forms on a record: check access, validate, call the service."""
    opened = open_person(request, person_id, "edit")
    if not isinstance(opened, tuple):
        return opened
    person, _ = opened
    form = form_class(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            save(person, form.cleaned_data)
        except ValidationFailed as exc:
            ui.add_service_errors(form, exc.errors)
        except PermissionError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, f"{title}: saved")
            return redirect("people:detail", person_id=person.pk)
    return render(
        request,
        template,
        {"form": form, "person": person, "title": title, "errors": ui.error_summary(form)},
        status=400 if request.method == "POST" else 200,
    )


@require_http_methods(["GET", "POST"])
def contact_add(request: HttpRequest, person_id: int) -> HttpResponse:
    return _subform(
        request,
        person_id,
        forms.ContactForm,
        "people/contact_form.jinja",
        "Add a contact",
        lambda person, data: services.contact_add(actor=request.user, person=person, **data),
    )


@require_http_methods(["GET", "POST"])
def alert_add(request: HttpRequest, person_id: int) -> HttpResponse:
    return _subform(
        request,
        person_id,
        forms.AlertForm,
        "people/alert_form.jinja",
        "Add an alert",
        lambda person, data: services.alert_add(actor=request.user, person=person, **data),
    )


@require_http_methods(["GET", "POST"])
def carer_add(request: HttpRequest, person_id: int) -> HttpResponse:
    def save(person, data):
        carer = _linked_person(request.user, data["carer_id"], "carer_id")
        services.carer_link_create(
            actor=request.user,
            carer=carer,
            cared_for=person,
            relationship=data["relationship"],
            lives_with=data["lives_with"] == "yes",
        )

    return _subform(
        request, person_id, forms.CarerLinkForm, "people/carer_form.jinja", "Link an unpaid carer", save
    )


@require_http_methods(["GET", "POST"])
def merge(request: HttpRequest, person_id: int) -> HttpResponse:
    def save(person, data):
        duplicate = _linked_person(request.user, data["duplicate_id"], "duplicate_id")
        services.person_merge(actor=request.user, keep=person, duplicate=duplicate, reason=data["reason"])

    return _subform(
        request, person_id, forms.MergeForm, "people/merge_form.jinja", "Merge a duplicate record", save
    )


def access_log(request: HttpRequest, person_id: int) -> HttpResponse:
    try:
        person, events = selectors.person_access_log(user=request.user, person_id=person_id)
    except Person.DoesNotExist:
        return not_found(request, "person")
    except AccessDenied as exc:
        return forbidden(request, "You cannot see this page", exc.access.explanation, audited=True)
    return render(
        request,
        "people/access_log.jinja",
        {
            "person": person,
            "events": events,
            "title": f"Who has looked at this record – {person.la_person_id}",
        },
    )
