"""`openasc demo`: build a synthetic council into the configured database, then exit."""

import time

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from openasc.core import audit
from openasc.demo.build import TODAY, Builder, database_has_people, reset_database
from openasc.demo.history import HistoryBuilder, reset_history


class Command(BaseCommand):
    help = "Build a realistic synthetic council (teams, staff, people, carers) into the configured database."

    def add_arguments(self, parser):
        parser.add_argument(
            "--seed", type=int, default=2026, help="Random seed: the same seed builds the same council"
        )
        parser.add_argument(
            "--people", type=int, default=5000, help="How many people to create (default 5,000)"
        )
        parser.add_argument("--reset", action="store_true", help="Delete everything in the database first")
        parser.add_argument(
            "--no-history",
            action="store_true",
            help="People, teams and staff only: no requests, assessments, plans, services or reviews",
        )

    def handle(self, *args, seed, people, reset, **options):
        if people < 1:
            raise CommandError("--people must be at least 1")
        call_command("migrate", verbosity=0, interactive=False)
        if reset:
            from openasc.demo.documents import reset_documents
            from openasc.demo.notes import reset_notes

            reset_notes()  # before the history its notes may point at
            reset_documents()  # and the letters
            reset_history()
            reset_database()
        elif database_has_people():
            raise CommandError("The database already has people in it. Use --reset to start again.")
        verbose = options["verbosity"] > 0

        def progress(msg):
            if verbose:
                self.stderr.write(f"\r  {msg}", ending="")

        report = Builder(seed=seed, people=people, progress=progress).run()
        if verbose:
            self.stderr.write("")
        history = None
        if not options["no_history"]:
            started = time.perf_counter()
            with audit.exempt_from_safety_net():
                history = HistoryBuilder(seed=seed, today=TODAY, progress=progress).run()
                from openasc.demo.documents import build_letters

                build_letters(seed=seed, today=TODAY)  # about the history's plans, assessments, reviews
                from openasc.core.models import User
                from openasc.demo.money import build_money

                build_money(
                    seed=seed, system=User.objects.get(username="system"), today=TODAY
                )  # from the services
            history_seconds = time.perf_counter() - started
            from openasc.core.models import User
            from openasc.worktray.services.refresh import refresh as worktray_refresh

            # The worktray's tasks that the history's work leaves waiting (reviews due, targets passed, sign-offs)
            worktray_refresh(actor=User.objects.get(username="system"))
            if verbose:
                self.stderr.write("")
        self.stdout.write(
            self.style.SUCCESS(
                f"Built a council of {report.people:,} people ({report.carers:,} unpaid carers linked) in "
                f"{report.seconds:.1f} s (seed {seed})."
            )
        )
        if history is not None:
            self.stdout.write(
                f"Two years of history to {TODAY:%-d %B %Y}: {history.requests:,} requests, {history.assessments:,} "
                f"assessments, {history.plans:,} plans, {history.services:,} services, {history.reviews:,} reviews "
                f"({history_seconds:.1f} s)."
            )
        self.stdout.write("\nDemo staff accounts (one per role):")
        width = max(len(u) for u, _, _ in report.staff)
        for username, role, password in report.staff:
            self.stdout.write(f"  {username:<{width}}  {password:<28}  {role}")
