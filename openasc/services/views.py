"""Pages for services delivered: start one (from a plan or not), change its cost or hours, end it."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from openasc.core import access
from openasc.core import services as core_services
from openasc.core.errors import AccessDenied, ValidationFailed
from openasc.people.models import Person
from openasc.people.opening import opens_person
from openasc.planning import selectors as plan_selectors
from openasc.planning import services as plan_writes
from openasc.planning.models import MeetBy, Plan
from openasc.providers import selectors as provider_selectors
from openasc.providers.models import ProviderLocation
from openasc.services import forms, presenters, selectors
from openasc.services import services as service_writes
from openasc.services.models import Service
from openasc.ui import forms as ui
from openasc.ui.actions import RecordAction
from openasc.ui.responses import denied, forbidden, not_found


def _plan_prefill(plan: Plan) -> dict:
    """What an agreed plan says about the service: its 'service' needs and the delivery mechanism."""
    needs = [n for n in plan_selectors.plan_needs(plan) if n.meet_by == MeetBy.SERVICE]
    labels = plan_writes.OUTCOME_LABELS
    return {
        "plan": plan.pk,
        "delivery_mechanism": plan.delivery_mechanism,
        "description": "\n".join(
            f"{labels.get(n.outcome_code, n.outcome_code)}: {n.description}" for n in needs
        ),
    }


@require_http_methods(["GET", "POST"])
@opens_person("service")
def create(request: HttpRequest, person: Person, _decision) -> HttpResponse:
    if not service_writes.can_write_services(request.user):
        return forbidden(
            request, "You cannot arrange services", "Your role cannot arrange or change services."
        )
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
                location = (
                    provider_selectors.location_get(
                        user=request.user, location_id=int(d["provider_location"])
                    )
                    if d.get("provider_location")
                    else None
                )
                service = service_writes.service_start(
                    record=request.opened_record,
                    plan=plan,
                    service_type=d["service_type"],
                    service_component=d.get("service_component") or "",
                    provider_location=location,
                    start_on=d["start_on"],
                    end_on=d.get("end_on"),
                    delivery_mechanism=d.get("delivery_mechanism") or "",
                    description=d.get("description") or "",
                    **form.cost_data(),
                )
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
    return render(
        request,
        "services/form.jinja",
        {
            "form": form,
            "person": person,
            "plan": plan,
            "title": "Start a service",
            "errors": ui.error_summary(form),
            "draft_path": path,
            "restored": restored,
            "has_locations": bool(locations),
        },
        status=400 if request.method == "POST" else 200,
    )


def _get(request: HttpRequest, service_id: int, purpose: str = "view"):
    """The service, or the response to send instead; the opened record is kept on the request
    (`request.opened_record`) for the services that change it."""
    try:
        service, request.opened_record = selectors.service_get(
            user=request.user, service_id=service_id, purpose=purpose
        )
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
    return render(
        request,
        "services/detail.jinja",
        {
            "service": service,
            "person": service.person,
            "title": service.service_type,
            "summary_rows": presenters.summary_rows(service, selectors.cost_on(service, today)),
            "status": presenters.status_tag(service, today),
            "cost_rows": presenters.cost_rows(costs),
            "on": on,
            "cost_then": presenters.cost_on_sentence(selectors.cost_on(service, on)),
            "can_change": service_writes.can_write_services(request.user) and not service.end_outcome,
        },
    )


class _ServiceAction(RecordAction):
    """A change to one service: opened through its selector, by someone whose role arranges services."""

    capability = access.Capability.ARRANGE_SERVICES
    refused_title = "You cannot change services"
    refused_explanation = "Your role cannot arrange or change services."
    what = "service"

    def open(self, request: HttpRequest, *, service_id: int):
        return selectors.service_get(user=request.user, service_id=service_id, purpose=self.purpose)

    def denied_page(self, request: HttpRequest, exc: AccessDenied, **kwargs) -> HttpResponse:
        return denied(request, exc, None)

    def success_url(self, service: Service, result) -> str:
        return reverse("services:detail", args=[service.pk])

    def context(self, request: HttpRequest, service: Service) -> dict:
        return {"service": service}


class CostChange(_ServiceAction):
    """A new cost or number of hours from a date; the earlier cost is kept."""

    purpose = "change cost"
    form_class = forms.CostChangeForm
    template = "services/cost_form.jinja"
    title = "Change the cost or hours"
    success_message = "New cost saved"

    def _current(self, service: Service):
        return selectors.cost_on(service, timezone.localdate()) or (selectors.costs_of(service) or [None])[-1]

    def initial(self, request: HttpRequest, service: Service) -> dict:
        current = self._current(service)
        return {
            "cost_frequency": current.cost_frequency if current else "",
            "planned_units_per_week": current.planned_units_per_week if current else "",
        }

    def perform(self, record, service: Service, data: dict):
        return service_writes.service_cost_change(
            record=record,
            service=service,
            effective_from=data["effective_from"],
            reason=data.get("reason") or "",
            unit_cost=data["unit_cost"],
            cost_frequency=data["cost_frequency"],
            planned_units_per_week=data.get("planned_units_per_week") or None,
        )

    def context(self, request: HttpRequest, service: Service) -> dict:
        return {"service": service, "current_text": presenters.cost_now_sentence(self._current(service))}


class End(_ServiceAction):
    """The service ends, with the CLD outcome of what happened."""

    purpose = "end"
    form_class = forms.EndForm
    template = "services/end_form.jinja"
    title = "End the service"
    success_message = "Service ended"

    def perform(self, record, service: Service, data: dict):
        return service_writes.service_end(
            record=record, service=service, end_on=data["end_on"], outcome=data["outcome"]
        )

    def context(self, request: HttpRequest, service: Service) -> dict:
        return {"service": service, "reablement": service.service_type == service_writes.ST_MAX}


cost_change = CostChange.as_view()
end = End.as_view()
