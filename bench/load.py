"""Load benchmark: `openasc serve` (gunicorn) under 8 and 32 concurrent signed-in users, on SQLite and PostgreSQL.

`make bench` runs this file after bench/run.py. For each database it builds a demo council once (`openasc demo
--people 2000`, reused while a build of that size and seed is there: bench/out/load.sqlite3, or the PostgreSQL
database in BENCH_LOAD_PG_URL), picks the people and searches the load asks for (in a subprocess with Django, like
bench/run.py), starts `openasc serve` on a free port on 127.0.0.1, signs in one session per simulated user (demo
accounts: the front-door officer and the social worker, alternately, through the real sign-in form with its CSRF
token), and drives a bounded closed loop: N clients, each sending its next request only when the last one has
finished, for a warm-up and then a timed window. Half the requests are person pages (GET /people/<id> of people
that user may open), half are searches (GET /people/?q=..., the same mix of queries as bench/run.py).

The load generator shares the 2 cores with the server (and PostgreSQL): it is deliberately light (threads with
http.client and keep-alive, no HTML parsing, nothing but a clock and a status code per request), and every figure
is what a user of a machine doing both would see; a separate load machine would give the server more.

It prints, for each database and number of users, requests per second, p50 and p95 in ms and errors for each kind
of page, the CPU milliseconds each request cost the server's processes, PostgreSQL's backends and the generator
(read from /proc over the timed window: other work on the machine inflates the latencies, hardly the cost), and
PASS/FAIL against the target: at 32 users at least 40 requests a second (person pages and searches
together), p95 under 800 ms for each kind, and no errors (any status but 200, or a failed connection). Figures go to
bench/out/load.json. A benchmark, not a test.

Environment: BENCH_LOAD_DATABASES (default "sqlite,postgresql"), BENCH_LOAD_PEOPLE (2000), BENCH_LOAD_USERS
("8,32"), BENCH_LOAD_SECONDS (timed window, 20), BENCH_LOAD_WARMUP (seconds, 5), BENCH_LOAD_WORKERS and
BENCH_LOAD_THREADS (passed to `openasc serve`; default: its own defaults), BENCH_LOAD_PG_URL (default
postgres://postgres@127.0.0.1:5432/openasc_bench_load), BENCH_SEED (2026). `--rebuild` builds the councils again.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode

from benchlib import LABELS, env_int, pg_admin, remove_sqlite, wait_for_quiet_machine

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
OUT = HERE / "out"
SQLITE_FILE = OUT / "load.sqlite3"
DEFAULT_PG_URL = "postgres://postgres@127.0.0.1:5432/openasc_bench_load"
OPENASC = Path(sys.executable).with_name("openasc")
TARGET_RPS, TARGET_P95_MS, TARGET_USERS = 40.0, 800.0, 32
ACCOUNTS = ("frontdoor", "socialworker")
SERVER_ENV = {
    "SECRET_KEY": "bench-only-not-a-secret-"
    + "x" * 40,  # not the development key: serve runs in production mode
    "SECURE_COOKIES": "0",  # plain http on 127.0.0.1
    "OPENASC_FAST_PASSWORDS": "1",  # the demo accounts' password hashes (only the sign-ins use them)
    "LOG_LEVEL": "ERROR",
}


def database_url(db: str) -> str:
    if db == "sqlite":
        return f"sqlite:///{SQLITE_FILE}"
    if db == "postgresql":
        return os.environ.get("BENCH_LOAD_PG_URL", DEFAULT_PG_URL)
    raise SystemExit(f"Unknown database {db!r}: use sqlite and/or postgresql")


def percentile(values: list[float], pct: float) -> float:
    """Nearest-rank percentile."""
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    rank = max(1, int(-(-pct * len(ordered) // 100)))
    return ordered[min(rank, len(ordered)) - 1]


# --- preparing: build or reuse the council, and choose what the users will ask for (with Django, in a subprocess)


def prepare(db: str, people: int, seed: int, rebuild: bool) -> dict:
    os.environ.update(SERVER_ENV)
    os.environ["DATABASE_URL"] = database_url(db)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "openasc.config.settings")
    sys.path.insert(0, str(REPO))
    say = lambda msg: print(f"[{LABELS[db]}] {msg}", flush=True)  # noqa: E731
    OUT.mkdir(parents=True, exist_ok=True)
    if db == "postgresql":
        conn, name = pg_admin(database_url(db))
        with conn:
            if rebuild:
                conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
                conn.execute(f'CREATE DATABASE "{name}"')
    elif rebuild:
        remove_sqlite(SQLITE_FILE)

    import warnings

    import django

    warnings.filterwarnings("ignore", message="No directory at", category=UserWarning)
    django.setup()
    from django.core.management import call_command
    from run import SEARCH_MIX, make_query  # bench/run.py: the same queries as the in-process bench

    from openasc.core import access
    from openasc.core.models import AuditEvent, Restriction, User
    from openasc.demo.build import demo_password
    from openasc.people.models import Person

    call_command("migrate", verbosity=0, interactive=False)
    built = AuditEvent.objects.filter(object_type="demo.build").order_by("-pk").first()
    if (
        built is not None
        and built.details.get("people") == people
        and built.details.get("seed") == seed
        and Person.objects.count() == people
    ):
        say(f"reusing the load database: {people:,} people (seed {seed})")
    else:
        say(f"building a {people:,}-person demo council (seed {seed}) ...")
        t = time.perf_counter()
        call_command("demo", people=people, seed=seed, reset=True, verbosity=0)
        say(f"built in {time.perf_counter() - t:.0f} s")

    rng = random.Random(f"load-{seed}-{people}")
    live = Person.objects.filter(merged_into__isnull=True).exclude(
        pk__in=Restriction.objects.filter(lifted_at__isnull=True).values("person_id")
    )
    kinds, weights = [k for k, _ in SEARCH_MIX], [w for _, w in SEARCH_MIX]
    plan = {"users": {}}
    for username in ACCOUNTS:
        user = User.objects.get(username=username)
        may_open = list(access.people_visible_to(user, live).order_by("pk"))
        if not may_open:
            raise SystemExit(f"{username} may open nobody in the demo council")
        picked = [rng.choice(may_open) for _ in range(500)]
        searches = []
        for p in picked:
            q = make_query(rng, rng.choices(kinds, weights=weights)[0], p)
            if q:
                searches.append("/people/?" + urlencode({"q": q}))
        plan["users"][username] = {
            "password": demo_password(username, seed),
            "may_open": len(may_open),
            "pages": [f"/people/{p.pk}" for p in picked],
            "searches": searches,
        }
        say(f"{username} may open {len(may_open):,} people")
    plan["people"] = Person.objects.count()
    return plan


# --- the server


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(db: str, port: int, log_path: Path) -> subprocess.Popen:
    cmd = [str(OPENASC), "serve", "--bind", f"127.0.0.1:{port}"]
    if os.environ.get("BENCH_LOAD_WORKERS"):
        cmd += ["--workers", os.environ["BENCH_LOAD_WORKERS"]]
    if os.environ.get("BENCH_LOAD_THREADS"):
        cmd += ["--threads", os.environ["BENCH_LOAD_THREADS"]]
    if os.environ.get("BENCH_LOAD_KEEPALIVE"):
        cmd += ["--keep-alive", os.environ["BENCH_LOAD_KEEPALIVE"]]
    env = {**os.environ, **SERVER_ENV, "DATABASE_URL": database_url(db)}
    env.pop("DEBUG", None)
    with log_path.open("w") as log:
        proc = subprocess.Popen(cmd, cwd=REPO, env=env, stdout=log, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"openasc serve exited with {proc.returncode}: see {log_path}")
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            conn.request("GET", "/healthz")
            if conn.getresponse().status == 200:
                conn.close()
                return proc
        except OSError:
            time.sleep(0.3)
    proc.terminate()
    raise SystemExit(f"openasc serve did not answer /healthz within 60 s: see {log_path}")


def stop_server(proc: subprocess.Popen) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=40)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


# --- CPU used, per process, from /proc (how much each request costs, whatever else the machine is doing)

TICK = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def _stat(pid: int) -> list[str] | None:
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return text[text.rindex(")") + 2 :].split()  # the fields after the command name


def server_cpu_seconds(master: int) -> float:
    """The gunicorn master, its live workers and the workers it has already replaced (cutime, cstime)."""
    fields = _stat(master)
    if fields is None:
        return 0.0
    total = sum(int(fields[i]) for i in (11, 12, 13, 14))  # utime, stime, cutime, cstime
    for task in Path(f"/proc/{master}/task").glob("*/children"):
        for child in task.read_text().split():
            child_fields = _stat(int(child))
            if child_fields:
                total += int(child_fields[11]) + int(child_fields[12])
    return total / TICK


def database_cpu_seconds(db: str) -> float:
    """PostgreSQL's backends serving the bench database (none for SQLite, which runs inside the workers)."""
    if db != "postgresql":
        return 0.0
    conn, name = pg_admin(database_url(db))
    with conn:
        pids = [
            r[0]
            for r in conn.execute(
                "SELECT pid FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()", [name]
            ).fetchall()
        ]
    return sum(int(f[11]) + int(f[12]) for f in map(_stat, pids) if f) / TICK


