"""CLD imports run one at a time (importer/lock.py): a second import while one runs is refused with a clear message
on the command line and in the browser; a run that died is marked failed by the next import and does not block."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
import threading

import pytest
from django.db import connection
from django.utils import timezone

from openasc.people.models import Person
from openasc.reporting import importer
from openasc.reporting.importer import lock
from openasc.reporting.models import ImportRun, ImportStatus

from .test_import import counts, request_row, review_row, run, write
from .test_import_views import cld_bytes, upload


def running(user, **kw) -> ImportRun:
    """A run in progress: by default this very process, on this host, alive a moment ago."""
    fields = {
        "pid": os.getpid(),
        "host": lock.this_host(),
        "heartbeat_at": timezone.now(),
        "started_at": timezone.now(),
        "status": ImportStatus.RUNNING,
        "by": user,
        "file_names": ["other.csv"],
        **kw,
    }
    return ImportRun.objects.create(**fields)


def gone_pid() -> int:
    """The id of a process that has ended."""
    child = subprocess.Popen([sys.executable, "-c", ""])
    child.wait()
    return child.pid


@pytest.fixture
def cld(tmp_path):
    return write(tmp_path / "cld.csv", [request_row(), review_row()])


def test_a_second_import_on_the_command_line_is_refused_in_one_line(staff, cld):
    other = running(staff.system)
    code, out, err = run([cld])
    assert code == 3
    assert err.count("\n") == 1 and err.startswith(
        f"Another CLD import is running (import run {other.pk}, started at "
    )
    assert "one at a time" in err
    assert "Traceback" not in out + err
    assert counts() == (0, 0, 0, 0, 0, 0, 0, 0)
    assert list(ImportRun.objects.values_list("pk", "status")) == [(other.pk, ImportStatus.RUNNING)]


def test_a_second_import_in_the_browser_shows_the_message_on_the_page(client, staff):
    other = running(staff.system)
    client.force_login(staff.performance_analyst)
    response = upload(client, cld_bytes([request_row(), review_row()]))
    html = response.content.decode()
    assert response.status_code == 409
    assert "There is a problem" in html and f"Another CLD import is running (import run {other.pk}" in html
    assert not Person.objects.exists()
    assert ImportRun.objects.count() == 1


def test_a_run_whose_process_is_gone_is_marked_failed_and_does_not_block(staff, cld):
    dead = running(staff.system, pid=gone_pid())
    code, out, err = run([cld])
    assert code == 0, out + err
    dead.refresh_from_db()
    assert dead.status == ImportStatus.FAILED and dead.finished_at is not None
    assert dead.failure == f"Stopped before it finished: its process ({dead.pid} on {dead.host}) is gone"
    new = ImportRun.objects.exclude(pk=dead.pk).get()
    assert (new.status, new.pid, new.host) == (ImportStatus.LOADED, os.getpid(), lock.this_host())
    assert Person.objects.count() == 1


def test_a_run_on_another_machine_blocks_until_its_heartbeat_is_stale(staff, cld):
    elsewhere = running(staff.system, host="another-machine", pid=1)
    assert run([cld])[0] == 3
    ImportRun.objects.filter(pk=elsewhere.pk).update(
        heartbeat_at=timezone.now() - lock.STALE - dt.timedelta(1)
    )
    code, out, err = run([cld])
    assert code == 0, out + err
    elsewhere.refresh_from_db()
    assert elsewhere.status == ImportStatus.FAILED
    assert elsewhere.failure.startswith("Stopped before it finished: no sign of life since ")


def test_an_import_that_fails_is_marked_failed_and_the_next_one_runs(staff, cld, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("the disk went away")

    with monkeypatch.context() as m:
        m.setattr(importer, "check_files", broken)
        with pytest.raises(RuntimeError):
            importer.run_import([cld], user=staff.system)
    failed = ImportRun.objects.get()
    assert (failed.status, failed.failure) == (ImportStatus.FAILED, "RuntimeError: the disk went away")
    assert run([cld])[0] == 0
    assert ImportRun.objects.filter(status=ImportStatus.LOADED).count() == 1


def test_the_heartbeat_is_renewed_while_the_files_are_checked(staff, cld):
    result = importer.run_import([cld], user=staff.system)
    assert result.run.heartbeat_at >= result.run.started_at
    assert ImportRun.objects.get().heartbeat_at == result.run.heartbeat_at


# -- real concurrency: threads with their own database connections ------------------------------------------------
def _in_thread(target, results, *args):
    def go():
        try:
            results.append(target(*args))
        except Exception as exc:  # (the test looks at what each thread got)
            results.append(exc)
        finally:
            connection.close()

    return threading.Thread(target=go)


@pytest.mark.django_db(transaction=True)
def test_two_imports_at_once_one_loads_and_the_other_is_refused(staff, cld, monkeypatch):
    """The first import is held inside its check (its run recorded, RUNNING) while the second starts."""
    checking, release = threading.Event(), threading.Event()
    real = importer.check_files

    def held(*args, **kwargs):
        checking.set()
        assert release.wait(30)
        return real(*args, **kwargs)

    monkeypatch.setattr(importer, "check_files", held)
    results: list = []
    first = _in_thread(lambda: importer.run_import([cld], user=staff.system), results)
    first.start()
    assert checking.wait(30)
    monkeypatch.setattr(importer, "check_files", real)
    with pytest.raises(importer.ImportBusy, match="Another CLD import is running"):
        importer.run_import([cld], user=staff.system)
    release.set()
    first.join(60)
    assert len(results) == 1 and not isinstance(results[0], Exception), results
    assert results[0].run.status == ImportStatus.LOADED
    assert list(ImportRun.objects.values_list("status", flat=True)) == [ImportStatus.LOADED]
    assert Person.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_two_imports_starting_at_the_same_moment_take_turns(staff):
    """Both look, find nothing running, and go for the lock row together: one records its run, the other then finds
    it and is refused."""
    barrier = threading.Barrier(2)
    real = lock._refuse_if_running

    def together(*, lock):
        if not lock:
            real(lock=False)
            barrier.wait(10)  # both have looked before either records anything
            return None
        return real(lock=True)

    lock_module = lock
    results: list = []
    with pytest.MonkeyPatch.context() as m:
        m.setattr(lock_module, "_refuse_if_running", together)
        threads = [
            _in_thread(
                lambda: lock_module.start_run(
                    started_at=timezone.now(), by=staff.system, file_names=["x.csv"]
                ),
                results,
            )
            for _ in range(2)
        ]
        for t in threads:
            t.start()
        for t in threads:
            t.join(60)
    runs = [r for r in results if isinstance(r, ImportRun)]
    busy = [r for r in results if isinstance(r, importer.ImportBusy)]
    assert (len(runs), len(busy)) == (1, 1), results
    assert list(ImportRun.objects.values_list("pk", flat=True)) == [runs[0].pk]
