"""The demo council's provider payments: a year of four-weekly periods (those ending between 24 November 2025 and
the demo's today, 23 November 2026), paid by the same payment run as the page and the CLI.

- Home care is paid against invoices. Each home care provider sends one invoice a period with a line per service:
  most exactly the plan (planned hours at the planned rate), about one line in twenty some hours over or under, and
  for those in the last three periods call monitoring visits that show what was delivered (so the matching page
  explains "invoiced 2 hours more than planned, and 1 more than the call monitoring shows"). Every fourth period a
  couple of providers send a credit note (a week's care not delivered: a stay in hospital).
- Care homes are paid from the plan: the run pays what the services cost.
- Invoices are entered by a finance clerk, approved by the finance officer and, above the second-approval amount,
  by a second approver (two demo accounts this module adds: finance-clerk, finance-approver).
- The latest period (ending 15 November 2026) is not run yet: its invoices are approved but for a couple waiting for
  approval and one waiting for a second approver.
- NHS contributions: funded nursing care on most nursing placements, joint funding (half) on a few home care
  packages, each with an ICB reference.

Written in bulk (the build runs in audit.exempt_from_safety_net() and is one audited event, demo.build); the runs
are `payments.services.run.payment_run` itself, so the paid totals agree with the services' costs."""

from __future__ import annotations

import datetime as dt
import random
from collections import defaultdict
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Q
from django.utils import timezone

from openasc.core.models import Role, User
from openasc.finance.selectors.costed import costed_services
from openasc.payments import periods
from openasc.payments.models import (
    Basis,
    ContributionKind,
    EcmUpload,
    EcmVisit,
    Invoice,
    InvoiceKind,
    InvoiceLine,
    InvoiceStatus,
    InvoiceStatusChange,
    NhsContribution,
    Payment,
    PaymentRun,
)
from openasc.payments.selectors.expected import expected_for, team_ids_by_person
from openasc.payments.selectors.schedules import load_rules
from openasc.payments.services.nhs import fnc_weekly_pence
from openasc.payments.services.run import payment_run
from openasc.payments.workflows import second_approval_pence

HOURS = Decimal("0.01")
DIFFERENCES = (Decimal("-3"), Decimal("-2"), Decimal("-1.5"), Decimal("1"), Decimal("2"), Decimal("3.5"))


def _staff(system) -> tuple[User, User, User]:
    officer = User.objects.filter(role=Role.FINANCE_OFFICER, is_active=True).order_by("pk").first()
    made = []
    for username, first, last in (
        ("finance-clerk", "Priya", "Clerkson"),
        ("finance-approver", "Owen", "Second"),
    ):
        user, created = User.objects.get_or_create(
            username=username, defaults={"role": Role.FINANCE_OFFICER, "first_name": first, "last_name": last}
        )
        if created:
            user.set_unusable_password()
            user.save()
        made.append(user)
    if officer is None:
        officer = made[1]
    return made[0], officer, made[1]


def _aware(day: dt.date, hour: int = 10) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour)))


def build_payments(*, seed: int, system, today: dt.date) -> None:
    from openasc.services.models import Service

    if not Service.objects.filter(provider_location__isnull=False).exists():
        return  # nothing to pay yet: run after the demo's history has made the services
    rng = random.Random(seed * 31 + 15)
    clerk, officer, approver = _staff(system)
    rules = load_rules()
    invoiced = [s for s in rules.schedules if s.basis == Basis.INVOICE]
    if not rules.schedules:
        return
    anchor_schedule = rules.schedules[0]
    ends = [
        p.last
        for p in periods.between(
            anchor_schedule.frequency, anchor_schedule.anchor, today - dt.timedelta(days=364), today
        )
        if p.last < today and p.first >= today - dt.timedelta(days=364 + 28)
    ]
    ends = [d for d in ends if d >= today - dt.timedelta(days=364)]
    latest = ends[-1] if ends else None
    threshold = second_approval_pence()
    needs_teams = any(c.team_id is not None for c in rules.centres)
    for n, end in enumerate(ends):
        preloaded: dict = {}  # the period's services and teams, loaded once for the invoices and the run
        for schedule in rules.schedules:
            period = schedule.period_paid_by(end)
            if period is not None and period not in preloaded:
                preloaded[period] = (
                    costed_services(
                        first=period.first, last=period.last, extra=Q(provider_location__isnull=False)
                    ),
                    team_ids_by_person(period.last) if needs_teams else {},
                )
        for schedule in invoiced:
            period = schedule.period_paid_by(end)
            if period is None:
                continue
            services, teams = preloaded[period]
            by_id = {s.id: s for s in services}
            expected = expected_for(rules, schedule, period, services=services, teams=teams)
            _invoices(
                rng,
                expected,
                by_id,
                schedule,
                period,
                clerk,
                officer,
                approver,
                threshold,
                credit=(n % 4 == 3),
                ecm=(n >= len(ends) - 3),
                latest=(end == latest),
            )
        if end != latest:
            result = payment_run(user=officer, period_end=end, preloaded=preloaded)
            if result.run_id:
                paid_at = _aware(end + dt.timedelta(days=5), 14)
                PaymentRun.objects.filter(pk=result.run_id).update(started_at=paid_at, finished_at=paid_at)
                Payment.objects.filter(run_id=result.run_id).update(paid_at=paid_at)
    _contributions(rng, officer, today)


