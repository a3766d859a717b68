"""The payment run for the periods ending on a day: for every provider with a period ending then, the approved
invoices net of credit notes and adjustments (invoice-paid schedules), or the planned cost of its services from
`finance.costing` plus credit notes and adjustments (plan-paid schedules).

A (provider, schedule, period) is paid once and only once: the run skips what is paid, and the payment row is unique
on them, so two runs at once cannot both pay. Each payment commits on its own with its lines and its audit event: a
run that stops half way leaves the providers it paid paid and the others unpaid, and running it again pays the rest.
A dry run writes nothing and says what would be paid."""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections import Counter
from dataclasses import dataclass, field

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from openasc.core import audit
from openasc.core.access import Capability
from openasc.core.models import AuditAction, User
from openasc.finance.selectors.costed import costed_services
from openasc.payments.models import (
    Adjustment,
    Basis,
    Invoice,
    InvoiceStatus,
    InvoiceStatusChange,
    Payment,
    PaymentLine,
    PaymentRun,
    RunStatus,
)
from openasc.payments.periods import Period
from openasc.payments.selectors import invoices as inv_sel
from openasc.payments.selectors import runs as run_sel
from openasc.payments.selectors.expected import expected_for
from openasc.payments.selectors.schedules import Rules, ScheduleRule, load_rules
from openasc.payments.services.invoices import BASIS, require
from openasc.providers.models import Provider

BACS_COLUMNS = (
    "payment_reference",
    "provider_id",
    "provider_name",
    "schedule",
    "period_start",
    "period_end",
    "amount_pence",
    "amount_pounds",
    "cost_centre",
    "lines",
)


@dataclass
class LineOut:
    person_id: int | None
    service_id: int | None
    description: str
    first: dt.date
    last: dt.date
    amount_pence: int
    cost_centre_code: str = ""


@dataclass
class ToPay:
    provider_id: int
    provider_name: str
    schedule: ScheduleRule
    period: Period
    lines: list[LineOut] = field(default_factory=list)
    invoice_ids: list[int] = field(default_factory=list)
    adjustment_ids: list[int] = field(default_factory=list)
    reference: str = ""

    @property
    def amount_pence(self) -> int:
        return sum(line.amount_pence for line in self.lines)

    @property
    def cost_centre_code(self) -> str:
        """The cost centre holding most of the payment ('' when none of its lines has one)."""
        totals: Counter[str] = Counter()
        for line in self.lines:
            if line.cost_centre_code:
                totals[line.cost_centre_code] += abs(line.amount_pence)
        return totals.most_common(1)[0][0] if totals else ""


@dataclass
class RunResult:
    period_end: dt.date
    dry_run: bool
    paid: list[ToPay]
    already_paid: int
    run_id: int | None = None
    schedules: int = 0
    held: int = 0

    @property
    def total_pence(self) -> int:
        return sum(p.amount_pence for p in self.paid)

    @property
    def count(self) -> int:
        return len(self.paid)

    @property
    def message(self) -> str:
        from openasc.core.money import pounds

        day = f"{self.period_end:%-d %B %Y}"
        if not self.schedules:
            return f"No payment schedule has a period ending on {day}: nothing to pay"
        already = f" ({self.already_paid} already paid)" if self.already_paid else ""
        held = f"; {self.held} held, their credit notes coming to more than is owed" if self.held else ""
        if not self.paid:
            return f"Nothing more to pay for period ending {day}{already}{held}"
        verb = "Would pay" if self.dry_run else "Paid"
        return (
            f"{verb} {pounds(self.total_pence)} in {self.count} payment{'s' if self.count != 1 else ''} "
            f"for period ending {day}{already}{held}"
        )


def reference(schedule: ScheduleRule, period: Period, provider_id: int) -> str:
    return f"P{period.last:%Y%m%d}-{schedule.code[:12].upper()}-{provider_id}"[:40]


def _service_label(component: str, service_type: str) -> str:
    return component or service_type


