"""CLD imports run one at a time.

Two imports at once would both match the record and both insert (a raw UniqueViolation on PostgreSQL, "database is
locked" on SQLite). So an import starts by recording its run (``ImportRun``, status RUNNING, with its process id,
host and a heartbeat) and the run in progress is the lock: a second import finds it and is refused with
``ImportBusy`` (the command line prints one line and exits 3; the browser page shows the message).

Starting is a short transaction of its own: the lock row (``ImportLock``, id 1) is written first, which on
PostgreSQL locks it (``select_for_update``) until commit and on SQLite takes the database's write lock, so two
imports starting at once take turns. Inside it, a RUNNING run whose process is gone (same host, no such pid) or
whose heartbeat is older than ``STALE`` (``OPENASC_IMPORT_STALE_MINUTES``, default 60) is marked FAILED ("stopped
before it finished") and does not block. The heartbeat is renewed while the files are checked (``beat``); the load
is one transaction, which cannot write it for others to see, and takes minutes, not an hour.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import socket

from django.conf import settings
from django.db import DatabaseError, IntegrityError, OperationalError, transaction
from django.utils import timezone

from openasc.reporting.models import ImportLock, ImportRun, ImportStatus

STALE = dt.timedelta(
    minutes=int(
        getattr(settings, "OPENASC_IMPORT_STALE_MINUTES", None)
        or os.environ.get("OPENASC_IMPORT_STALE_MINUTES", "60")
    )
)
BEAT_EVERY = dt.timedelta(seconds=30)
STOPPED = "Stopped before it finished"


class ImportBusy(Exception):
    """Another import is running: this one was not started."""


def this_host() -> str:
    return socket.gethostname()[:255]


def _process_exists(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # it exists, under another user
        return True
    return True


def why_dead(run: ImportRun, now: dt.datetime | None = None) -> str:
    """Why a RUNNING run cannot still be running ('' when it may be)."""
    now = now or timezone.now()
    beat = run.heartbeat_at or run.started_at
    if run.host == this_host() and run.pid and not _process_exists(run.pid):
        return f"{STOPPED}: its process ({run.pid} on {run.host}) is gone"
    if beat < now - STALE:
        return f"{STOPPED}: no sign of life since {timezone.localtime(beat):%H:%M on %-d %B %Y}"
    return ""


def _busy_message(run: ImportRun) -> str:
    who = getattr(run.by, "username", "") if run.by_id else ""
    return (
        f"Another CLD import is running (import run {run.pk}, started at "
        f"{timezone.localtime(run.started_at):%H:%M on %-d %B %Y}{f' by {who}' if who else ''}): imports run "
        "one at a time, so wait for it to finish and try again."
    )


def _refuse_if_running(*, lock: bool) -> None:
    runs = ImportRun.objects.filter(status=ImportStatus.RUNNING).select_related("by").order_by("pk")
    if lock:
        runs = runs.select_for_update(of=("self",))
    now = timezone.now()
    for run in runs:
        reason = why_dead(run, now)
        if not reason:
            raise ImportBusy(_busy_message(run))
        if lock:
            run.status, run.finished_at, run.failure = ImportStatus.FAILED, now, reason
            run.save(update_fields=["status", "finished_at", "failure"])


def start_run(**fields) -> ImportRun:
    """Record a new RUNNING import run, or raise ImportBusy when another import is running."""
    # A look first, which writes nothing: on SQLite an import that is loading holds the write lock, and waiting for
    # it would only end in "database is locked".
    _refuse_if_running(lock=False)
    try:
        with transaction.atomic():
            now = timezone.now()
            if not ImportLock.objects.filter(pk=1).update(taken_at=now):
                try:
                    with transaction.atomic():
                        ImportLock.objects.create(pk=1, taken_at=now)
                except IntegrityError:  # made meanwhile by an import starting at the same time
                    ImportLock.objects.filter(pk=1).update(taken_at=now)
            ImportLock.objects.select_for_update().filter(pk=1).first()
            _refuse_if_running(lock=True)
            return ImportRun.objects.create(
                status=ImportStatus.RUNNING, pid=os.getpid(), host=this_host(), heartbeat_at=now, **fields
            )
    except OperationalError as exc:  # SQLite: another import holds the write lock beyond the busy timeout
        if "locked" in str(exc):
            raise ImportBusy(
                "Another CLD import is loading: imports run one at a time, so wait for it to finish "
                "and try again."
            ) from None
        raise


def beat(run: ImportRun, *, force: bool = False) -> None:
    """Renew the run's heartbeat (at most every BEAT_EVERY unless forced). Outside the load's transaction only."""
    now = timezone.now()
    if force or run.heartbeat_at is None or now - run.heartbeat_at >= BEAT_EVERY:
        run.heartbeat_at = now
        ImportRun.objects.filter(pk=run.pk).update(heartbeat_at=now)


def fail(run: ImportRun, exc: BaseException) -> None:
    """Mark a run that ended with an exception as failed (when it is still RUNNING), as best it can be."""
    if run.status != ImportStatus.RUNNING:
        return
    run.status, run.finished_at = ImportStatus.FAILED, timezone.now()
    run.failure = f"{type(exc).__name__}: {exc}"[:2000]
    with contextlib.suppress(
        DatabaseError
    ):  # a broken transaction: the next import finds the run dead instead
        run.save(update_fields=["status", "finished_at", "failure"])
