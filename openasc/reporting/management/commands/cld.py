"""`openasc cld export`: the Client Level Data file for a reporting period, checked before it leaves."""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from openasc.core import audit
from openasc.core.cells import safe_dict, safe_row
from openasc.core.models import AuditAction, User
from openasc.reporting import projection, selectors, validation
from openasc.reporting.engine import cli as engine_cli


def parse_period(text: str) -> tuple[dt.date, dt.date]:
    """START:END, checked exactly as `openasc measures` checks it."""
    try:
        return engine_cli.parse_period(text or "")
    except engine_cli.UsageError as exc:
        raise CommandError(str(exc)) from None


class Command(BaseCommand):
    help = (
        "Client Level Data: `export` writes the CLD file for a period from the case record; `import` loads "
        "CLD files into it."
    )

    def run_from_argv(self, argv):
        # `import` has its own parser (importer.main), shared with nothing Django adds: hand it the rest as given.
        if len(argv) > 2 and argv[2] == "import":
            from openasc.reporting import importer

            raise SystemExit(importer.main(argv[3:]))
        super().run_from_argv(argv)

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        export = sub.add_parser("export", help="Write one row per request, assessment, service and review")
        export.add_argument("--period", required=True, help="START:END, e.g. 2024-04-01:2025-03-31")
        export.add_argument("--out", required=True, help="CSV file to write")
        export.add_argument(
            "--report", help="CSV file for the validation report (default: OUT with .problems.csv)"
        )
        export.add_argument("--as-user", default="system", help="The account the export is audited against")
        load = sub.add_parser(
            "import", help="Load CLD files (CSV, optionally gzipped); see `openasc cld import -h`"
        )
        load.add_argument("files", nargs="*", help="FILE... [--errors FILE] [--as-user NAME] [--check-only]")

    def handle(self, *args, action, **options):
        if action == "export":
            self.export(**options)
        elif action == "import":  # reached from call_command; the command line goes through run_from_argv
            from openasc.reporting import importer

            code = importer.main(list(options["files"]), self.stdout, self.stderr)
            if code:
                raise CommandError(f"CLD import failed (exit {code})", returncode=code)

    def export(self, *, period, out, report, as_user, **options):
        start, end = parse_period(period)
        user = User.objects.filter(username=as_user, is_active=True).first()
        if user is None:
            raise CommandError(
                f"No active account called {as_user!r}: create it with `openasc users add {as_user} "
                "--role system --as ADMIN` (a system account; see README, Going live) or pass --as-user"
            )
        out_path = Path(out)
        report_path = Path(report) if report else out_path.with_suffix(".problems.csv")
        person_ids = selectors.person_pks_by_la_id(user=user)
        rows = projection.project(start, end)
        n = problems_n = 0
        rows_with_problems = 0
        with out_path.open("w", newline="", encoding="utf-8") as f, report_path.open("w", newline="") as rf:
            writer = csv.DictWriter(f, fieldnames=projection.FIELDS)
            writer.writeheader()
            problems = csv.writer(rf)
            problems.writerow(
                ["Event Reference", "LA Person Unique Identifier", "Field", "Value", "Problem", "Fix it at"]
            )
            for row, found in validation.check_rows(rows, person_ids):
                writer.writerow(safe_dict(row))
                n += 1
                if found:
                    rows_with_problems += 1
                for p in found:
                    problems.writerow(
                        safe_row([p.event_reference, p.person, p.field, p.value, p.reason, p.fix_url])
                    )
                    problems_n += 1
        audit.record(
            actor=user,
            action=AuditAction.EXPORT,
            basis="CLD statutory return",
            details={
                "what": "CLD file",
                "period": [start.isoformat(), end.isoformat()],
                "rows": n,
                "file": out_path.name,
            },
        )
        self.stdout.write(f"Wrote {n:,} CLD rows for {start:%-d %B %Y} to {end:%-d %B %Y} to {out_path}.")
        if problems_n:
            self.stdout.write(
                self.style.WARNING(
                    f"{rows_with_problems:,} rows would fail validation ({problems_n:,} problems): see {report_path}"
                )
            )
        else:
            self.stdout.write(self.style.SUCCESS(f"No validation problems ({report_path} lists none)."))
