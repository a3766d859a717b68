"""Pages for services delivered: start one (from a plan or not), change its cost or hours, end it."""

from __future__ import annotations

import datetime as dt

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone

from openasc.core import access
from openasc.core.errors import AccessDenied, ValidationFailed
from openasc.people.models import Person
from openasc.planning import selectors as plan_selectors
from openasc.planning.models import MeetBy, Plan
from openasc.providers import selectors as provider_selectors
from openasc.providers.models import ProviderLocation
from openasc.services import forms, presenters, selectors
from openasc.services import services as service_writes
from openasc.services.models import Service
from openasc.ui.actions import RecordAction
from openasc.ui.responses import denied, not_found


class StartService(RecordAction):
    """A service starts for the person, from their agreed plan (`?plan=`) or not."""

    purpose = "service"
    capability = access.Capability.ARRANGE_SERVICES
    refused_title = "You cannot arrange services"
    refused_explanation = "Your role cannot arrange or change services."
    form_class = forms.ServiceForm
    template = "services/form.jinja"
    title = "Start a service"
    success_message = "Service started"
    drafts = True

    def get_object(self, record, **kwargs) -> Person:
        self.plan = self._plan(record.person)
        self.locations = provider_selectors.locations_for_choice(user=self.request.user)
        return record.person

    def _plan(self, person: Person) -> Plan | None:
        """The plan the service is for, if the link names one of this person's plans the user may open."""
        plan_id = self.request.POST.get("plan") or self.request.GET.get("plan")
        if not (plan_id and str(plan_id).isdigit()):
            return None
        try:
            plan, _ = plan_selectors.plan_get(user=self.request.user, plan_id=int(plan_id), purpose="service")
        except (Plan.DoesNotExist, AccessDenied):
            return None
        return plan if plan.person_id == person.pk else None

    def draft_path(self, request: HttpRequest, person: Person) -> str:
        return reverse("services:create", args=[person.pk]) + (f"?plan={self.plan.pk}" if self.plan else "")

    def form_kwargs(self, request: HttpRequest, person: Person) -> dict:
        return {"locations": self.locations}

    def initial(self, request: HttpRequest, person: Person) -> dict:
        initial = {}
        if self.plan:
            needs = [n for n in plan_selectors.plan_needs(self.plan) if n.meet_by == MeetBy.SERVICE]
            initial = presenters.initial_from_plan(self.plan, needs)
        initial.setdefault("start_on", timezone.localdate())
        return initial

    def form_data(self, form, person: Person) -> dict:
        d = form.cleaned_data
        return {
            "provider_location": d.get("provider_location"),
            "service_type": d["service_type"],
            "service_component": d.get("service_component") or "",
            "start_on": d["start_on"],
            "end_on": d.get("end_on"),
            "delivery_mechanism": d.get("delivery_mechanism") or "",
            "description": d.get("description") or "",
            **form.cost_data(),
        }

    def perform(self, record, person: Person, data: dict):
        data = dict(data)
        location_id = data.pop("provider_location")
        try:
            location = (
                provider_selectors.location_get(user=self.request.user, location_id=int(location_id))
                if location_id
                else None
            )
        except ProviderLocation.DoesNotExist:
            raise ValidationFailed(
                {"provider_location": "Select a provider location from the register"}
            ) from None
        return service_writes.service_start(record=record, plan=self.plan, provider_location=location, **data)

    def success_url(self, person: Person, service: Service) -> str:
        return reverse("services:detail", args=[service.pk])

    def context(self, request: HttpRequest, person: Person) -> dict:
        return {"plan": self.plan, "has_locations": bool(self.locations)}


create = StartService.as_view()


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
