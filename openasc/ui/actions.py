"""The generic page for one action on a person's record: open the record, check the capability, restore the draft,
call the service, show errors, redirect.

Every form page that changes a record does the same eight things, in the same order:

1. refuse a role that can never do this (`capability`), before the record is opened, on the audited forbidden page;
2. open the record (`open`): by the person in the URL (`people.opening.open_person`) and then the thing in it
   (`get_object`), or through the app's selector that returns `(thing, opened record)`; both go through
   `core.access.open_record`, so the view or the refusal is audited with `purpose`; a thing that is not in the
   opened person's record (another person's, reached through this person's URL) is refused;
3. send the worker elsewhere when the thing is not in a state for this action (`precondition`);
4. refuse what the rules about this one thing forbid (`may`, e.g. a workflow's `may`), on the audited forbidden page;
5. on GET, bind the form to the worker's saved draft when there is one (`drafts = True`), shown as restored and
   without errors (ADR 0006), else fill it from `initial`;
6. on POST, bind and clean the form and call the service (`perform`, given the opened record);
7. turn the service's `ValidationFailed` into errors on the form's fields (unknown fields go to the form's own
   errors) and show the page again with the error summary (status 400); a refusal from the service
   (`AccessDenied`, already audited, or `PermissionError`) is the forbidden page;
8. on success discard the draft, flash `success_message` and redirect to `success_url`.

Smaller parts a view may name as well: `methods = ("POST",)` for a button with nothing to fill in (`form_class =
Confirm`); `get_form_class` when the form depends on the thing (one per assessment section); `form_data` for what
the form hands the service when it is more than `cleaned_data`; `draft_path` when the page's drafts are kept under
more than its path; `saved_work` for work in progress kept on the thing itself, shown as typed; `form_invalid` for a
page that shows its errors elsewhere (a flashed message and a redirect, or another page);
`service_refusal_on_form = True` to show a service's refusal as an error on the form; `form_context` for what the
template shows that depends on the bound form. While it runs, the request is
`self.request`.

A view is a subclass that names its parts, exposed with `as_view()`::

    class EndService(RecordAction):
        purpose = "end"
        capability = access.Capability.ARRANGE_SERVICES
        form_class = forms.EndForm
        template = "services/end_form.jinja"

        def open(self, request, *, service_id):
            return selectors.service_get(user=request.user, service_id=service_id, purpose=self.purpose)

        def perform(self, record, service, data):
            return services.service_end(record=record, service=service, **data)

        def success_url(self, service, result):
            return reverse("services:detail", args=[service.pk])

    end = EndService.as_view()
"""

from __future__ import annotations

from typing import Any

from django import forms as django_forms
from django.contrib import messages
from django.core.exceptions import ObjectDoesNotExist
from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.utils.datastructures import MultiValueDict

from openasc.core import access
from openasc.core import services as core_services
from openasc.core.errors import AccessDenied, ValidationFailed
from openasc.ui import forms as ui
from openasc.ui.responses import denied, forbidden, not_found


class Confirm(django_forms.Form):
    """The form of an action with nothing to fill in: a button (agree a plan, end an allocation)."""


def _as_form_data(saved) -> MultiValueDict:
    """A saved draft (a dict, lists for fields with several values) as the data a bound form reads."""
    if isinstance(saved, MultiValueDict):
        return saved
    return MultiValueDict({k: v if isinstance(v, list) else [v] for k, v in saved.items()})


