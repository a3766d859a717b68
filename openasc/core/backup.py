"""Backing up and restoring the whole database, on SQLite and PostgreSQL (ADR 0011).

SQLite: sqlite3's online backup API copies the database page by page into a new file while the server runs (a
consistent snapshot), and copies a backup back the same way in one write transaction. Page-level, so the schema,
the audit table's no-update trigger and every row come back exactly as they were; no row trigger fires.

PostgreSQL: `pg_dump -Fc` (a consistent snapshot of a running database) and `pg_restore --clean --if-exists
--no-owner --no-privileges --single-transaction --exit-on-error`, as the owner of the schema (DATABASE_OWNER_URL when
set). pg_restore drops the audit table with its triggers (dropping a table fires no row trigger, so the append-only
trigger does not stand in the way), loads the rows with COPY and only then creates the triggers (they are in the
dump's post-data section), so the back-dating trigger never sees the old events: the table comes back with the same
rows, ids, sequence value and triggers. One transaction: a failure leaves the database as it was. Privileges are
not restored from the file (role names differ between servers): the application's role is granted its rights again
(openasc/core/dbroles.py). Afterwards the audit chain is verified and the triggers are checked to be there."""

from __future__ import annotations

import os
import re
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from django.db import connections, transaction

from openasc.core import audit, dbroles

SQLITE_MAGIC = b"SQLite format 3\x00"
PG_MAGIC = b"PGDMP"
# Tables whose rows mean the database is in use (the migrations fill only reference data).
IN_USE_TABLES = ("core_user", "core_auditevent", "people_person")
AUDIT_TRIGGERS = {
    "sqlite": {"core_auditevent_no_update"},
    "postgresql": {"core_auditevent_append_only", "core_auditevent_insert_time"},
}
LOCK_TIMEOUT = (
    "30s"  # a restore waits this long for the running server's locks, then fails (and changes nothing)
)


class BackupError(Exception):
    """A backup or restore that could not be done; the message says what to do."""


@dataclass
class Result:
    path: Path
    vendor: str
    tables: int = 0
    rows: int = 0
    audit_events: int = 0
    audit_head: str = ""
    notes: list[str] = field(default_factory=list)


def vendor(alias: str = "default") -> str:
    return connections[alias].vendor


# --- what is in the database now


def table_rows(alias: str = "default") -> dict[str, int]:
    """Rows in each of the database's tables (Django's and ours)."""
    conn = connections[alias]
    with conn.cursor() as cursor:
        names = conn.introspection.table_names(cursor)
        counts = {}
        for name in names:
            cursor.execute(f"SELECT count(*) FROM {conn.ops.quote_name(name)}")
            counts[name] = cursor.fetchone()[0]
    return counts


def in_use(alias: str = "default") -> bool:
    """Whether the database holds accounts, people or audit events (a restore over it needs --yes)."""
    counts = table_rows(alias)
    return any(counts.get(name) for name in IN_USE_TABLES)


def audit_triggers(alias: str = "default") -> set[str]:
    conn = connections[alias]
    with conn.cursor() as cursor:
        if conn.vendor == "sqlite":
            cursor.execute(
                "SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'core_auditevent'"
            )
        else:
            cursor.execute(
                "SELECT tgname FROM pg_trigger WHERE tgrelid = to_regclass('core_auditevent') "
                "AND NOT tgisinternal"
            )
        return {row[0] for row in cursor.fetchall()}


def verify_audit(alias: str = "default") -> tuple[int, str]:
    """`openasc audit verify`: (events, head ID:HASH), or BackupError at the first broken link."""
    count, head = 0, None
    for count, pk, problem in audit.verify(using=alias):
        if problem:
            raise BackupError(
                f"the audit chain is broken at event {pk} (event {count} in id order): {problem}"
            )
        head = pk
    if head is None:
        return 0, ""
    from openasc.core.models import AuditEvent

    digest = AuditEvent.objects.using(alias).filter(pk=head).values_list("row_hash", flat=True).first()
    return count, f"{head}:{digest}"


# --- files


def _target(path: Path) -> Path:
    path = Path(path)
    if path.exists() and path.is_dir():
        raise BackupError(f"PATH {path}: is a directory; give a file name")
    if not path.parent.is_dir():
        raise BackupError(f"PATH {path}: the folder {path.parent} does not exist")
    return path


def _partial(path: Path) -> Path:
    """The file a backup is written to before it is renamed into place (so PATH is never half-written)."""
    return path.with_name(f".{path.name}.partial")


