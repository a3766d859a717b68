"""Pages for the front door: record a request, triage it, allocate the person, see who is waiting."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone

from openasc.core import access
from openasc.core.errors import AccessDenied
from openasc.core.models import CareRelationship
from openasc.frontdoor import forms, selectors, services
from openasc.frontdoor.models import RequestStatus, SupportRequest, TriageDecision
from openasc.frontdoor.workflows import REQUEST
from openasc.people.models import Person
from openasc.ui.actions import Confirm, RecordAction
from openasc.ui.jinja2 import uk_date
from openasc.ui.pagination import pagination
from openasc.ui.responses import denied, not_found


class RecordRequest(RecordAction):
    """A contact with us, recorded as a request for support for the person (it then waits for triage)."""

    purpose = "record request"
    capability = (
        access.Capability.CREATE_PERSON
    )  # anyone who can add a person can record their contact with us
    refused_title = "You cannot record requests"
    refused_explanation = "Your role cannot record requests for support."
    form_class = forms.RequestForm
    template = "frontdoor/request_form.jinja"
    title = "Record a request for support"
    what = "page"
    drafts = True

    def open(self, request: HttpRequest, *, person_id: int):
        return selectors.person_for_request(user=request.user, person_id=person_id, purpose=self.purpose)

    def initial(self, request: HttpRequest, person: Person) -> dict:
        # Most requests are recorded the day they arrive: the date received starts as today, and can be changed.
        return {
            "client_type": person.client_type or "Service user",
            "urgency": "routine",
            "received_on": timezone.localdate(),
        }

    def perform(self, record, person: Person, data: dict):
        return services.request_record(record=record, **data)

    def get_success_message(self, person: Person, support_request: SupportRequest) -> str:
        return f"Request for support recorded for {person.full_name}"

    def success_url(self, person: Person, support_request: SupportRequest) -> str:
        return reverse("frontdoor:request", args=[support_request.pk])


request_new = RecordRequest.as_view()


def request_detail(request: HttpRequest, request_id: int) -> HttpResponse:
    try:
        support_request, record = selectors.request_get(user=request.user, request_id=request_id)
    except SupportRequest.DoesNotExist:
        return not_found(request, "request")
    except AccessDenied as exc:
        return denied(request, exc, selectors.person_id_of_request(request_id=request_id))
    return render(
        request,
        "frontdoor/request_detail.jinja",
        {
            "req": support_request,
            "person": support_request.person,
            "basis": record.basis,
            "history": selectors.request_history(request=support_request),
            "title": f"Request for support received {support_request.received_on:%-d %B %Y}",
            # The buttons: what the request's workflow lets this user do now (its state, their role).
            "can_triage": bool(
                {t.name for t in REQUEST.allowed(request.user, support_request)} & {"route", "conclude"}
            ),
            "can_allocate": services.can_allocate(request.user),
            "can_cancel": REQUEST.may(request.user, support_request, "cancel"),
        },
    )


class _RequestAction(RecordAction):
    """An action on one request for support, opened through the front door's selector."""

    what = "request"

    def open(self, request: HttpRequest, *, request_id: int):
        return selectors.request_get(user=request.user, request_id=request_id, purpose=self.purpose)

    def denied_page(self, request: HttpRequest, exc: AccessDenied, *, request_id: int) -> HttpResponse:
        return denied(request, exc, selectors.person_id_of_request(request_id=request_id))

    def success_url(self, support_request: SupportRequest, result) -> str:
        return reverse("frontdoor:request", args=[support_request.pk])

    def context(self, request: HttpRequest, support_request: SupportRequest) -> dict:
        return {"req": support_request}


class Triage(_RequestAction):
    """What happens to a request: routed to a team for assessment, or concluded (advice, signposting...)."""

    purpose = "triage"
    capability = access.Capability.TRIAGE
    refused_title = "You cannot triage requests"
    refused_explanation = (
        "Only the front door, social workers, safeguarding leads and team managers can triage "
        "requests for support."
    )
    form_class = forms.TriageForm
    template = "frontdoor/triage_form.jinja"
    title = "Triage the request"
    drafts = True

    def precondition(self, request: HttpRequest, support_request: SupportRequest):
        if support_request.status != RequestStatus.OPEN:
            messages.info(request, "This request has already been triaged.")
            return redirect("frontdoor:request", request_id=support_request.pk)
        return None

    def perform(self, record, support_request: SupportRequest, data: dict):
        data = dict(data)
        team = selectors.team_by_id(data.pop("team"))
        return services.request_triage(record=record, request=support_request, team=team, **data)

    def get_success_message(self, support_request: SupportRequest, triaged: SupportRequest) -> str:
        decision = TriageDecision(triaged.decision).label
        concern = getattr(triaged, "safeguarding_concern", None)
        if concern is not None:
            return (
                f"Request triaged: {decision}. Safeguarding concern {concern.pk} raised and passed to "
                f"{concern.team.name}, for a decision by {uk_date(concern.decision_due_on)}"
            )
        return f"Request triaged: {decision}" + (f", passed to {triaged.team.name}" if triaged.team else "")


triage = Triage.as_view()


