"""`openasc measures`: ASCOF from a CLD file (--cld) or, without it, from the case record in the database.

The command-line contract is stable and documented in the README:
    openasc measures [--cld FILE ...] --period 2024-04-01:2025-03-31 --population 18-64=N --population 65+=N
                     [--format json|csv|xlsx] [--out FILE] [--detail DIR]
Without --cld and without --population, the council's population figures (/returns/population) are used.
Both routes compute in DuckDB from the same CLD-shaped table, so the same data gives the same figures.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from openasc.core import audit
from openasc.core.models import AuditAction, User
from openasc.reporting import projection
from openasc.reporting.engine import cli as engine_cli
from openasc.reporting.management.commands.cld import parse_period


class Command(BaseCommand):
    help = "Compute the ASCOF measures from a CLD file (--cld) or from the database."

    def run_from_argv(self, argv):
        # Hand the arguments to the engine's own parser so that both routes share one contract.
        self._called_from_command_line = True
        code = self.execute_argv(argv[2:])
        sys.exit(code)

    def add_arguments(self, parser):
        parser.add_argument("rest", nargs="*", help="see `openasc measures --cld x --help`")

    def handle(self, *args, rest=(), **options):
        code = self.execute_argv(list(rest))
        if code:
            raise CommandError(f"measures failed with exit code {code}")

    def execute_argv(self, argv: list[str]) -> int:
        if "--cld" in argv or "-h" in argv or "--help" in argv:
            return engine_cli.main(argv)
        period = _value_of(argv, "--period")
        if period is None:
            sys.stderr.write("measures: error: --period START:END is required\n")
            return 2
        try:
            start, end = parse_period(period)
        except CommandError as exc:
            sys.stderr.write(f"measures: error: {exc}\n")
            return 2
        if "--population" not in argv and not any(a.startswith("--population=") for a in argv):
            # The database route knows the council's population reference (/returns/population).
            from openasc.reporting import population

            for band, n in sorted(population.for_period(start).items()):
                argv = [*argv, "--population", f"{band}={n}"]
        system = User.objects.filter(username="system", is_active=True).first()
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "cld_from_database.csv"
            n = projection.write_csv(projection.project(start, end), path)
            if system is not None:
                audit.record(actor=system, action=AuditAction.EXPORT, basis="ASCOF measures",
                             details={"what": "CLD projection for measures", "rows": n,
                                      "period": [start.isoformat(), end.isoformat()]})
            return engine_cli.main(["--cld", str(path), *argv])


def _value_of(argv: list[str], flag: str) -> str | None:
    for i, arg in enumerate(argv):
        if arg == flag and i + 1 < len(argv):
            return argv[i + 1]
        if arg.startswith(flag + "="):
            return arg.split("=", 1)[1]
    return None