def plan_run(
    period_end: dt.date, *, provider_ids=None, rules: Rules | None = None, preloaded: dict | None = None
) -> tuple[list[ToPay], int, int, int]:
    """(what to pay, how many are already paid, how many schedules have a period then, how many are held because
    their credit notes come to more than is owed) for a run on `period_end`. Invoices approved and adjustments made
    after their own period's run are paid in the next one. `preloaded`: period -> (services, teams) already loaded
    for it (the demo builder's, which has them)."""
    from openasc.core.money import pounds

    rules = rules or load_rules()
    out: list[ToPay] = []
    already = 0
    held = 0
    schedules = 0
    loaded: dict[Period, list] = {}
    names = dict(Provider.objects.values_list("pk", "name"))
    for schedule in rules.schedules:
        period = schedule.period_paid_by(period_end)
        if period is None:
            continue
        schedules += 1
        paid = {p for p, _ in run_sel.paid_keys({schedule.id: period.first})}
        adjustments = run_sel.adjustments_for(schedule.id, period.first)
        invoices = inv_sel.approved_for(schedule.id, period.first, provider_ids=provider_ids)
        expected = {}
        if schedule.basis == Basis.PLAN:
            if preloaded and period in preloaded:
                services, teams = preloaded[period]
                expected = expected_for(rules, schedule, period, services=services, teams=teams)
            else:
                if period not in loaded:
                    loaded[period] = costed_services(
                        first=period.first,
                        last=period.last,
                        provider_ids=list(provider_ids) if provider_ids is not None else None,
                        extra=Q(provider_location__isnull=False),
                    )
                expected = expected_for(rules, schedule, period, services=loaded[period])
        providers = set(expected) | set(invoices) | set(adjustments)
        if provider_ids is not None:
            providers &= set(provider_ids)
        already += len(providers & paid)
        invoice_lines = inv_sel.invoice_line_rows([i.pk for ps in invoices.values() for i in ps])
        by_invoice: dict[int, list] = {}
        for row in invoice_lines:
            by_invoice.setdefault(row[0], []).append(row)
        centres = {}
        line_services = {r[2] for r in invoice_lines if r[2]}
        if line_services:
            centres = {s.id: rules.centre_code(s) for s in costed_services(ids=line_services)}
        for provider_id in sorted(providers - paid):
            to_pay = ToPay(provider_id, names.get(provider_id, ""), schedule, period)
            exp = expected.get(provider_id)
            if exp is not None:
                for ln in exp.lines:
                    what = (
                        "one-off cost"
                        if ln.one_off
                        else (
                            f"{ln.days} day{'s' if ln.days != 1 else ''} at {pounds(ln.weekly_pence)} a week"
                        )
                    )
                    to_pay.lines.append(
                        LineOut(
                            ln.person_id,
                            ln.service_id,
                            f"Service {ln.service_id}: {what}",
                            ln.first,
                            ln.last,
                            ln.pence,
                            ln.cost_centre_code,
                        )
                    )
            for inv in invoices.get(provider_id, []):
                if schedule.basis == Basis.PLAN and inv.sign > 0:
                    continue  # a plan-paid schedule pays the plan; only its credit notes count against it
                to_pay.invoice_ids.append(inv.pk)
                for _, person_id, service_id, first, last, amount, _la in by_invoice.get(inv.pk, []):
                    to_pay.lines.append(
                        LineOut(
                            person_id,
                            service_id,
                            f"{inv.get_kind_display()} {inv.number}"[:200],
                            first,
                            last,
                            inv.sign * amount,
                            centres.get(service_id, ""),
                        )
                    )
            for adj in adjustments.get(provider_id, []):
                to_pay.adjustment_ids.append(adj.pk)
                to_pay.lines.append(
                    LineOut(
                        adj.person_id,
                        adj.service_id,
                        f"Adjustment: {adj.reason}"[:200],
                        period.first,
                        period.last,
                        adj.amount_pence,
                    )
                )
            if not to_pay.lines:
                continue
            if to_pay.amount_pence < 0:  # credit notes beyond what is owed: held, and netted in the next run
                held += 1
                continue
            to_pay.reference = reference(schedule, period, provider_id)
            out.append(to_pay)
    return out, already, schedules, held


def _pay_one(user: User, run: PaymentRun, item: ToPay) -> bool:
    """Pay one provider for one period, with its lines, its invoices and adjustments marked paid, and its audit
    event, all or nothing. False when it was paid meanwhile (the unique constraint)."""
    now = timezone.now()
    try:
        with transaction.atomic():
            payment = Payment.objects.create(
                run=run,
                provider_id=item.provider_id,
                schedule_id=item.schedule.id,
                period_start=item.period.first,
                period_end=item.period.last,
                reference=item.reference,
                amount_pence=item.amount_pence,
                lines=len(item.lines),
                cost_centre_code=item.cost_centre_code,
                paid_at=now,
            )
            with audit.bulk(
                actor=user,
                action=AuditAction.CREATE,
                reason="payment run",
                basis=BASIS,
                obj=payment,
                details={"what": "payment lines", "payment": payment.pk, "lines": len(item.lines)},
            ):
                PaymentLine.objects.bulk_create(
                    [
                        PaymentLine(
                            payment=payment,
                            person_id=ln.person_id,
                            service_id=ln.service_id,
                            description=ln.description,
                            from_on=ln.first,
                            to_on=ln.last,
                            amount_pence=ln.amount_pence,
                            cost_centre_code=ln.cost_centre_code,
                        )
                        for ln in item.lines
                    ],
                    batch_size=1000,
                )
                if item.adjustment_ids:
                    Adjustment.objects.filter(pk__in=item.adjustment_ids).update(payment=payment)
            if item.invoice_ids:
                Invoice.objects.filter(pk__in=item.invoice_ids).update(
                    payment=payment, status=InvoiceStatus.PAID
                )
                InvoiceStatusChange.objects.bulk_create(
                    [
                        InvoiceStatusChange(
                            invoice_id=i,
                            status=InvoiceStatus.PAID,
                            changed_at=now,
                            changed_by=user,
                            note=item.reference,
                        )
                        for i in item.invoice_ids
                    ]
                )
            audit.record(
                actor=user,
                action=AuditAction.CREATE,
                obj=payment,
                basis=BASIS,
                details={
                    "what": "provider paid",
                    "reference": item.reference,
                    "provider": item.provider_id,
                    "schedule": item.schedule.code,
                    "period": str(item.period),
                    "amount_pence": item.amount_pence,
                    "lines": len(item.lines),
                    "invoices": item.invoice_ids,
                },
            )
    except IntegrityError:
        return False
    return True


