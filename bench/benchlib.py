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


def percentile_between(values: list[float], pct: float) -> float:
    """Percentile with linear interpolation between the nearest ranks (0.0 for no values)."""
    if not values:
        return 0.0
    ordered = sorted(values)
    k = (len(ordered) - 1) * pct / 100
    lo, hi = int(k), min(int(k) + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)


def standalone(repo: Path) -> None:
    """For a bench file run on its own: Django on the bench database (BENCH_DB_URL, else bench/out/bench.sqlite3),
    set up and migrated, as bench/run.py's worker has it."""
    os.environ["DATABASE_URL"] = os.environ.get(
        "BENCH_DB_URL", f"sqlite:///{repo / 'bench/out/bench.sqlite3'}"
    )
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "openasc.config.settings")
    os.environ.setdefault("SECRET_KEY", "bench-only-not-a-secret-" + "x" * 40)
    os.environ.setdefault("SECURE_COOKIES", "0")
    os.environ.setdefault("OPENASC_FAST_PASSWORDS", "1")
    os.environ.setdefault("LOG_LEVEL", "ERROR")
    import sys
    import warnings

    sys.path.insert(0, str(repo))
    import django

    warnings.filterwarnings("ignore", message="No directory at", category=UserWarning)
    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)


def time_page(say, url: str, label: str, username: str, n: int, target_ms: float, *, warm: int = 3):
    """GET `url` as `username` through Django's test client: the first request, `warm` untimed, then `n` timed; the
    figures (first, p50, p95 ms; PASS when p95 is under `target_ms`) and the last response."""
    import statistics

    from django.test import Client

    from openasc.core.models import User

    client = Client(raise_request_exception=True)
    client.force_login(User.objects.get(username=username))
    t = time.perf_counter()
    first = client.get(url)
    first_ms = (time.perf_counter() - t) * 1000
    assert first.status_code == 200, (url, first.status_code)
    for _ in range(warm):
        client.get(url)
    times = []
    response = first
    for _ in range(n):
        t = time.perf_counter()
        response = client.get(url)
        times.append((time.perf_counter() - t) * 1000)
        assert response.status_code == 200, (url, response.status_code)
    p95 = percentile_between(times, 95)
    out = {
        "first_ms": round(first_ms, 1),
        "n": n,
        "p50_ms": round(statistics.median(times), 1),
        "p95_ms": round(p95, 1),
        "target_ms": target_ms,
        "pass": p95 < target_ms,
    }
    say(
        f"{label}: first {first_ms:.0f} ms, p50 {out['p50_ms']} ms, p95 {p95:.1f} ms "
        f"-> {'PASS' if out['pass'] else 'FAIL'} (target p95 < {target_ms:.0f} ms)"
    )
    return out, response
