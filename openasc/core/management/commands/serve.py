"""`openasc serve`: the production web server, gunicorn running openasc.config.wsgi (ADR 0011).

Django's `runserver` is a development tool (one process, no timeouts, auto-reload). This runs gunicorn with
worker processes for the CPU cores (Python renders pages under the GIL, so processes, not threads, use the cores),
a few threads each (a slow client or a query waiting on the database does not hold a whole process), timeouts, an
access log without query strings (searches carry names and NHS numbers) and the static files through WhiteNoise."""

from __future__ import annotations

import os

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connections

DEFAULT_BIND = "127.0.0.1:8000"
DEFAULT_THREADS = 4
DEV_KEY_PREFIX = "insecure-development-key"
# The path without the query string, status, bytes, milliseconds and the request id (which audit events carry).
ACCESS_LOG_FORMAT = '%(h)s %(t)s "%(m)s %(U)s" %(s)s %(B)s %(M)sms rid=%({x-request-id}o)s'


def default_workers(cpus: int | None) -> int:
    """One process per core plus one (it fills a core while another waits on the database), at least two."""
    return max(2, (cpus or 1) + 1)


def insecure_reasons() -> list[str]:
    """What in the settings is unsafe for a server others can reach."""
    reasons = []
    if settings.DEBUG:
        reasons.append("DEBUG is on (error pages show settings and personal data)")
    if settings.SECRET_KEY.startswith(DEV_KEY_PREFIX):
        reasons.append("SECRET_KEY is the published development key (set SECRET_KEY)")
    return reasons


def positive(name: str, value: int | None) -> None:
    if value is not None and value < 1:
        raise CommandError(f"{name} must be at least 1 (got {value})")


def server_options(
    *,
    bind: str,
    workers: int | None,
    threads: int,
    timeout: int,
    max_requests: int,
    cpus: int | None,
    keep_alive: int = 5,
) -> dict:
    """gunicorn's settings for these command-line options (checked: a bad value names its option)."""
    positive("--workers", workers)
    positive("--threads", threads)
    positive("--timeout", timeout)
    if max_requests < 0:
        raise CommandError(f"--max-requests must be 0 (never restart) or more (got {max_requests})")
    if keep_alive < 0:
        raise CommandError(
            f"--keep-alive must be 0 (close after each response) or more seconds (got {keep_alive})"
        )
    host, sep, port = bind.rpartition(":")
    if not bind.startswith("unix:") and (
        not sep or not host or not port.isdigit() or not 0 < int(port) < 65536
    ):
        raise CommandError(
            f"--bind {bind!r}: expected HOST:PORT (e.g. 127.0.0.1:8000 or 0.0.0.0:8000) or unix:PATH"
        )
    if workers is None:
        env = os.environ.get("WEB_CONCURRENCY", "")
        if env and (not env.isdigit() or int(env) < 1):
            raise CommandError(f"WEB_CONCURRENCY {env!r}: expected a whole number of workers, at least 1")
        workers = int(env) if env else default_workers(cpus)
    return {
        "bind": [bind],
        "workers": workers,
        "worker_class": "gthread" if threads > 1 else "sync",
        "threads": threads,
        "timeout": timeout,  # a worker stuck this long is killed and replaced
        "graceful_timeout": 30,
        "keepalive": keep_alive,
        # Restart each worker now and then (staggered), so a slow leak can never take a process's memory.
        "max_requests": max_requests,
        "max_requests_jitter": max_requests // 10,
        "accesslog": "-",
        "errorlog": "-",
        "access_log_format": ACCESS_LOG_FORMAT,
        "proc_name": "openasc",
        "control_socket_disable": True,  # nothing uses it, and two servers on one host would share its path
        # Behind a proxy on the same host; set FORWARDED_ALLOW_IPS (gunicorn reads it) for one elsewhere.
        "forwarded_allow_ips": os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1,::1"),
    }


class Command(BaseCommand):
    help = (
        "Run the production web server (gunicorn) on --bind. Refuses DEBUG or the development SECRET_KEY "
        "unless OPENASC_SERVE_ALLOW_INSECURE=1 (benchmarks on 127.0.0.1)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--bind", default=DEFAULT_BIND, help=f"HOST:PORT or unix:PATH (default {DEFAULT_BIND})"
        )
        parser.add_argument(
            "--workers",
            type=int,
            default=None,
            help="worker processes (default WEB_CONCURRENCY, else CPU cores + 1, at least 2)",
        )
        parser.add_argument(
            "--threads",
            type=int,
            default=DEFAULT_THREADS,
            help=f"threads per worker (default {DEFAULT_THREADS}; 1 for sync workers)",
        )
        parser.add_argument(
            "--timeout", type=int, default=60, help="seconds before a stuck worker is replaced"
        )
        parser.add_argument(
            "--max-requests",
            type=int,
            default=2000,
            help="requests before a worker is replaced, with 10%% jitter (0: never)",
        )
        parser.add_argument(
            "--keep-alive",
            type=int,
            default=5,
            help="seconds an idle client connection is kept open (0: close after each response)",
        )
        parser.add_argument("--check", action="store_true", help="print the server's settings and exit")

    def handle(self, *args, **options):
        options_ = server_options(
            bind=options["bind"],
            workers=options["workers"],
            threads=options["threads"],
            timeout=options["timeout"],
            max_requests=options["max_requests"],
            cpus=os.cpu_count(),
            keep_alive=options["keep_alive"],
        )
        reasons = insecure_reasons()
        if reasons and not settings.OPENASC_SERVE_ALLOW_INSECURE:
            raise CommandError(
                "Refusing to serve: " + "; ".join(reasons) + ". For a server nobody else can reach "
                "(a benchmark), set OPENASC_SERVE_ALLOW_INSECURE=1."
            )
        for reason in reasons:
            self.stderr.write(f"WARNING: {reason} (OPENASC_SERVE_ALLOW_INSECURE=1)")
        summary = (
            f"openasc serve: {options_['workers']} workers x {options_['threads']} threads "
            f"({options_['worker_class']}) on {options['bind']}, database {connections['default'].vendor}"
        )
        if options["check"]:
            self.stdout.write(summary)
            return
        self.stderr.write(summary)
        connections.close_all()  # workers are forked: none may inherit the master's database connection
        run(options_)


def run(options: dict) -> None:
    from gunicorn.app.base import BaseApplication

    class Server(BaseApplication):
        def load_config(self):
            for key, value in options.items():
                self.cfg.set(key, value)

        def load(self):
            from openasc.config.wsgi import application

            return application

    Server().run()
