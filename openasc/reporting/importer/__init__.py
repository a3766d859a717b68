"""CLD import: a council's Client Level Data files become people and their history in OpenASC.

``main(argv, stdout, stderr)`` is the command line (``openasc cld import FILE... [--errors FILE] [--as-user NAME]
[--check-only] [--no-progress]``); ``run_import(...)`` does the work for the command line and the browser page.

Every row of every file is checked first (``check.py``); a file with any error loads nothing, and the errors
(file, row, field, value, reason) are written to a CSV. Then ``load.py`` writes everything in one transaction.
"""

from __future__ import annotations

import argparse
import csv
import gzip
import io
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO

from django.utils import timezone

from openasc.core.models import User
from openasc.reporting.models import ImportRun, ImportStatus

from . import lock, setload
from .check import Issue, Plan, check_files, file_hash
from .load import Conflict, load

ERROR_HEADER = ["File", "Row", "Field", "Value", "Reason"]

try:  # the project's one rule for cells of CSV and spreadsheet downloads (openasc/core/cells.py), once it exists
    from openasc.core.cells import safe_cell
except (
    ImportError
):  # until then, the same rule here: a value a spreadsheet would run as a formula is given as text

    def safe_cell(value):
        """A file's value as a cell of the error report: text starting with =, +, -, @, a tab or a carriage return
        gets a leading apostrophe, so a spreadsheet shows it rather than running it."""
        if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
            return "'" + value
        return value


ImportBusy = lock.ImportBusy

__all__ = ["ImportBusy", "ImportResult", "Progress", "main", "run_import"]


@dataclass
class ImportResult:
    run: ImportRun
    plan: Plan
    counts: dict[str, int] = field(default_factory=dict)
    unlinked: list[tuple[str, str]] = field(default_factory=list)
    seconds_checking: float = 0.0
    seconds_loading: float = 0.0
    error_csv: bytes = b""  # the full error report (CSV, not compressed)

    @property
    def ok(self) -> bool:
        return self.plan.ok

    @property
    def rows_per_second(self) -> float:
        total = self.seconds_checking + self.seconds_loading
        return self.plan.rows / total if total else 0.0


class _Progress:
    """Callbacks for the two progress bars (no-ops when there is no terminal)."""

    def checking(self, rows: int, nbytes: int) -> None: ...
    def loading_total(self, n: int) -> None: ...
    def loading(self, n: int) -> None: ...


Progress = _Progress  # subclass it to follow an import (the browser's job does: openasc/reporting/jobs.py)


class _CallbackProgress(_Progress):
    """A plain callable as the progress: ``progress(stage, done, total)``, with stage "checking" (done: rows
    checked, total: 0, not known until the end) or "loading" (done: events loaded, total: events to load)."""

    def __init__(self, callback: Callable[[str, int, int], None]):
        self.callback, self.total, self.done = callback, 0, 0

    def checking(self, rows: int, nbytes: int) -> None:
        self.callback("checking", rows, 0)

    def loading_total(self, n: int) -> None:
        self.total = n
        self.callback("loading", 0, n)

    def loading(self, n: int) -> None:
        self.done += n
        self.callback("loading", self.done, self.total)


class _LoadHeartbeat:
    """The run's heartbeat during the load. The load is one transaction, and a heartbeat written inside it shows no
    other import until it commits; so on PostgreSQL it is written through a second connection of its own (at most
    every lock.BEAT_EVERY, waiting at most two seconds for a lock, never breaking the load). On SQLite the load holds
    the database's only write lock, so no other import can start meanwhile and none needs to see it."""

    def __init__(self, run: ImportRun):
        self.run, self.side, self.last = run, None, timezone.now()

    def __call__(self) -> None:
        from django.db import DatabaseError, connections

        main = connections[ImportRun.objects.db]
        now = timezone.now()
        if main.vendor != "postgresql" or now - self.last < lock.BEAT_EVERY:
            return
        self.last = now
        try:
            if self.side is None:
                self.side = type(main)(dict(main.settings_dict), alias=main.alias)
                with self.side.cursor() as cursor:
                    cursor.execute("SET lock_timeout = '2s'")
            with self.side.cursor() as cursor:
                cursor.execute(
                    f"UPDATE {ImportRun._meta.db_table} SET heartbeat_at = %s WHERE id = %s",
                    [now, self.run.pk],
                )
        except DatabaseError:
            pass  # a missed heartbeat: the next one may get through

    def close(self) -> None:
        if self.side is not None:
            self.side.close()
            self.side = None


