"""`openasc payments run`: the payment run for every provider with a period ending on a day (docs/payments.md).

    openasc payments run --period-end YYYY-MM-DD [--dry-run] [--out FILE] [--as-user NAME]

Prints a line per payment (reference, provider, amount), then the total and the count. Run again for the same day it
pays nothing twice and says "Nothing more to pay for period ending ...". --dry-run writes nothing and prints what
would be paid. --out writes the ledger/BACS export CSV (its columns in docs/payments.md) of what this run paid (or, with
--dry-run, would pay). The run is made and audited as --as-user (a finance officer; by default the account named by
OPENASC_PAYMENTS_AS_USER, else "system"). Exit status 0 when the run finished (whether or not anything was left to pay),
1 on bad arguments or a refusal, 2 when the run stopped part way (what was paid stays paid: run it again)."""

from __future__ import annotations

import datetime as dt
import os
import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from openasc.core.errors import AccessDenied
from openasc.core.models import User
from openasc.core.money import pounds
from openasc.payments.services import run as payment_run


class Command(BaseCommand):
    help = "Provider payments: `payments run --period-end YYYY-MM-DD [--dry-run] [--out FILE]`."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        run = sub.add_parser("run", help="Pay every provider with a period ending on a day")
        run.add_argument(
            "--period-end", required=True, help="The last day of the periods to pay, as 2026-05-03"
        )
        run.add_argument("--dry-run", action="store_true", help="Write nothing: print what would be paid")
        run.add_argument("--out", help="Write the ledger/BACS export CSV here")
        run.add_argument(
            "--as-user",
            default=os.environ.get("OPENASC_PAYMENTS_AS_USER", "system"),
            help="The account the run is made and audited as (needs the finance officer's RUN_PAYMENTS)",
        )

    def handle(self, *args, action, period_end, dry_run, out, as_user, **options):
        try:
            day = dt.date.fromisoformat(period_end)
        except ValueError:
            raise CommandError(f"--period-end: {period_end!r} is not a date like 2026-05-03") from None
        user = User.objects.filter(username=as_user, is_active=True).first()
        if user is None:
            raise CommandError(f"--as-user: no active account called {as_user!r}")
        try:
            result = payment_run.payment_run(user=user, period_end=day, dry_run=dry_run)
        except AccessDenied:
            raise CommandError(
                f"{as_user!r} may not run payments (a finance officer's RUN_PAYMENTS)"
            ) from None
        except Exception as exc:  # the run stopped part way: what it paid stays paid
            self.stderr.write(
                f"The payment run stopped part way ({type(exc).__name__}: {exc}). What was paid stays paid; "
                "run it again to pay the rest."
            )
            sys.exit(2)
        for p in sorted(result.paid, key=lambda p: p.reference):
            self.stdout.write(
                f"{p.reference}\t{p.provider_name}\t{pounds(p.amount_pence)}\t{len(p.lines)} lines"
            )
        if out:
            Path(out).write_text(payment_run.bacs_csv(result.paid), encoding="utf-8")
            self.stderr.write(f"wrote the BACS export ({result.count} payments) to {out}")
        self.stdout.write(result.message)
        self.stdout.write(f"Total {pounds(result.total_pence)}; count {result.count}")
