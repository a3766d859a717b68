"""Rate uplift pages for finance officers (Capability.APPLY_UPLIFTS): the list, defining one, its preview (the same
calculation as applying it, with a table by provider in pages of 25) and applying it. The preview names nobody: its
figures are counts and money; the services it changes are opened from the spend report and the person's record."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import redirect, render

from openasc.core import audit
from openasc.core.errors import ValidationFailed
from openasc.core.models import AuditAction
from openasc.finance.models import RateUplift, UpliftStatus
from openasc.finance.uplifts import forms, presenters, selectors, services
from openasc.jobs.models import JobKind, JobState
from openasc.jobs.services import job_start
from openasc.ui import forms as ui
from openasc.ui.pagination import pagination
from openasc.ui.responses import forbidden, not_found

REFUSED = "Only finance officers can see, define and apply rate uplifts."


def _refused(request: HttpRequest) -> HttpResponse:
    return forbidden(request, "You cannot see this page", REFUSED)


def uplifts(request: HttpRequest) -> HttpResponse:
    if not services.can_apply(request.user):
        return _refused(request)
    return render(
        request,
        "finance/uplifts.jinja",
        {
            "title": "Rate uplifts",
            "rows": presenters.list_rows(selectors.uplifts_list()),
            "active_nav": "uplifts",
        },
    )


def _form(request, data=None):
    return forms.UpliftForm(
        data, providers=selectors.provider_choices(), categories=selectors.category_choices()
    )


def uplift_new(request: HttpRequest) -> HttpResponse:
    if not services.can_apply(request.user):
        return _refused(request)
    form = _form(request, request.POST if request.method == "POST" else None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                uplift = services.uplift_create(actor=request.user, **form.uplift_data())
            except ValidationFailed as exc:
                ui.add_service_errors(form, exc.errors)
            else:
                messages.success(request, "Uplift saved as a draft: check the preview before you apply it")
                return redirect("finance:uplift", uplift_id=uplift.pk)
        status = 400
    return render(
        request,
        "finance/uplift_form.jinja",
        {
            "title": "Define a rate uplift",
            "form": form,
            "errors": ui.error_summary(form) if form.is_bound else [],
            "active_nav": "uplifts",
        },
        status=status,
    )


def _detail(request, uplift: RateUplift, *, errors=None, status=200) -> HttpResponse:
    draft = uplift.status == UpliftStatus.DRAFT
    preview = selectors.preview_for(uplift, refresh=request.GET.get("refresh") == "1") if draft else None
    if preview is not None:
        by_provider = preview.by_provider
        skipped = presenters.skip_rows(preview.skip_reasons)
    else:
        by_provider, skipped = selectors.applied_by_provider(uplift), []
    page = selectors.providers_page(by_provider, request.GET.get("page"))
    names = selectors.provider_names(r.provider_id for r in page.object_list)
    audit.record(
        actor=request.user,
        action=AuditAction.VIEW,
        obj=uplift,
        basis=services.BASIS,
        details={"what": "rate uplift preview" if draft else "applied rate uplift"},
    )
    return render(
        request,
        "finance/uplift.jinja",
        {
            "title": uplift.name,
            "uplift": uplift,
            "draft": draft,
            "preview": preview,
            "summary_rows": presenters.summary_rows(uplift),
            "figures_rows": presenters.figures_rows(preview, uplift.pk)
            if preview
            else presenters.applied_rows(uplift),
            "provider_rows": presenters.provider_rows(page.object_list, names, uplift_id=uplift.pk),
            "provider_caption": "Services changed by provider ("
            + presenters.plural(len(by_provider), "provider", "providers")
            + ")",
            "pagination": pagination(page, {}, label="Pages of providers"),
            "skip_rows": skipped,
            "skipped": preview.skipped if preview else 0,
            "errors": errors or [],
            "active_nav": "uplifts",
        },
        status=status,
    )


def uplift_detail(request: HttpRequest, uplift_id: int) -> HttpResponse:
    if not services.can_apply(request.user):
        return _refused(request)
    try:
        uplift = selectors.uplift_get(uplift_id)
    except RateUplift.DoesNotExist:
        return not_found(request, "rate uplift")
    return _detail(request, uplift)


def uplift_apply(request: HttpRequest, uplift_id: int) -> HttpResponse:
    if not services.can_apply(request.user):
        return _refused(request)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    try:
        uplift = selectors.uplift_get(uplift_id)
    except RateUplift.DoesNotExist:
        return not_found(request, "rate uplift")
    errors = services.apply_problems(uplift)
    if errors:
        return _detail(
            request, uplift, errors=[{"text": m, "href": "#apply"} for m in errors.values()], status=400
        )
    # A whole-market uplift writes a cost version for every service it changes (tens of seconds for a large
    # council): a background job, whose page shows its progress and then links to the uplift
    job = job_start(kind=JobKind.RATE_UPLIFT, user=request.user, params={"uplift": uplift.pk})
    if job.state == JobState.SUCCEEDED:  # run at once (the tests' immediate backend)
        messages.success(request, job.message)
        return redirect("finance:uplift", uplift_id=uplift.pk)
    if job.state == JobState.FAILED:
        return _detail(
            request,
            selectors.uplift_get(uplift_id),
            errors=[{"text": job.message, "href": "#apply"}],
            status=400,
        )
    return redirect("jobs:job", job_id=job.pk)


def uplift_services(request: HttpRequest, uplift_id: int) -> HttpResponse:
    """The services an uplift changes (a draft: what applying it would change; applied: what it changed), 25 a page,
    optionally at one provider; each person on the page audited."""
    if not services.can_apply(request.user):
        return _refused(request)
    try:
        uplift = selectors.uplift_get(uplift_id)
    except RateUplift.DoesNotExist:
        return not_found(request, "rate uplift")
    draft = uplift.status == UpliftStatus.DRAFT
    provider = request.GET.get("provider") or None
    items = selectors.changed_items(uplift, provider)
    page = selectors.providers_page(items, request.GET.get("page"))
    rows, people = selectors.changed_rows(list(page.object_list))
    if people:
        audit.record_many(
            actor=request.user,
            action=AuditAction.VIEW,
            objs=people,
            basis=services.BASIS,
            details={"what": "services a rate uplift changes", "uplift": uplift.pk, "provider": provider},
        )
    names = selectors.provider_names([int(provider)] if provider and provider.isdigit() else [])
    at = "No provider recorded" if provider == "none" else names.get(int(provider), "") if names else ""
    return render(
        request,
        "finance/uplift_services.jinja",
        {
            "title": f"{uplift.name}: the services it changes",
            "uplift": uplift,
            "draft": draft,
            "at": at,
            "count": len(items),
            "rows": presenters.changed_table(rows),
            "pagination": pagination(
                page, {"provider": provider} if provider else {}, label="Pages of services"
            ),
            "active_nav": "uplifts",
        },
    )
