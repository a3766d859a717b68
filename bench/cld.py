"""CLD figures for a 200,000-person council: generate the file, measures from it, import it, measures from the record.

`make bench` runs this file after bench/run.py. It

1. generates a synthetic Client Level Data CSV for BENCH_CLD_PEOPLE service users (about one unpaid carer per eight
   more) as four stacked rolling 12-month submissions, with ``openasc.reporting.engine.synth`` (once: the file in
   bench/out/ is reused while the size, seed and generator are the same);
2. times all the ASCOF measures from the file: ``openasc measures --cld FILE --period ...`` as a command in a
   subprocess, so the figure includes starting Python and reading the CSV; three runs (BENCH_CLD_MEASURE_RUNS),
   the median is the figure;
3. for each database, in a subprocess of its own with DATABASE_URL pointing at a bench database (dropped and
   created again on every run; never the developer's database): migrates it, creates the system account and imports
   the file with the importer (``openasc cld import``'s own code, ``importer.run_import``), timing the check phase,
   the load phase and the whole; then times ``openasc measures --period ...`` (the database route: projection then
   engine) and ``openasc cld export --period ... --out``, both as commands in subprocesses, and compares the
   measures from the record with the measures from the file (both routes must give identical figures);
4. prints a table and PASS/FAIL lines for the two targets (all measures from the file in under 15 s; import faster
   than 50,000 rows a second) and writes everything to bench/out/cld-results.json.

A benchmark, not a test: it asserts nothing timed (it does fail, exit 1, when an import or a command fails).

Environment: BENCH_CLD_PEOPLE (default 200000), BENCH_CLD_SEED (default 2026), BENCH_CLD_DATABASES (default
"postgresql,sqlite"), BENCH_CLD_PG_URL (default postgres://postgres@127.0.0.1:5432/openasc_bench_cld),
BENCH_CLD_PERIOD (default 2024-04-01:2025-03-31), BENCH_QUIET_LOAD / BENCH_QUIET_WAIT (before timing, wait up to
180 s for the 1-minute load average to fall under 1.5). `--regenerate` writes the CLD file again.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
import os
import platform
import re
import statistics
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlparse

from benchlib import LABELS, env_int, pg_admin, remove_sqlite, rss_mb, server_version, wait_for_quiet_machine

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
OUT = HERE / "out"
SQLITE_FILE = OUT / "bench-cld.sqlite3"
DEFAULT_PG_URL = "postgres://postgres@127.0.0.1:5432/openasc_bench_cld"
DEFAULT_PERIOD = "2024-04-01:2025-03-31"
TARGET_MEASURES_S = 15.0
TARGET_ROWS_PER_S = 50_000
GENERATOR = REPO / "openasc" / "reporting" / "engine" / "synth.py"


def period() -> str:
    return os.environ.get("BENCH_CLD_PERIOD", DEFAULT_PERIOD)


def period_end() -> dt.date:
    return dt.date.fromisoformat(period().split(":")[1].strip())


def population(people: int) -> list[str]:
    """ONS-style populations for the per-100,000 measures (2B, 2C), in proportion to the council's size."""
    return ["--population", f"18-64={people * 3}", "--population", f"65+={people}"]


def pg_url() -> str:
    return os.environ.get("BENCH_CLD_PG_URL", DEFAULT_PG_URL)


def database_url(db: str) -> str:
    if db == "sqlite":
        return f"sqlite:///{SQLITE_FILE}"
    if db == "postgresql":
        return pg_url()
    raise SystemExit(f"Unknown database {db!r}: use sqlite and/or postgresql")


def bench_env(db: str) -> dict[str, str]:
    """Environment for a command against a bench database (never the developer's)."""
    return {
        **os.environ,
        "DATABASE_URL": database_url(db),
        "DJANGO_SETTINGS_MODULE": "openasc.config.settings",
        "SECRET_KEY": os.environ.get("SECRET_KEY", "bench-only-not-a-secret-" + "x" * 40),
        "LOG_LEVEL": os.environ.get("LOG_LEVEL", "ERROR"),
        "PYTHONWARNINGS": "ignore",
    }