def _source(path: Path) -> bytes:
    path = Path(path)
    if not path.is_file():
        raise BackupError(f"PATH {path}: no such file")
    with path.open("rb") as f:
        return f.read(16)


# --- SQLite


def _sqlite_raw(alias: str) -> sqlite3.Connection:
    conn = connections[alias]
    conn.ensure_connection()
    return conn.connection


def _sqlite_backup(path: Path, alias: str) -> dict[str, int]:
    """Returns the rows in each table of the copy."""
    partial = _partial(path)
    partial.unlink(missing_ok=True)
    try:
        dest = sqlite3.connect(partial)
        try:
            _sqlite_raw(alias).backup(dest)  # one step: a consistent snapshot, even with the server writing
            # The copy is a single self-contained file: no write-ahead log next to it.
            dest.execute("PRAGMA journal_mode=DELETE")
            ok = dest.execute("PRAGMA quick_check").fetchone()[0]
            names = [
                r[0]
                for r in dest.execute(
                    "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
                )
            ]
            counts = {n: dest.execute(f'SELECT count(*) FROM "{n}"').fetchone()[0] for n in names}
        finally:
            dest.close()
        if ok != "ok":
            raise BackupError(f"the copy failed its integrity check: {ok}")
        os.replace(partial, path)
    finally:
        partial.unlink(missing_ok=True)
    return counts


