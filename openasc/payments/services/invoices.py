"""Invoices and credit notes (entered on a page or from a CSV), their approval, call monitoring uploads, and a finance
officer's adjustments. Each validates everything first (ValidationFailed names the field, or the CSV's row and
column) so nothing half-writes, then writes in one transaction and audits it."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from openasc.core import access, audit
from openasc.core.access import Capability
from openasc.core.errors import ValidationFailed
from openasc.core.models import AuditAction, User
from openasc.payments import periods
from openasc.payments.models import (
    Adjustment,
    Basis,
    EcmUpload,
    EcmVisit,
    Invoice,
    InvoiceKind,
    InvoiceLine,
    InvoiceStatus,
    InvoiceStatusChange,
    PaymentSchedule,
)
from openasc.payments.selectors import invoices as sel
from openasc.payments.services.csvin import LineIn, VisitIn, ecm_visits, invoice_lines
from openasc.payments.workflows import INVOICE, approval_transition
from openasc.providers.models import Provider

BASIS = "provider payments"


def require(user: User, capability: str, what: str) -> None:
    """Refuse (audited) a user whose role lacks the capability."""
    if not access.has(user, capability):
        raise access.refuse(
            user, person_id=None, purpose=f"payments: {what}", explanation=f"Your role cannot {what}."
        )


def _period(
    schedule: PaymentSchedule, period_start: dt.date | None, errors: dict, field: str = "period_start"
):
    if period_start is None:
        errors[field] = "Enter the first day of the period"
        return None
    period = periods.containing(schedule.frequency, schedule.anchor, period_start)
    if period.first != period_start:
        errors[field] = (
            f"{period_start:%-d %B %Y} is not the first day of a period of {schedule.name}: its period "
            f"runs from {period.first:%-d %B %Y} to {period.last:%-d %B %Y}"
        )
        return None
    return period


def invoice_enter(
    *,
    user: User,
    provider_id: int | None,
    schedule_id: int | None,
    period_start: dt.date | None,
    number: str,
    kind: str = InvoiceKind.INVOICE,
    lines: list[LineIn],
    line_errors: dict[str, str] | None = None,
) -> Invoice:
    """Record a provider's invoice or credit note with its lines (entered, not yet submitted), each line matched to
    a service: by its id, or by the person, the provider and the dates (the service with most days in them)."""
    require(user, Capability.ENTER_INVOICES, "enter invoices")
    errors: dict[str, str] = dict(line_errors or {})
    provider = Provider.objects.filter(pk=provider_id).first() if provider_id else None
    if provider is None:
        errors["provider"] = "Choose the provider the invoice is from"
    schedule = PaymentSchedule.objects.filter(pk=schedule_id, active=True).first() if schedule_id else None
    period = None
    if schedule is None:
        errors["schedule"] = "Choose the payment schedule the invoice is for"
    else:
        period = _period(schedule, period_start, errors)
        if kind == InvoiceKind.INVOICE and schedule.basis != Basis.INVOICE:
            errors["schedule"] = (
                f"{schedule.name} pays from the plan without an invoice: enter a credit note or an adjustment instead"
            )
    if kind not in InvoiceKind.values:
        errors["kind"] = "Choose invoice or credit note"
    number = (number or "").strip()
    if not number:
        errors["number"] = "Enter the provider's invoice number"
    elif len(number) > 60:
        errors["number"] = "The invoice number has at most 60 characters"
    elif (
        provider is not None
        and Invoice.objects.filter(provider=provider, number__iexact=number)
        .exclude(status=InvoiceStatus.REJECTED)
        .exists()
    ):
        errors["number"] = f"{provider.name} already has an invoice numbered {number}: check the number"
    if not lines and not line_errors:
        errors["lines"] = "Enter at least one line"
    people = sel.people_by_la_id(ln.la_person_id for ln in lines)
    given = sel.service_provider({ln.service_id for ln in lines if ln.service_id})
    for ln in lines:
        if period is not None and (ln.from_on < period.first or ln.to_on > period.last):
            errors[f"row {ln.row}, from"] = (
                f"The line's dates must be within the period, {period.first:%-d %B %Y} to {period.last:%-d %B %Y}"
            )
        if ln.service_id and ln.service_id not in given:
            errors[f"row {ln.row}, service_id"] = (
                f"There is no service {ln.service_id}: check it, or leave it empty"
            )
    if errors:
        raise ValidationFailed(errors)
    matched = {}
    persons = [people[ln.la_person_id][0] for ln in lines if ln.la_person_id in people]
    found = sel.candidates(provider.pk, persons, period.first, period.last)
    for ln in lines:
        person = people.get(ln.la_person_id)
        if person is None:
            matched[ln.row] = (None, None)
            continue
        if ln.service_id:
            owner, _ = given[ln.service_id]
            matched[ln.row] = (person[0], ln.service_id if owner == person[0] else None)
        else:
            best = sel.best_service(found.get(person[0], []), ln.from_on, ln.to_on)
            matched[ln.row] = (person[0], best.id if best else None)
    now = timezone.now()
    with transaction.atomic():
        invoice = Invoice.objects.create(
            provider=provider,
            schedule=schedule,
            period_start=period.first,
            period_end=period.last,
            number=number,
            kind=kind,
            total_pence=sum(ln.amount_pence for ln in lines),
            entered_by=user,
            entered_at=now,
        )
        with audit.bulk(
            actor=user,
            action=AuditAction.CREATE,
            reason="invoice lines entered",
            basis=BASIS,
            obj=invoice,
            details={"invoice": invoice.pk, "lines": len(lines)},
        ):
            InvoiceLine.objects.bulk_create(
                [
                    InvoiceLine(
                        invoice=invoice,
                        row=ln.row,
                        la_person_id=ln.la_person_id,
                        person_id=matched[ln.row][0],
                        service_id=matched[ln.row][1],
                        from_on=ln.from_on,
                        to_on=ln.to_on,
                        units=ln.units,
                        unit_cost_pence=ln.unit_cost_pence,
                        amount_pence=ln.amount_pence,
                    )
                    for ln in lines
                ],
                batch_size=500,
            )
        InvoiceStatusChange.objects.create(
            invoice=invoice, status=InvoiceStatus.DRAFT, changed_at=now, changed_by=user, note="entered"
        )
        audit.record(
            actor=user,
            action=AuditAction.CREATE,
            obj=invoice,
            basis=BASIS,
            details={
                "what": f"{invoice.get_kind_display()} entered",
                "provider": provider.pk,
                "number": number,
                "period": str(period),
                "total_pence": invoice.total_pence,
                "lines": len(lines),
            },
        )
    return invoice


def invoice_upload(
    *,
    user: User,
    provider_id: int | None,
    schedule_id: int | None,
    period_start: dt.date | None,
    number: str,
    kind: str,
    text: str,
) -> Invoice:
    """An invoice from a CSV file (csvin.INVOICE_COLUMNS): every bad row reported by row and column, nothing saved."""
    require(user, Capability.ENTER_INVOICES, "enter invoices")
    lines, errors = invoice_lines(text)
    return invoice_enter(
        user=user,
        provider_id=provider_id,
        schedule_id=schedule_id,
        period_start=period_start,
        number=number,
        kind=kind,
        lines=lines,
        line_errors=errors,
    )


def _refusal(user: User, invoice: Invoice, name: str) -> tuple[str, str] | None:
    t = INVOICE.transition(name)
    if not t.permits(user, invoice):
        return "role", t.refused
    if invoice.status not in t.source:
        return "state", (
            f"This invoice is {INVOICE.label(invoice.status).lower()}: it cannot be {t.done} now."
        )
    reason = t.rule(user, invoice) if t.rule else ""
    return ("rule", reason) if reason else None


def _transition(
    user: User, invoice_id: int, name: str | None, *, note: str = "", fields=(), change=None
) -> Invoice:
    invoice = Invoice.objects.filter(pk=invoice_id).first()
    if invoice is None:
        raise ValidationFailed({"invoice": "There is no invoice with that id"})
    name = name or approval_transition(invoice)
    refusal = _refusal(user, invoice, name)
    t = INVOICE.transition(name)
    if refusal is not None:
        kind, message = refusal
        denied = access.refuse(
            user, person_id=None, purpose=f"invoice: {name}", explanation=message, obj=invoice
        )
        if kind == "role":
            raise denied
        raise ValidationFailed({t.field or "invoice": message})
    with transaction.atomic():
        locked = Invoice.objects.select_for_update().get(pk=invoice.pk)
        if locked.status != invoice.status:
            raise ValidationFailed(
                {"invoice": "Someone else has just changed this invoice: look at it again"}
            )
        before = locked.status
        if change is not None:
            change(locked)
        locked.status = t.target
        locked.save(update_fields=["status", *fields])
        InvoiceStatusChange.objects.create(
            invoice=locked, status=t.target, changed_at=timezone.now(), changed_by=user, note=note
        )
        audit.record(
            actor=user,
            action=AuditAction.UPDATE,
            obj=locked,
            basis=BASIS,
            reason=note,
            details={
                "workflow": INVOICE.name,
                "transition": name,
                "previous_status": before,
                "status": t.target,
                "total_pence": locked.total_pence,
            },
        )
    return locked


def invoice_submit(*, user: User, invoice_id: int) -> Invoice:
    return _transition(user, invoice_id, "submit")


def invoice_approve(*, user: User, invoice_id: int) -> Invoice:
    """Approve: by someone with APPROVE_INVOICES who did not enter it; above the second-approval amount the first
    approval leaves it waiting for a second approver, who is neither the one who entered it nor the first."""

    def first(inv):
        if inv.status == InvoiceStatus.SUBMITTED:
            inv.first_approver = user
        else:
            inv.second_approver = user

    return _transition(user, invoice_id, None, change=first, fields=("first_approver", "second_approver"))


def invoice_reject(*, user: User, invoice_id: int, reason: str) -> Invoice:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed(
            {"reason": "Say why the invoice is rejected, so the provider can put it right"}
        )

    def set_reason(inv):
        inv.rejection_reason = reason

    return _transition(
        user, invoice_id, "reject", note=reason, change=set_reason, fields=("rejection_reason",)
    )


def ecm_upload(*, user: User, provider_id: int | None, text: str, filename: str = "") -> EcmUpload:
    """Call monitoring visits for a provider from its CSV export; a row naming nobody known is an error."""
    require(user, Capability.ENTER_INVOICES, "upload call monitoring")
    visits, errors = ecm_visits(text)
    provider = Provider.objects.filter(pk=provider_id).first() if provider_id else None
    if provider is None:
        errors["provider"] = "Choose the provider the call monitoring is from"
    people = sel.people_by_la_id(v.la_person_id for v in visits)
    owners = sel.service_provider({v.service_id for v in visits if v.service_id})
    resolved: list[tuple[VisitIn, int]] = []
    for v in visits:
        if v.service_id:
            if v.service_id not in owners:
                errors[f"row {v.row}, service_id"] = f"There is no service {v.service_id}"
                continue
            person_id = owners[v.service_id][0]
        elif v.la_person_id in people:
            person_id = people[v.la_person_id][0]
        else:
            errors[f"row {v.row}, la_person_id"] = f"There is no person with LA person id {v.la_person_id}"
            continue
        resolved.append((v, person_id))
    if errors:
        raise ValidationFailed(errors)
    with transaction.atomic():
        upload = EcmUpload.objects.create(
            provider=provider,
            filename=filename[:200],
            rows=len(resolved),
            uploaded_by=user,
            uploaded_at=timezone.now(),
        )
        with audit.bulk(
            actor=user,
            action=AuditAction.CREATE,
            reason="call monitoring uploaded",
            basis=BASIS,
            obj=upload,
            details={"provider": provider.pk, "rows": len(resolved)},
        ):
            EcmVisit.objects.bulk_create(
                [
                    EcmVisit(
                        upload=upload,
                        provider=provider,
                        person_id=pid,
                        service_id=v.service_id,
                        visit_on=v.visit_on,
                        minutes=v.minutes,
                    )
                    for v, pid in resolved
                ],
                batch_size=500,
            )
    return upload


def adjustment_add(
    *,
    user: User,
    provider_id: int | None,
    schedule_id: int | None,
    period_start: dt.date | None,
    amount_pence: int | None,
    reason: str,
    la_person_id: str = "",
) -> Adjustment:
    """A finance officer's adjustment (more or less) to what a provider is paid for a period, with the reason."""
    require(user, Capability.APPROVE_INVOICES, "adjust payments")
    errors: dict[str, str] = {}
    provider = Provider.objects.filter(pk=provider_id).first() if provider_id else None
    if provider is None:
        errors["provider"] = "Choose the provider"
    schedule = PaymentSchedule.objects.filter(pk=schedule_id).first() if schedule_id else None
    period = None
    if schedule is None:
        errors["schedule"] = "Choose the payment schedule"
    else:
        period = _period(schedule, period_start, errors)
    if amount_pence is None or amount_pence == 0:
        errors["amount"] = "Enter the amount in pounds, like 25.00 to pay more or -25.00 to pay less"
    reason = (reason or "").strip()
    if not reason:
        errors["reason"] = "Say why the payment is adjusted"
    person_id = None
    if la_person_id.strip():
        found = sel.people_by_la_id([la_person_id.strip()])
        if not found:
            errors["la_person_id"] = f"There is no person with LA person id {la_person_id.strip()}"
        else:
            person_id = found[la_person_id.strip()][0]
    if errors:
        raise ValidationFailed(errors)
    with transaction.atomic():
        adj = Adjustment.objects.create(
            provider=provider,
            schedule=schedule,
            period_start=period.first,
            period_end=period.last,
            amount_pence=amount_pence,
            reason=reason,
            person_id=person_id,
            created_by=user,
            created_at=timezone.now(),
        )
        audit.record(
            actor=user,
            action=AuditAction.CREATE,
            obj=adj,
            basis=BASIS,
            reason=reason,
            details={
                "what": "payment adjusted",
                "provider": provider.pk,
                "amount_pence": amount_pence,
                "period": str(period),
            },
        )
    return adj


def units_or_none(value) -> Decimal | None:
    return None if value in (None, "") else Decimal(value)
