"""Money figures for the 200,000-person council (issue 15), on SQLite and on PostgreSQL.

`make bench` runs this file after bench/run.py, on the bench databases that run.py built (bench/out/bench.sqlite3
and BENCH_PG_URL; never the developer's database). For each database, in a subprocess of its own, it adds the
demo's money once if the database has none (cost centres and budgets, a year of payments and invoices, rate
uplifts: the demo's own builders) and times:

* bench/budgets.py: commitments and the forecast outturn for the whole council, uncached (target under 10 s), and
  the budget monitoring page as a finance officer and as a team manager (target p95 under 300 ms);
* bench/payments.py: the payment run for one four-weekly period for every provider, dry and real (target under
  60 s; the real run is rolled back, so the database is unchanged), and the finance officer's payment pages;
* bench/uplifts.py: the preview of a whole-market 2% uplift (target under 10 s), the spend report uncached and its
  page (target p95 under 300 ms).

It prints each figure with PASS/FAIL, a summary table, and writes bench/out/money-results.json. A benchmark, not a
test: it asserts nothing timed. BENCH_MONEY_DATABASES (default "sqlite,postgresql") chooses the databases.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
OUT = HERE / "out"
LABELS = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}


def _url(db: str) -> str:
    if db == "sqlite":
        return f"sqlite:///{OUT / 'bench.sqlite3'}"
    return os.environ.get("BENCH_PG_URL", "postgres://postgres@127.0.0.1:5432/openasc_bench")


def worker(db: str) -> dict:
    os.environ["DATABASE_URL"] = _url(db)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "openasc.config.settings")
    os.environ.setdefault("SECRET_KEY", "bench-only-not-a-secret-" + "x" * 40)
    os.environ.setdefault("SECURE_COOKIES", "0")
    os.environ.setdefault("OPENASC_FAST_PASSWORDS", "1")
    os.environ.setdefault("LOG_LEVEL", "ERROR")
    sys.path.insert(0, str(REPO))
    sys.path.insert(0, str(HERE))
    import warnings

    import django

    warnings.filterwarnings("ignore", message="No directory at", category=UserWarning)
    django.setup()
    from django.core.management import call_command

    from openasc.people.models import Person

    call_command("migrate", verbosity=0, interactive=False)
    if not Person.objects.exists():
        raise SystemExit(
            f"[{LABELS[db]}] the bench database is empty: run bench/run.py first (make bench does)"
        )
    say = lambda msg: print(f"[{LABELS[db]}] {msg}", flush=True)  # noqa: E731
    import budgets
    import payments
    import uplifts

    return {
        "people": Person.objects.count(),
        "budgets": budgets.run(say),
        "payments": payments.run(say),
        "uplifts": uplifts.run(say),
    }


def _targets(figures: dict, path: str = "") -> list[tuple[str, dict]]:
    """Every figure with a target in the results: (where, the figure)."""
    found = []
    for key, value in figures.items():
        if isinstance(value, dict):
            where = f"{path} / {key}" if path else key
            if "pass" in value:
                found.append((where, value))
            found.extend(_targets({k: v for k, v in value.items() if k != "pass"}, where))
    return found


def _figure(value: dict) -> str:
    for key, unit in (
        ("max_s", "s"),
        ("run_s", "s"),
        ("worst_s", "s"),
        ("p95_ms", "ms p95"),
        ("p95", "ms p95"),
    ):
        if isinstance(value.get(key), (int, float)):
            return f"{value[key]:.2f} {unit}" if unit == "s" else f"{value[key]:.0f} {unit}"
    return ""


def main() -> int:
    if len(sys.argv) == 3 and sys.argv[1] == "--worker":
        print("RESULT " + json.dumps(worker(sys.argv[2]), default=str), flush=True)
        return 0
    dbs = [
        d.strip()
        for d in os.environ.get("BENCH_MONEY_DATABASES", "sqlite,postgresql").split(",")
        if d.strip()
    ]
    results: dict = {}
    for db in dbs:
        proc = subprocess.run(
            [sys.executable, __file__, "--worker", db], cwd=REPO, capture_output=True, text=True, check=False
        )
        result = None
        for line in proc.stdout.splitlines():
            if line.startswith("RESULT "):
                result = json.loads(line[len("RESULT ") :])
            else:
                print(line)
        if proc.returncode or result is None:
            print(proc.stderr[-3000:])
            results[db] = {"error": f"the {LABELS[db]} worker failed (exit {proc.returncode})"}
        else:
            results[db] = result
    OUT.mkdir(exist_ok=True)
    (OUT / "money-results.json").write_text(json.dumps(results, indent=2, default=str))
    print(
        f"\nMoney at {max((r.get('people', 0) for r in results.values()), default=0):,} people (issue 15 targets):"
    )
    ok = True
    for db, result in results.items():
        if "error" in result:
            print(f"  {LABELS[db]}: {result['error']}")
            ok = False
            continue
        for where, value in _targets(result):
            print(
                f"  {LABELS[db]:<11} {where:<60} {_figure(value):>14}  {'PASS' if value['pass'] else 'FAIL'}"
            )
            ok = ok and bool(value["pass"])
    print(f"\n{'PASS' if ok else 'FAIL'}: money targets on {' and '.join(LABELS[d] for d in dbs)}")
    print("figures written to bench/out/money-results.json")
    return 1 if any("error" in r for r in results.values()) else 0  # a failed worker, never a slow figure


if __name__ == "__main__":
    sys.exit(main())