def openasc(*args: str, db: str, out: Path | None = None) -> tuple[float, str]:
    """Run `openasc ARGS...` against the bench database `db` in a subprocess; (wall seconds, stdout)."""
    cmd = [sys.executable, "-m", "openasc.cli", *args]
    started = time.perf_counter()
    proc = subprocess.run(cmd, env=bench_env(db), cwd=REPO, capture_output=True, text=True, check=False)
    seconds = time.perf_counter() - started
    if proc.returncode != 0:
        raise RuntimeError(
            f"`openasc {' '.join(args)}` exited {proc.returncode}: {proc.stderr.strip()[-2000:]}"
        )
    return seconds, proc.stdout


# --- bench database lifecycle (never touches anything but the bench databases)


def _pg_admin():
    name = urlparse(pg_url()).path.lstrip("/")
    if not name.startswith("openasc_bench"):
        raise SystemExit(f"BENCH_CLD_PG_URL must name a bench database (openasc_bench...), not {name!r}")
    return pg_admin(pg_url())


def fresh_database(db: str) -> None:
    """Drop the bench database and create it again, empty."""
    if db == "sqlite":
        OUT.mkdir(parents=True, exist_ok=True)
        remove_sqlite(SQLITE_FILE)
        return
    conn, name = _pg_admin()
    with conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


# --- 1. the CLD file


def generator_hash() -> str:
    return hashlib.sha256(GENERATOR.read_bytes()).hexdigest()[:16]


def cld_file(people: int, seed: int, regenerate: bool) -> tuple[Path, dict]:
    """The synthetic CLD file for this size and seed: generated once, reused while size, seed and generator hold."""
    from openasc.reporting.engine.synth import write_synthetic_cld

    path = OUT / f"cld-{people}-{seed}.csv"
    meta_path = path.with_suffix(".json")
    want = {
        "people": people,
        "seed": seed,
        "period_end": period_end().isoformat(),
        "generator": generator_hash(),
    }
    meta = json.loads(meta_path.read_text()) if meta_path.exists() else {}
    if (
        not regenerate
        and path.exists()
        and all(meta.get(k) == v for k, v in want.items())
        and meta.get("bytes") == path.stat().st_size
    ):
        return path, {**meta, "reused": True}
    print(f"generating the CLD file for {people:,} people (seed {seed}) ...", flush=True)
    for old in OUT.glob("cld-*-*.csv"):  # one file at a time: they are large
        if old != path and re.fullmatch(r"cld-\d+-\d+\.csv", old.name):
            old.unlink()
            old.with_suffix(".json").unlink(missing_ok=True)
    started = time.perf_counter()
    rows = write_synthetic_cld(path, people=people, seed=seed, period_end=period_end())
    meta = {
        **want,
        "rows": rows,
        "bytes": path.stat().st_size,
        "seconds": round(time.perf_counter() - started, 1),
        "generated_at": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
    }
    meta_path.write_text(json.dumps(meta, indent=2))
    return path, {**meta, "reused": False}


# --- 2. measures from the file


def measures_from_file(path: Path, people: int) -> dict:
    """All the measures from the file, timed as a whole command, RUNS times: the median is the figure (this
    machine's run-to-run noise is about a second either way), every run is recorded."""
    out = OUT / "cld-measures-file.json"
    runs = []
    for _ in range(env_int("BENCH_CLD_MEASURE_RUNS", 3)):
        out.unlink(missing_ok=True)
        wait_for_quiet_machine(lambda msg: print(f"[file] {msg}", flush=True))
        # The file route touches no database; DATABASE_URL points at the SQLite bench file all the same.
        seconds, _ = openasc(
            "measures",
            "--cld",
            str(path),
            "--period",
            period(),
            *population(people),
            "--out",
            str(out),
            db="sqlite",
        )
        runs.append(round(seconds, 2))
    return {"seconds": statistics.median(runs), "runs": runs, "file": str(out.relative_to(REPO))}


