"""`openasc salt`: SALT-style tables from a CLD file (--cld) or, without it, from the case record in the database.

    openasc salt [--cld FILE ...] --period 2024-04-01:2025-03-31 [--format json|csv|xlsx] [--out FILE] [--detail DIR]

Exactly as `openasc measures`: without --cld the record is projected to CLD rows (projection.py) and the same
DuckDB engine reads them, so a council's file and the database give the same tables.  See docs/salt.md.
"""

from __future__ import annotations

import datetime as dt
import sys
import tempfile
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from openasc.core import audit
from openasc.core.models import AuditAction, User
from openasc.reporting import projection
from openasc.reporting.engine import cli as engine_cli
from openasc.reporting.engine.salt import LOOKBACK_DAYS
from openasc.reporting.management.commands.cld import parse_period
from openasc.reporting.management.commands.measures import _value_of


class Command(BaseCommand):
    help = "Compute the SALT-style tables from a CLD file (--cld) or from the database."

    def run_from_argv(self, argv):
        self._called_from_command_line = True
        sys.exit(self.execute_argv(argv[2:]))

    def add_arguments(self, parser):
        parser.add_argument("rest", nargs="*", help="see `openasc salt --cld x --help`")

    def handle(self, *args, rest=(), **options):
        code = self.execute_argv(list(rest))
        if code:
            raise CommandError(f"salt failed with exit code {code}")

    def execute_argv(self, argv: list[str]) -> int:
        if "--cld" in argv or "-h" in argv or "--help" in argv:
            return engine_cli.salt_main(argv)
        period = _value_of(argv, "--period")
        if period is None:
            sys.stderr.write("salt: error: --period START:END is required\n")
            return 2
        try:
            start, end = parse_period(period)
        except CommandError as exc:
            sys.stderr.write(f"salt: error: {exc}\n")
            return 2
        system = User.objects.filter(username="system", is_active=True).first()
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "cld_from_database.csv"
            n = projection.write_csv(projection.project(start - dt.timedelta(days=LOOKBACK_DAYS), end), path)
            if system is not None:
                audit.record(actor=system, action=AuditAction.EXPORT, basis="SALT tables",
                             details={"what": "CLD projection for SALT", "rows": n,
                                      "period": [start.isoformat(), end.isoformat()]})
            return engine_cli.salt_main(["--cld", str(path), *argv])