def payment_run(
    *,
    user: User,
    period_end: dt.date,
    dry_run: bool = False,
    provider_ids=None,
    progress=None,
    preloaded: dict | None = None,
) -> RunResult:
    """Pay every provider with a period ending on `period_end` (see the module's docstring). `progress(done,
    total)` is told after each payment."""
    require(user, Capability.RUN_PAYMENTS, "run payments")
    to_pay, already, schedules, held = plan_run(period_end, provider_ids=provider_ids, preloaded=preloaded)
    result = RunResult(
        period_end, dry_run, [] if not dry_run else to_pay, already, schedules=schedules, held=held
    )
    if dry_run:
        return result
    run = PaymentRun.objects.create(period_end=period_end, started_by=user, started_at=timezone.now())
    result.run_id = run.pk
    audit.record(
        actor=user,
        action=AuditAction.CREATE,
        obj=run,
        basis=BASIS,
        details={"what": "payment run started", "period_end": period_end.isoformat(), "to_pay": len(to_pay)},
    )
    try:
        for i, item in enumerate(to_pay, start=1):
            if _pay_one(user, run, item):
                result.paid.append(item)
            else:
                result.already_paid += 1
            if progress is not None:
                progress(i, len(to_pay))
    except BaseException as exc:
        PaymentRun.objects.filter(pk=run.pk).update(
            status=RunStatus.FAILED,
            finished_at=timezone.now(),
            payments=len(result.paid),
            total_pence=result.total_pence,
            message=f"Stopped after {len(result.paid)} payments ({type(exc).__name__}): run it again to pay the rest"[
                :300
            ],
        )
        raise
    PaymentRun.objects.filter(pk=run.pk).update(
        status=RunStatus.FINISHED,
        finished_at=timezone.now(),
        payments=len(result.paid),
        total_pence=result.total_pence,
        message=result.message[:300],
    )
    audit.record(
        actor=user,
        action=AuditAction.UPDATE,
        obj=run,
        basis=BASIS,
        details={"what": "payment run finished", "payments": result.count, "total_pence": result.total_pence},
    )
    return result


def pounds_plain(pence: int) -> str:
    sign = "-" if pence < 0 else ""
    pence = abs(pence)
    return f"{sign}{pence // 100}.{pence % 100:02d}"


def bacs_csv(items: list[ToPay]) -> str:
    """The ledger/BACS export (docs/payments.md): one row a payment."""
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(BACS_COLUMNS)
    for p in sorted(items, key=lambda p: p.reference):
        writer.writerow(
            [
                p.reference,
                p.provider_id,
                p.provider_name,
                p.schedule.code,
                p.period.first.isoformat(),
                p.period.last.isoformat(),
                p.amount_pence,
                pounds_plain(p.amount_pence),
                p.cost_centre_code,
                len(p.lines),
            ]
        )
    return buf.getvalue()


def bacs_csv_of_payments(payments: list[Payment]) -> str:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(BACS_COLUMNS)
    for p in payments:
        writer.writerow(
            [
                p.reference,
                p.provider_id,
                p.provider.name,
                p.schedule.code,
                p.period_start.isoformat(),
                p.period_end.isoformat(),
                p.amount_pence,
                pounds_plain(p.amount_pence),
                p.cost_centre_code,
                p.lines,
            ]
        )
    return buf.getvalue()


REMITTANCE_COLUMNS = (
    "payment_reference",
    "la_person_id",
    "name",
    "service_id",
    "description",
    "from",
    "to",
    "amount_pence",
    "amount_pounds",
)


def remittance(*, user: User, payment_id: int, fmt: str = "csv"):
    """A provider's remittance advice for one payment: (payment, rows); each person named is audited as an export."""
    require(user, Capability.RUN_PAYMENTS, "see remittance advice")
    payment = run_sel.payment_get(payment_id)
    if payment is None:
        return None, []
    lines = run_sel.payment_lines(payment)
    people = {ln.person_id: ln.person for ln in lines if ln.person_id}
    if people:
        audit.record_many(
            actor=user,
            action=AuditAction.EXPORT,
            objs=list(people.values()),
            basis=BASIS,
            details={"what": f"remittance advice ({fmt})", "payment": payment.reference},
        )
    rows = [
        [
            payment.reference,
            ln.person.la_person_id if ln.person_id else "",
            ln.person.full_name if ln.person_id else "",
            ln.service_id or "",
            ln.description,
            ln.from_on.isoformat(),
            ln.to_on.isoformat(),
            ln.amount_pence,
            pounds_plain(ln.amount_pence),
        ]
        for ln in lines
    ]
    return payment, rows


def remittance_csv(rows) -> str:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(REMITTANCE_COLUMNS)
    writer.writerows(rows)
    return buf.getvalue()