# --- the simulated users


class Session:
    """One signed-in user: a keep-alive connection and its cookies."""

    def __init__(self, port: int):
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        self.cookies: dict[str, str] = {}

    def request(self, method: str, path: str, body: str | None = None) -> tuple[int, dict, bytes]:
        headers = {"Host": "127.0.0.1"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if body is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        try:
            self.conn.request(method, path, body=body, headers=headers)
            response = self.conn.getresponse()
            data = response.read()
        except (http.client.HTTPException, OSError):
            self.conn.close()  # reconnect on the next request
            raise
        for value in response.headers.get_all("Set-Cookie") or []:
            jar = SimpleCookie()
            jar.load(value)
            for key, morsel in jar.items():
                self.cookies[key] = morsel.value
        if response.getheader("Connection", "").lower() == "close":
            self.conn.close()
        return response.status, dict(response.getheaders()), data

    def sign_in(self, username: str, password: str) -> None:
        status, _, page = self.request("GET", "/sign-in")
        token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page)
        if status != 200 or token is None:
            raise SystemExit(f"GET /sign-in: HTTP {status}, no CSRF token")
        body = urlencode(
            {
                "csrfmiddlewaretoken": token.group(1).decode(),
                "username": username,
                "password": password,
                "next": "",
            }
        )
        status, _, _ = self.request("POST", "/sign-in", body)
        if status != 302 or "sessionid" not in self.cookies:
            raise SystemExit(f"signing in as {username}: HTTP {status} (expected a redirect with a session)")


