"""Pages: a safeguarding concern (raise it, the decision on the three s.42(1) criteria, other agencies' information,
recorded in error) and the enquiry that follows (allocation, start, strategy meetings, allegation lines, the
protection plan and its reviews, the conclusion with Making Safeguarding Personal, closure).

Every page opens the adult at risk's record through the selectors, which audit the view and refuse (audited) anyone
who may open the record but not see the safeguarding detail. Every change is one call of a service (atomic,
audited); the rules and their messages are the services'. Nothing here reads the alleged person's record."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ObjectDoesNotExist
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone

from openasc.core import access
from openasc.core.errors import AccessDenied, ValidationFailed
from openasc.safeguarding import calendar, forms, presenters, selectors, services
from openasc.safeguarding.forms import yes_no
from openasc.safeguarding.models import ConcernStatus, EnquiryStatus
from openasc.safeguarding.workflows import CONCERN, ENQUIRY
from openasc.ui.actions import Confirm, RecordAction
from openasc.ui.responses import denied, not_found


def _caption(person) -> str:
    return f"{person.full_name} ({person.la_person_id})"


def can_work_on(user, enquiry) -> bool:
    return services.can_work_on(user, enquiry)


def _open_detail(request, getter, **kwargs):
    """(thing, None) through the selector, or (None, the refusal or not-found page)."""
    try:
        obj, record = getter(user=request.user, **kwargs)
    except ObjectDoesNotExist:
        return None, not_found(request, "safeguarding record")
    except AccessDenied as exc:
        return None, denied(request, exc, None)
    request.opened_record = record
    return obj, None


# --- the two pages ------------------------------------------------------------------------------------------------


def concern(request: HttpRequest, concern_id: int) -> HttpResponse:
    """Everything recorded about the concern, its decision timer, the decision and what the user may do next."""
    c, failed = _open_detail(request, selectors.concern_get, concern_id=concern_id)
    if failed:
        return failed
    user, person = request.user, c.person
    enquiry = selectors.enquiry_of(c)
    awaiting = c.status == ConcernStatus.AWAITING_DECISION
    actions = []
    if awaiting and access.has(user, access.Capability.DECIDE_SAFEGUARDING):
        actions.append((reverse("safeguarding:decide", args=[c.pk]), "Decide what happens"))
    if c.status != ConcernStatus.CANCELLED:
        actions.append((reverse("safeguarding:agency", args=[c.pk]), "Add information from another agency"))
    if CONCERN.may(user, c, "cancel"):
        actions.append((reverse("safeguarding:cancel", args=[c.pk]), "Recorded in error"))
    back = (
        reverse("safeguarding:queue")
        if access.has(user, access.Capability.SEE_SAFEGUARDING)
        else reverse("people:detail", args=[person.pk])
    )
    return render(
        request,
        "safeguarding/concern.jinja",
        {
            "person": person,
            "caption": _caption(person),
            "title": f"Safeguarding concern about {person.full_name}",
            "back": back,
            "back_text": "Safeguarding queue" if back.startswith(reverse("safeguarding:queue")) else "Back",
            "status": presenters.concern_status_tag(c),
            "timer": presenters.decision_timer(c, timezone.localdate()),
            "rows": presenters.concern_rows(c),
            "criteria_rows": presenters.criteria_rows(c) if c.decision else [],
            "decision_rows": presenters.decision_rows(c),
            "agency_rows": presenters.agency_table(selectors.agency_information_of(c)),
            "enquiry": enquiry,
            "actions": actions,
        },
    )


def enquiry(request: HttpRequest, enquiry_id: int) -> HttpResponse:
    """The enquiry: its stage, officer, strategy meetings, allegation lines, protection plan, conclusion, closure."""
    e, failed = _open_detail(request, selectors.enquiry_get, enquiry_id=enquiry_id)
    if failed:
        return failed
    user, person = request.user, e.person
    works_on = can_work_on(user, e)
    deciding = access.has(user, access.Capability.DECIDE_SAFEGUARDING)
    is_open = e.status != EnquiryStatus.CLOSED
    before_conclusion = e.status in (EnquiryStatus.PLANNING, EnquiryStatus.IN_PROGRESS)
    parts = selectors.enquiry_parts(e)
    plan = parts.plan  # absent until a plan is agreed
    actions = []
    if deciding and before_conclusion:
        label = "Change the enquiry officer" if e.officer_id else "Allocate an enquiry officer"
        actions.append((reverse("safeguarding:allocate", args=[e.pk]), label))
    if works_on and is_open:
        actions.append(
            (
                reverse("safeguarding:meeting", args=[e.pk]),
                "Record a strategy discussion, meeting or conference",
            )
        )
    if works_on and before_conclusion:
        actions.append((reverse("safeguarding:allegation", args=[e.pk]), "Add an allegation line"))
    if works_on and is_open:
        actions.append(
            (
                reverse("safeguarding:plan", args=[e.pk]),
                "Change the protection plan" if plan else "Agree a protection plan",
            )
        )
    if works_on and is_open and plan is not None and plan.ended_on is None:
        actions.append((reverse("safeguarding:plan-review", args=[e.pk]), "Review the protection plan"))
    if ENQUIRY.may(user, e, "conclude"):
        actions.append((reverse("safeguarding:conclude", args=[e.pk]), "Conclude the enquiry"))
    if ENQUIRY.may(user, e, "close"):
        actions.append((reverse("safeguarding:close", args=[e.pk]), "Close the enquiry"))
    can_start = e.status == EnquiryStatus.PLANNING and ENQUIRY.transition("start").permits(user, e)
    removable = works_on and before_conclusion
    allegations = parts.allegations
    return render(
        request,
        "safeguarding/enquiry.jinja",
        {
            "person": person,
            "caption": _caption(person),
            "title": f"{e.get_kind_display()}: {person.full_name}",
            "back": reverse("safeguarding:concern", args=[e.concern_id]),
            "stage": presenters.enquiry_stage_tag(e),
            "rows": presenters.enquiry_rows(e),
            "meeting_rows": presenters.meeting_table(parts.meetings),
            "allegation_rows": presenters.allegation_table(
                allegations,
                remove_url=(lambda a: reverse("safeguarding:allegation-remove", args=[e.pk, a.pk]))
                if removable
                else None,
            ),
            "removable": removable,
            "plan": plan,
            "plan_rows": presenters.plan_rows(plan) if plan else [],
            "action_rows": presenters.action_table(parts.plan_actions),
            "review_rows": presenters.review_table(parts.plan_reviews),
            "conclusion_rows": presenters.conclusion_rows(e),
            "closure_rows": presenters.closure_rows(e),
            "actions": actions,
            "can_start": can_start,
            "needs_officer": can_start and e.officer_id is None,
            "enquiry": e,
        },
    )


def _afterwards(user, concern, url: str) -> str:
    """`url`, or the worktray when the change just ended the user's access to the adult's record (no enquiry, a
    concern recorded in error, an enquiry closed: the hub's and the officer's relationships end with them)."""
    if access.explain(user, concern.person).allowed and selectors.sees_detail(
        user, concern.person_id, concern
    ):
        return url
    return reverse("home")


# --- the forms ----------------------------------------------------------------------------------------------------


def _keep(data: dict, *names) -> dict:
    return {n: data.get(n) for n in names}


class _Action(RecordAction):
    """A safeguarding form page: the adult's record opened through the selectors; a date the form could not read is
    reported together with every error the service finds."""

    template = "safeguarding/form.jinja"
    what = "safeguarding record"
    layout = None
    intro = ""
    button = "Save"
    heading = ""

    def call(self, service, **kwargs):
        try:
            return service(**kwargs)
        except ValidationFailed as exc:
            raise ValidationFailed({**exc.errors, **self._deferred}) from None

    def form_data(self, form, obj) -> dict:
        self._deferred = dict(form.deferred)
        return dict(form.cleaned_data)

    def get_title(self, obj, can_act: bool) -> str:
        return f"{self.heading}: {obj.person.full_name}"

    def back(self, obj) -> str:
        raise NotImplementedError

    def context(self, request: HttpRequest, obj) -> dict:
        return {
            "back": self.back(obj),
            "caption": _caption(obj.person),
            "intro": self.intro_for(obj),
            "button": self.button,
        }

    def intro_for(self, obj) -> str:
        return self.intro

    def fields(self, form, obj) -> list[dict]:
        return self.layout(form)

    def form_context(self, form, obj) -> dict:
        return {"fields": self.fields(form, obj)}


class _ConcernAction(_Action):
    def open(self, request: HttpRequest, *, concern_id: int):
        return selectors.concern_get(user=request.user, concern_id=concern_id, purpose=self.purpose)

    def back(self, c) -> str:
        return reverse("safeguarding:concern", args=[c.pk])

    def success_url(self, c, result) -> str:
        return reverse("safeguarding:concern", args=[c.pk])

    def awaiting(self, request: HttpRequest, c) -> HttpResponse | None:
        if c.status != ConcernStatus.AWAITING_DECISION:
            messages.info(
                request, f"This concern is no longer waiting for a decision: {c.get_status_display()}."
            )
            return redirect(self.back(c))
        return None


class _EnquiryAction(_Action):
    refused_title = "You cannot record this on the enquiry"
    refused_explanation = (
        "Only the enquiry officer, the safeguarding team, safeguarding leads and team managers can record an "
        "enquiry's work."
    )
    stages: tuple[str, ...] = (EnquiryStatus.PLANNING, EnquiryStatus.IN_PROGRESS, EnquiryStatus.CONCLUDED)

    def open(self, request: HttpRequest, *, enquiry_id: int, **kwargs):
        return selectors.enquiry_get(user=request.user, enquiry_id=enquiry_id, purpose=self.purpose)

    def back(self, e) -> str:
        return reverse("safeguarding:enquiry", args=[e.pk])

    def success_url(self, e, result) -> str:
        return reverse("safeguarding:enquiry", args=[e.pk])

    def precondition(self, request: HttpRequest, e) -> HttpResponse | None:
        if e.status not in self.stages:
            messages.info(
                request, f"This cannot be done now: the enquiry is {e.get_status_display().lower()}."
            )
            return redirect(self.back(e))
        return None

    def may(self, user, e) -> bool:
        return can_work_on(user, e)


class RaiseConcern(_Action):
    purpose = "raise a safeguarding concern"
    capability = access.Capability.RAISE_CONCERN
    refused_title = "You cannot raise a safeguarding concern"
    refused_explanation = "Your role cannot raise safeguarding concerns."
    form_class = forms.ConcernForm
    layout = staticmethod(forms.concern_fields)
    heading = "Raise a safeguarding concern"
    button = "Raise the concern"
    drafts = True
    what = "person"

    def get_title(self, person, can_act: bool) -> str:
        return f"{self.heading} about {person.full_name}"

    def context(self, request: HttpRequest, person) -> dict:
        days = calendar.decision_days()
        return {
            "back": reverse("people:detail", args=[person.pk]),
            "caption": _caption(person),
            "intro": f"The concern goes to the safeguarding adults hub, who decide within {days} working "
            f"day{'s' if days != 1 else ''} of the day it was received whether to make an enquiry. If the adult "
            "is in immediate danger, call 999 first.",
            "button": self.button,
        }

    def initial(self, request: HttpRequest, person) -> dict:
        return {"received_on": timezone.localdate()}

    def perform(self, record, person, data: dict):
        return self.call(
            services.concern_raise,
            record=record,
            **_keep(
                data,
                "received_on",
                "referrer_kind",
                "what_happened",
                "consent",
                "harm_person_known",
                "referrer_name",
                "referrer_organisation",
                "referrer_contact",
                "adult_views",
                "consent_override_reason",
                "immediate_actions",
            ),
        )

    def get_success_message(self, person, concern) -> str:
        return (
            f"Safeguarding concern raised. It is in the {concern.team.name}'s queue: a decision is due by "
            f"{concern.decision_due_on:%-d %B %Y}."
        )

    def success_url(self, person, concern) -> str:
        return reverse("safeguarding:concern", args=[concern.pk])


class DecideConcern(_ConcernAction):
    purpose = "decide on a safeguarding concern"
    capability = access.Capability.DECIDE_SAFEGUARDING
    refused_title = "You cannot decide on this concern"
    refused_explanation = "Only a safeguarding lead or a team manager can decide what happens to a concern."
    form_class = forms.DecisionForm
    heading = "Decide on the safeguarding concern"
    button = "Record the decision"
    drafts = True
    success_message = "Decision recorded"

    def precondition(self, request, c):
        return self.awaiting(request, c)

    def fields(self, form, c) -> list[dict]:
        return forms.decision_fields(form, c.person.first_name or c.person.full_name)

    def intro_for(self, c) -> str:
        return f"Concern received {c.received_on:%-d %B %Y}: {presenters.referrer_text(c)}."

    def context(self, request, c) -> dict:
        return {**super().context(request, c), "summary_rows": presenters.concern_rows(c)[:2]}

    def perform(self, record, c, data: dict):
        return self.call(
            services.concern_decide,
            record=record,
            concern=c,
            care_and_support_needs=yes_no(data.get("care_and_support_needs")),
            abuse_or_neglect=yes_no(data.get("abuse_or_neglect")),
            unable_to_protect=yes_no(data.get("unable_to_protect")),
            **_keep(data, "decision", "decided_on", "decision_reason", "other_reason", "no_enquiry_outcome"),
        )

    def get_success_message(self, c, result) -> str:
        enquiry = selectors.enquiry_of(result)
        if enquiry is not None:
            return f"Decision recorded: {enquiry.get_kind_display().lower()} started. Allocate an enquiry officer."
        return "Decision recorded: no enquiry. The safeguarding team's access to the record has ended."

    def success_url(self, c, result) -> str:
        enquiry = selectors.enquiry_of(result)
        if enquiry is not None:
            return reverse("safeguarding:enquiry", args=[enquiry.pk])
        return _afterwards(self.request.user, result, super().success_url(c, result))


class AddAgencyInformation(_ConcernAction):
    purpose = "add agency information to a safeguarding concern"
    form_class = forms.AgencyForm
    layout = staticmethod(forms.agency_fields)
    heading = "Information from another agency"
    success_message = "Information from the agency added"

    def precondition(self, request, c):
        if c.status == ConcernStatus.CANCELLED:
            messages.info(request, "This concern was recorded in error: nothing more is added to it.")
            return redirect(self.back(c))
        return None

    def initial(self, request, c) -> dict:
        return {"received_on": timezone.localdate()}

    def perform(self, record, c, data: dict):
        return self.call(
            services.agency_information_add,
            record=record,
            concern=c,
            **_keep(data, "agency", "agency_name", "information", "sharing_basis", "received_on"),
        )


class CancelConcern(_ConcernAction):
    purpose = "cancel a safeguarding concern"
    form_class = forms.CancelForm
    layout = staticmethod(forms.cancel_fields)
    heading = "Concern recorded in error"
    button = "Mark as recorded in error"
    refused_title = "You cannot mark this concern as recorded in error"
    refused_explanation = "Only whoever raised the concern, a safeguarding lead or a team manager can say it was recorded in error."
    success_message = "The concern is marked as recorded in error. It is kept, and not counted."
    intro = (
        "The concern is kept on the record, marked as recorded in error, and is not counted in the return."
    )

    def precondition(self, request, c):
        return self.awaiting(request, c)

    def may(self, user, c) -> bool:
        return CONCERN.may(user, c, "cancel")

    def perform(self, record, c, data: dict):
        return self.call(services.concern_cancel, record=record, concern=c, reason=data.get("reason"))

    def success_url(self, c, result) -> str:
        return _afterwards(self.request.user, result, super().success_url(c, result))


class AllocateOfficer(_EnquiryAction):
    purpose = "allocate an enquiry officer"
    capability = access.Capability.DECIDE_SAFEGUARDING
    refused_title = "You cannot allocate an enquiry officer"
    refused_explanation = "Only a safeguarding lead or a team manager can allocate an enquiry officer."
    form_class = forms.AllocateForm
    layout = staticmethod(forms.allocate_fields)
    heading = "Allocate an enquiry officer"
    button = "Allocate"
    stages = (EnquiryStatus.PLANNING, EnquiryStatus.IN_PROGRESS)

    def may(self, user, e) -> bool:
        return True

    def form_kwargs(self, request, e) -> dict:
        return {"officers": list(services.officers())}

    def initial(self, request, e) -> dict:
        return {"officer": str(e.officer_id) if e.officer_id else ""}

    def perform(self, record, e, data: dict):
        chosen = str(data.get("officer") or "")
        officer = services.officers().filter(pk=int(chosen)).first() if chosen.isdigit() else None
        return self.call(services.enquiry_allocate, record=record, enquiry=e, officer=officer)

    def get_success_message(self, e, result) -> str:
        name = result.officer.get_full_name() or result.officer.username
        return f"{name} is the enquiry officer"


class StartEnquiry(_EnquiryAction):
    purpose = "start a safeguarding enquiry"
    form_class = Confirm
    methods = ("POST",)
    stages = (EnquiryStatus.PLANNING,)
    success_message = "The enquiry has started"
    refused_title = "You cannot start this enquiry"
    refused_explanation = (
        "Only the enquiry officer, a safeguarding lead or a team manager can start the enquiry."
    )

    def may(self, user, e) -> bool:
        return ENQUIRY.transition("start").permits(user, e)

    def form_data(self, form, obj) -> dict:
        self._deferred = {}
        return {}

    def perform(self, record, e, data: dict):
        return self.call(services.enquiry_start, record=record, enquiry=e)

    def form_invalid(self, request, e, form) -> HttpResponse:
        for errors in form.errors.values():
            for message in errors:
                messages.error(request, message)
        return redirect(self.back(e))


class RecordMeeting(_EnquiryAction):
    purpose = "record a strategy meeting"
    form_class = forms.MeetingForm
    layout = staticmethod(forms.meeting_fields)
    heading = "Strategy discussion, meeting or case conference"
    drafts = True
    success_message = "Meeting recorded"

    def initial(self, request, e) -> dict:
        return {"held_on": timezone.localdate()}

    def perform(self, record, e, data: dict):
        return self.call(
            services.meeting_record,
            record=record,
            enquiry=e,
            agencies=data.get("agencies") or [],
            **_keep(data, "kind", "held_on", "attendees", "decisions", "actions"),
        )


class AddAllegation(_EnquiryAction):
    purpose = "add an allegation line"
    form_class = forms.AllegationForm
    layout = staticmethod(forms.allegation_fields)
    heading = "Add an allegation line"
    stages = (EnquiryStatus.PLANNING, EnquiryStatus.IN_PROGRESS)
    success_message = "Allegation line added"
    intro = "The type, location and source of risk, from the national lists the Safeguarding Adults Collection counts."

    def form_kwargs(self, request, e) -> dict:
        return {"local_sources": services.local_source_types()}

    def form_data(self, form, obj) -> dict:
        data = super().form_data(form, obj)
        data["local_source"] = form.local_sources.get(str(data.get("local_source") or ""))
        return data

    def perform(self, record, e, data: dict):
        return self.call(
            services.allegation_add,
            record=record,
            enquiry=e,
            **_keep(
                data,
                "type_of_risk",
                "location_of_risk",
                "source_of_risk",
                "local_source",
                "source_description",
                "details",
            ),
        )


class RemoveAllegation(_EnquiryAction):
    purpose = "remove an allegation line"
    form_class = forms.RemoveForm
    layout = staticmethod(forms.remove_fields)
    heading = "Remove an allegation line"
    button = "Remove the allegation line"
    stages = (EnquiryStatus.PLANNING, EnquiryStatus.IN_PROGRESS)
    success_message = "Allegation line removed"

    def open(self, request: HttpRequest, *, enquiry_id: int, allegation_id: int):
        e, record = super().open(request, enquiry_id=enquiry_id)
        self.allegation = selectors.allegation_of(e, allegation_id)
        return e, record

    def context(self, request, e) -> dict:
        return {
            **super().context(request, e),
            "allegation_rows": presenters.allegation_table([self.allegation]),
        }

    def perform(self, record, e, data: dict):
        return self.call(
            services.allegation_remove, record=record, allegation=self.allegation, reason=data.get("reason")
        )


class SetPlan(_EnquiryAction):
    purpose = "agree a protection plan"
    form_class = forms.PlanForm
    layout = staticmethod(forms.plan_fields)
    heading = "Protection plan"
    drafts = True
    stages = (EnquiryStatus.PLANNING, EnquiryStatus.IN_PROGRESS, EnquiryStatus.CONCLUDED)
    success_message = "Protection plan saved"

    def initial(self, request, e) -> dict:
        plan = getattr(e, "protection_plan", None)
        if plan is None:
            return {"agreed_on": timezone.localdate()}
        return {"agreed_on": plan.agreed_on, "summary": plan.summary, "review_due_on": plan.review_due_on}

    def intro_for(self, e) -> str:
        if hasattr(e, "protection_plan"):
            return "Changing the plan replaces its text and review date; the actions you add are added to it."
        return "What will keep the adult safe, who will do what, and when the plan is first reviewed."

    def perform(self, record, e, data: dict):
        return self.call(
            services.protection_plan_set,
            record=record,
            enquiry=e,
            **_keep(data, "agreed_on", "summary", "review_due_on", "actions"),
        )


class ReviewPlan(_EnquiryAction):
    purpose = "review a protection plan"
    form_class = forms.ReviewForm
    layout = staticmethod(forms.review_fields)
    heading = "Review the protection plan"
    success_message = "Protection plan review recorded"

    def precondition(self, request, e):
        stop = super().precondition(request, e)
        if stop is None and not hasattr(e, "protection_plan"):
            messages.info(request, "There is no protection plan to review: agree one first.")
            return redirect(self.back(e))
        return stop

    def initial(self, request, e) -> dict:
        return {"reviewed_on": timezone.localdate()}

    def context(self, request, e) -> dict:
        return {**super().context(request, e), "summary_rows": presenters.plan_rows(e.protection_plan)}

    def perform(self, record, e, data: dict):
        return self.call(
            services.protection_plan_review,
            record=record,
            plan=e.protection_plan,
            **_keep(data, "reviewed_on", "summary", "next_review_on"),
        )


class ConcludeEnquiry(_EnquiryAction):
    purpose = "conclude a safeguarding enquiry"
    form_class = forms.ConcludeForm
    layout = staticmethod(forms.conclude_fields)
    heading = "Conclude the enquiry"
    button = "Conclude the enquiry"
    drafts = True
    stages = (EnquiryStatus.IN_PROGRESS,)
    success_message = "Enquiry concluded"
    refused_title = "You cannot conclude this enquiry"
    refused_explanation = (
        "Only the enquiry officer, a safeguarding lead or a team manager can conclude the enquiry."
    )

    def may(self, user, e) -> bool:
        return ENQUIRY.transition("conclude").permits(user, e)

    def form_kwargs(self, request, e) -> dict:
        return {"capacity": selectors.capacity_choices(request.opened_record)}

    def initial(self, request, e) -> dict:
        return {"concluded_on": timezone.localdate()}

    def form_data(self, form, obj) -> dict:
        data = super().form_data(form, obj)
        data["capacity_assessment"] = form.assessments.get(str(data.get("capacity_assessment") or ""))
        data["supported_by_advocate"] = yes_no(data.get("supported_by_advocate"))
        return data

    def perform(self, record, e, data: dict):
        return self.call(
            services.enquiry_conclude,
            record=record,
            enquiry=e,
            **_keep(
                data,
                "concluded_on",
                "risk_assessment_outcome",
                "lacked_capacity",
                "msp_asked",
                "risk_outcome",
                "capacity_assessment",
                "supported_by_advocate",
                "msp_desired_outcomes",
                "msp_achieved",
                "conclusion",
                "autism",
            ),
        )


class CloseEnquiry(_EnquiryAction):
    purpose = "close a safeguarding enquiry"
    form_class = forms.CloseForm
    layout = staticmethod(forms.close_fields)
    heading = "Close the enquiry"
    button = "Close the enquiry"
    stages = (EnquiryStatus.CONCLUDED,)
    success_message = "Enquiry closed. The officer's and the team's access to the record have ended."
    intro = "Closing ends the enquiry officer's and the safeguarding team's access to the record, and any open plan."
    refused_title = "You cannot close this enquiry"
    refused_explanation = (
        "Only the enquiry officer, a safeguarding lead or a team manager can close the enquiry."
    )

    def may(self, user, e) -> bool:
        return ENQUIRY.transition("close").permits(user, e)

    def perform(self, record, e, data: dict):
        return self.call(services.enquiry_close, record=record, enquiry=e, **_keep(data, "closed_on", "note"))


urlpatterns = [
    path("people/<int:person_id>/concerns/new", RaiseConcern.as_view(), name="raise"),
    path("concerns/<int:concern_id>", concern, name="concern"),
    path("concerns/<int:concern_id>/decide", DecideConcern.as_view(), name="decide"),
    path("concerns/<int:concern_id>/agency-information/new", AddAgencyInformation.as_view(), name="agency"),
    path("concerns/<int:concern_id>/cancel", CancelConcern.as_view(), name="cancel"),
    path("enquiries/<int:enquiry_id>", enquiry, name="enquiry"),
    path("enquiries/<int:enquiry_id>/officer", AllocateOfficer.as_view(), name="allocate"),
    path("enquiries/<int:enquiry_id>/start", StartEnquiry.as_view(), name="start"),
    path("enquiries/<int:enquiry_id>/meetings/new", RecordMeeting.as_view(), name="meeting"),
    path("enquiries/<int:enquiry_id>/allegations/new", AddAllegation.as_view(), name="allegation"),
    path(
        "enquiries/<int:enquiry_id>/allegations/<int:allegation_id>/remove",
        RemoveAllegation.as_view(),
        name="allegation-remove",
    ),
    path("enquiries/<int:enquiry_id>/plan", SetPlan.as_view(), name="plan"),
    path("enquiries/<int:enquiry_id>/plan/review", ReviewPlan.as_view(), name="plan-review"),
    path("enquiries/<int:enquiry_id>/conclude", ConcludeEnquiry.as_view(), name="conclude"),
    path("enquiries/<int:enquiry_id>/close", CloseEnquiry.as_view(), name="close"),
]
