"""The worktray (every role's home page, with its key figures), a task's link, notifications and their setting, and
the manager's decision on a cost above the personal budget."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone

from openasc.core import access
from openasc.services import services as service_writes
from openasc.services.workflows import BUDGET_AUTHORISATION
from openasc.ui import forms as ui
from openasc.ui.actions import RecordAction
from openasc.ui.pagination import pagination
from openasc.worktray import context, forms, presenters, selectors
from openasc.worktray import services as tasks
from openasc.worktray.models import TaskKind


def _figures(user, wt: selectors.Worktray) -> list:
    """The key figures of the user's role, beside their worktray: each one the count of one definition, linked to
    the list it counts (and those lists give the same number)."""
    from openasc.workspace import selectors as workspace
    from openasc.workspace.selectors import Figure

    figures = []
    if access.has(user, access.Capability.ALLOCATE) or access.has(user, access.Capability.VIEW_ALL):
        w = selectors.waiting_figures(user=user)
        figures += [
            Figure(
                "Waiting",
                str(w["waiting"]),
                reverse("frontdoor:waiting"),
                f"For triage, allocation or assessment, counted at {w['as_of']:%H:%M}",
            ),
            Figure(
                "Past their urgency target",
                str(w["breached"]),
                reverse("frontdoor:waiting"),
                "Waiting longer than their urgency allows",
            ),
        ]
    if access.has(user, access.Capability.SIGN_OFF):
        figures += [
            Figure(
                "Assessments to sign off",
                str(wt.counts.get(TaskKind.ASSESSMENT_SIGN_OFF, 0)),
                "?kind=" + TaskKind.ASSESSMENT_SIGN_OFF,
            ),
            Figure(
                "Plans to sign off",
                str(wt.counts.get(TaskKind.PLAN_SIGN_OFF, 0)),
                "?kind=" + TaskKind.PLAN_SIGN_OFF,
            ),
            Figure(
                "Costs above the budget to authorise",
                str(wt.counts.get(TaskKind.BUDGET, 0)),
                "?kind=" + TaskKind.BUDGET,
            ),
        ]
    if access.has(user, access.Capability.PLAN) or access.has(user, access.Capability.ALLOCATE):
        figures.append(
            Figure(
                "Reviews overdue",
                str(wt.overdue.get(TaskKind.REVIEW_DUE, 0)),
                "?kind=" + TaskKind.REVIEW_DUE,
                "Yours and your teams'",
            )
        )
    if access.has(user, access.Capability.BE_ALLOCATED) and user.role != "front_door":
        figures.append(
            Figure(
                "People on your caseload",
                str(workspace.caseload_size(user=user)),
                reverse("workspace:caseload"),
            )
        )
    if access.has(user, access.Capability.REVIEW_BREAK_GLASS):
        figures.append(
            Figure(
                "Break-glass accesses to review",
                str(wt.counts.get(TaskKind.BREAK_GLASS, 0)),
                reverse("core:break-glass-reviews"),
            )
        )
    if access.has(user, access.Capability.MANAGE_STAFF):
        from openasc.frontdoor.selectors import urgency_target_days

        days = urgency_target_days()
        figures.append(
            Figure(
                "Urgency targets (days)",
                f"{days['urgent']} · {days['soon']} · {days['routine']}",
                reverse("worktray:targets"),
                "Urgent · soon · routine: how long a request may wait",
            )
        )
    if access.has(user, access.Capability.SEE_RETURNS) and not access.has(user, access.Capability.ALLOCATE):
        status = workspace.returns_status()
        last = status["last_import"]
        figures += [
            Figure(
                "Last CLD import",
                f"{last.get_status_display().split(':')[0]}, {timezone.localtime(last.started_at):%-d %b %Y}"
                if last
                else "None yet",
                reverse("reporting:cld-import") if access.has(user, access.Capability.IMPORT_CLD) else "",
                f"{last.rows:,} rows, {last.error_count:,} errors"
                if last
                else "Load the CLD file you submit",
            ),
            Figure(
                "Population figures (ASCOF 2B, 2C)",
                str(status["population_year"] or "Not set"),
                reverse("returns:population"),
                "The latest year of ONS estimates",
            ),
            Figure(
                "Returns",
                "ASCOF and SALT",
                reverse("returns:ascof"),
                "Each figure opens the people behind it",
            ),
        ]
    return figures


def worktray(request: HttpRequest) -> HttpResponse:
    """Every role's home page: the things to do (the user's and their teams'), overdue first, and key figures."""
    wt = selectors.worktray(
        user=request.user, kind=request.GET.get("kind", ""), page=request.GET.get("page", 1)
    )
    context.remember(request, wt.total)  # the header's count is this page's total
    today = timezone.localdate()
    return render(
        request,
        "worktray/worktray.jinja",
        {
            "title": "Your worktray",
            "active_nav": "worktray",
            "wt": wt,
            "rows": presenters.task_rows(wt.rows, today),
            "kind_items": presenters.kind_items(wt.kinds, wt.counts, wt.kind),
            "pagination": pagination(
                wt.page, {"kind": wt.kind} if wt.kind else {}, label="Pages of the worktray"
            ),
            "figures": _figures(request.user, wt),
            "overdue_total": sum(wt.overdue.values()),
        },
    )


