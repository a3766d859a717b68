"""`openasc serve` (gunicorn) and the health check it is watched by (ADR 0011)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from unittest import mock

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import OperationalError

from openasc.core.management.commands import serve

REPO = Path(__file__).resolve().parents[3]
DEV_KEY = "insecure-development-key-do-not-use-in-production"


def options(**overrides):
    args = {
        "bind": "127.0.0.1:8000",
        "workers": None,
        "threads": 4,
        "timeout": 60,
        "max_requests": 2000,
        "cpus": 2,
    }
    return serve.server_options(**{**args, **overrides})


# --- worker counts and options


@pytest.mark.parametrize(("cpus", "workers"), [(None, 2), (1, 2), (2, 3), (8, 9)])
def test_default_workers_are_the_cores_plus_one_and_at_least_two(cpus, workers, monkeypatch):
    monkeypatch.delenv("WEB_CONCURRENCY", raising=False)
    assert options(cpus=cpus)["workers"] == workers


def test_workers_from_the_option_then_web_concurrency(monkeypatch):
    monkeypatch.setenv("WEB_CONCURRENCY", "6")
    assert options()["workers"] == 6
    assert options(workers=1)["workers"] == 1  # the option wins over the environment


def test_threads_choose_the_worker_class():
    assert (options(threads=1)["worker_class"], options(threads=1)["threads"]) == ("sync", 1)
    assert (options(threads=2)["worker_class"], options(threads=2)["threads"]) == ("gthread", 2)


def test_the_server_has_timeouts_a_log_and_staggered_restarts():
    got = options(timeout=30, max_requests=1000)
    assert got["timeout"] == 30 and got["graceful_timeout"] == 30 and got["keepalive"] == 5
    assert (
        options(keep_alive=0)["keepalive"] == 0
    )  # close after each response (a proxy that does not reuse them)
    assert (got["max_requests"], got["max_requests_jitter"]) == (1000, 100)
    assert got["accesslog"] == "-" and got["bind"] == ["127.0.0.1:8000"]
    # the request line would carry searches (names, NHS numbers): the log has the path only
    assert "%(U)s" in got["access_log_format"] and "%(r)s" not in got["access_log_format"]
    assert "%(q)s" not in got["access_log_format"] and "%(f)s" not in got["access_log_format"]


@pytest.mark.parametrize(
    ("overrides", "named"),
    [
        ({"workers": 0}, "--workers"),
        ({"threads": 0}, "--threads"),
        ({"timeout": 0}, "--timeout"),
        ({"max_requests": -1}, "--max-requests"),
        ({"keep_alive": -1}, "--keep-alive"),
        ({"bind": "8000"}, "--bind"),
        ({"bind": ":8000"}, "--bind"),
        ({"bind": "127.0.0.1:http"}, "--bind"),
        ({"bind": "127.0.0.1:0"}, "--bind"),
        ({"bind": "127.0.0.1:65536"}, "--bind"),
    ],
)
def test_bad_options_name_the_option(overrides, named):
    with pytest.raises(CommandError, match=named):
        options(**overrides)


@pytest.mark.parametrize("bind", ["0.0.0.0:8000", "127.0.0.1:1", "[::1]:65535", "unix:/run/openasc.sock"])
def test_good_binds(bind):
    assert options(bind=bind)["bind"] == [bind]


@pytest.mark.parametrize("value", ["abc", "0", "-2"])
def test_a_bad_web_concurrency_is_named(value, monkeypatch):
    monkeypatch.setenv("WEB_CONCURRENCY", value)
    with pytest.raises(CommandError, match="WEB_CONCURRENCY"):
        options()


# --- refusing settings that are unsafe in production


def test_refuses_debug(settings, capsys):
    settings.DEBUG, settings.SECRET_KEY, settings.OPENASC_SERVE_ALLOW_INSECURE = (
        True,
        "a-real-key-" + "x" * 40,
        False,
    )
    with pytest.raises(CommandError, match="DEBUG is on"):
        call_command("serve", "--check")


def test_refuses_the_development_key(settings):
    settings.DEBUG, settings.SECRET_KEY, settings.OPENASC_SERVE_ALLOW_INSECURE = False, DEV_KEY, False
    with pytest.raises(CommandError, match="SECRET_KEY is the published development key"):
        call_command("serve", "--check")


def test_serves_insecure_settings_only_when_the_settings_allow_it_and_warns(settings, capsys):
    settings.DEBUG, settings.SECRET_KEY, settings.OPENASC_SERVE_ALLOW_INSECURE = True, DEV_KEY, True
    call_command("serve", "--check", "--workers", "2", "--threads", "1")
    out = capsys.readouterr()
    assert "2 workers x 1 threads (sync) on 127.0.0.1:8000" in out.out
    assert "WARNING: DEBUG is on" in out.err and "WARNING: SECRET_KEY" in out.err


def test_production_settings_serve_without_warnings(settings, capsys):
    settings.DEBUG, settings.SECRET_KEY, settings.OPENASC_SERVE_ALLOW_INSECURE = (
        False,
        "a-real-key-" + "x" * 40,
        False,
    )
    call_command("serve", "--check", "--bind", "0.0.0.0:9000", "--workers", "5")
    out = capsys.readouterr()
    assert "5 workers x 4 threads (gthread) on 0.0.0.0:9000" in out.out and out.err == ""


# --- the health check


def test_health_is_ok_without_signing_in_and_sets_no_cookie(client, db):
    response = client.get("/healthz")
    assert response.status_code == 200 and response.content == b"ok\n"
    assert response["Cache-Control"] == "no-store" and not response.cookies
    assert client.head("/healthz").status_code == 200


def test_health_is_503_when_the_database_is_unreachable(client, db):
    with mock.patch(
        "openasc.core.health.connection.cursor", side_effect=OperationalError("connection refused")
    ):
        response = client.get("/healthz")
    assert response.status_code == 503 and response.content == b"database unavailable\n"
    assert b"refused" not in response.content  # the error goes to the log, not to the caller


def test_health_takes_no_writes(client, db):
    assert client.post("/healthz").status_code == 405


# --- the real server


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def get(url: str):
    try:
        with urllib.request.urlopen(url, timeout=5) as response:  # noqa: S310 (our own server on 127.0.0.1)
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.headers, exc.read()


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def test_openasc_serve_answers_health_static_files_and_logs_no_query_strings(tmp_path):
    port = free_port()
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'serve.sqlite3'}",
        "SECRET_KEY": "t-" + "k" * 50,
        "DJANGO_SETTINGS_MODULE": "openasc.config.settings",
        "OPENASC_SERVE_ALLOW_INSECURE": "0",
    }
    env.pop("DEBUG", None)
    log = tmp_path / "serve.log"
    with log.open("w") as out:
        proc = subprocess.Popen(
            [
                str(Path(sys.executable).with_name("openasc")),
                "serve",
                "--bind",
                f"127.0.0.1:{port}",
                "--workers",
                "2",
                "--threads",
                "2",
            ],
            cwd=REPO,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 30
        while True:
            try:
                status, _, body = get(base + "/healthz")
                break
            except OSError:
                assert proc.poll() is None, log.read_text()
                assert time.monotonic() < deadline, log.read_text()
                time.sleep(0.3)
        assert (status, body) == (200, b"ok\n")
        status, headers, body = get(base + "/static/ui/css/app.css")  # WhiteNoise
        assert status == 200 and headers["Content-Type"].startswith("text/css") and len(body) > 1000
        opener = urllib.request.build_opener(NoRedirect)
        with pytest.raises(urllib.error.HTTPError) as redirect:
            opener.open(base + "/people/?q=Smith+9434765919", timeout=5)
        assert redirect.value.code == 302 and redirect.value.headers["Location"].startswith("/sign-in")
    finally:
        proc.terminate()
        proc.wait(timeout=30)
    text = log.read_text()
    assert "Starting gunicorn" in text and "Using worker: gthread" in text
    assert '"GET /healthz" 200' in text and '"GET /people/" 302' in text
    assert "Smith" not in text and "9434765919" not in text
