"""Pages for care and support plans, personal budgets and reviews."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone

from openasc.core import access, audit
from openasc.core.errors import AccessDenied
from openasc.core.models import AuditAction
from openasc.finance import personal_budget
from openasc.finance.selectors.plan_cost import plan_cost_for
from openasc.people.models import Person
from openasc.people.opening import opens_person
from openasc.planning import forms, presenters, selectors
from openasc.planning import services as plan_writes
from openasc.planning.models import MeetBy, Plan, PlanStatus, Review
from openasc.planning.workflows import PLAN, REVIEW
from openasc.services import presenters as service_presenters
from openasc.services import selectors as service_selectors
from openasc.services import services as service_writes
from openasc.ui import forms as ui
from openasc.ui.actions import Confirm, RecordAction
from openasc.ui.responses import forbidden, not_found

WORK_LIST_LIMIT = 500


def _page(request: HttpRequest, template: str, context: dict, status: int = 200) -> HttpResponse:
    return render(request, template, context, status=status)


@opens_person("plans")
def person_plans(request: HttpRequest, person: Person, _decision) -> HttpResponse:
    """The person's care journey after assessment: plan versions, services and reviews."""
    plans = selectors.plans_for_person(user=request.user, person=person)
    reviews = selectors.reviews_for_person(user=request.user, person=person)
    services = service_selectors.services_for_person(user=request.user, person=person)
    return _page(
        request,
        "planning/person.jinja",
        {
            "person": person,
            "title": f"Plans, services and reviews – {person.full_name}",
            "plans": plans,
            "plan_rows": presenters.plan_rows(plans),
            "services": services,
            "service_rows": service_presenters.service_rows(services),
            "reviews": reviews,
            "review_rows": presenters.review_rows(reviews),
            "can_plan": plan_writes.can_write_plans(request.user),
            "can_service": service_writes.can_write_services(request.user),
        },
    )


class CreatePlan(RecordAction):
    """The person's first care and support plan, started from the eligible needs of their latest assessment."""

    purpose = "plan"
    capability = access.Capability.PLAN
    refused_title = "You cannot write plans"
    refused_explanation = "Your role cannot write care and support plans."
    form_class = forms.PlanForm
    template = "planning/plan_form.jinja"
    title = "Care and support plan"
    success_message = "Plan saved as a draft"
    drafts = True

    def precondition(self, request: HttpRequest, person: Person):
        existing = selectors.plans_for_person(user=request.user, person=person)
        if existing:
            messages.info(
                request, f"{person.full_name} already has a plan: change it or create a new version of it."
            )
            return redirect("planning:detail", plan_id=existing[0].pk)
        self.prefill = selectors.plan_prefill(user=request.user, person=person)
        return None

    def form_kwargs(self, request: HttpRequest, person: Person) -> dict:
        return {"needs": self.prefill.needs}

    def initial(self, request: HttpRequest, person: Person) -> dict:
        return {"goals": self.prefill.goals, **presenters.need_initial(self.prefill.needs)}

    def form_data(self, form, person: Person) -> dict:
        return form.plan_data()

    def perform(self, record, person: Person, data: dict):
        return plan_writes.plan_create(record=record, assessment=self.prefill.assessment, **data)

    def success_url(self, person: Person, plan: Plan) -> str:
        return reverse("planning:detail", args=[plan.pk])

    def context(self, request: HttpRequest, person: Person) -> dict:
        return {
            "prefill": self.prefill,
            "submit": "Save plan",
            "indicative_text": presenters.money_or(
                self.prefill.indicative_weekly_pence, presenters.NO_INDICATIVE
            ),
            "assessment": self.prefill.assessment,
        }


plan_create = CreatePlan.as_view()


