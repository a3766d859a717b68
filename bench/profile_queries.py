"""Profiling aid for the bench databases (not part of `make bench`).

    DATABASE_URL=sqlite:///bench/out/bench.sqlite3 .venv/bin/python bench/profile_queries.py frontdoor "Smith"
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/openasc_bench .venv/bin/python bench/profile_queries.py \
        socialworker "Margret Smiht" --explain
    ... profile_queries.py frontdoor --page 1234
    ... profile_queries.py bench.manager --url /front-door/team-queue --explain

Prints each SQL query a request runs, with its time, and with --explain the query plans.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
import warnings
from pathlib import Path
from urllib.parse import urlencode

REPO = Path(__file__).resolve().parent.parent


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("username")
    parser.add_argument("query", nargs="?")
    parser.add_argument("--page", type=int)
    parser.add_argument("--url", help="any page, e.g. /my/caseload")
    parser.add_argument("--explain", action="store_true")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "openasc.config.settings")
    os.environ.setdefault("SECRET_KEY", "bench-only-not-a-secret-" + "x" * 40)
    os.environ.setdefault("SECURE_COOKIES", "0")
    sys.path.insert(0, str(REPO))
    warnings.filterwarnings("ignore", message="No directory at", category=UserWarning)
    import django

    django.setup()
    from django.db import connection
    from django.test import Client

    from openasc.core.models import User

    client = Client(raise_request_exception=True)
    client.force_login(User.objects.get(username=args.username))
    url = args.url or (f"/people/{args.page}" if args.page else "/people/?" + urlencode({"q": args.query}))
    log = []

    def wrapper(execute, sql, params, many, context):
        t = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            log.append(((time.perf_counter() - t) * 1000, sql, params))

    for i in range(args.repeat):
        log.clear()
        t = time.perf_counter()
        with connection.execute_wrapper(wrapper):
            response = client.get(url)
        total = (time.perf_counter() - t) * 1000
        print(
            f"run {i + 1}: HTTP {response.status_code}, {total:.1f} ms total, "
            f"{sum(x[0] for x in log):.1f} ms in {len(log)} queries"
        )
    for ms, sql, params in log:
        print(f"\n{ms:8.2f} ms  {sql[:3000]}\n           params={params!r}"[:4000])
        if args.explain and sql.lstrip().upper().startswith("SELECT"):
            with connection.cursor() as cur:
                prefix = (
                    "EXPLAIN QUERY PLAN " if connection.vendor == "sqlite" else "EXPLAIN (ANALYZE, BUFFERS) "
                )
                cur.execute(prefix + sql, params)
                for row in cur.fetchall():
                    print("           | " + " ".join(str(c) for c in row))


if __name__ == "__main__":
    main()