def task(request: HttpRequest, task_id: int) -> HttpResponse:
    """A task's link (from the worktray or an email): marks it read and goes to where the work is done; a task that
    is done says so. Someone it is not for gets "not found", as for a task that does not exist."""
    found = selectors.task_for(user=request.user, task_id=task_id)
    tasks.notification_read(user=request.user, task=found)
    if found.closed_at is None:
        return redirect(found.url)
    return render(
        request,
        "worktray/task_done.jinja",
        {"title": "This task is done", "task": found, "active_nav": "worktray"},
    )


def notifications(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        n = tasks.notifications_read_all(user=request.user)
        messages.success(request, f"{n} notification{'s' if n != 1 else ''} marked as read")
        return redirect("worktray:notifications")
    rows = selectors.notifications(user=request.user)
    return render(
        request,
        "worktray/notifications.jinja",
        {
            "title": "Notifications",
            "rows": rows,
            "unread": selectors.unread_count(user=request.user),
            "active_nav": "worktray",
        },
    )


def preference(request: HttpRequest) -> HttpResponse:
    wants = tasks.wants_email(request.user)
    if request.method == "POST":
        form = forms.PreferenceForm(data=request.POST)
        if form.is_valid():
            tasks.preference_set(user=request.user, email=form.cleaned_data["email"] == "yes")
            messages.success(request, "Your notification settings are saved")
            return redirect("worktray:notifications")
        status = 400
    else:
        form, status = forms.PreferenceForm(initial={"email": "yes" if wants else "no"}), 200
    return render(
        request,
        "worktray/preference.jinja",
        {
            "title": "Notification settings",
            "form": form,
            "errors": ui.error_summary(form) if form.is_bound else [],
            "has_email": bool(request.user.email),
            "active_nav": "worktray",
        },
        status=status,
    )


class DecideBudget(RecordAction):
    """A manager authorises or declines a cost that takes a plan above its agreed personal budget."""

    purpose = "authorise budget"
    capability = access.Capability.SIGN_OFF
    refused_title = "You cannot authorise this cost"
    refused_explanation = BUDGET_AUTHORISATION.transition("authorise").refused
    form_class = forms.BudgetDecisionForm
    template = "worktray/budget.jinja"
    title = "Authorise a cost above the personal budget"
    what = "authorisation"
    read_only_when_refused = True

    def open(self, request, *, authorisation_id):
        return selectors.budget_get(
            user=request.user, authorisation_id=authorisation_id, purpose=self.purpose
        )

    def may(self, user, authorisation):
        return BUDGET_AUTHORISATION.may(user, authorisation, "authorise")

    def perform(self, record, authorisation, data):
        return service_writes.budget_authorisation_decide(
            record=record, authorisation=authorisation, decision=data["decision"], reason=data["reason"]
        )

    def get_success_message(self, authorisation, result):
        return f"Cost {result.get_status_display().lower()}"

    def success_url(self, authorisation, result):
        return reverse("home")

    def context(self, request, authorisation):
        reason = ""
        if not BUDGET_AUTHORISATION.may(request.user, authorisation, "authorise"):
            reason = (
                f"This cost is {authorisation.get_status_display().lower()}."
                if authorisation.status != "requested"
                else "You arranged this service, so another manager must authorise its cost."
            )
        return {
            "authorisation": authorisation,
            "person": authorisation.person,
            "summary_rows": presenters.budget_rows(authorisation),
            "cannot": reason,
        }


budget = DecideBudget.as_view()


def targets(request: HttpRequest) -> HttpResponse:
    """The council's urgency targets: how many days a request of each urgency may wait (administrators)."""
    from openasc.core.errors import ValidationFailed
    from openasc.frontdoor.selectors import urgency_target_days
    from openasc.ui.responses import forbidden

    if not access.has(request.user, access.Capability.MANAGE_STAFF):
        return forbidden(request, "You cannot set the urgency targets", "Only an administrator can set them.")
    status = 200
    if request.method == "POST":
        form = forms.TargetsForm(data=request.POST)
        if form.is_valid():
            try:
                tasks.urgency_targets_set(actor=request.user, targets=form.cleaned_data)
            except ValidationFailed as exc:
                ui.add_service_errors(form, exc.errors)
            else:
                messages.success(
                    request, "Urgency targets saved. The worktray uses them at its next refresh."
                )
                return redirect("worktray:targets")
        status = 400
    else:
        form = forms.TargetsForm(initial={k: str(v) for k, v in urgency_target_days().items()})
    return render(
        request,
        "worktray/targets.jinja",
        {
            "title": "Urgency targets",
            "form": form,
            "errors": ui.error_summary(form) if form.is_bound else [],
            "active_nav": "worktray",
        },
        status=status,
    )