def _get_plan(request: HttpRequest, plan_id: int, purpose: str = "view"):
    """The plan, or the response to send instead; the opened record is kept on the request
    (`request.opened_record`) for the services that change it."""
    try:
        plan, request.opened_record = selectors.plan_get(user=request.user, plan_id=plan_id, purpose=purpose)
    except Plan.DoesNotExist:
        return None, not_found(request, "plan")
    except AccessDenied as exc:
        return None, _denied_plan(request, exc)
    return plan, None


def _denied_plan(request: HttpRequest, exc: AccessDenied) -> HttpResponse:
    return forbidden(request, "You cannot open this record", exc.access.explanation)


def _detail_context(request: HttpRequest, plan: Plan, sign_off_form=None) -> dict:
    versions = selectors.plans_for_person(user=request.user, person=plan.person)
    needs = selectors.plan_needs(plan)
    cost = plan_cost_for(plan, on=timezone.localdate())
    return {
        "plan_cost": cost,
        "plan_cost_rows": personal_budget.rows(cost),
        "plan_cost_verdict": personal_budget.verdict(cost),
        "plan": plan,
        "person": plan.person,
        "title": f"Care and support plan, version {plan.version}",
        "status_tag": presenters.plan_status_tag(plan),
        "summary_rows": presenters.plan_summary_rows(plan),
        "need_rows": presenters.need_rows(needs),
        "who_rows": presenters.who_does_what_rows(needs),
        "contingency_warning": presenters.contingency_warning(plan, needs),
        "history": selectors.plan_history(plan),
        "versions": versions,
        "is_latest": versions[0].pk == plan.pk,
        "has_service_needs": any(n.meet_by == MeetBy.SERVICE for n in needs),
        "can_plan": plan_writes.can_write_plans(request.user),
        "can_sign_off": PLAN.may(request.user, plan, "sign_off"),  # state, role, not their own plan
        "can_service": service_writes.can_write_services(request.user),
        "sign_off_form": sign_off_form or forms.SignOffForm(),
        "statuses": PlanStatus,
        "errors": ui.error_summary(sign_off_form) if sign_off_form is not None else [],
    }


def detail(request: HttpRequest, plan_id: int) -> HttpResponse:
    plan, failed = _get_plan(request, plan_id)
    if failed:
        return failed
    return _page(request, "planning/detail.jinja", _detail_context(request, plan))


class _PlanAction(RecordAction):
    """An action on one plan version, opened through its selector."""

    what = "plan"

    def open(self, request: HttpRequest, *, plan_id: int):
        return selectors.plan_get(user=request.user, plan_id=plan_id, purpose=self.purpose)

    def denied_page(self, request: HttpRequest, exc: AccessDenied, **kwargs) -> HttpResponse:
        return _denied_plan(request, exc)

    def success_url(self, plan: Plan, result: Plan) -> str:
        return reverse("planning:detail", args=[result.pk])


class EditPlan(_PlanAction):
    """A draft plan changed before it is agreed."""

    purpose = "change"
    capability = access.Capability.PLAN
    refused_title = "You cannot change plans"
    refused_explanation = "Your role cannot write care and support plans."
    form_class = forms.PlanForm
    template = "planning/plan_form.jinja"
    title = "Change the draft plan"
    success_message = "Plan saved"
    drafts = True
    new_version = False
    wrong_state = "Only a draft plan can be changed: create a new version of an agreed plan."

    def precondition(self, request: HttpRequest, plan: Plan):
        if plan.status != (PlanStatus.AGREED if self.new_version else PlanStatus.DRAFT):
            messages.info(request, self.wrong_state)
            return redirect("planning:detail", plan_id=plan.pk)
        self.current = selectors.plan_needs(plan)
        self.rows = [
            selectors.EligibleNeed(code=n.outcome_code, label=presenters.need_label(n.outcome_code))
            for n in self.current
        ]
        if self.new_version:  # needs found by a later assessment join the plan, so nothing is keyed twice
            latest = selectors.plan_prefill(user=request.user, person=plan.person)
            self.rows += [n for n in latest.needs if n.code not in {r.code for r in self.rows}]
        return None

    def form_kwargs(self, request: HttpRequest, plan: Plan) -> dict:
        return {"needs": self.rows, "with_reason": self.new_version}

    def initial(self, request: HttpRequest, plan: Plan) -> dict:
        return presenters.plan_form_initial(plan, self.current, self.rows, new_version=self.new_version)

    def form_data(self, form, plan: Plan) -> dict:
        return form.plan_data()

    def perform(self, record, plan: Plan, data: dict):
        return plan_writes.plan_update(record=record, plan=plan, **data)

    def context(self, request: HttpRequest, plan: Plan) -> dict:
        return {
            "plan": plan,
            "assessment": plan.assessment,
            "indicative_text": presenters.money_or(plan.indicative_weekly_pence, presenters.NO_INDICATIVE),
            "submit": "Save new version" if self.new_version else "Save plan",
            "new_version": self.new_version,
        }


