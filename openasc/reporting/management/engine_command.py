"""The shape `openasc measures` and `openasc salt` share: a CLD file (--cld) goes straight to the DuckDB engine's own
command line; without --cld the case record is projected to CLD rows in a temporary file (audited as an export)
and the engine reads that, so a council's file and the database give the same figures through the same code."""

from __future__ import annotations

import csv
import datetime as dt
import sys
import tempfile
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from openasc.core import access, audit
from openasc.core.models import AuditAction, Role, User
from openasc.reporting import projection, returns
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
        as_user, argv = take_value(argv, "--as-user")
        user = User.objects.filter(username=as_user or "system", is_active=True).first()
        if user is None:
            sys.stderr.write(
                f"{self.name}: error: no active account called {as_user or 'system'!r} to run as "
                "(--as-user); create it with `openasc users add system --role system`\n"
            )
            return 2
        detail = value_of(argv, "--detail")
        with_nhs = "--with-nhs-numbers" in argv
        refusal = self.detail_refusal(user, detail=detail, with_nhs=with_nhs)
        if refusal:
            access.refuse(user, person_id=None, purpose=f"openasc {self.name} --detail", explanation=refusal)
            sys.stderr.write(f"{self.name}: error: {refusal}\n")
            return 2
        argv = self.database_args(start, argv)
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "cld_from_database.csv"
            n = projection.write_csv(
                projection.project(start - dt.timedelta(days=self.lookback_days), end), path
            )
            audit.record(
                actor=user,
                action=AuditAction.EXPORT,
                basis=self.basis,
                details={"what": self.what, "rows": n, "period": [start.isoformat(), end.isoformat()]},
            )
            before = snapshot(Path(detail)) if detail else {}
            code = self.engine_main(["--cld", str(path), *argv])
        if code == 0 and detail:
            files, ids = detail_people(Path(detail), before=before)
            returns.audit_detail_files(
                user=user,
                la_person_ids=ids,
                command=self.name,
                files=files,
                with_nhs=with_nhs,
                period=(start, end),
            )
        return code

    def detail_refusal(self, user: User, *, detail: str | None, with_nhs: bool) -> str:
        """Why `user` may not have the people behind the figures written to files, or "" if they may: --detail
        needs the returns capability (or the system account), --with-nhs-numbers a role the council names in
        OPENASC_RETURNS_NHS_NUMBER_ROLES, as on the pages."""
        if not detail:
            return ""
        if user.role != Role.SYSTEM and not access.has(user, access.Capability.SEE_RETURNS):
            return f"{user.username!r} may not see the people behind the returns, so --detail is refused"
        if with_nhs and not access.returns_show_nhs_numbers(user):
            return (
                f"{user.username!r} may not see NHS numbers in returns (the roles named in "
                "OPENASC_RETURNS_NHS_NUMBER_ROLES may), so --with-nhs-numbers is refused"
            )
        return ""


def take_value(argv: list[str], flag: str) -> tuple[str | None, list[str]]:
    """The value of `flag` and the arguments without it (the flag is this command's, not the engine's)."""
    rest, value, skip = [], None, False
    for i, arg in enumerate(argv):
        if skip:
            skip = False
        elif arg == flag and i + 1 < len(argv):
            value, skip = argv[i + 1], True
        elif arg.startswith(flag + "="):
            value = arg.split("=", 1)[1]
        else:
            rest.append(arg)
    return value, rest


def snapshot(directory: Path) -> dict[str, tuple[int, int]]:
    """Each detail file already in `directory`, with its size and modification time in nanoseconds."""
    if not directory.is_dir():
        return {}
    return {f.name: (f.stat().st_size, f.stat().st_mtime_ns) for f in directory.glob("*.csv")}


def detail_people(directory: Path, *, before: dict[str, tuple[int, int]]) -> tuple[list[str], set[str]]:
    """The detail files this run wrote (new, or changed since the `snapshot` taken before it) and the LA person ids
    in them. A file the run left as it was is not this run's disclosure; one it rewrote is, even within the same
    second (a clock's resolution no longer decides)."""
    files, ids = [], set()
    for f in sorted(directory.glob("*.csv")):
        stat = f.stat()
        if before.get(f.name) == (stat.st_size, stat.st_mtime_ns):
            continue
        files.append(f.name)
        with f.open(newline="", encoding="utf-8") as fh:
            ids |= {row["la_person_id"] for row in csv.DictReader(fh) if row.get("la_person_id")}
    return files, ids


def value_of(argv: list[str], flag: str) -> str | None:
    """The value of `flag` as the engine's own parser reads it: the last one given wins."""
    return take_value(argv, flag)[0]