class Cancel(_RequestAction):
    """A request recorded in error (the wrong person, a duplicate): kept, with who said so and why."""

    purpose = "cancel"
    form_class = forms.CancelForm
    template = "frontdoor/cancel_form.jinja"
    title = "Mark this request as recorded in error"
    refused_title = "You cannot mark this request as recorded in error"
    refused_explanation = "Only the person who recorded it, or someone who triages requests, can do that."
    success_message = (
        "The request is marked as recorded in error. It is no longer waiting and is not counted in "
        "the returns."
    )

    def precondition(self, request: HttpRequest, support_request: SupportRequest):
        if support_request.status not in (RequestStatus.OPEN, RequestStatus.ROUTED):
            messages.info(request, f"This request is {support_request.get_status_display().lower()}.")
            return redirect("frontdoor:request", request_id=support_request.pk)
        return None

    def may(self, user, support_request: SupportRequest) -> bool:
        return services.can_cancel(user, support_request)

    def perform(self, record, support_request: SupportRequest, data: dict):
        return services.request_cancel(record=record, request=support_request, reason=data["reason"])


cancel = Cancel.as_view()


class Allocate(RecordAction):
    """The person allocated to a team or a named worker (or both); the page lists who they are allocated to now."""

    purpose = "allocation"  # the purpose allocation_context opens the record with
    capability = access.Capability.ALLOCATE
    refused_title = "You cannot allocate people"
    refused_explanation = (
        "Only team managers and safeguarding leads can allocate people to a team or a worker."
    )
    form_class = forms.AllocationForm
    template = "frontdoor/allocate_form.jinja"
    title = "Allocate"
    what = "page"

    def open(self, request: HttpRequest, *, person_id: int):
        context = selectors.allocation_context(user=request.user, person_id=person_id)
        return context, context.record

    def form_kwargs(self, request: HttpRequest, context) -> dict:
        return {"user": request.user}

    def perform(self, record, context, data: dict):
        return services.allocation_create(
            record=record,
            team=selectors.team_by_id(data["team"]),
            worker=selectors.worker_by_id(data["worker"]),
        )

    def get_success_message(self, context, made) -> str:
        names = [r.team.name if r.team_id else r.user.display_name for r in made]
        return f"{context.person.full_name} allocated to {' and '.join(names)}"

    def success_url(self, context, made) -> str:
        return reverse("frontdoor:allocate", args=[context.person.pk])

    def context(self, request: HttpRequest, context) -> dict:
        return {"context": context}


allocate = Allocate.as_view()


class EndAllocation(RecordAction):
    """An allocation to a team or a worker ends (the button on the allocation page)."""

    purpose = "end allocation"
    capability = access.Capability.ALLOCATE
    refused_title = "You cannot end allocations"
    refused_explanation = "Only team managers and safeguarding leads can end an allocation."
    methods = ("POST",)
    form_class = Confirm
    what = "allocation"

    def open(self, request: HttpRequest, *, person_id: int, relationship_id: int):
        return selectors.allocation_get(
            user=request.user, person_id=person_id, relationship_id=relationship_id
        )

    def perform(self, record, relationship: CareRelationship, data: dict):
        return services.allocation_end(record=record, relationship=relationship)

    def get_success_message(self, relationship: CareRelationship, result) -> str:
        who = relationship.team.name if relationship.team_id else relationship.user.display_name
        return f"Allocation to {who} ended"

    def success_url(self, relationship: CareRelationship, result) -> str:
        return reverse("frontdoor:allocate", args=[relationship.person_id])

    def form_invalid(self, request: HttpRequest, relationship: CareRelationship, form) -> HttpResponse:
        messages.info(request, form.non_field_errors()[0])  # e.g. it had already ended
        return redirect("frontdoor:allocate", person_id=relationship.person_id)


allocation_end = EndAllocation.as_view()


def _parse_team(value: str) -> list[int] | None:
    """'' = the user's own teams (default), 'all' = every team, or one team id."""
    if value == "all":
        return []
    if value.isdigit():
        return [int(value)]
    return None


def waiting(request: HttpRequest, default_list: str = "triage") -> HttpResponse:
    list_name = request.GET.get("list", default_list)
    team_param = request.GET.get("team", "")
    sort = request.GET.get("sort", "longest")
    lists = selectors.waiting_lists(
        user=request.user,
        team_ids=_parse_team(team_param),
        list_name=list_name,
        page=request.GET.get("page", 1),
        sort=sort,
    )
    base = {"list": lists.list_name, "team": team_param, "sort": lists.sort}
    tabs = [
        {
            "name": name,
            "title": title,
            "count": lists.counts[name],
            "breached": lists.breached.get(name, 0),
            "href": "?" + urlencode({**base, "list": name}),
            "current": name == lists.list_name,
        }
        for name, title in selectors.LIST_TITLES.items()
    ]
    if selectors.default_team_ids(request.user):
        team_items = [{"value": "", "text": "My teams"}, {"value": "all", "text": "All teams"}]
    else:
        team_items = [{"value": "", "text": "All teams"}]
    team_items += [{"value": str(pk), "text": name} for pk, name in selectors.team_choices()]
    for item in team_items:
        item["selected"] = item["value"] == team_param
    sort_items = [{"value": k, "text": v, "selected": k == lists.sort} for k, v in selectors.SORTS.items()]
    return render(
        request,
        "frontdoor/waiting.jinja",
        {
            "lists": lists,
            "tabs": tabs,
            "team_items": team_items,
            "sort_items": sort_items,
            "list_name": lists.list_name,
            "pagination": pagination(lists.page, base, label="Pages of the waiting list"),
            "title": f"Waiting lists: {lists.title.lower()}",
            "active_nav": "waiting",
            "can_allocate": services.can_allocate(request.user),
            "can_triage": services.can_triage(request.user),
        },
    )


def team_queue(request: HttpRequest) -> HttpResponse:
    """The team manager's queue: the same page, on the people waiting for allocation in their own teams."""
    return waiting(request, default_list="allocation")