class NewVersion(EditPlan):
    """A new version of an agreed plan, with the reason for it; the agreed version is kept until this is agreed."""

    wrong_state = "Only an agreed plan can have a new version."
    new_version = True

    def form_data(self, form, plan: Plan) -> dict:
        return {**form.plan_data(), "reason": form.cleaned_data["reason"]}

    def perform(self, record, plan: Plan, data: dict):
        return plan_writes.plan_new_version(record=record, plan=plan, **data)

    def get_title(self, plan: Plan, can_act: bool) -> str:
        return f"New version of the plan (version {plan.version + 1})"

    def get_success_message(self, plan: Plan, saved: Plan) -> str:
        return f"Version {saved.version} saved as a draft"


edit = EditPlan.as_view()
new_version = NewVersion.as_view()


class Agree(_PlanAction):
    """The worker agrees the plan with the person (or sends it for sign-off, where the council asks for that)."""

    purpose = "agree"
    methods = ("POST",)
    form_class = Confirm
    refused_title = "You cannot agree plans"

    def perform(self, record, plan: Plan, data: dict):
        return plan_writes.plan_agree(record=record, plan=plan)

    def get_success_message(self, plan: Plan, agreed: Plan) -> str:
        if agreed.status == PlanStatus.AGREED:
            return "Plan agreed"
        return "Plan sent to a team manager to sign off"

    def form_invalid(self, request: HttpRequest, plan: Plan, form) -> HttpResponse:
        for message in form.non_field_errors():
            messages.error(request, message)
        return redirect("planning:detail", plan_id=plan.pk)


class SignOff(_PlanAction):
    """A team manager signs the plan off (it is agreed) or returns it to the worker with a note."""

    purpose = "sign off"
    methods = ("POST",)
    form_class = forms.SignOffForm
    refused_title = "You cannot sign off plans"

    def perform(self, record, plan: Plan, data: dict):
        return plan_writes.plan_sign_off(
            record=record, plan=plan, approve=data["decision"] == "approve", note=data["note"]
        )

    def get_success_message(self, plan: Plan, result: Plan) -> str:
        if result.status == PlanStatus.AGREED:
            return "Plan signed off and agreed"
        return "Plan returned to the worker"

    def form_invalid(self, request: HttpRequest, plan: Plan, form) -> HttpResponse:
        return _page(request, "planning/detail.jinja", _detail_context(request, plan, form), status=400)


agree = Agree.as_view()
sign_off = SignOff.as_view()


# --- reviews -----------------------------------------------------------------------------------------------------


