"""`openasc worker`: run background jobs (the CLD import and export from the browser) until stopped."""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from openasc.jobs.services import jobs_fail_abandoned, jobs_prune, keep_days
from openasc.jobs.tasks import schedule_prune
from openasc.jobs.worker import make_worker


class Command(BaseCommand):
    help = (
        "Run background jobs from the database queue. SIGTERM or Ctrl+C stops it after the job in hand has "
        "finished (a second one stops it at once; the job is then marked failed by the next import)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--queues",
            default=settings.OPENASC_WORKER_QUEUES,
            help="Comma-separated queues to take jobs from (default: %(default)s)",
        )
        parser.add_argument(
            "--interval",
            type=float,
            default=settings.OPENASC_WORKER_INTERVAL,
            help="Seconds to wait between looks at an empty queue (default: %(default)s)",
        )
        parser.add_argument("--once", action="store_true", help="Run the jobs waiting now, then stop")
        parser.add_argument("--max-jobs", type=int, default=None, help="Stop after this many jobs")

    def handle(self, *args, queues, interval, once, max_jobs, **options):
        names = [q.strip() for q in queues.split(",") if q.strip()]
        if not names:
            raise CommandError("--queues: name at least one queue")
        if interval < 0 or interval != interval or interval == float("inf"):
            raise CommandError("--interval: give a number of seconds, 0 or more")
        if max_jobs is not None and max_jobs < 1:
            raise CommandError("--max-jobs: give a number of jobs, 1 or more")
        logger = logging.getLogger(
            "django_tasks_db"
        )  # (the console handler is the root logger's, settings.py)
        logger.setLevel(logging.INFO if options["verbosity"] else logging.WARNING)
        abandoned = jobs_fail_abandoned()
        if abandoned:
            self.stdout.write(f"Marked {abandoned} job(s) failed: their worker stopped before they finished.")
        pruned = jobs_prune()  # and once a day while it runs: the prune task queues the next day's
        if pruned.jobs or pruned.files:
            self.stdout.write(
                f"Deleted {pruned.jobs} finished job(s) and {pruned.files} file(s) older than {keep_days()} days."
            )
        if not once:
            schedule_prune()
            from openasc.worktray.tasks import schedule_refresh

            schedule_refresh()  # the worktray's time-made tasks, every OPENASC_WORKTRAY_REFRESH_MINUTES
        worker = make_worker(queues=names, interval=interval, batch=once, max_tasks=max_jobs)
        self.stdout.write(
            f"Worker {worker.worker_id} taking jobs from {', '.join(names)} "
            f"(every {interval:g} s when idle). Stop with Ctrl+C or SIGTERM."
        )
        worker.configure_signals()  # the first signal lets the job in hand finish; a second one stops at once
        try:
            worker.run()
        finally:
            worker.reset_signals()
        self.stdout.write("Worker stopped.")