def _sqlite_check_file(path: Path) -> None:
    if _source(path) != SQLITE_MAGIC:
        raise BackupError(
            f"PATH {path}: not a SQLite database (this database is SQLite; a PostgreSQL backup "
            "restores only into PostgreSQL)"
        )
    try:
        src = sqlite3.connect(f"{Path(path).resolve().as_uri()}?mode=ro", uri=True)
        try:
            ok = src.execute("PRAGMA quick_check").fetchone()[0]
            tables = {r[0] for r in src.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        finally:
            src.close()
    except sqlite3.DatabaseError as exc:
        raise BackupError(f"PATH {path}: cannot be read as a SQLite database: {exc}") from exc
    if ok != "ok":
        raise BackupError(f"PATH {path}: the file is damaged (integrity check: {ok})")
    missing = {"django_migrations", "core_auditevent"} - tables
    if missing:
        raise BackupError(f"PATH {path}: not an OpenASC backup (no table {', '.join(sorted(missing))})")


def _sqlite_restore(path: Path, alias: str) -> None:
    src = sqlite3.connect(f"{Path(path).resolve().as_uri()}?mode=ro", uri=True)
    try:
        # One write transaction on the live database: other connections see the old or the new database.
        src.backup(_sqlite_raw(alias))
    except sqlite3.Error as exc:
        raise BackupError(f"the restore failed and changed nothing: {exc}") from exc
    finally:
        src.close()
    connections[alias].close()  # the next connection runs the settings' PRAGMAs (WAL) again


# --- PostgreSQL


def _pg_settings(alias: str) -> dict:
    """Connection settings for the tools: the owner's (DATABASE_OWNER_URL) when set, else DATABASE_URL's; always
    the database Django is using (a test database stays the test database)."""
    conn = connections[alias]
    own = dbroles.owner_settings() if alias == "default" else None
    source = own or conn.settings_dict
    return {
        "NAME": conn.settings_dict["NAME"],
        **{k: source.get(k) for k in ("USER", "PASSWORD", "HOST", "PORT")},
    }


def _pg_tool(name: str, alias: str) -> str:
    found = shutil.which(name)
    server = connections[alias]
    server.ensure_connection()
    major = server.pg_version // 10000
    if not found:
        raise BackupError(
            f"{name} is not on PATH: install the PostgreSQL {major} client tools "
            f"(e.g. apt-get install postgresql-client-{major})"
        )
    out = subprocess.run([found, "--version"], capture_output=True, text=True, check=False).stdout  # noqa: S603
    match = re.search(r"(\d+)(?:\.\d+)?", out)
    tool = int(match.group(1)) if match else None
    if tool != major:
        raise BackupError(
            f"{found} is version {tool or out.strip()!r} but the server is PostgreSQL {major}: use the "
            f"client tools of the server's major version (postgresql-client-{major})"
        )
    return found


def _pg_args(s: dict) -> tuple[list[str], dict]:
    args = ["--dbname", s["NAME"]]
    if s.get("HOST"):
        args += ["--host", str(s["HOST"])]
    if s.get("PORT"):
        args += ["--port", str(s["PORT"])]
    if s.get("USER"):
        args += ["--username", str(s["USER"])]
    env = {**os.environ, "PGOPTIONS": f"-c lock_timeout={LOCK_TIMEOUT}"}
    if s.get("PASSWORD"):
        env["PGPASSWORD"] = str(s["PASSWORD"])
    return ["--no-password", *args], env


def _run(cmd: list[str], env: dict, what: str) -> None:
    done = subprocess.run(cmd, env=env, capture_output=True, text=True, check=False)  # noqa: S603 (a list, no shell)
    if done.returncode != 0:
        raise BackupError(
            f"{what} failed (exit {done.returncode}): {done.stderr.strip() or done.stdout.strip()}"
        )


def _pg_backup(path: Path, alias: str) -> dict[str, int]:
    """pg_dump of a snapshot this connection exports and counts the rows of (so the figures are the file's)."""
    tool = _pg_tool("pg_dump", alias)
    args, env = _pg_args(_pg_settings(alias))
    partial = _partial(path)
    partial.unlink(missing_ok=True)
    try:
        with transaction.atomic(using=alias):
            with connections[alias].cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
                cursor.execute("SELECT pg_export_snapshot()")
                snapshot = cursor.fetchone()[0]
            counts = table_rows(alias)
            _run(
                [tool, "--format=custom", f"--snapshot={snapshot}", "--file", str(partial), *args],
                env,
                "pg_dump",
            )
        os.replace(partial, path)
    finally:
        partial.unlink(missing_ok=True)
    return counts


def _pg_check_file(path: Path, alias: str) -> str:
    if _source(path)[:5] != PG_MAGIC:
        raise BackupError(
            f"PATH {path}: not a pg_dump custom-format file (this database is PostgreSQL; a SQLite "
            "backup restores only into SQLite)"
        )
    tool = _pg_tool("pg_restore", alias)
    done = subprocess.run([tool, "--list", str(path)], capture_output=True, text=True, check=False)  # noqa: S603
    if done.returncode != 0:
        raise BackupError(f"PATH {path}: pg_restore cannot read it: {done.stderr.strip()}")
    if not re.search(r"TABLE DATA public core_auditevent ", done.stdout):
        raise BackupError(f"PATH {path}: not an OpenASC backup (no audit table in it)")
    return tool


def _pg_restore(path: Path, alias: str, tool: str) -> list[str]:
    settings = _pg_settings(alias)
    args, env = _pg_args(settings)
    app_role = connections[alias].settings_dict.get("USER")
    connections[alias].close()  # our own connection must not hold a lock the DROPs wait for
    _run(
        [
            tool,
            "--clean",
            "--if-exists",
            "--no-owner",
            "--no-privileges",
            "--single-transaction",
            "--exit-on-error",
            *args,
            str(path),
        ],
        env,
        "pg_restore (the database is unchanged)",
    )
    notes = []
    if dbroles.owner_settings() is not None and app_role and app_role != settings["USER"]:
        with dbroles.as_owner(alias), connections[alias].cursor() as cursor:
            try:
                dbroles.grant_app_role(cursor, app_role)
            except dbroles.RoleError as exc:
                raise BackupError(
                    f"restored, but the application's role could not be granted its rights: {exc}"
                ) from exc
        notes.append(f"granted {app_role} its rights (append and read only on the audit trail)")
    return notes


# --- the documents' files (ADR 0013): a tar beside the database's backup


def documents_path(path: Path) -> Path:
    """Where the attachments' files of the backup at PATH are: PATH.documents.tar."""
    return path.with_name(f"{path.name}.documents.tar")


def _documents_dir() -> Path | None:
    from django.conf import settings

    value = getattr(settings, "OPENASC_DOCUMENTS_DIR", "")
    return Path(value) if value else None


def _document_file_names(alias: str) -> list[str]:
    """The stored files the database's documents name (read after its copy was taken: documents are only ever
    added, so these include every file the copy's rows name)."""
    conn = connections[alias]
    with conn.cursor() as cursor:
        if "documents_document" not in conn.introspection.table_names(cursor):
            return []
        cursor.execute("SELECT file_name FROM documents_document WHERE file_name <> '' ORDER BY file_name")
        return [row[0] for row in cursor.fetchall()]


def _documents_backup(path: Path, alias: str) -> str | None:
    """The attachments' files the database names, as PATH.documents.tar; a name without its file is listed in the
    note rather than failing the backup of the database."""
    folder = _documents_dir()
    names = _document_file_names(alias) if folder is not None else []
    if not names:
        return None
    target = documents_path(path)
    partial = _partial(target)
    missing = []
    with tarfile.open(partial, "w") as tar:
        for name in names:
            item = folder / name[:2] / name
            if item.is_file():
                tar.add(item, arcname=f"{name[:2]}/{name}", recursive=False)
            else:
                missing.append(name)
    os.replace(partial, target)
    note = f"{len(names) - len(missing):,} document files copied to {target}"
    if missing:
        note += f"; {len(missing):,} named by the database {'was' if len(missing) == 1 else 'were'} not found"
    return note


def _documents_restore(path: Path) -> str | None:
    """Put back the attachments' files of the backup at PATH, if it has them: the folder is replaced (the one it
    replaces is kept beside it, renamed); without PATH.documents.tar the folder is left as it is."""
    source, folder = documents_path(path), _documents_dir()
    if folder is None or not source.is_file():
        return None
    folder.parent.mkdir(parents=True, exist_ok=True)
    fresh = Path(tempfile.mkdtemp(prefix=f".{folder.name}-restore-", dir=folder.parent))
    try:
        with tarfile.open(source, "r") as tar:
            members = [m for m in tar.getmembers() if m.isfile()]
            tar.extractall(fresh, members=members, filter="data")  # no links, no paths outside the folder
    except (tarfile.TarError, OSError) as exc:
        shutil.rmtree(fresh, ignore_errors=True)
        raise BackupError(
            f"the database was restored, but not the documents' files from {source}: {exc}"
        ) from exc
    kept = ""
    if folder.exists():
        stamp, n = time.strftime("%Y%m%d-%H%M%S"), 1
        aside = folder.with_name(f"{folder.name}.before-restore-{stamp}")
        while aside.exists():
            n += 1
            aside = folder.with_name(f"{folder.name}.before-restore-{stamp}-{n}")
        folder.rename(aside)
        kept = f" (the folder it replaced is now {aside})"
    fresh.rename(folder)
    return f"{len(members):,} document files restored to {folder}{kept}"


# --- the two operations


def backup(path: Path | str, *, alias: str = "default") -> Result:
    """Write a consistent copy of the whole database to PATH (replaced only once the copy is complete)."""
    path = _target(Path(path))
    kind = vendor(alias)
    if kind == "sqlite":
        counts = _sqlite_backup(path, alias)
    elif kind == "postgresql":
        counts = _pg_backup(path, alias)
    else:
        raise BackupError(f"backups of {kind} databases are not supported (SQLite and PostgreSQL are)")
    copied = _documents_backup(path, alias)
    return Result(
        path=path,
        vendor=kind,
        tables=len(counts),
        rows=sum(counts.values()),
        audit_events=counts.get("core_auditevent", 0),
        notes=[copied] if copied else [],
    )


def check(path: Path | str, *, alias: str = "default") -> str | None:
    """Refuse a file that is not a backup of this kind of database, before anything is changed; returns the
    pg_restore to use on PostgreSQL."""
    kind = vendor(alias)
    if kind == "sqlite":
        _sqlite_check_file(Path(path))
        return None
    if kind == "postgresql":
        return _pg_check_file(Path(path), alias)
    raise BackupError(f"restores into {kind} databases are not supported (SQLite and PostgreSQL are)")


def restore(path: Path | str, *, force: bool = False, alias: str = "default") -> Result:
    """Replace the whole database with the backup at PATH, then prove the audit trail came back whole."""
    path = Path(path)
    tool = check(path, alias=alias)
    if in_use(alias) and not force:
        counts = table_rows(alias)
        held = ", ".join(f"{counts.get(t, 0):,} {t}" for t in IN_USE_TABLES)
        raise BackupError(
            f"the database is not empty ({held}): a restore replaces all of it; "
            "run again with --yes to do that"
        )
    kind = vendor(alias)
    notes = _sqlite_restore(path, alias) if kind == "sqlite" else _pg_restore(path, alias, tool)
    missing = AUDIT_TRIGGERS[kind] - audit_triggers(alias)
    if missing:
        raise BackupError(
            f"restored, but the audit table lacks its trigger(s) {', '.join(sorted(missing))}: "
            "the backup was made from a damaged database; run `openasc migrate` and check it"
        )
    events, head = verify_audit(alias)
    counts = table_rows(alias)
    restored_files = _documents_restore(path)
    return Result(
        path=path,
        vendor=kind,
        tables=len(counts),
        rows=sum(counts.values()),
        audit_events=events,
        audit_head=head,
        notes=(notes or []) + ([restored_files] if restored_files else []),
    )
