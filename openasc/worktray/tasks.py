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
    """Send every email waiting (at most MAX_ATTEMPTS tries each): sent, or left to try again, or failed for good."""
    sent = failed = retry = 0
    pending = list(
        Notification.objects.filter(email=Notification.Email.PENDING)
        .select_related("user")
        .order_by("pk")[:BATCH]
    )
    for n in pending:
        # Claimed by one worker only (two may run the job at once); a failure puts it back to try again
        if not Notification.objects.filter(pk=n.pk, email=Notification.Email.PENDING).update(
            email=Notification.Email.SENDING
        ):
            continue
        try:
            if not n.user.email or not n.user.is_active:
                raise notify.NotifyError("no email address")
            notify.send(n.user.email, n.task_id, transport=transport)
        except Exception as exc:  # SMTP and network errors are many; each is logged, none stops the batch
            n.email_attempts += 1
            n.email = (
                Notification.Email.FAILED if n.email_attempts >= MAX_ATTEMPTS else Notification.Email.PENDING
            )
            failed += n.email == Notification.Email.FAILED
            retry += n.email == Notification.Email.PENDING
            logger.warning("notification %s not emailed (attempt %s): %s", n.pk, n.email_attempts, exc)
            n.save(update_fields=["email", "email_attempts"])
            continue
        n.email, n.emailed_at = Notification.Email.SENT, timezone.now()
        n.email_attempts += 1
        n.save(update_fields=["email", "emailed_at", "email_attempts"])
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
