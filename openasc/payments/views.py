"""Provider payments pages, for the finance officer only (ENTER_INVOICES, APPROVE_INVOICES, RUN_PAYMENTS); anyone
else gets the standard refusal, audited. Pages that show invoice or payment lines name people (LA person id and
name, the minimum identity needed to pay for care) and audit each person shown."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.utils import timezone

from openasc.core import access, audit
from openasc.core.access import Capability
from openasc.core.errors import AccessDenied, ValidationFailed
from openasc.core.models import AuditAction
from openasc.payments import forms, jobs, presenters
from openasc.payments.models import InvoiceStatus
from openasc.payments.selectors import invoices as inv_sel
from openasc.payments.selectors import nhs as nhs_sel
from openasc.payments.selectors import runs as run_sel
from openasc.payments.selectors import schedules as sch_sel
from openasc.payments.selectors.expected import expected_for, expected_for_run
from openasc.payments.services import invoices as inv_svc
from openasc.payments.services import nhs as nhs_svc
from openasc.payments.services import run as run_svc
from openasc.payments.workflows import INVOICE, approval_transition
from openasc.ui import forms as ui
from openasc.ui.pagination import pagination
from openasc.ui.responses import forbidden, not_found

REFUSED = "Only finance officers can see provider payments: invoices, payment runs and NHS contributions."
NAV = "payments"
CAPS = (Capability.ENTER_INVOICES, Capability.APPROVE_INVOICES, Capability.RUN_PAYMENTS)


def may_use(user) -> bool:
    return any(access.has(user, c) for c in CAPS)


def _refused(request: HttpRequest, explanation: str = REFUSED) -> HttpResponse:
    return forbidden(request, "You cannot see this page", explanation)


def _guard(capability: str | None = None):
    def wrap(view):
        def inner(request, *args, **kwargs):
            if not may_use(request.user) or (capability and not access.has(request.user, capability)):
                return _refused(request)
            return view(request, *args, **kwargs)

        inner.__name__ = view.__name__
        inner.__doc__ = view.__doc__
        return inner

    return wrap


def _page(request, template, context, status=200):
    return render(request, template, {"active_nav": NAV, **context}, status=status)


def _schedule_choices():
    return [(s.pk, s.name) for s in sch_sel.schedules() if s.active]


@_guard()
def home(request: HttpRequest) -> HttpResponse:
    waiting = inv_sel.awaiting_approval()
    return _page(
        request,
        "payments/home.jinja",
        {
            "title": "Provider payments",
            "invoice_head": presenters.INVOICE_HEAD,
            "waiting_rows": presenters.invoice_rows(waiting),
            "run_head": presenters.RUN_HEAD,
            "run_rows": presenters.run_rows(run_sel.runs(10)),
        },
    )


@_guard()
def schedules(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    items = sch_sel.schedules()
    current = {}
    for s in items:
        period = sch_sel.ScheduleRule.of(s).containing(today)
        current[s.pk] = f"{period.first:%-d %B %Y} to {period.last:%-d %B %Y}"
    return _page(
        request,
        "payments/schedules.jinja",
        {
            "title": "Payment schedules",
            "head": presenters.SCHEDULE_HEAD,
            "rows": presenters.schedule_rows(items, current),
        },
    )


def _schedule_form(request, schedule):
    from openasc.finance.models import CareCategory

    initial = None
    if schedule is not None and request.method != "POST":
        initial = {
            "code": schedule.code,
            "name": schedule.name,
            "care_categories": schedule.care_categories,
            "frequency": schedule.frequency,
            "timing": schedule.timing,
            "basis": schedule.basis,
            "anchor": schedule.anchor,
            "priority": schedule.priority,
            "active": schedule.active,
        }
    categories = [
        (c.code, c.name) for c in CareCategory.objects.filter(active=True).order_by("order", "code")
    ]
    return forms.ScheduleForm(request.POST or None, initial=initial, categories=categories)


@_guard(Capability.RUN_PAYMENTS)
def schedule_edit(request: HttpRequest, schedule_id: int | None = None) -> HttpResponse:
    """A finance officer sets a schedule: which care categories, how often, in arrears or advance, the anchor, and
    whether against an invoice or from the plan."""
    from openasc.payments.services.schedules import schedule_save

    schedule = sch_sel.schedule_get(schedule_id) if schedule_id else None
    if schedule_id and schedule is None:
        return not_found(request, "payment schedule")
    form = _schedule_form(request, schedule)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            d = form.cleaned_data
            try:
                saved = schedule_save(
                    user=request.user,
                    schedule_id=schedule_id,
                    code=d.get("code") or "",
                    name=d.get("name") or "",
                    care_categories=d.get("care_categories") or [],
                    frequency=d["frequency"],
                    timing=d["timing"],
                    anchor=d.get("anchor"),
                    basis=d["basis"],
                    priority=d.get("priority") or 100,
                    active=bool(d.get("active")),
                )
            except ValidationFailed as exc:
                ui.add_service_errors(form, exc.errors)
            else:
                messages.success(request, f"Payment schedule {saved.name} saved")
                return redirect("payments:schedules")
        status = 400
    return _page(
        request,
        "payments/schedule_form.jinja",
        {
            "title": f"Change {schedule.name}" if schedule else "Add a payment schedule",
            "form": form,
            "errors": ui.error_summary(form) if form.is_bound else [],
        },
        status=status,
    )


def _day(raw: str | None) -> dt.date | None:
    try:
        return dt.date.fromisoformat(raw or "")
    except ValueError:
        return None


def _expected_cached(day: dt.date):
    """The whole council's expected payments for a day (figures only), cached while the record behind them is the
    same (inv_sel._version: services, costs, schedules)."""
    from django.core.cache import cache

    key = f"payments:expected:{day.isoformat()}:{inv_sel._version()}"
    found = cache.get(key)
    if found is None:
        expected = expected_for_run(sch_sel.load_rules(), day)
        nhs_total = 0
        for e in expected:
            nhs_total += sum(
                nhs_sel.nhs_contributions_between(
                    e.period.first, e.period.last, service_ids={ln.service_id for ln in e.lines}
                ).values()
            )
        summary = [
            presenters.ExpectedSummary(
                e.provider_id,
                e.schedule.id,
                e.schedule.code,
                e.schedule.name,
                len({ln.service_id for ln in e.lines}),
                e.total_pence,
            )
            for e in expected
        ]
        found = (summary, nhs_total)  # the figures only: the lines are many, and each page opens its own
        cache.set(key, found, inv_sel.CACHE_SECONDS)
    return found


@_guard()
def expected(request: HttpRequest) -> HttpResponse:
    """What each provider is expected to be paid for the periods ending on a day (figures only: no names)."""
    day = _day(request.GET.get("period_end"))
    rows, total, nhs_total = [], 0, 0
    if day is not None:
        found, nhs_total = _expected_cached(day)
        names = run_sel.provider_names({e.provider_id for e in found})
        found = sorted(found, key=lambda e: (names.get(e.provider_id, ""), e.schedule_code))
        rows = presenters.expected_rows(found, names, day)
        total = sum(e.total_pence for e in found)
    return _page(
        request,
        "payments/expected.jinja",
        {
            "title": "Expected payments",
            "day": day,
            "head": presenters.EXPECTED_HEAD,
            "rows": rows,
            "total": presenters.money(total),
            "nhs_total": presenters.money(nhs_total),
        },
    )


@_guard()
def expected_provider(request: HttpRequest, provider_id: int) -> HttpResponse:
    """One provider's expected payment for a schedule's period: a line per service and run of days at one cost (LA
    person id and name, days, weekly cost, cost), 25 a page, each person shown audited."""
    from django.core.paginator import Paginator

    day = _day(request.GET.get("period_end"))
    rules = sch_sel.load_rules()
    schedule = next((s for s in rules.schedules if str(s.id) == request.GET.get("schedule", "")), None)
    names = run_sel.provider_names([provider_id])
    if day is None or schedule is None or provider_id not in names:
        return not_found(request, "expected payment")
    period = schedule.period_paid_by(day)
    if period is None:
        return not_found(
            request, "expected payment", explanation=f"No period of {schedule.name} ends on {day:%-d %B %Y}."
        )
    found = expected_for(rules, schedule, period, provider_ids=[provider_id]).get(provider_id)
    lines = found.lines if found else []
    page = Paginator(lines, 25).get_page(request.GET.get("page"))
    people = run_sel.people_named({ln.person_id for ln in page.object_list})
    if people:
        audit.record_many(
            actor=request.user,
            action=AuditAction.VIEW,
            objs=list(people.values()),
            basis=inv_svc.BASIS,
            details={"what": "expected payment lines", "provider": provider_id, "period": str(period)},
        )
    return _page(
        request,
        "payments/expected_provider.jinja",
        {
            "title": f"Expected payment: {names[provider_id]}",
            "provider_name": names[provider_id],
            "schedule": schedule,
            "period": period,
            "day": day,
            "total": presenters.money(found.total_pence if found else 0),
            "head": presenters.EXPECTED_LINE_HEAD,
            "rows": presenters.expected_line_rows(page.object_list, people),
            "pagination": pagination(
                page,
                {"schedule": schedule.id, "period_end": day.isoformat()},
                label="Pages of expected payment lines",
            ),
        },
    )


@_guard()
def invoices(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("status", "")
    status = status if status in InvoiceStatus.values else ""
    from django.core.paginator import Paginator

    page = Paginator(inv_sel.invoices(status=status), 25).get_page(request.GET.get("page"))
    return _page(
        request,
        "payments/invoices.jinja",
        {
            "title": "Invoices",
            "status": status,
            "statuses": InvoiceStatus.choices,
            "head": presenters.INVOICE_HEAD,
            "rows": presenters.invoice_rows(page.object_list),
            "pagination": pagination(page, {"status": status} if status else {}, label="Pages of invoices"),
        },
    )


@_guard(Capability.ENTER_INVOICES)
def invoice_new(request: HttpRequest) -> HttpResponse:
    kwargs = {"providers": run_sel.provider_choices(), "schedules": _schedule_choices()}
    form = forms.InvoiceForm(request.POST or None, request.FILES or None, **kwargs)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            d = form.cleaned_data
            try:
                invoice = inv_svc.invoice_upload(
                    user=request.user,
                    provider_id=int(d["provider"]),
                    schedule_id=int(d["schedule"]),
                    period_start=d["period_start"],
                    number=d.get("number") or "",
                    kind=d["kind"],
                    text=d["text"],
                )
            except ValidationFailed as exc:
                ui.add_service_errors(form, exc.errors)
            else:
                messages.success(
                    request,
                    f"{invoice.get_kind_display()} {invoice.number} entered: check the matching, then submit it for approval",
                )
                return redirect("payments:invoice", invoice_id=invoice.pk)
        status = 400
    return _page(
        request,
        "payments/invoice_form.jinja",
        {
            "title": "Enter an invoice",
            "form": form,
            "errors": ui.error_summary(form) if form.is_bound else [],
        },
        status=status,
    )


def _invoice_page(request, invoice, *, errors=None, reject_form=None, status=200):
    try:
        page_no = int(request.GET.get("page", "1"))
    except ValueError:
        page_no = 1
    matches, totals, page = inv_sel.lines_page(user=request.user, invoice=invoice, page=page_no)
    actions = [t.name for t in INVOICE.allowed(request.user, invoice)]
    approve = approval_transition(invoice)
    return _page(
        request,
        "payments/invoice.jinja",
        {
            "title": f"{invoice.get_kind_display()} {invoice.number}",
            "invoice": invoice,
            "status_tag": presenters.status_tag(invoice),
            "summary_rows": presenters.invoice_summary(invoice, totals),
            "head": presenters.MATCH_HEAD,
            "rows": presenters.match_rows(matches),
            "pagination": pagination(page, {}, label="Pages of invoice lines"),
            "can_submit": "submit" in actions,
            "can_approve": approve in actions,
            "second": approve == "approve_second",
            "needs_second": approve == "approve_first",
            "can_reject": "reject" in actions,
            "own_waiting": invoice.entered_by_id == request.user.pk
            and invoice.status in (InvoiceStatus.SUBMITTED, InvoiceStatus.SECOND),
            "reject_form": reject_form or forms.RejectForm(),
            "errors": errors or [],
        },
        status=status,
    )


@_guard()
def invoice_detail(request: HttpRequest, invoice_id: int) -> HttpResponse:
    invoice = inv_sel.invoice_get(invoice_id)
    if invoice is None:
        return not_found(request, "invoice")
    return _invoice_page(request, invoice)


@_guard()
def invoice_action(request: HttpRequest, invoice_id: int, action: str) -> HttpResponse:
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    invoice = inv_sel.invoice_get(invoice_id)
    if invoice is None or action not in ("submit", "approve", "reject"):
        return not_found(request, "invoice")
    reject_form = forms.RejectForm(request.POST if action == "reject" else None)
    try:
        if action == "submit":
            done = inv_svc.invoice_submit(user=request.user, invoice_id=invoice.pk)
        elif action == "approve":
            done = inv_svc.invoice_approve(user=request.user, invoice_id=invoice.pk)
        else:
            reject_form.is_valid()
            done = inv_svc.invoice_reject(
                user=request.user, invoice_id=invoice.pk, reason=reject_form.cleaned_data.get("reason", "")
            )
    except AccessDenied as exc:
        return forbidden(request, "You cannot do this", str(exc.access.explanation), audited=True)
    except ValidationFailed as exc:
        href = "#reason" if "reason" in exc.errors else "#actions"
        if action == "reject":
            ui.add_service_errors(reject_form, {k: v for k, v in exc.errors.items() if k == "reason"})
        errors = [{"text": m, "href": href} for m in exc.errors.values()]
        return _invoice_page(
            request, inv_sel.invoice_get(invoice_id), errors=errors, reject_form=reject_form, status=400
        )
    words = {
        InvoiceStatus.SUBMITTED: "submitted for approval",
        InvoiceStatus.SECOND: "approved: it now needs a second approver",
        InvoiceStatus.APPROVED: "approved: it will be paid in the run for its period",
        InvoiceStatus.REJECTED: "rejected",
    }
    messages.success(request, f"Invoice {done.number} {words.get(done.status, done.status)}")
    return redirect("payments:invoice", invoice_id=done.pk)


@_guard(Capability.ENTER_INVOICES)
def ecm_upload(request: HttpRequest) -> HttpResponse:
    form = forms.EcmForm(request.POST or None, request.FILES or None, providers=run_sel.provider_choices())
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                upload = inv_svc.ecm_upload(
                    user=request.user,
                    provider_id=int(form.cleaned_data["provider"]),
                    text=form.cleaned_data["file"],
                    filename=getattr(request.FILES.get("file"), "name", ""),
                )
            except ValidationFailed as exc:
                ui.add_service_errors(form, exc.errors)
            else:
                messages.success(request, f"{upload.rows:,} call monitoring visits uploaded")
                return redirect("payments:home")
        status = 400
    return _page(
        request,
        "payments/ecm_form.jinja",
        {
            "title": "Upload call monitoring",
            "form": form,
            "errors": ui.error_summary(form) if form.is_bound else [],
        },
        status=status,
    )


@_guard(Capability.APPROVE_INVOICES)
def adjustment_new(request: HttpRequest) -> HttpResponse:
    kwargs = {"providers": run_sel.provider_choices(), "schedules": _schedule_choices()}
    form = forms.AdjustmentForm(request.POST or None, **kwargs)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            d = form.cleaned_data
            try:
                inv_svc.adjustment_add(
                    user=request.user,
                    provider_id=int(d["provider"]),
                    schedule_id=int(d["schedule"]),
                    period_start=d["period_start"],
                    amount_pence=d.get("amount"),
                    reason=d.get("reason") or "",
                    la_person_id=d.get("la_person_id") or "",
                )
            except ValidationFailed as exc:
                ui.add_service_errors(form, exc.errors)
            else:
                messages.success(request, "Adjustment recorded: it counts in the period's payment")
                return redirect("payments:home")
        status = 400
    return _page(
        request,
        "payments/adjustment_form.jinja",
        {
            "title": "Adjust a payment",
            "form": form,
            "errors": ui.error_summary(form) if form.is_bound else [],
        },
        status=status,
    )


@_guard(Capability.RUN_PAYMENTS)
def runs(request: HttpRequest) -> HttpResponse:
    form = forms.RunForm(request.POST or None)
    status = 200
    would_pay = None
    if request.method == "POST":
        if form.is_valid():
            day, dry = form.cleaned_data["period_end"], form.cleaned_data.get("dry_run")
            if dry:
                result = run_svc.payment_run(user=request.user, period_end=day, dry_run=True)
                would_pay = result
            elif jobs.available():
                job = jobs.start(user=request.user, period_end=day)
                return redirect("jobs:job", job_id=job.pk)
            else:
                result = run_svc.payment_run(user=request.user, period_end=day)
                messages.success(request, result.message)
                if result.run_id:
                    return redirect("payments:run", run_id=result.run_id)
                return redirect("payments:runs")
        if would_pay is None:
            status = 400
    return _page(
        request,
        "payments/runs.jinja",
        {
            "title": "Payment runs",
            "form": form,
            "errors": ui.error_summary(form) if form.is_bound and status == 400 else [],
            "head": presenters.RUN_HEAD,
            "rows": presenters.run_rows(run_sel.runs()),
            "would_pay": would_pay,
            "would_pay_rows": presenters.would_pay_rows(would_pay.paid) if would_pay else [],
            "would_pay_total": presenters.money(would_pay.total_pence) if would_pay else "",
        },
        status=status,
    )


@_guard(Capability.RUN_PAYMENTS)
def run_detail(request: HttpRequest, run_id: int) -> HttpResponse:
    run = run_sel.run_get(run_id)
    if run is None:
        return not_found(request, "payment run")
    payments = run_sel.payments_of_run(run.pk)
    if request.GET.get("format") == "csv":
        audit.record(
            actor=request.user,
            action=AuditAction.EXPORT,
            obj=run,
            basis=inv_svc.BASIS,
            details={"what": "BACS export", "payments": len(payments)},
        )
        response = HttpResponse(
            run_svc.bacs_csv_of_payments(payments), content_type="text/csv; charset=utf-8"
        )
        response["Content-Disposition"] = (
            f'attachment; filename="bacs-{run.period_end.isoformat()}-run-{run.pk}.csv"'
        )
        return response
    return _page(
        request,
        "payments/run.jinja",
        {
            "title": f"Payment run {run.pk}",
            "run": run,
            "total": presenters.money(run.total_pence),
            "head": presenters.PAYMENT_HEAD,
            "rows": presenters.payment_rows(payments),
        },
    )


@_guard(Capability.RUN_PAYMENTS)
def remittance(request: HttpRequest, payment_id: int, fmt: str) -> HttpResponse:
    if fmt not in ("csv", "pdf"):
        return not_found(request, "remittance advice")
    payment, rows = run_svc.remittance(user=request.user, payment_id=payment_id, fmt=fmt)
    if payment is None:
        return not_found(request, "payment")
    name = f"remittance-{payment.reference}"
    if fmt == "csv":
        response = HttpResponse(run_svc.remittance_csv(rows), content_type="text/csv; charset=utf-8")
    else:
        from openasc.documents import pdf

        context = {
            "title": f"Remittance advice {payment.reference}",
            "payment": payment,
            "amount": presenters.money(payment.amount_pence),
            "lines": [
                {
                    "who": f"{r[1]} {r[2]}".strip() or "–",
                    "what": r[4],
                    "dates": f"{r[5]} to {r[6]}",
                    "amount": presenters.money(r[7]),
                }
                for r in rows
            ],
        }
        response = HttpResponse(
            pdf.render("payments/_remittance.jinja", context, request), content_type=pdf.PDF_CONTENT_TYPE
        )
    response["Content-Disposition"] = f'attachment; filename="{name}.{fmt}"'
    return response


@_guard()
def nhs(request: HttpRequest) -> HttpResponse:
    form = forms.ContributionForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if not access.has(request.user, Capability.APPROVE_INVOICES):
            return _refused(request)
        if form.is_valid():
            d = form.cleaned_data
            try:
                c = nhs_svc.nhs_contribution_add(
                    user=request.user,
                    service_id=d.get("service"),
                    kind=d["kind"],
                    weekly_pence=d.get("weekly"),
                    percent=d.get("percent"),
                    from_on=d.get("from_on"),
                    to_on=d.get("to_on"),
                    icb_reference=d.get("icb_reference") or "",
                )
            except ValidationFailed as exc:
                ui.add_service_errors(
                    form, {("service" if k == "service" else k): v for k, v in exc.errors.items()}
                )
            else:
                messages.success(request, f"NHS contribution recorded against service {c.service_id}")
                return redirect("payments:nhs")
        status = 400
    from django.core.paginator import Paginator

    page = Paginator(nhs_sel.contributions(), 25).get_page(request.GET.get("page"))
    items = list(page.object_list)
    people = {c.person_id: c.person for c in items}
    if people:
        audit.record_many(
            actor=request.user,
            action=AuditAction.VIEW,
            objs=list(people.values()),
            basis=inv_svc.BASIS,
            details={"what": "NHS contributions list"},
        )
    return _page(
        request,
        "payments/nhs.jinja",
        {
            "title": "NHS contributions",
            "form": form,
            "errors": ui.error_summary(form) if form.is_bound else [],
            "head": presenters.contribution_head(),
            "rows": presenters.contribution_rows(items),
            "pagination": pagination(page, {}, label="Pages of NHS contributions"),
            "fnc": presenters.money(nhs_svc.fnc_weekly_pence()),
        },
        status=status,
    )


@_guard()
def service_payments(request: HttpRequest, service_id: int) -> HttpResponse:
    """A service's payments view: what was paid for it, the NHS's contributions, and the NHS share this period."""
    service = run_sel.service_for_payments(service_id)
    if service is None:
        return not_found(request, "service")
    audit.record(
        actor=request.user,
        action=AuditAction.VIEW,
        obj=service,
        person_id=service.person_id,
        basis=inv_svc.BASIS,
        details={"what": "service payments"},
    )
    today = timezone.localdate()
    rules = sch_sel.load_rules()
    from openasc.finance.selectors.costed import costed_services

    costed = costed_services(ids=[service.pk])
    schedule = rules.schedule_for(costed[0]) if costed else None
    period = schedule.containing(today) if schedule else None
    share = (
        nhs_sel.nhs_contributions_between(period.first, period.last, service_ids=[service.pk])
        if period
        else {}
    )
    return _page(
        request,
        "payments/service.jinja",
        {
            "title": f"Payments for service {service.pk}",
            "service": service,
            "person": service.person,
            "schedule": schedule,
            "period": period,
            "nhs_share": presenters.money(share.get(service.pk, 0)),
            "contribution_head": presenters.contribution_head(with_person=False),
            "contribution_rows": presenters.contribution_rows(
                nhs_sel.contributions_for_service(service.pk), with_person=False
            ),
            "line_rows": presenters.payment_line_rows(run_sel.payment_lines_for_service(service.pk)),
        },
    )