def run_import(
    paths: list[Path],
    *,
    user: User,
    source: str = "cli",
    names: list[str] | None = None,
    check_only: bool = False,
    progress: _Progress | Callable[[str, int, int], None] | None = None,
    on_error: Callable[[Issue], None] | None = None,
) -> ImportResult:
    """Check every row; when there is no error (and not check_only) load it all in one transaction. ``progress``
    follows it: a Progress, or a callable ``progress(stage, done, total)`` (see _CallbackProgress)."""
    if progress is None:
        progress = _Progress()
    elif not isinstance(progress, _Progress):
        progress = _CallbackProgress(progress)
    names = names or [p.name for p in paths]
    hashes = [file_hash(p) for p in paths]
    # one import at a time: ImportBusy when another is running (lock.py)
    run = lock.start_run(
        file_names=names, file_hashes=hashes, started_at=timezone.now(), source=source, by=user
    )
    try:
        return _run(run, paths, user, names, check_only, progress, on_error)
    except BaseException as exc:
        lock.fail(run, exc)
        raise


def _run(
    run: ImportRun,
    paths: list[Path],
    user: User,
    names: list[str],
    check_only: bool,
    progress: _Progress,
    on_error: Callable[[Issue], None] | None,
) -> ImportResult:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(ERROR_HEADER)

    def error(issue: Issue) -> None:
        writer.writerow(
            [safe_cell(x) for x in (issue.file, issue.row, issue.field, issue.value, issue.reason)]
        )
        if on_error:
            on_error(issue)

    def checking(rows: int, nbytes: int) -> None:
        lock.beat(run)
        progress.checking(rows, nbytes)

    t0 = time.perf_counter()
    # a first import (nobody in the record yet) keeps clean files' rows in DuckDB and loads them as sets (setload)
    plan = check_files(
        paths, on_error=error, on_progress=checking, names=names, stage=not check_only and setload.available()
    )
    lock.beat(run, force=True)  # (the load is one transaction: its heartbeat is this one)
    try:
        result = _load(plan, run, user, progress, error, names, check_only, t0)
    finally:
        if plan.staged is not None:
            plan.staged.close()
            plan.staged = None
    result.error_csv = buffer.getvalue().encode("utf-8") if plan.error_count else b""
    run.finished_at = timezone.now()
    run.rows = plan.rows
    run.error_count = plan.error_count
    run.warning_count = plan.warning_count
    run.counts = result.counts
    run.warnings = [
        [w.field, w.value, w.reason, w.count, w.first_row]
        for w in sorted(plan.warnings.values(), key=lambda w: -w.count)[:500]
    ]
    run.status = (
        ImportStatus.REJECTED
        if not plan.ok
        else ImportStatus.VALIDATED
        if check_only
        else ImportStatus.LOADED
    )
    run.error_report = gzip.compress(result.error_csv) if result.error_csv else None
    run.save()
    return result


