"""Pages for care and support plans, personal budgets and reviews."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from openasc.core import access, audit
from openasc.core import services as core_services
from openasc.core.errors import AccessDenied, ValidationFailed
from openasc.core.models import AuditAction
from openasc.core.money import pounds_input
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
from openasc.ui.actions import RecordAction
from openasc.ui.responses import forbidden, not_found

WORK_LIST_LIMIT = 500


def _page(request: HttpRequest, template: str, context: dict, status: int = 200) -> HttpResponse:
    return render(request, template, context, status=status)


def _restore(request: HttpRequest, form, path: str, make):
    """The form filled from the worker's saved draft (shown without errors), if there is one."""
    draft = core_services.form_draft_get(user=request.user, path=path)
    if not draft:
        return form, None
    restored = make(draft)
    restored.restored_draft = True
    return restored, draft


def _need_initial(needs) -> dict:
    return {f"description_{n.code}": n.notes for n in needs if getattr(n, "notes", "")}


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


@require_http_methods(["GET", "POST"])
@opens_person("plan")
def plan_create(request: HttpRequest, person: Person, _decision) -> HttpResponse:
    if not plan_writes.can_write_plans(request.user):
        return forbidden(request, "You cannot write plans", "Your role cannot write care and support plans.")
    existing = selectors.plans_for_person(user=request.user, person=person)
    if existing:
        messages.info(
            request, f"{person.full_name} already has a plan: change it or create a new version of it."
        )
        return redirect("planning:detail", plan_id=existing[0].pk)
    prefill = selectors.plan_prefill(user=request.user, person=person)
    path = reverse("planning:create", args=[person.pk])
    restored = None
    if request.method == "POST":
        form = forms.PlanForm(request.POST, needs=prefill.needs)
        if form.is_valid():
            try:
                plan = plan_writes.plan_create(
                    record=request.opened_record, assessment=prefill.assessment, **form.plan_data()
                )
            except ValidationFailed as exc:
                ui.add_service_errors(form, exc.errors)
            else:
                core_services.form_draft_discard(user=request.user, path=path)
                messages.success(request, "Plan saved as a draft")
                return redirect("planning:detail", plan_id=plan.pk)
    else:
        form = forms.PlanForm(
            needs=prefill.needs, initial={"goals": prefill.goals, **_need_initial(prefill.needs)}
        )
        form, restored = _restore(request, form, path, lambda d: forms.PlanForm(data=d, needs=prefill.needs))
    return _page(
        request,
        "planning/plan_form.jinja",
        {
            "form": form,
            "person": person,
            "prefill": prefill,
            "title": "Care and support plan",
            "errors": ui.error_summary(form),
            "draft_path": path,
            "restored": restored,
            "submit": "Save plan",
            "indicative_text": presenters.money_or(prefill.indicative_weekly_pence, presenters.NO_INDICATIVE),
            "assessment": prefill.assessment,
        },
        status=400 if request.method == "POST" else 200,
    )


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
    return {
        "plan": plan,
        "person": plan.person,
        "title": f"Care and support plan, version {plan.version}",
        "status_tag": presenters.plan_status_tag(plan),
        "summary_rows": presenters.plan_summary_rows(plan),
        "need_rows": presenters.need_rows(needs),
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


@require_http_methods(["GET", "POST"])
def edit(request: HttpRequest, plan_id: int) -> HttpResponse:
    return _plan_change(request, plan_id, new_version=False)


@require_http_methods(["GET", "POST"])
def new_version(request: HttpRequest, plan_id: int) -> HttpResponse:
    return _plan_change(request, plan_id, new_version=True)


def _plan_change(request: HttpRequest, plan_id: int, *, new_version: bool) -> HttpResponse:
    plan, failed = _get_plan(request, plan_id, purpose="change")
    if failed:
        return failed
    if not plan_writes.can_write_plans(request.user):
        return forbidden(request, "You cannot change plans", "Your role cannot write care and support plans.")
    wanted = PlanStatus.AGREED if new_version else PlanStatus.DRAFT
    if plan.status != wanted:
        messages.info(
            request,
            "Only an agreed plan can have a new version."
            if new_version
            else "Only a draft plan can be changed: create a new version of an agreed plan.",
        )
        return redirect("planning:detail", plan_id=plan.pk)
    current = selectors.plan_needs(plan)
    rows = [
        selectors.EligibleNeed(code=n.outcome_code, label=presenters.need_label(n.outcome_code))
        for n in current
    ]
    if new_version:  # needs found by a later assessment join the plan, so nothing is keyed twice
        latest = selectors.plan_prefill(user=request.user, person=plan.person)
        rows += [n for n in latest.needs if n.code not in {r.code for r in rows}]
    view_name = "planning:new-version" if new_version else "planning:edit"
    path = reverse(view_name, args=[plan.pk])
    restored = None
    if request.method == "POST":
        form = forms.PlanForm(request.POST, needs=rows, with_reason=new_version)
        if form.is_valid():
            data = form.plan_data()
            try:
                if new_version:
                    saved = plan_writes.plan_new_version(
                        record=request.opened_record, plan=plan, reason=form.cleaned_data["reason"], **data
                    )
                else:
                    saved = plan_writes.plan_update(record=request.opened_record, plan=plan, **data)
            except ValidationFailed as exc:
                ui.add_service_errors(form, exc.errors)
            else:
                core_services.form_draft_discard(user=request.user, path=path)
                messages.success(
                    request, f"Version {saved.version} saved as a draft" if new_version else "Plan saved"
                )
                return redirect("planning:detail", plan_id=saved.pk)
    else:
        initial = {
            "goals": plan.goals,
            "delivery_mechanism": plan.delivery_mechanism,
            "agreed_weekly": pounds_input(plan.agreed_weekly_pence),
            "starts_on": None if new_version else plan.starts_on,
            **_need_initial(rows),
        }
        for n in current:
            initial[f"meet_by_{n.outcome_code}"] = n.meet_by
            initial[f"description_{n.outcome_code}"] = n.description
        form = forms.PlanForm(initial=initial, needs=rows, with_reason=new_version)
        form, restored = _restore(
            request, form, path, lambda d: forms.PlanForm(data=d, needs=rows, with_reason=new_version)
        )
    return _page(
        request,
        "planning/plan_form.jinja",
        {
            "form": form,
            "person": plan.person,
            "plan": plan,
            "errors": ui.error_summary(form),
            "draft_path": path,
            "restored": restored,
            "assessment": plan.assessment,
            "indicative_text": presenters.money_or(plan.indicative_weekly_pence, presenters.NO_INDICATIVE),
            "title": f"New version of the plan (version {plan.version + 1})"
            if new_version
            else "Change the draft plan",
            "submit": "Save new version" if new_version else "Save plan",
            "new_version": new_version,
        },
        status=400 if request.method == "POST" else 200,
    )


@require_POST
def agree(request: HttpRequest, plan_id: int) -> HttpResponse:
    plan, failed = _get_plan(request, plan_id, purpose="agree")
    if failed:
        return failed
    try:
        plan = plan_writes.plan_agree(record=request.opened_record, plan=plan)
    except ValidationFailed as exc:
        for message in exc.errors.values():
            messages.error(request, message)
    except PermissionError as exc:
        return forbidden(request, "You cannot agree plans", str(exc))
    else:
        messages.success(
            request,
            "Plan agreed" if plan.status == PlanStatus.AGREED else "Plan sent to a team manager to sign off",
        )
    return redirect("planning:detail", plan_id=plan.pk)


@require_POST
def sign_off(request: HttpRequest, plan_id: int) -> HttpResponse:
    plan, failed = _get_plan(request, plan_id, purpose="sign off")
    if failed:
        return failed
    form = forms.SignOffForm(request.POST)
    if form.is_valid():
        try:
            plan = plan_writes.plan_sign_off(
                record=request.opened_record,
                plan=plan,
                approve=form.cleaned_data["decision"] == "approve",
                note=form.cleaned_data["note"],
            )
        except ValidationFailed as exc:
            ui.add_service_errors(form, exc.errors)
        except PermissionError as exc:
            return forbidden(request, "You cannot sign off plans", str(exc))
        else:
            messages.success(
                request,
                "Plan signed off and agreed"
                if plan.status == PlanStatus.AGREED
                else "Plan returned to the worker",
            )
            return redirect("planning:detail", plan_id=plan.pk)
    return _page(request, "planning/detail.jinja", _detail_context(request, plan, form), status=400)


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