def run_load(port: int, plan: dict, users: int, warmup: float, seconds: float, seed: int, cpu=None) -> dict:
    sessions = []
    for i in range(users):
        username = ACCOUNTS[i % len(ACCOUNTS)]
        s = Session(port)
        s.sign_in(username, plan["users"][username]["password"])
        sessions.append((username, s))
    start = time.monotonic()
    t0, t1 = start + warmup, start + warmup + seconds
    results: list[list[tuple[str, float, float, bool]]] = [[] for _ in sessions]

    def client(i: int, username: str, session: Session) -> None:
        rng = random.Random(f"{seed}-{users}-{i}")
        mine = plan["users"][username]
        out = results[i]
        while True:
            kind = "person page" if rng.random() < 0.5 else "search"
            path = rng.choice(mine["pages"] if kind == "person page" else mine["searches"])
            began = time.monotonic()
            if began >= t1:
                return
            try:
                status, _, _ = session.request("GET", path)
                ok = status == 200
            except (http.client.HTTPException, OSError):
                ok = False
            out.append((kind, began, time.monotonic(), ok))

    threads = [
        threading.Thread(target=client, args=(i, u, s), daemon=True) for i, (u, s) in enumerate(sessions)
    ]
    for t in threads:
        t.start()
    # CPU over the timed window: the server's processes, the database's, and this generator's own.
    time.sleep(max(0.0, t0 - time.monotonic()))
    before = (cpu() if cpu else (0.0, 0.0), time.process_time())
    time.sleep(max(0.0, t1 - time.monotonic()))
    after = (cpu() if cpu else (0.0, 0.0), time.process_time())
    for t in threads:
        t.join()
    for _, s in sessions:
        s.conn.close()
    # The timed window: requests that started and finished inside it.
    done = [r for rows in results for r in rows if r[1] >= t0 and r[2] <= t1]
    figures = {}
    for kind in ("person page", "search", "all"):
        rows = [r for r in done if kind == "all" or r[0] == kind]
        ms = [(end - began) * 1000 for _, began, end, _ in rows]
        figures[kind] = {
            "requests": len(rows),
            "rps": round(len(rows) / seconds, 1),
            "p50": round(percentile(ms, 50), 1),
            "p95": round(percentile(ms, 95), 1),
            "max": round(max(ms), 1) if ms else None,
            "errors": sum(1 for r in rows if not r[3]),
        }
    n = max(1, len(done))
    figures["cpu_ms_per_request"] = {
        "server": round((after[0][0] - before[0][0]) * 1000 / n, 1),
        "database": round((after[0][1] - before[0][1]) * 1000 / n, 1),
        "load generator": round((after[1] - before[1]) * 1000 / n, 1),
    }
    warm_errors = sum(1 for rows in results for r in rows if not r[3] and r[1] < t0)
    figures["all"]["errors"] += warm_errors  # an error is an error, timed or not
    return figures


def passes(figures: dict) -> bool:
    return (
        figures["all"]["rps"] >= TARGET_RPS
        and figures["all"]["errors"] == 0
        and all(figures[k]["p95"] < TARGET_P95_MS for k in ("person page", "search"))
    )


# --- the driver


