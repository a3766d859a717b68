"""The worker loop: django-tasks' database worker with the project's defaults."""

from __future__ import annotations

from django.conf import settings
from django.utils.crypto import get_random_string
from django_tasks_db.management.commands.db_worker import Worker


def make_worker(
    *,
    queues: list[str] | None = None,
    interval: float | None = None,
    batch: bool = False,
    max_tasks: int | None = None,
    worker_id: str | None = None,
) -> Worker:
    """A worker for the project's queues (OPENASC_WORKER_QUEUES), polling every OPENASC_WORKER_INTERVAL seconds."""
    return Worker(
        queue_names=queues or [q.strip() for q in settings.OPENASC_WORKER_QUEUES.split(",") if q.strip()],
        interval=settings.OPENASC_WORKER_INTERVAL if interval is None else interval,
        batch=batch,
        backend_name="default",
        startup_delay=not batch,
        max_tasks=max_tasks,
        worker_id=worker_id or get_random_string(32),
        excluded_queue_names=[],
    )


def run_queued(*, max_tasks: int | None = None) -> int:
    """Run the jobs waiting on the queue now (at most max_tasks), in this thread, then return how many ran."""
    worker = make_worker(batch=True, interval=0, max_tasks=max_tasks)
    worker.run()
    return worker._run_tasks