def _invoices(
    rng, expected, by_id, schedule, period, clerk, officer, approver, threshold, *, credit, ecm, latest
):
    entered = _aware(period.last + dt.timedelta(days=3))
    # one invoice a branch (provider location) a period, as agencies send them
    lines_by_branch: dict[tuple[int, int], list] = {}
    for provider_id, exp in sorted(expected.items()):
        merged: dict[int, list] = {}
        for ln in exp.lines:
            m = merged.setdefault(ln.service_id, [ln.person_id, ln.first, ln.last, Decimal(0), 0])
            m[1], m[2] = min(m[1], ln.first), max(m[2], ln.last)
            m[3] += ln.units
            m[4] += ln.pence
        for sid, vals in sorted(merged.items()):
            if vals[4] > 0:
                key = (provider_id, by_id[sid].provider_location_id or 0)
                lines_by_branch.setdefault(key, []).append((sid, *vals))
    invoices: list[Invoice] = []
    pending_lines: list[tuple[int, list]] = []
    visits: dict[int, list] = defaultdict(list)
    for (provider_id, branch), lines in sorted(lines_by_branch.items()):
        if not lines:
            continue
        rows = []
        for row, (sid, person_id, first, last, units, pence) in enumerate(lines, start=2):
            units = units.quantize(HOURS, rounding=ROUND_HALF_UP)
            svc = by_id[sid]
            unit_cost = svc.version_on(last).unit_cost_pence if svc.version_on(last) else None
            amount = pence
            if units and unit_cost and rng.random() < 0.05:
                delta = rng.choice(DIFFERENCES)
                if units + delta > 0:
                    planned_units = units
                    units += delta
                    amount = max(
                        1, pence + int((delta * unit_cost).quantize(Decimal(1), rounding=ROUND_HALF_UP))
                    )
                    if ecm:
                        delivered = planned_units + (delta if rng.random() < 0.4 else delta / 2)
                        visits[provider_id].append((person_id, sid, first, last, delivered))
            rows.append((row, person_id, sid, first, last, units or None, unit_cost, amount))
        number = f"{schedule.code[:4].upper()}-{period.last:%y%m%d}-{branch}"
        invoices.append(
            Invoice(
                provider_id=provider_id,
                schedule_id=schedule.id,
                period_start=period.first,
                period_end=period.last,
                number=number,
                kind=InvoiceKind.INVOICE,
                total_pence=sum(r[7] for r in rows),
                entered_by=clerk,
                entered_at=entered,
            )
        )
        pending_lines.append((provider_id, rows))
        if (credit or latest) and rng.random() < 0.6 and len(rows) > 1:
            row = rng.choice(rows)
            first = max(row[3], period.first + dt.timedelta(days=7))
            last = min(row[4], first + dt.timedelta(days=6))
            if first <= last:
                svc = by_id[row[2]]
                from openasc.finance import costing

                amount = costing.cost_between(svc, first, last)
                if amount > 0:
                    invoices.append(
                        Invoice(
                            provider_id=provider_id,
                            schedule_id=schedule.id,
                            period_start=period.first,
                            period_end=period.last,
                            number=f"CN-{period.last:%y%m%d}-{branch}",
                            kind=InvoiceKind.CREDIT_NOTE,
                            total_pence=amount,
                            entered_by=clerk,
                            entered_at=entered,
                        )
                    )
                    pending_lines.append(
                        (provider_id, [(2, row[1], row[2], first, last, None, None, amount)])
                    )
    Invoice.objects.bulk_create(invoices, batch_size=500)
    people_la = _la_ids({r[1] for _, rows in pending_lines for r in rows})
    InvoiceLine.objects.bulk_create(
        [
            InvoiceLine(
                invoice=inv,
                row=r[0],
                la_person_id=people_la.get(r[1], ""),
                person_id=r[1],
                service_id=r[2],
                from_on=r[3],
                to_on=r[4],
                units=r[5],
                unit_cost_pence=r[6],
                amount_pence=r[7],
            )
            for inv, (_, rows) in zip(invoices, pending_lines, strict=True)
            for r in rows
        ],
        batch_size=1000,
    )
    waiting: dict[int, str] = {}
    if latest:  # the newest period: a couple waiting for approval, one for its second approver
        big = [i for i in invoices if i.kind == InvoiceKind.INVOICE and i.total_pence > threshold]
        if big:
            waiting[big[0].pk] = InvoiceStatus.SECOND
        rest = [i for i in invoices if i.pk not in waiting]
        rng.shuffle(rest)
        waiting.update({i.pk: InvoiceStatus.SUBMITTED for i in rest[: max(1, min(2, len(rest) - 1))]})
    statuses, updates = [], []
    for inv in invoices:
        final = waiting.get(inv.pk, InvoiceStatus.APPROVED)
        steps = [InvoiceStatus.DRAFT, InvoiceStatus.SUBMITTED]
        if final != InvoiceStatus.SUBMITTED:
            second = inv.total_pence > threshold
            steps += [InvoiceStatus.SECOND] if second else []
            inv.first_approver = officer
            if final == InvoiceStatus.APPROVED:
                steps.append(InvoiceStatus.APPROVED)
                inv.second_approver = approver if second else None
        inv.status = final
        updates.append(inv)
        for k, st in enumerate(steps):
            by = clerk if k < 2 else (officer if k == 2 else approver)
            statuses.append(
                InvoiceStatusChange(
                    invoice=inv, status=st, changed_at=entered + dt.timedelta(hours=k), changed_by=by
                )
            )
    Invoice.objects.bulk_update(updates, ["status", "first_approver", "second_approver"], batch_size=500)
    InvoiceStatusChange.objects.bulk_create(statuses, batch_size=1000)
    for provider_id, found in visits.items():
        upload = EcmUpload.objects.create(
            provider_id=provider_id,
            filename=f"ecm-{period.last:%Y%m%d}.csv",
            uploaded_by=clerk,
            uploaded_at=entered,
        )
        rows = []
        for person_id, sid, first, last, delivered in found:
            days = (last - first).days + 1
            minutes = int((delivered * 60).quantize(Decimal(1), rounding=ROUND_HALF_UP))
            each, extra = divmod(minutes, days)
            for d in range(days):
                rows.append(
                    EcmVisit(
                        upload=upload,
                        provider_id=provider_id,
                        person_id=person_id,
                        service_id=sid,
                        visit_on=first + dt.timedelta(days=d),
                        minutes=each + (extra if d == days - 1 else 0),
                    )
                )
        EcmVisit.objects.bulk_create(rows, batch_size=1000)
        EcmUpload.objects.filter(pk=upload.pk).update(rows=len(rows))


