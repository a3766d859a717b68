"""The shape `openasc measures` and `openasc salt` share: a CLD file (--cld) goes straight to the DuckDB engine's own
command line; without --cld the case record is projected to CLD rows in a temporary file (audited as an export)
and the engine reads that, so a council's file and the database give the same figures through the same code."""

from __future__ import annotations

import datetime as dt
import sys
import tempfile
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from openasc.core import audit
from openasc.core.models import AuditAction, User
from openasc.reporting import projection
from openasc.reporting.management.commands.cld import parse_period


class EngineCommand(BaseCommand):
    name = ""  # the command's name, in its error messages
    basis = ""  # recorded on the audit event of the projection
    what = ""
    lookback_days = 0  # how far before the period the projection starts (rules that look back need it)

    def engine_main(self, argv: list[str]) -> int:
        raise NotImplementedError

    def database_args(self, start: dt.date, argv: list[str]) -> list[str]:
        """Arguments the database route adds to what the user gave (for example, reference data it knows)."""
        return argv

    def run_from_argv(self, argv):
        # Hand the arguments to the engine's own parser so that both routes share one contract.
        self._called_from_command_line = True
        sys.exit(self.execute_argv(argv[2:]))

    def add_arguments(self, parser):
        parser.add_argument("rest", nargs="*", help=f"see `openasc {self.name} --cld x --help`")

    def handle(self, *args, rest=(), **options):
        code = self.execute_argv(list(rest))
        if code:
            raise CommandError(f"{self.name} failed with exit code {code}")

    def execute_argv(self, argv: list[str]) -> int:
        if "--cld" in argv or "-h" in argv or "--help" in argv:
            return self.engine_main(argv)
        period = value_of(argv, "--period")
        if period is None:
            sys.stderr.write(f"{self.name}: error: --period START:END is required\n")
            return 2
        try:
            start, end = parse_period(period)
        except CommandError as exc:
            sys.stderr.write(f"{self.name}: error: {exc}\n")
            return 2
        argv = self.database_args(start, argv)
        system = User.objects.filter(username="system", is_active=True).first()
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "cld_from_database.csv"
            n = projection.write_csv(projection.project(start - dt.timedelta(days=self.lookback_days), end), path)
            if system is not None:
                audit.record(actor=system, action=AuditAction.EXPORT, basis=self.basis,
                             details={"what": self.what, "rows": n, "period": [start.isoformat(), end.isoformat()]})
            return self.engine_main(["--cld", str(path), *argv])


def value_of(argv: list[str], flag: str) -> str | None:
    for i, arg in enumerate(argv):
        if arg == flag and i + 1 < len(argv):
            return argv[i + 1]
        if arg.startswith(flag + "="):
            return arg.split("=", 1)[1]
    return None

