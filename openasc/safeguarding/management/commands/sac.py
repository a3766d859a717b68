"""`openasc sac`: the Safeguarding Adults Collection for a reporting year, counted live from the record.

    openasc sac --year 2025-26 [--format json|csv|xlsx] [--out FILE] [--detail DIR] [--as-user NAME]

JSON (the default) has a stable shape, documented in the README: tables -> table id -> rows -> row -> column ->
count, with the derived figures, the reference choices and the records the rules could not place. --detail writes
one CSV per table of the adults behind every count (LA person ids, never names), audited per adult against the
account the command runs as (--as-user, by default the system account)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from openasc.core import access
from openasc.core.models import User
from openasc.safeguarding import sac


class Command(BaseCommand):
    help = "The Safeguarding Adults Collection for a reporting year, from the record."

    def add_arguments(self, parser):
        parser.add_argument("--year", required=True, help="The reporting year, as 2025-26")
        parser.add_argument("--format", choices=["json", "csv", "xlsx"], default="json")
        parser.add_argument("--out", help="Write to this file rather than standard output (needed for xlsx)")
        parser.add_argument("--detail", help="Write the adults behind every count, one CSV per table, here")
        parser.add_argument(
            "--as-user", default="system", help="The account the return is computed and audited as"
        )

    def handle(self, *args, year, format, out, detail, as_user, **options):
        try:
            start_year = sac.parse_year(year)
        except sac.YearError as exc:
            raise CommandError(f"--year: {exc}") from None
        if format == "xlsx" and not out:
            raise CommandError("--format xlsx writes a file: give it with --out FILE")
        user = User.objects.filter(username=as_user, is_active=True).first()
        if user is None:
            raise CommandError(f"--as-user: no active account called {as_user!r}")
        if not sac.can_see(user):
            access.refuse(
                user,
                person_id=None,
                purpose="openasc sac",
                explanation="the SAC is for safeguarding leads, team managers, analysts and IG",
            )
            raise CommandError(f"{as_user!r} may not see the Safeguarding Adults Collection")
        results = sac.results_for(user, start_year, refresh=True, fmt=format, full=bool(detail))
        if format == "json":
            payload = json.dumps(results.as_json(), indent=2, ensure_ascii=False) + "\n"
        elif format == "csv":
            payload = sac.csv_text(results)
        else:
            payload = sac.xlsx_bytes(results)
        if out:
            path = Path(out)
            path.write_bytes(payload if isinstance(payload, bytes) else payload.encode("utf-8"))
        else:
            sys.stdout.write(payload)
        if detail:
            files, ids = sac.write_detail(results, Path(detail))
            n = sac.audit_detail(user, ids, files=files, year=results.year)
            self.stderr.write(f"wrote {len(files)} detail files for {n} adults to {detail}")
