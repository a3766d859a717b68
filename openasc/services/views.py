"""Pages for services delivered: start one (from a plan or not), change its cost or hours, end it."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from openasc.core import services as core_services
from openasc.core.errors import AccessDenied, ValidationFailed
from openasc.core.money import pounds
from openasc.people.models import Person
from openasc.people.opening import opens_person
from openasc.planning import selectors as plan_selectors
from openasc.planning import services as plan_writes
from openasc.planning.models import MeetBy, Plan
from openasc.providers import selectors as provider_selectors
from openasc.providers.models import ProviderLocation
from openasc.services import forms, selectors
from openasc.services import services as service_writes
from openasc.services.models import Service
from openasc.ui import forms as ui
from openasc.ui.responses import denied, forbidden, not_found


def _page(request: HttpRequest, template: str, context: dict, status: int = 200) -> HttpResponse:
    return render(request, template, {"pounds": pounds, **context}, status=status)


def _plan_prefill(plan: Plan) -> dict:
    """What an agreed plan says about the service: its 'service' needs and the delivery mechanism."""
    needs = [n for n in plan_selectors.plan_needs(plan) if n.meet_by == MeetBy.SERVICE]
    labels = plan_writes.OUTCOME_LABELS
    return {
        "plan": plan.pk, "delivery_mechanism": plan.delivery_mechanism,
        "description": "\n".join(f"{labels.get(n.outcome_code, n.outcome_code)}: {n.description}" for n in needs),
    }


@require_http_methods(["GET", "POST"])
@opens_person("service")
def create(request: HttpRequest, person: Person, _decision) -> HttpResponse:
    if not service_writes.can_write_services(request.user):
        return forbidden(request, "You cannot arrange services", "Your role cannot arrange or change services.")
    plan = None
    plan_id = request.POST.get("plan") or request.GET.get("plan")
    if plan_id and str(plan_id).isdigit():
        try:
            plan, _ = plan_selectors.plan_get(user=request.user, plan_id=int(plan_id), purpose="service")
        except (Plan.DoesNotExist, AccessDenied):
            plan = None
        if plan is not None and plan.person_id != person.pk:
            plan = None
    locations = provider_selectors.locations_for_choice(user=request.user)
    path = reverse("services:create", args=[person.pk]) + (f"?plan={plan.pk}" if plan else "")
    restored = None
    if request.method == "POST":
        form = forms.ServiceForm(request.POST, locations=locations)
        if form.is_valid():
            d = form.cleaned_data
            try:
                location = (provider_selectors.location_get(user=request.user, location_id=int(d["provider_location"]))
                            if d.get("provider_location") else None)
                service = service_writes.service_start(
                    record=request.opened_record, plan=plan, service_type=d["service_type"],
                    service_component=d.get("service_component") or "", provider_location=location,
                    start_on=d["start_on"], end_on=d.get("end_on"), delivery_mechanism=d.get("delivery_mechanism")
                    or "", description=d.get("description") or "", **form.cost_data())
            except ValidationFailed as exc:
                ui.add_service_errors(form, exc.errors)
            except ProviderLocation.DoesNotExist:
                form.add_error("provider_location", "Select a provider location from the register")
            else:
                core_services.form_draft_discard(user=request.user, path=path)
                messages.success(request, "Service started")
                return redirect("services:detail", service_id=service.pk)
    else:
        initial = _plan_prefill(plan) if plan else {}
        initial.setdefault("start_on", timezone.localdate())
        form = forms.ServiceForm(initial=initial, locations=locations)
        draft = core_services.form_draft_get(user=request.user, path=path)
        if draft:
            form = forms.ServiceForm(data=draft, locations=locations)
            form.restored_draft = True
            restored = draft
    return _page(request, "services/form.jinja", {
        "form": form, "person": person, "plan": plan, "title": "Start a service", "errors": ui.error_summary(form),
        "draft_path": path, "restored": restored, "has_locations": bool(locations),
    }, status=400 if request.method == "POST" else 200)


def _get(request: HttpRequest, service_id: int, purpose: str = "view"):
    """The service, or the response to send instead; the opened record is kept on the request
    (`request.opened_record`) for the services that change it."""
    try:
        service, request.opened_record = selectors.service_get(user=request.user, service_id=service_id,
                                                               purpose=purpose)
    except Service.DoesNotExist:
        return None, not_found(request, "service")
    except AccessDenied as exc:
        return None, denied(request, exc, None)
    return service, None


def detail(request: HttpRequest, service_id: int) -> HttpResponse:
    service, failed = _get(request, service_id)
    if failed:
        return failed
    today = timezone.localdate()
    costs = selectors.costs_of(service)
    on = today
    if request.GET.get("on"):
        try:
            on = dt.date.fromisoformat(request.GET["on"])
        except ValueError:
            on = today
    return _page(request, "services/detail.jinja", {
        "service": service, "person": service.person, "title": service.service_type, "costs": costs,
        "current": selectors.cost_on(service, today), "on": on, "cost_then": selectors.cost_on(service, on),
        "can_change": service_writes.can_write_services(request.user) and not service.end_outcome,
    })


@require_http_methods(["GET", "POST"])
def cost_change(request: HttpRequest, service_id: int) -> HttpResponse:
    service, failed = _get(request, service_id, purpose="change cost")
    if failed:
        return failed
    if not service_writes.can_write_services(request.user):
        return forbidden(request, "You cannot change services", "Your role cannot arrange or change services.")
    current = selectors.cost_on(service, timezone.localdate()) or (selectors.costs_of(service) or [None])[-1]
    form = forms.CostChangeForm(request.POST or None, initial={
        "cost_frequency": current.cost_frequency if current else "",
        "planned_units_per_week": current.planned_units_per_week if current else "",
    })
    if request.method == "POST" and form.is_valid():
        try:
            service_writes.service_cost_change(record=request.opened_record, service=service,
                                               effective_from=form.cleaned_data["effective_from"],
                                               reason=form.cleaned_data.get("reason") or "", **form.cost_data())
        except ValidationFailed as exc:
            ui.add_service_errors(form, exc.errors)
        else:
            messages.success(request, "New cost saved")
            return redirect("services:detail", service_id=service.pk)
    return _page(request, "services/cost_form.jinja", {
        "form": form, "service": service, "person": service.person, "current": current,
        "title": "Change the cost or hours", "errors": ui.error_summary(form),
    }, status=400 if request.method == "POST" else 200)


@require_http_methods(["GET", "POST"])
def end(request: HttpRequest, service_id: int) -> HttpResponse:
    service, failed = _get(request, service_id, purpose="end")
    if failed:
        return failed
    if not service_writes.can_write_services(request.user):
        return forbidden(request, "You cannot change services", "Your role cannot arrange or change services.")
    form = forms.EndForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            service_writes.service_end(record=request.opened_record, service=service,
                                       end_on=form.cleaned_data["end_on"], outcome=form.cleaned_data["outcome"])
        except ValidationFailed as exc:
            ui.add_service_errors(form, exc.errors)
        else:
            messages.success(request, "Service ended")
            return redirect("services:detail", service_id=service.pk)
    return _page(request, "services/end_form.jinja", {
        "form": form, "service": service, "person": service.person, "title": "End the service",
        "errors": ui.error_summary(form), "reablement": service.service_type == service_writes.ST_MAX,
    }, status=400 if request.method == "POST" else 200)
