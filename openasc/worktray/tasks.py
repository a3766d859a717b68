"""The background job that sends notification emails (django-tasks, run by `openasc worker`): queued after the
transaction that made the tasks commits, so a mail server that is down never breaks a page or a workflow."""

from __future__ import annotations

import logging

from django.utils import timezone
from django_tasks import task

from openasc.worktray import notify
from openasc.worktray.models import Notification

logger = logging.getLogger(__name__)
MAX_ATTEMPTS = 5
BATCH = 200


def send_pending(*, transport=None) -> dict[str, int]:
    """Send the emails waiting, one per user however many tasks they were told of since the last run (a refresh
    that opens a hundred tasks for a team sends each member one email, linking to their worktray): sent, or left to
    try again (at most MAX_ATTEMPTS tries), or failed for good. Counts emails, not notifications."""
    sent = failed = retry = 0
    users = list(
        Notification.objects.filter(email=Notification.Email.PENDING)
        .values_list("user_id", flat=True)
        .distinct()
        .order_by("user_id")[:BATCH]
    )
    for user_id in users:
        mine = Notification.objects.filter(user_id=user_id, email=Notification.Email.PENDING)
        ids = list(mine.values_list("pk", flat=True))
        # Claimed by one worker only (two may run the job at once); a failure puts them back to try again
        if not ids or not Notification.objects.filter(pk__in=ids, email=Notification.Email.PENDING).update(
            email=Notification.Email.SENDING
        ):
            continue
        claimed = list(Notification.objects.filter(pk__in=ids).select_related("user").order_by("pk"))
        user, attempts = claimed[0].user, max(n.email_attempts for n in claimed) + 1
        try:
            if not user.email or not user.is_active:
                raise notify.NotifyError("no email address")
            notify.send(user.email, claimed[0].task_id if len(claimed) == 1 else None, transport=transport)
        except Exception as exc:  # SMTP and network errors are many; each is logged, none stops the batch
            state = Notification.Email.FAILED if attempts >= MAX_ATTEMPTS else Notification.Email.PENDING
            failed += state == Notification.Email.FAILED
            retry += state == Notification.Email.PENDING
            logger.warning("notifications to user %s not emailed (attempt %s): %s", user_id, attempts, exc)
            Notification.objects.filter(pk__in=ids).update(email=state, email_attempts=attempts)
            continue
        Notification.objects.filter(pk__in=ids).update(
            email=Notification.Email.SENT, emailed_at=timezone.now(), email_attempts=attempts
        )
        sent += 1
    return {"sent": sent, "retry": retry, "failed": failed}


@task()
def send_notification_emails() -> dict[str, int]:
    return send_pending()


REFRESH_PATH = "openasc.worktray.tasks.refresh_worktray"


@task()
def refresh_worktray() -> dict[str, int]:
    """`openasc worktray refresh` on the queue, as the system account; then queues the next one (the worker queues
    the first as it starts), every OPENASC_WORKTRAY_REFRESH_MINUTES."""
    from openasc.core.models import User
    from openasc.worktray.services.refresh import refresh

    actor = User.objects.filter(username="system", is_active=True).first()
    result = {}
    if actor is None:
        logger.warning("no active system account: the worktray was not refreshed")
    else:
        result = {kind: r.opened + r.closed for kind, r in refresh(actor=actor).items()}
    schedule_refresh()
    return result


def schedule_refresh() -> bool:
    """Make sure one refresh waits on the database queue (none twice); nothing on a queue that cannot defer work
    (the tests' immediate backend). Returns whether it queued one."""
    import datetime as dt

    from django.conf import settings
    from django_tasks_db.models import DBTaskResult

    if not refresh_worktray.get_backend().supports_defer:
        return False
    if DBTaskResult.objects.filter(status="READY", task_path=refresh_worktray.module_path).exists():
        return False
    after = dt.timedelta(minutes=settings.OPENASC_WORKTRAY_REFRESH_MINUTES)
    refresh_worktray.using(run_after=timezone.now() + after).enqueue()
    return True
