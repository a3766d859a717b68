"""`openasc salt`: SALT-style tables from a CLD file (--cld) or, without it, from the case record in the database.

    openasc salt [--cld FILE ...] --period 2024-04-01:2025-03-31 [--format json|csv|xlsx] [--out FILE] [--detail DIR]

Exactly as `openasc measures`: without --cld the record is projected to CLD rows (projection.py) and the same
DuckDB engine reads them, so a council's file and the database give the same tables.  See docs/salt.md.
"""

from __future__ import annotations

from openasc.reporting.engine import cli as engine_cli
from openasc.reporting.engine.salt import LOOKBACK_DAYS
from openasc.reporting.management.engine_command import EngineCommand


class Command(EngineCommand):
    help = "Compute the SALT-style tables from a CLD file (--cld) or from the database."
    name = "salt"
    basis = "SALT tables"
    what = "CLD projection for SALT"
    lookback_days = LOOKBACK_DAYS  # new-client rules and LTS001c look back before the period

    def engine_main(self, argv: list[str]) -> int:
        return engine_cli.salt_main(argv)