def overdue(request: HttpRequest) -> HttpResponse:
    """Overdue reviews: mine (reviewer or allocated worker) or my teams'."""
    show = request.GET.get("show", "mine")
    if show not in ("mine", "team"):
        show = "mine"
    team_ids = list(request.user.teams.values_list("id", flat=True)) if show == "team" else None
    qs = selectors.overdue_reviews(user=request.user, team_ids=team_ids)
    total = qs.count()
    rows = list(qs[:WORK_LIST_LIMIT])
    if rows:
        audit.record(
            actor=request.user,
            action=AuditAction.VIEW,
            basis="Work list",
            details={"list": f"overdue reviews ({show})", "people": [r.person_id for r in rows]},
        )
    return _page(
        request,
        "planning/overdue.jinja",
        {
            "title": "Overdue reviews",
            "rows": rows,
            "total": total,
            "show": show,
            "limit": WORK_LIST_LIMIT,
            "active_nav": "reviews-overdue",
        },
    )


def sign_off_queue(request: HttpRequest) -> HttpResponse:
    """Plans waiting for sign-off in the manager's teams (or everyone they can open)."""
    if not plan_writes.can_sign_off(request.user):
        return forbidden(request, "You cannot sign off plans", "Only team managers sign off plans.")
    team_ids = list(request.user.teams.values_list("id", flat=True)) or None
    qs = selectors.plans_awaiting_sign_off(user=request.user, team_ids=team_ids)
    rows = list(qs[:WORK_LIST_LIMIT])
    if rows:
        audit.record(
            actor=request.user,
            action=AuditAction.VIEW,
            basis="Work list",
            details={"list": "plans awaiting sign-off", "people": [p.person_id for p in rows]},
        )
    return _page(
        request,
        "planning/sign_off_queue.jinja",
        {
            "title": "Plans waiting for sign-off",
            "rows": rows,
            "table_rows": presenters.sign_off_rows(rows),
            "active_nav": "plans-sign-off",
        },
    )


class CompleteReview(RecordAction):
    """A review's page: anyone who may open the record reads it; a reviewer completes it while it is open."""

    purpose = "view"
    form_class = forms.ReviewCompleteForm
    template = "planning/review.jinja"
    what = "review"
    read_only_when_refused = True
    refused_title = "You cannot complete this review"
    refused_explanation = "The review is already closed, or your role cannot complete reviews."
    success_message = "Review completed. The next review has been scheduled where support continues."

    def open(self, request: HttpRequest, *, review_id: int):
        return selectors.review_get(user=request.user, review_id=review_id, purpose=self.purpose)

    def may(self, user, review: Review) -> bool:
        return REVIEW.may(user, review, "complete")

    def get_title(self, review: Review, can_act: bool) -> str:
        return "Complete the review" if can_act else "Review"

    def perform(self, record, review: Review, data: dict):
        return plan_writes.review_complete(
            record=record,
            review=review,
            completed_on=data["completed_on"],
            started_on=data.get("started_on"),
            method=data["method"],
            outcomes_achieved=data["outcomes_achieved"],
            what_followed=data["what_followed"],
            notes=data["notes"],
        )

    def success_url(self, review: Review, result) -> str:
        return reverse("planning:person", args=[review.person_id])

    def context(self, request: HttpRequest, review: Review) -> dict:
        return {"review": review, "status_tag": presenters.review_status_tag(review)}


class ArrangeUnplannedReview(RecordAction):
    """A review before the scheduled one (a fall, a hospital stay, a change the person or a carer reports)."""

    purpose = "review"
    capability = access.Capability.PLAN
    refused_title = "You cannot arrange reviews"
    refused_explanation = "Your role cannot arrange reviews."
    form_class = forms.UnplannedReviewForm
    template = "planning/review_unplanned.jinja"
    title = "Arrange an unplanned review"
    success_message = "Unplanned review arranged"

    def perform(self, record, person: Person, data: dict):
        return plan_writes.review_create_unplanned(
            record=record, reason=data["reason"], due_on=data.get("due_on"), notes=data["notes"]
        )

    def success_url(self, person: Person, result) -> str:
        return reverse("planning:person", args=[person.pk])


review = CompleteReview.as_view()
review_unplanned = ArrangeUnplannedReview.as_view()
