"""`openasc budget`: budget monitoring for a financial year, worked out live from the services recorded.

    openasc budget --year 2026-27 [--format json|csv|xlsx] [--as-at YYYY-MM-DD] [--out FILE] [--as-user NAME]

Per cost centre: the budget, spent to date, committed to the year end, forecast outturn (spent + committed),
variance (forecast - budget), people and average unit cost against the budgeted figures; then 'not in a cost centre',
each care category (the committee table) and the totals. JSON (the default) has the stable shape documented in
docs/finance.md; amounts are integer pence. It names nobody, so one export event records the run (against the account
it runs as, which needs to see every budget). A year that does not exist is an error with exit status 2."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from openasc.core import access, audit
from openasc.core.access import Capability
from openasc.core.cells import append_row, safe_row
from openasc.core.models import AuditAction, Role, User
from openasc.finance import presenters
from openasc.finance.selectors import budgets as sel


class Command(BaseCommand):
    help = "Budget monitoring for a financial year: forecast outturn against budget per cost centre, as JSON."

    def add_arguments(self, parser):
        parser.add_argument("--year", required=True, help="The financial year, as 2026-27")
        parser.add_argument("--format", choices=["json", "csv", "xlsx"], default="json")
        parser.add_argument(
            "--as-at", dest="as_at", help="The date to split spent from committed (default today)"
        )
        parser.add_argument("--out", help="Write to this file rather than standard output (needed for xlsx)")
        parser.add_argument(
            "--as-user", default="system", help="The account the report is run and audited as"
        )

    def handle(self, *args, year, format, as_at, out, as_user, **options):
        fy = sel.year_get(year or "")
        if fy is None:
            known = ", ".join(y.label for y in sel.years())
            raise CommandError(f"--year: there is no financial year {year!r} (known: {known})", returncode=2)
        try:
            day = dt.date.fromisoformat(as_at) if as_at else timezone.localdate()
        except ValueError:
            raise CommandError(f"--as-at: {as_at!r} is not a date like 2026-09-30", returncode=2) from None
        if format == "xlsx" and not out:
            raise CommandError("--format xlsx writes a file: give it with --out FILE", returncode=2)
        user = User.objects.filter(username=as_user, is_active=True).first()
        if user is None:
            raise CommandError(f"--as-user: no active account called {as_user!r}")
        # the system account runs the council's scheduled reports (as `openasc sac` does); people need the capability
        if user.role != Role.SYSTEM and not access.has(user, Capability.SEE_ALL_BUDGETS):
            access.refuse(
                user, person_id=None, purpose="openasc budget", explanation="needs to see every budget"
            )
            raise CommandError(f"{as_user!r} may not see every cost centre's budget")
        figures = sel.figures_for(user, fy, day, refresh=True, visible=None)
        report = presenters.report_json(figures, generated_at=timezone.now())
        audit.record(
            actor=user,
            action=AuditAction.EXPORT,
            basis=sel.BASIS,
            details={"what": "openasc budget", "year": fy.label, "as_at": report["as_at"], "format": format},
        )
        if format == "json":
            payload: str | bytes = json.dumps(report, indent=2, ensure_ascii=False) + "\n"
        elif format == "csv":
            buffer = io.StringIO()
            writer = csv.writer(buffer)
            writer.writerow(safe_row(presenters.REPORT_COLUMNS))
            writer.writerows(safe_row(r) for r in presenters.report_rows(report))
            payload = buffer.getvalue()
        else:
            from openpyxl import Workbook

            book = Workbook()
            sheet = book.active
            sheet.title = f"Budget {fy.label}"
            append_row(sheet, presenters.REPORT_COLUMNS)
            for r in presenters.report_rows(report):
                append_row(sheet, r)
            buffer = io.BytesIO()
            book.save(buffer)
            payload = buffer.getvalue()
        if out:
            Path(out).write_bytes(payload if isinstance(payload, bytes) else payload.encode("utf-8"))
        else:
            self.stdout.write(payload, ending="")
