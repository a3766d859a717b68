"""What the two benchmarks (bench/run.py and bench/cld.py) share: settings from the environment, the admin
connection to a bench database on PostgreSQL, removing a SQLite bench file, memory, machine load, server version."""

from __future__ import annotations

import os
import resource
import time
from pathlib import Path
from urllib.parse import urlparse, urlunparse

LABELS = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}


def env_int(name: str, default: int) -> int:
    return int(os.environ.get(name, str(default)))


def pg_admin(url: str):
    """(autocommit connection to the server's postgres database, name of the bench database in `url`)."""
    import psycopg

    parsed = urlparse(url)
    admin = urlunparse(parsed._replace(path="/postgres", scheme="postgresql"))
    return psycopg.connect(admin, autocommit=True), parsed.path.lstrip("/")


def remove_sqlite(path: Path) -> None:
    """A SQLite bench database with its journal files."""
    for suffix in ("", "-wal", "-shm", "-journal"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def wait_for_quiet_machine(say) -> float:
    """Other work on a 2-core machine (test suites, browsers) inflates every figure: wait a while for it.
    Returns the 1-minute load average when timing starts."""
    limit = float(os.environ.get("BENCH_QUIET_LOAD", "1.5"))
    deadline = time.monotonic() + float(os.environ.get("BENCH_QUIET_WAIT", "180"))
    load = os.getloadavg()[0]
    if load > limit:
        say(
            f"the machine is busy (1-min load average {load:.1f}): waiting up to "
            f"{os.environ.get('BENCH_QUIET_WAIT', '180')} s for it to fall under {limit}"
        )
        while load > limit and time.monotonic() < deadline:
            time.sleep(5)
            load = os.getloadavg()[0]
        say(f"timing with load average {load:.1f}")
    return load


def server_version(connection) -> str:
    if connection.vendor == "sqlite":
        import sqlite3

        return f"SQLite {sqlite3.sqlite_version}"
    with connection.cursor() as cur:
        cur.execute("SHOW server_version")
        return f"PostgreSQL {cur.fetchone()[0]}"
