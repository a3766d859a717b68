"""`openasc worktray refresh`: open the tasks time has made due (reviews coming due, requests past their urgency
target, break-glass accesses to review) and close those no longer needed; idempotent, so run it as often as
you like (every few minutes beside the worker, or from cron)."""

import time

from django.core.management.base import BaseCommand, CommandError

from openasc.core.context import request_id
from openasc.core.models import User
from openasc.worktray.services import refresh as worktray_refresh


class Command(BaseCommand):
    help = (
        "refresh: bring the worktray's time-made tasks into line with the record (reviews due, requests past their "
        "urgency target, break-glass accesses to review, and any sign-off or budget authorisation without its "
        "task). Safe to run again: a second run changes nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["refresh"])
        parser.add_argument(
            "--as-user", default="system", help="the account the changes are audited against (default system)"
        )
        parser.add_argument(
            "--every",
            type=int,
            default=0,
            metavar="SECONDS",
            help="keep running, refreshing every SECONDS (for a process beside the worker)",
        )

    def handle(self, *args, action, as_user, every, **options):
        actor = User.objects.filter(username=as_user, is_active=True).first()
        if actor is None:
            raise CommandError(
                f"There is no active account {as_user!r} to audit the refresh against: create it with "
                "`openasc users add` or pass --as-user"
            )
        while True:
            with request_id(f"worktray-refresh-{int(time.time())}"):
                result = worktray_refresh.refresh(actor=actor)
            for kind, r in result.items():
                self.stdout.write(f"{kind}: {r.opened} opened, {r.closed} closed, {r.kept} unchanged")
            if not every:
                return
            time.sleep(every)