# --- 3. and 4. one database, in its own process (settings are read once per process)


def worker(db: str, path: Path, people: int) -> dict:
    os.environ.update(bench_env(db))
    sys.path.insert(0, str(REPO))
    say = lambda msg: print(f"[{LABELS[db]}] {msg}", flush=True)  # noqa: E731

    fresh_database(db)
    import warnings

    import django

    warnings.filterwarnings(
        "ignore", message="No directory at", category=UserWarning
    )  # whitenoise, STATIC_ROOT
    django.setup()
    from django.core.management import call_command
    from django.db import connection, connections

    from openasc.core.models import Role, User
    from openasc.reporting import importer

    started = time.perf_counter()
    call_command("migrate", verbosity=0, interactive=False)
    migrate_s = time.perf_counter() - started
    system, _ = User.objects.get_or_create(
        username="system", defaults={"role": Role.SYSTEM, "first_name": "OpenASC", "last_name": "system"}
    )
    system.set_unusable_password()
    system.save()
    server = server_version(connection)

    say(f"importing {path.name} ({path.stat().st_size / 1e6:,.0f} MB) into a fresh database ...")
    load = [wait_for_quiet_machine(say)]
    rss_before = rss_mb()
    result = importer.run_import([path], user=system, source="cli")
    load.append(os.getloadavg()[0])
    plan = result.plan
    if not plan.ok:
        first = plan.errors[0] if plan.errors else None
        raise SystemExit(f"the import found {plan.error_count:,} errors, e.g. {first}")
    check_s, load_s = result.seconds_checking, result.seconds_loading
    total_s = check_s + load_s
    imported = {
        "rows": plan.rows,
        "submissions": plan.submissions,
        "events": sum(
            v
            for k, v in result.counts.items()
            if k.split()[0] in ("requests", "assessments", "services", "reviews")
        ),
        "warnings": plan.warning_count,
        "counts": result.counts,
        "check_seconds": round(check_s, 2),
        "load_seconds": round(load_s, 2),
        "seconds": round(total_s, 2),
        "check_rows_per_second": round(plan.rows / check_s) if check_s else None,
        "load_rows_per_second": round(plan.rows / load_s) if load_s else None,
        "rows_per_second": round(plan.rows / total_s) if total_s else None,
        "peak_rss_mb": round(rss_mb(), 1),
        "rss_before_mb": round(rss_before, 1),
        "load_average": [round(x, 2) for x in load],
    }
    say(
        f"imported {plan.rows:,} rows in {total_s:.1f} s (checked in {check_s:.1f} s, loaded in {load_s:.1f} s): "
        f"{imported['rows_per_second']:,} rows a second; "
        + ", ".join(f"{v:,} {k}" for k, v in result.counts.items())
    )
    if connection.vendor == "postgresql":  # what autovacuum would soon do on a live server
        with connection.cursor() as cur:
            cur.execute("VACUUM ANALYZE")
    else:
        with connection.cursor() as cur:
            cur.execute("ANALYZE")
    connections.close_all()

    say("measures from the record (openasc measures --period ...) ...")
    out = OUT / f"cld-measures-{db}.json"
    out.unlink(missing_ok=True)
    measures_s, _ = openasc("measures", "--period", period(), *population(people), "--out", str(out), db=db)
    say(f"measures from the record in {measures_s:.1f} s")

    say("export (openasc cld export --period ...) ...")
    export = OUT / f"cld-export-{db}.csv"
    export_s, export_out = openasc("cld", "export", "--period", period(), "--out", str(export), db=db)
    with export.open("rb") as f:
        export_rows = sum(1 for _ in f) - 1
    say(f"exported {export_rows:,} rows in {export_s:.1f} s")
    return {
        "database": LABELS[db],
        "vendor": connection.vendor,
        "server_version": server,
        "migrate_seconds": round(migrate_s, 1),
        "import": imported,
        "measures": {"seconds": round(measures_s, 2), "file": str(out.relative_to(REPO))},
        "export": {
            "seconds": round(export_s, 2),
            "rows": export_rows,
            "bytes": export.stat().st_size,
            "message": export_out.strip().splitlines()[:2],
        },
    }