class RecordAction:
    """One form page that changes one thing on a person's record (see the module docstring for the order)."""

    purpose: str = "change"  # why the record is opened, written to the audit trail with the view
    capability: str | None = (
        None  # an access.Capability the role must hold, checked before the record is opened
    )
    refused_title: str = "You cannot do this"
    refused_explanation: str = "Your role cannot do this."
    form_class: type | None = None
    template: str = ""
    title: str = ""
    success_message: str = "Saved"
    drafts: bool = (
        False  # the form autosaves drafts (data-autosave): restore one on GET, discard it on success
    )
    what: str = "record"  # the not-found page's noun: "There is no <what> with that id"
    read_only_when_refused: bool = (
        False  # `may` refused: show the page without the form on GET, refuse a POST
    )
    error_status: int = 400
    methods: tuple[str, ...] = ("GET", "POST")  # ("POST",) for a button that has no page of its own
    service_refusal_on_form: bool = False  # a PermissionError from the service is an error on the form (status 400), not the forbidden page

    # --- the parts a view names --------------------------------------------------------------------------------

    def open(self, request: HttpRequest, **kwargs) -> tuple[Any, access.OpenedRecord] | HttpResponse:
        """The thing acted on and the record as opened, or the response to send instead. By default the URL names
        the person (`person_id`) and `get_object` finds the thing in their record."""
        from openasc.people.opening import open_person

        opened = open_person(request, kwargs.pop("person_id"), self.purpose)
        if not isinstance(opened, tuple):
            return opened
        record = request.opened_record
        return self.get_object(record, **kwargs), record

    def get_object(self, record: access.OpenedRecord, **kwargs) -> Any:
        """The thing in the opened record the action is about (through a selector); the person by default."""
        return record.person

    def precondition(self, request: HttpRequest, obj) -> HttpResponse | None:
        """A response (usually a redirect with a message) when the thing is not in a state for this action."""
        return None

    def may(self, user, obj) -> bool:
        """Whether the rules about this one thing (its state, who made it) let the user act on it."""
        return True

    def refused_page(self, request: HttpRequest, obj=None) -> HttpResponse:
        return forbidden(request, self.refused_title, self.refused_explanation)

    def denied_page(self, request: HttpRequest, exc: AccessDenied, **kwargs) -> HttpResponse:
        """No basis to open the record: break-glass where the role allows it and the person is known, else why."""
        return denied(request, exc, kwargs.get("person_id"))

    def get_form_class(self, obj) -> type:
        """The form for this thing (by default `form_class`)."""
        return self.form_class

    def form_kwargs(self, request: HttpRequest, obj) -> dict:
        return {}

    def form_data(self, form, obj) -> dict:
        """What the valid form hands to `perform` (by default its cleaned data)."""
        return form.cleaned_data

    def draft_path(self, request: HttpRequest, obj) -> str:
        """Where this page's drafts are kept (by default its path)."""
        return request.path

    def saved_work(self, request: HttpRequest, obj):
        """Work in progress saved on the thing itself (a mapping of field values), shown as typed and without
        errors when there is no newer draft; None when there is none."""
        return None

    def form_invalid(self, request: HttpRequest, obj, form) -> HttpResponse:
        """The response to a form with errors (the form's or the service's): by default the page again, with the
        error summary, at `error_status`."""
        return self._render(request, obj, form, status=self.error_status)

    def initial(self, request: HttpRequest, obj) -> dict:
        return {}

    def perform(self, record: access.OpenedRecord, obj, data: dict) -> Any:
        """Call the write service with the opened record and the cleaned data; return what it made or changed."""
        raise NotImplementedError(f"{type(self).__name__} must say which service it calls (perform)")

    def success_url(self, obj, result) -> str:
        raise NotImplementedError(f"{type(self).__name__} must say where to go after success (success_url)")

    def get_success_message(self, obj, result) -> str:
        return self.success_message

    def get_title(self, obj, can_act: bool) -> str:
        return self.title

    def context(self, request: HttpRequest, obj) -> dict:
        """What else the template shows (presenters, the person, the thing)."""
        return {}

    def form_context(self, form, obj) -> dict:
        """What else the template shows that depends on the form as bound (e.g. checkboxes ticked as typed)."""
        return {}

    # --- the machinery ----------------------------------------------------------------------------------------------

    @classmethod
    def as_view(cls):
        def view(request: HttpRequest, **kwargs) -> HttpResponse:
            return cls().dispatch(request, **kwargs)

        view.__name__ = cls.__name__
        view.__doc__ = cls.__doc__
        view.__module__ = cls.__module__
        view.action_class = cls
        return view

    def dispatch(self, request: HttpRequest, **kwargs) -> HttpResponse:
        if request.method not in self.methods:
            return HttpResponseNotAllowed(list(self.methods))
        self.request = request
        if self.capability is not None and not access.has(request.user, self.capability):
            return self.refused_page(request)
        try:
            opened = self.open(request, **dict(kwargs))
        except ObjectDoesNotExist:
            return not_found(request, self.what)
        except AccessDenied as exc:
            return self.denied_page(request, exc, **kwargs)
        if isinstance(opened, HttpResponse):
            return opened
        obj, record = opened
        request.opened_record = record
        person_id = getattr(obj, "person_id", None)
        if (
            person_id is not None and person_id != record.person_id
        ):  # a thing of someone else reached via this record
            return forbidden(
                request,
                "You cannot open this record",
                f"That {self.what} is not part of this person's record.",
            )
        stop = self.precondition(request, obj)
        if stop is not None:
            return stop
        can_act = self.may(request.user, obj)
        if not can_act and (request.method == "POST" or not self.read_only_when_refused):
            return self.refused_page(request, obj)
        if request.method == "POST":
            return self._post(request, record, obj)
        form, restored = self._unbound_form(request, obj) if can_act else (None, None)
        return self._render(request, obj, form, restored=restored, can_act=can_act)

    def _unbound_form(self, request: HttpRequest, obj):
        form_class, kwargs = self.get_form_class(obj), self.form_kwargs(request, obj)
        if self.drafts:
            draft = core_services.form_draft_get(user=request.user, path=self.draft_path(request, obj))
            if draft:
                form = form_class(data=_as_form_data(draft), **kwargs)
                form.restored_draft = True  # the error summary stays empty until the worker submits it
                return form, draft
        saved = self.saved_work(request, obj)
        if saved:
            form = form_class(data=_as_form_data(saved), **kwargs)
            form.restored_draft = True  # saved work in progress: shown as it was, without errors
            return form, None
        return form_class(initial=self.initial(request, obj), **kwargs), None

    def _post(self, request: HttpRequest, record: access.OpenedRecord, obj) -> HttpResponse:
        form = self.get_form_class(obj)(data=request.POST, **self.form_kwargs(request, obj))
        if form.is_valid():
            try:
                result = self.perform(record, obj, self.form_data(form, obj))
            except ValidationFailed as exc:
                ui.add_service_errors(form, exc.errors)
            except PermissionError as exc:
                if self.service_refusal_on_form:
                    form.add_error(None, str(exc))
                elif isinstance(exc, AccessDenied):  # already audited (e.g. a workflow's role check)
                    return forbidden(request, self.refused_title, exc.access.explanation, audited=True)
                else:
                    return forbidden(request, self.refused_title, str(exc))
            else:
                if self.drafts:
                    core_services.form_draft_discard(user=request.user, path=self.draft_path(request, obj))
                messages.success(request, self.get_success_message(obj, result))
                return redirect(self.success_url(obj, result))
        return self.form_invalid(request, obj, form)

    def _render(
        self, request: HttpRequest, obj, form, *, restored=None, can_act: bool = True, status: int = 200
    ) -> HttpResponse:
        context = {
            "form": form,
            "title": self.get_title(obj, can_act),
            "can_act": can_act,
            "errors": ui.error_summary(form) if form is not None else [],
            "person": getattr(obj, "person", None) or request.opened_record.person,
            "draft_path": self.draft_path(request, obj) if self.drafts else None,
            "restored": restored,
            **self.context(request, obj),
            **(self.form_context(form, obj) if form is not None else {}),
        }
        return render(request, self.template, context, status=status)