def _la_ids(person_ids) -> dict[int, str]:
    from openasc.people.models import Person

    out = {}
    wanted = sorted(person_ids)
    for i in range(0, len(wanted), 900):
        out.update(Person.objects.filter(pk__in=wanted[i : i + 900]).values_list("pk", "la_person_id"))
    return out


def _contributions(rng, officer, today):
    services = costed_services(first=today, last=today, extra=Q(provider_location__isnull=False))
    now = timezone.now()
    made = []
    fnc = fnc_weekly_pence()
    for s in services:
        if s.service_type.lower().startswith("long term support: nursing") and rng.random() < 0.8:
            made.append(
                NhsContribution(
                    service_id=s.id,
                    person_id=s.person_id,
                    kind=ContributionKind.FNC,
                    weekly_pence=fnc,
                    from_on=max(s.start_on, dt.date(2026, 4, 1)),
                    icb_reference=f"FNC-{s.id:07d}",
                    created_by=officer,
                    created_at=now,
                )
            )
        elif s.service_component == "Home support or domiciliary care" and rng.random() < 0.01:
            made.append(
                NhsContribution(
                    service_id=s.id,
                    person_id=s.person_id,
                    kind=ContributionKind.JOINT,
                    percent=Decimal("50.00"),
                    from_on=max(s.start_on, dt.date(2026, 6, 1)),
                    icb_reference=f"JF-{s.id:07d}",
                    created_by=officer,
                    created_at=now,
                )
            )
    NhsContribution.objects.bulk_create(made, batch_size=1000)


def reset_payments() -> None:
    """Delete everything build_payments makes (for demo.build.reset_database, before people, services and users;
    in this order, for the protected foreign keys). The schedules are reference data and stay."""
    from openasc.payments.models import Adjustment, PaymentLine

    for model in (
        PaymentLine,
        InvoiceStatusChange,
        InvoiceLine,
        Invoice,
        Adjustment,
        Payment,
        PaymentRun,
        EcmVisit,
        EcmUpload,
        NhsContribution,
    ):
        model.objects.all().delete()
