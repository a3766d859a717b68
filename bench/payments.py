"""Bench for provider payments (issue 15 item 3): the payment run for one four-weekly period for every provider, as a
dry run and for real (target under 60 s each), inside a transaction rolled back afterwards so the shared bench
database is not changed.

Home care is paid against approved invoices: before timing, inside the same rolled-back transaction, each home care
branch is given its invoice for the period, exactly as planned and approved (the demo's own invoice builder), so the
run has what a council's would. Functions take the bench database already migrated and built (DATABASE_URL set,
django.setup() done).

    .venv/bin/python bench/payments.py            # on bench/out/bench.sqlite3, or BENCH_DB_URL (a copy is kinder:
                                                  # the rolled-back run holds SQLite's write lock while it runs)
"""

from __future__ import annotations

import datetime as dt
import time
from pathlib import Path

from benchlib import time_page

RUN_TARGET_S = 60.0
PAGE_TARGET_MS = 300.0  # not an issue target: the budget page's, for comparison
PERIOD_END = dt.date(2026, 11, 15)  # the last four-weekly period ending before the demo's today
REPO = Path(__file__).resolve().parent.parent


class _RollBack(Exception):
    pass


def ensure_payments(seed: int, say) -> bool:
    """The demo's year of invoices and payment runs, for a bench database built without them (once; it writes)."""
    from openasc.core import audit
    from openasc.core.models import User
    from openasc.demo.build import TODAY
    from openasc.demo.payments import build_payments
    from openasc.payments.models import Payment, PaymentRun

    if Payment.objects.exists():
        return False
    say("adding the demo's payments (a year of invoices and payment runs) ...")
    started = time.perf_counter()
    system = User.objects.filter(role="system", is_active=True).order_by("pk").first()
    with audit.exempt_from_safety_net():
        PaymentRun.objects.filter(payments=0).delete()  # empty runs of a build made before the services
        build_payments(seed=seed, system=system, today=TODAY)
    say(f"payments added in {time.perf_counter() - started:.1f} s")
    return True


def _invoices_for(period_end: dt.date, say) -> int:
    """Approved invoices, as planned, for every home care branch for the period (inside the caller's transaction)."""
    import random

    from django.db.models import Q

    from openasc.demo import payments as demo
    from openasc.finance.selectors.costed import costed_services
    from openasc.payments.models import Basis, Invoice
    from openasc.payments.selectors.expected import expected_for
    from openasc.payments.selectors.schedules import load_rules
    from openasc.payments.workflows import second_approval_pence

    rules = load_rules()
    clerk, officer, approver = demo._staff(None)
    made = 0
    for schedule in rules.schedules:
        if schedule.basis != Basis.INVOICE:
            continue
        period = schedule.period_paid_by(period_end)
        if period is None:
            continue
        existing = Invoice.objects.filter(schedule_id=schedule.id, period_start=period.first)
        if existing.exists():  # the demo's, some still waiting for approval: all approved for the bench
            existing.exclude(status__in=["rejected", "paid"]).update(status="approved")
            made += existing.filter(status="approved").count()
            continue
        services = costed_services(
            first=period.first, last=period.last, extra=Q(provider_location__isnull=False)
        )
        expected = expected_for(rules, schedule, period, services=services)
        before = Invoice.objects.count()
        demo._invoices(
            random.Random(1),
            expected,
            {s.id: s for s in services},
            schedule,
            period,
            clerk,
            officer,
            approver,
            second_approval_pence(),
            credit=False,
            ecm=False,
            latest=False,
        )
        made += Invoice.objects.count() - before
    say(f"{made:,} approved invoices for the period ending {period_end:%-d %B %Y} (set up, not timed)")
    return made


def time_run(say, period_end: dt.date = PERIOD_END) -> dict:
    from django.db import transaction

    from openasc.core import audit
    from openasc.core.models import User
    from openasc.payments.models import Payment, PaymentLine
    from openasc.payments.services.run import bacs_csv, payment_run

    officer = User.objects.filter(role="finance_officer", is_active=True).order_by("pk").first()
    out: dict = {"period_end": period_end.isoformat(), "target_s": RUN_TARGET_S}
    try:
        with transaction.atomic(), audit.exempt_from_safety_net():
            out["invoices"] = _invoices_for(period_end, say)
            t = time.perf_counter()
            dry = payment_run(user=officer, period_end=period_end, dry_run=True)
            out["dry_run_s"] = round(time.perf_counter() - t, 2)
            say(f"payment run, dry: {out['dry_run_s']} s ({dry.message})")
            t = time.perf_counter()
            real = payment_run(user=officer, period_end=period_end)
            csv_text = bacs_csv(real.paid)
            out["run_s"] = round(time.perf_counter() - t, 2)
            out["payments"] = real.count
            out["total_pence"] = real.total_pence
            out["payment_lines"] = PaymentLine.objects.filter(payment__run_id=real.run_id).count()
            out["bacs_rows"] = len(csv_text.splitlines()) - 1
            say(f"payment run, real: {out['run_s']} s ({real.message}; {out['payment_lines']:,} lines)")
            t = time.perf_counter()
            again = payment_run(user=officer, period_end=period_end)
            out["rerun_s"] = round(time.perf_counter() - t, 2)
            out["rerun_paid"] = again.count
            say(f"payment run again: {out['rerun_s']} s ({again.message})")
            assert again.count == 0 and Payment.objects.filter(run_id=again.run_id).count() == 0
            raise _RollBack
    except _RollBack:
        pass
    out["pass"] = max(out.get("dry_run_s", 1e9), out.get("run_s", 1e9)) < RUN_TARGET_S
    say(
        f"payment run for one four-weekly period, every provider: dry {out.get('dry_run_s')} s, real "
        f"{out.get('run_s')} s -> {'PASS' if out['pass'] else 'FAIL'} (target < {RUN_TARGET_S:.0f} s; rolled back)"
    )
    return out


def _page(say, url: str, label: str, username: str, n: int) -> dict:
    return time_page(say, url, label, username, n, PAGE_TARGET_MS, warm=0)[0]


def time_pages(say, n: int = 20) -> dict:
    """The finance officer's pages: the largest invoice's matching (page 2), the council's expected payments for the
    period (cached after the first), the payment runs."""
    from django.db.models import Count

    from openasc.payments.models import Invoice

    out = {}
    invoice = Invoice.objects.annotate(n=Count("lines")).order_by("-n").first()
    if invoice is not None:
        out["invoice_page"] = _page(
            say,
            f"/payments/invoices/{invoice.pk}/?page=2",
            f"invoice matching ({invoice.n:,} lines)",
            "finance",
            n,
        )
    out["expected_page"] = _page(
        say, f"/payments/expected/?period_end={PERIOD_END.isoformat()}", "expected payments", "finance", n
    )
    out["runs_page"] = _page(say, "/payments/runs/", "payment runs", "finance", n)
    return out


def run(say=print, seed: int = 2026) -> dict:
    from openasc.people.models import Person

    ensure_payments(seed, say)
    out = {"people": Person.objects.count()}
    out["payment_run"] = time_run(say)
    out.update(time_pages(say))
    return out


if __name__ == "__main__":
    from benchlib import standalone

    standalone(REPO)
    figures = run()
    import json

    print(json.dumps(figures, indent=2, default=str))