# --- comparing the two routes


def compare(file_json: Path, db_json: Path) -> dict:
    """Whether the measures from the record equal those from the file, and where they differ."""
    a = json.loads(file_json.read_text())
    b = json.loads(db_json.read_text())
    if a == b:
        return {"match": True, "differences": []}
    diffs = []

    def walk(x, y, where):
        if isinstance(x, dict) and isinstance(y, dict):
            for k in sorted(set(x) | set(y), key=str):
                walk(x.get(k), y.get(k), [*where, str(k)])
        elif x != y:
            diffs.append({"where": " / ".join(where), "file": x, "database": y})

    walk(a, b, [])
    return {"match": False, "differences": diffs[:200], "difference_count": len(diffs)}


# --- the parent: the file, the file route, each database, the table, results JSON


def print_table(summary: dict) -> bool:
    f, m = summary["file"], summary["measures_from_file"]
    print()
    print(
        f"OpenASC CLD bench: {summary['people']:,} people, {os.cpu_count()} CPU cores, Python "
        f"{platform.python_version()}, period {summary['period']}"
    )
    subs = {r["import"]["submissions"] for r in summary["databases"].values() if "import" in r}
    print(
        f"CLD file: {f['rows']:,} rows, {f['bytes'] / 1e6:,.0f} MB"
        + (f", {subs.pop()} stacked submissions" if subs else "")
        + f"; generated in {f['seconds']:.1f} s"
        + (" (reused from an earlier run)" if f.get("reused") else "")
    )
    print(
        f"All measures from the file (openasc measures --cld, subprocess): {m['seconds']:.1f} s, the median of "
        + ", ".join(f"{x:.1f}" for x in m.get("runs", [m["seconds"]]))
        + " s"
    )
    head = (
        f"{'database':<12}{'check s':>9}{'rows/s':>9}{'load s':>9}{'rows/s':>9}{'import s':>10}{'rows/s':>9}"
        f"{'RSS MB':>8}{'measures s':>12}{'export s':>10}{'= file':>8}"
    )
    print(head)
    print("-" * len(head))
    ok_import = True
    for db, r in summary["databases"].items():
        if "error" in r:
            print(f"{LABELS.get(db, db):<12}  FAILED: {r['error']}")
            ok_import = False
            continue
        i = r["import"]
        same = r.get("comparison", {}).get("match")
        print(
            f"{r['database']:<12}{i['check_seconds']:>9.1f}{i['check_rows_per_second']:>9,}{i['load_seconds']:>9.1f}"
            f"{i['load_rows_per_second']:>9,}{i['seconds']:>10.1f}{i['rows_per_second']:>9,}{i['peak_rss_mb']:>8.0f}"
            f"{r['measures']['seconds']:>12.1f}{r['export']['seconds']:>10.1f}{'yes' if same else 'NO':>8}"
        )
        ok_import = ok_import and i["rows_per_second"] > TARGET_ROWS_PER_S
    for r in summary["databases"].values():
        if "error" in r:
            continue
        c = r["comparison"]
        if c["match"]:
            print(
                f"{r['database']}: the measures from the record are identical to the measures from the file."
            )
        else:
            print(
                f"{r['database']}: the measures from the record DIFFER from the file in "
                f"{c['difference_count']} figures, e.g.:"
            )
            for d in c["differences"][:10]:
                print(f"    {d['where']}: file {d['file']}, record {d['database']}")
        i = r["import"]
        print(
            f"{r['database']}: imported "
            + ", ".join(f"{v:,} {k}" for k, v in i["counts"].items())
            + f"; exported {r['export']['rows']:,} rows; 1-min load average while importing "
            f"{i['load_average'][0]:.1f}, {i['load_average'][1]:.1f}"
        )
    note = "" if os.cpu_count() == 2 else f" (measured on {os.cpu_count()} cores, not 2)"
    ok_measures = m["seconds"] < TARGET_MEASURES_S
    print()
    print(
        f"{'PASS' if ok_measures else 'FAIL'}: all ASCOF measures from the {summary['people']:,}-person file in "
        f"under {TARGET_MEASURES_S:.0f} s ({m['seconds']:.1f} s){note}"
    )
    dbs = [r for r in summary["databases"].values() if "error" not in r]
    figures = ", ".join(f"{r['database']} {r['import']['rows_per_second']:,}" for r in dbs)
    print(
        f"{'PASS' if ok_import and dbs else 'FAIL'}: import faster than {TARGET_ROWS_PER_S:,} rows a second "
        f"({figures}){note}"
    )
    return ok_measures and ok_import


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--regenerate", action="store_true", help="write the CLD file again")
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    parser.add_argument("--file", help=argparse.SUPPRESS)
    args = parser.parse_args()
    people = env_int("BENCH_CLD_PEOPLE", 200_000)
    seed = env_int("BENCH_CLD_SEED", 2026)
    OUT.mkdir(parents=True, exist_ok=True)
    sys.path.insert(0, str(REPO))

    if args.worker:
        result = worker(args.worker, Path(args.file), people)
        (OUT / f"cld-result-{args.worker}.json").write_text(json.dumps(result, indent=2, default=str))
        return 0

    path, file_info = cld_file(people, seed, args.regenerate)
    verb = "reusing" if file_info["reused"] else "generated"
    print(
        f"{verb} {path.relative_to(REPO)}: {file_info['rows']:,} rows, {file_info['bytes'] / 1e6:,.0f} MB, "
        f"generated in {file_info['seconds']:.1f} s",
        flush=True,
    )

    print("all measures from the file (openasc measures --cld ...) ...", flush=True)
    wait_for_quiet_machine(print)
    from_file = measures_from_file(path, people)
    print(f"all measures from the file in {from_file['seconds']:.1f} s", flush=True)

    dbs = [
        d.strip() for d in os.environ.get("BENCH_CLD_DATABASES", "postgresql,sqlite").split(",") if d.strip()
    ]
    results = {}
    for db in dbs:
        database_url(db)  # reject unknown names before starting
        out_file = OUT / f"cld-result-{db}.json"
        out_file.unlink(missing_ok=True)
        cmd = [sys.executable, str(Path(__file__).resolve()), "--worker", db, "--file", str(path)]
        started = time.perf_counter()
        proc = subprocess.run(cmd, env=bench_env(db), cwd=REPO, check=False)
        if proc.returncode != 0 or not out_file.exists():
            results[db] = {"error": f"worker exited with {proc.returncode}"}
            continue
        results[db] = json.loads(out_file.read_text())
        results[db]["wall_seconds"] = round(time.perf_counter() - started, 1)
        results[db]["comparison"] = compare(REPO / from_file["file"], REPO / results[db]["measures"]["file"])

    summary = {
        "generated_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "people": people,
        "seed": seed,
        "period": period(),
        "cpu_cores": os.cpu_count(),
        "targets": {
            "measures_from_file_seconds": TARGET_MEASURES_S,
            "import_rows_per_second": TARGET_ROWS_PER_S,
        },
        "file": {**file_info, "path": str(path.relative_to(REPO))},
        "measures_from_file": from_file,
        "databases": results,
    }
    summary["pass"] = print_table(summary)
    (OUT / "cld-results.json").write_text(json.dumps(summary, indent=2, default=str))
    print(f"figures written to {(OUT / 'cld-results.json').relative_to(REPO)}")
    ok = all("error" not in r for r in results.values()) and all(
        r["comparison"]["match"] for r in results.values()
    )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
