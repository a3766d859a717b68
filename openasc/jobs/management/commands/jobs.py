"""`openasc jobs prune [--days N]`: delete finished background jobs, their queue rows and files older than N days."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from openasc.jobs import services


def positive_days(value: str) -> int:
    import argparse

    try:
        days = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} is not a whole number of days") from None
    if days < 1:
        raise argparse.ArgumentTypeError("give a whole number of days, 1 or more")
    return days


class Command(BaseCommand):
    help = (
        "Background jobs. `jobs prune [--days N]` deletes finished jobs (succeeded or failed), the queue's finished "
        "rows and the jobs' files (CLD exports, uploads left by a killed worker) older than N days (default "
        "OPENASC_JOB_KEEP_DAYS, 30). A job waiting or running is never touched. `openasc worker` does the same once "
        "a day."
    )

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="subcommand", required=True)
        prune = sub.add_parser(
            "prune",
            help="delete finished jobs, their queue rows and files older than --days",
            description=self.help,
        )
        prune.add_argument(
            "--days",
            type=positive_days,
            default=None,
            help=f"keep what finished in the last N days (default: {services.keep_days()}, OPENASC_JOB_KEEP_DAYS)",
        )

    def handle(self, *args, subcommand, days=None, **options):
        try:
            pruned = services.jobs_prune(days=days)
        except ValueError as exc:
            raise CommandError(f"--days: {exc}", returncode=2) from None
        before = timezone.localtime(pruned.cutoff)
        self.stdout.write(
            f"Deleted {pruned.jobs:,} finished job(s), {pruned.task_results:,} queue row(s) and {pruned.files:,} "
            f"file(s) from before {before:%-d %B %Y %H:%M}. Jobs waiting or running were kept."
        )