def _load(
    plan: Plan,
    run: ImportRun,
    user: User,
    progress: _Progress,
    error: Callable[[Issue], None],
    names: list[str],
    check_only: bool,
    t0: float,
) -> ImportResult:
    result = ImportResult(run=run, plan=plan, seconds_checking=time.perf_counter() - t0)
    if plan.ok and not check_only:
        progress.loading_total(plan.staged.events if plan.staged is not None else len(plan.events))
        t1 = time.perf_counter()
        as_sets = plan.staged is not None  # a first import, which sets its requests' waiting itself (setload)
        heartbeat = _LoadHeartbeat(run)

        def loading(n: int) -> None:
            heartbeat()
            progress.loading(n)

        try:
            result.counts, result.unlinked = load(plan, user=user, run=run, progress=loading)
            if not as_sets and any(
                k.split()[0] in ("requests", "assessments", "services") for k in result.counts
            ):
                # Requests passed to a team whose work has begun (an assessment or a service after them) stop
                # waiting, as they would have in the product; the rest wait on the lists. Part of loading them: the
                # import's own audit events (one per record created or updated) cover it: one summary, none per row.
                from openasc.core import audit
                from openasc.core.models import AuditAction
                from openasc.frontdoor.services import requests_close_waiting

                with audit.bulk(
                    actor=user,
                    action=AuditAction.UPDATE,
                    reason="CLD import: waiting ended",
                    details={"import_run": run.pk},
                ):  # one summary event
                    requests_close_waiting()
        except Exception as exc:
            if not isinstance(exc, Conflict):
                lock.fail(run, exc)
                raise

            for issue in exc.issues:  # the files disagree with the record: nothing was written
                issue.file = ", ".join(names)
                plan.error_count += 1
                if len(plan.errors) < 200:
                    plan.errors.append(issue)
                error(issue)
        finally:
            heartbeat.close()
        result.seconds_loading = time.perf_counter() - t1
    if result.unlinked:
        plan.warnings[("Adult 1-3 Linked Person_ID", "", "unlinked")] = _unlinked_warning(result.unlinked)
    return result


def _unlinked_warning(unlinked: list[tuple[str, str]]):
    from .check import Warning_

    examples = ", ".join(linked for _, linked in unlinked[:5])
    return Warning_(
        "Adult 1-3 Linked Person_ID",
        examples + (", ..." if len(unlinked) > 5 else ""),
        "No person with this LA person id or NHS number in the files or the record: the carer was not "
        "linked to them",
        len(unlinked),
        "",
        0,
    )


# -- command line ----------------------------------------------------------------------------------------------------
class _RichProgress(_Progress):
    def __init__(self, progress, total_bytes: int):
        self.p = progress
        self.check_task = progress.add_task("Rows checked", total=total_bytes or 1, rows=0)
        self.load_task = None

    def checking(self, rows: int, nbytes: int) -> None:
        self.p.update(self.check_task, completed=nbytes, rows=rows)

    def loading_total(self, n: int) -> None:
        self.load_task = self.p.add_task("Events loaded", total=n or 1, rows=0)

    def loading(self, n: int) -> None:
        self.p.advance(self.load_task, n)
        self.p.update(self.load_task, rows=int(self.p.tasks[self.load_task].completed))


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="openasc cld import",
        description="Load Client Level Data files (CSV, optionally gzipped) into the record. "
        "Every row is checked first; a file with any error loads nothing.",
    )
    p.add_argument("files", nargs="+", help="CLD CSV files, with the CLD field names as headers")
    p.add_argument(
        "--errors",
        help="Where to write the error report (default: next to the first file, as NAME.errors.csv)",
    )
    p.add_argument(
        "--as-user", default="system", help="The account the import is recorded and audited against"
    )
    p.add_argument("--check-only", action="store_true", help="Check the files and report; load nothing")
    p.add_argument("--no-progress", action="store_true", help="Do not show progress bars")
    return p


def _table(rows: list[list[str]], out: TextIO, *, with_file: bool) -> None:
    from rich.console import Console
    from rich.table import Table

    table = Table(*(["File"] if with_file else []), "Row", "Field", "Value", "Reason", show_lines=False)
    for r in rows:
        table.add_row(*[str(x) for x in r])
    Console(file=out, width=160).print(table)