def bench_database(
    db: str, people: int, seed: int, rebuild: bool, user_counts: list[int], warmup: float, seconds: float
) -> dict:
    plan_file = OUT / f"load-plan-{db}.json"
    plan_file.unlink(missing_ok=True)
    cmd = [sys.executable, str(Path(__file__).resolve()), "--prepare", db] + (
        ["--rebuild"] if rebuild else []
    )
    if subprocess.run(cmd, cwd=REPO, check=False).returncode != 0 or not plan_file.exists():
        return {"error": "preparing the database failed"}
    plan = json.loads(plan_file.read_text())
    port = free_port()
    log = OUT / f"load-server-{db}.log"
    proc = start_server(db, port, log)
    runs = {}
    try:
        with open(log) as f:
            banner = next((line.strip() for line in f if line.startswith("openasc serve:")), "")
        print(f"[{LABELS[db]}] {banner}", flush=True)
        for users in user_counts:
            wait_for_quiet_machine(lambda msg: print(f"[{LABELS[db]}] {msg}", flush=True))
            load = os.getloadavg()[0]
            print(
                f"[{LABELS[db]}] {users} users: {warmup:.0f} s warm-up, {seconds:.0f} s timed ...", flush=True
            )
            cpu = lambda: (server_cpu_seconds(proc.pid), database_cpu_seconds(db))  # noqa: E731
            runs[str(users)] = {
                **run_load(port, plan, users, warmup, seconds, seed, cpu),
                "load_average": round(load, 2),
            }
    finally:
        stop_server(proc)
    return {
        "database": LABELS[db],
        "people": plan["people"],
        "server": banner,
        "runs": runs,
        "may_open": {u: plan["users"][u]["may_open"] for u in ACCOUNTS},
    }


def print_table(results: dict) -> bool:
    ok = True
    print()
    print(
        f"Load on `openasc serve`, {os.cpu_count()} cores shared by the server, its database and the load "
        "generator; closed loop (each user waits for its last answer)"
    )
    print(
        f"{'database':<11} {'users':>5} {'page':<12} {'req/s':>7} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8} "
        f"{'errors':>6}"
    )
    for db, result in results.items():
        if "error" in result:
            print(f"{LABELS[db]:<11} ERROR: {result['error']}")
            ok = False
            continue
        for users, figures in result["runs"].items():
            for kind in ("person page", "search", "all"):
                f = figures[kind]
                print(
                    f"{LABELS[db]:<11} {users:>5} {kind:<12} {f['rps']:>7.1f} {f['p50']:>8.1f} {f['p95']:>8.1f} "
                    f"{f['max'] or 0:>8.1f} {f['errors']:>6}"
                )
            c = figures["cpu_ms_per_request"]
            print(
                f"{'':<11} {'':>5} CPU per request: server {c['server']:.1f} ms, database {c['database']:.1f} ms, "
                f"load generator {c['load generator']:.1f} ms; 1-min load average at the start "
                f"{figures['load_average']:.1f}"
            )
            if int(users) == TARGET_USERS:
                verdict = passes(figures)
                ok = ok and verdict
                print(
                    f"{'':<11} {'':>5} {'PASS' if verdict else 'FAIL'}: at {TARGET_USERS} users "
                    f">= {TARGET_RPS:.0f} req/s ({figures['all']['rps']:.1f}), p95 < {TARGET_P95_MS:.0f} ms "
                    f"(page {figures['person page']['p95']:.0f}, search {figures['search']['p95']:.0f}), "
                    f"0 errors ({figures['all']['errors']})"
                )
        print(f"{'':<11} server: {result['server']}")
    return ok


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rebuild", action="store_true", help="build the demo councils again")
    parser.add_argument("--prepare", choices=sorted(LABELS), help=argparse.SUPPRESS)
    args = parser.parse_args()
    # Stopped from outside (timeout, Ctrl+C): unwind, so that the server this started is stopped too.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    people = env_int("BENCH_LOAD_PEOPLE", 2000)
    seed = env_int("BENCH_SEED", 2026)
    if args.prepare:
        plan = prepare(args.prepare, people, seed, args.rebuild)
        (OUT / f"load-plan-{args.prepare}.json").write_text(json.dumps(plan))
        return 0
    dbs = [
        d.strip() for d in os.environ.get("BENCH_LOAD_DATABASES", "sqlite,postgresql").split(",") if d.strip()
    ]
    user_counts = [int(n) for n in os.environ.get("BENCH_LOAD_USERS", "8,32").split(",") if n.strip()]
    warmup = float(os.environ.get("BENCH_LOAD_WARMUP", "5"))
    seconds = float(os.environ.get("BENCH_LOAD_SECONDS", "20"))
    results = {db: bench_database(db, people, seed, args.rebuild, user_counts, warmup, seconds) for db in dbs}
    ok = print_table(results)
    (OUT / "load.json").write_text(
        json.dumps(
            {
                "generated_at": time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime()),
                "cpu_cores": os.cpu_count(),
                "people": people,
                "warmup_s": warmup,
                "seconds": seconds,
                "pass": ok,
                "databases": results,
            },
            indent=2,
        )
    )
    print(f"figures written to {(OUT / 'load.json').relative_to(REPO)}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
