"""`openasc measures`: ASCOF from a CLD file (--cld) or, without it, from the case record in the database.

The command-line contract is stable and documented in the README:
    openasc measures [--cld FILE ...] --period 2024-04-01:2025-03-31 --population 18-64=N --population 65+=N
                     [--format json|csv|xlsx] [--out FILE] [--detail DIR]
Without --cld and without --population, the council's population figures (/returns/population) are used.
Both routes compute in DuckDB from the same CLD-shaped table, so the same data gives the same figures.
"""

from __future__ import annotations

import datetime as dt

from openasc.reporting.engine import cli as engine_cli
from openasc.reporting.management.engine_command import EngineCommand


class Command(EngineCommand):
    help = "Compute the ASCOF measures from a CLD file (--cld) or from the database."
    name = "measures"
    basis = "ASCOF measures"
    what = "CLD projection for measures"

    def engine_main(self, argv: list[str]) -> int:
        return engine_cli.main(argv)

    def database_args(self, start: dt.date, argv: list[str]) -> list[str]:
        if "--population" not in argv and not any(a.startswith("--population=") for a in argv):
            # The database route knows the council's population reference (/returns/population).
            from openasc.reporting import population

            for band, n in sorted(population.for_period(start).items()):
                argv = [*argv, "--population", f"{band}={n}"]
        return argv