def main(argv: list[str], stdout: TextIO | None = None, stderr: TextIO | None = None) -> int:
    """``openasc cld import``: 0 = loaded (or checked, with --check-only), 1 = errors (nothing loaded), 2 = usage,
    3 = another import is running (nothing done)."""
    stdout = stdout or sys.stdout
    stderr = stderr or sys.stderr
    try:
        args = _parser().parse_args(argv)
    except SystemExit as exc:
        return int(exc.code or 0) and 2
    paths = [Path(f) for f in args.files]
    for p in paths:
        if not p.is_file():
            stderr.write(f"No such file: {p}\n")
            return 2
    user = User.objects.filter(username=args.as_user, is_active=True).first()
    if user is None:
        stderr.write(
            f"No active account called {args.as_user!r}: create it with `openasc users add {args.as_user} "
            "--role system --as ADMIN` (a system account; see README, Going live) or pass --as-user\n"
        )
        return 2
    errors_path = (
        Path(args.errors)
        if args.errors
        else paths[0].with_name(paths[0].name.removesuffix(".gz").removesuffix(".csv") + ".errors.csv")
    )

    # Django's OutputWrapper adds a newline to every write: rich needs the real stream underneath.
    raw_out = getattr(stdout, "_out", stdout)
    show = not args.no_progress and getattr(raw_out, "isatty", lambda: False)()
    try:
        result = _main_run(paths, user, args, raw_out, show)
    except lock.ImportBusy as exc:
        stderr.write(f"{exc}\n")
        return 3
    return _report(result, paths, args, errors_path, stdout, stderr, raw_out)


def _main_run(paths: list[Path], user: User, args, raw_out, show: bool) -> ImportResult:
    if show:
        from rich.console import Console
        from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

        columns = [
            TextColumn("{task.description}"),
            BarColumn(),
            TextColumn("{task.fields[rows]:,} rows"),
            TimeElapsedColumn(),
        ]
        with Progress(*columns, console=Console(file=raw_out)) as bar:
            result = run_import(
                paths,
                user=user,
                check_only=args.check_only,
                progress=_RichProgress(bar, sum(p.stat().st_size for p in paths)),
            )
    else:
        result = run_import(paths, user=user, check_only=args.check_only)
    return result


def _report(
    result: ImportResult, paths: list[Path], args, errors_path: Path, stdout: TextIO, stderr: TextIO, raw_out
) -> int:
    plan = result.plan
    out = stdout.write
    out(
        f"{plan.rows:,} rows checked in {len(paths)} file(s); {plan.submissions} submission(s); "
        f"{plan.error_count:,} errors, {plan.warning_count:,} warnings.\n"
    )
    if plan.warnings:
        out("Warnings (values stored, nothing rejected):\n")
        for w in sorted(plan.warnings.values(), key=lambda w: -w.count)[:50]:
            where = f" (first at row {w.first_row})" if w.first_row else ""
            out(f"  {w.field}: '{w.value}' x{w.count:,}{where}: {w.reason}\n")
    if not plan.ok:
        errors_path.write_bytes(result.error_csv)
        many = len(paths) > 1
        _table(
            [[*([e.file] if many else []), e.row, e.field, e.value, e.reason] for e in plan.errors],
            raw_out,
            with_file=many,
        )
        if plan.error_count > len(plan.errors):
            out(f"... and {plan.error_count - len(plan.errors):,} more.\n")
        stderr.write(
            f"Nothing was loaded: fix the {plan.error_count:,} errors listed in {errors_path} and run the "
            "import again.\n"
        )
        return 1
    if args.check_only:
        out("No errors: the files can be loaded (nothing was loaded: --check-only).\n")
        return 0
    out(
        "Loaded: " + ", ".join(f"{v:,} {k}" for k, v in result.counts.items()) + ".\n"
        if result.counts
        else "Nothing to change: everything in the files is already in the record.\n"
    )
    out(
        f"Checked in {result.seconds_checking:.1f}s, loaded in {result.seconds_loading:.1f}s: "
        f"{result.rows_per_second:,.0f} rows a second. Import run {result.run.pk}.\n"
    )
    return 0
