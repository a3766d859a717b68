"""Writes of the worktray: tasks opened and closed (by the workflows' listeners and by `openasc worktray refresh`),
notifications read, the email preference. Every write is audited; a task is never opened twice (its key)."""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from openasc.core import access, audit
from openasc.core.models import AuditAction, User
from openasc.worktray.models import Notification, NotificationPreference, Task, TaskKind

logger = logging.getLogger(__name__)
BASIS = "Worktray"


@dataclass(frozen=True)
class TaskSpec:
    """What a task should be: everything but its opening and closing. `key` is kind and subject, so one thing has at
    most one open task of each kind."""

    kind: str
    title: str
    subject_type: str
    subject_id: int
    url: str
    person_id: int | None
    assigned_user_id: int | None = None
    team_id: int | None = None
    capability: str = ""
    role: str = ""
    excluded_user_id: int | None = None
    due_on: dt.date | None = None

    @property
    def key(self) -> str:
        return task_key(self.kind, self.subject_type, self.subject_id)

    def make(self, *, actor: User, now) -> Task:
        return Task(
            kind=self.kind,
            title=self.title[:200],
            key=self.key,
            subject_type=self.subject_type,
            subject_id=self.subject_id,
            url=self.url,
            person_id=self.person_id,
            assigned_user_id=self.assigned_user_id,
            team_id=self.team_id,
            capability=self.capability,
            role=self.role,
            excluded_user_id=self.excluded_user_id,
            due_on=self.due_on,
            opened_at=now,
            opened_by=actor,
        )


def task_key(kind: str, subject_type: str, subject_id: int) -> str:
    return f"{kind}:{subject_type}:{subject_id}"


# --- Who a task is for -----------------------------------------------------------------------------------------------


def for_user(user: User) -> Q:
    """The open tasks `user` is to see (see `audience_of`). A break-glass access reviewed since the last refresh is
    done already (its review is not a workflow that could close the task): left out at once."""
    from openasc.core.models import BreakGlassAccess

    reviewed = BreakGlassAccess.objects.filter(pk=OuterRef("subject_id"), reviewed_at__isnull=False)
    return Q(closed_at__isnull=True) & audience_of(user) & ~(Q(kind=TaskKind.BREAK_GLASS) & Exists(reviewed))


def audience_of(user: User) -> Q:
    """The tasks (open or closed) that are for `user`: theirs by name, their teams' (only the members holding the
    task's capability or role, when it names one), and the council-wide tasks of a capability or role they hold;
    never one they are excluded from (their own work to sign off)."""
    if not (user and user.is_authenticated and user.is_active):
        return Q(pk__in=[])
    caps = sorted(access.ROLE_CAPABILITIES.get(user.role, frozenset()))
    team_ids = access._team_ids(user)
    fits = (Q(capability="") | Q(capability__in=caps)) & (Q(role="") | Q(role=user.role))
    shared = Q(assigned_user__isnull=True) & fits & (Q(team_id__in=team_ids) | Q(team__isnull=True))
    wide_only = Q(team__isnull=True) & Q(capability="") & Q(role="")  # for nobody in particular: never shown
    return (Q(assigned_user=user) | (shared & ~wide_only)) & (
        Q(excluded_user__isnull=True) | ~Q(excluded_user=user)
    )


def audience(task: Task | TaskSpec) -> QuerySet:
    """The active users a task is for, to notify them (the same rule as `for_user`, from the task's side)."""
    users = User.objects.filter(is_active=True)
    if task.assigned_user_id:
        return users.filter(pk=task.assigned_user_id)
    if not (task.team_id or task.capability or task.role):
        return users.none()
    if task.team_id:
        users = users.filter(teams=task.team_id)
    if task.capability:
        users = users.filter(role__in=sorted(access.roles_with(task.capability)))
    if task.role:
        users = users.filter(role=task.role)
    if task.excluded_user_id:
        users = users.exclude(pk=task.excluded_user_id)
    return users.distinct()


# --- Opening and closing -----------------------------------------------------------------------------------------


def task_open(*, actor: User, spec: TaskSpec, notify: bool = True) -> Task:
    """Open the task `spec` describes, or return the one already open for the same thing (never two), audited
    against the person, and tell the users it is for."""
    existing = Task.objects.filter(key=spec.key, closed_at__isnull=True).first()
    if existing is not None:
        return existing
    now = timezone.now()
    try:
        with transaction.atomic():
            task = spec.make(actor=actor, now=now)
            task.save()
            audit.record(
                actor=actor,
                action=AuditAction.CREATE,
                obj=task,
                person_id=spec.person_id,
                basis=BASIS,
                details={"event": "task_opened", "kind": spec.kind, "subject": spec.key},
            )
    except IntegrityError:  # opened at the same moment by someone else: theirs is the task
        return Task.objects.get(key=spec.key, closed_at__isnull=True)
    if notify:
        notifications_create(tasks=[task])
    return task


def tasks_close(*, actor: User, tasks: QuerySet | list[Task], reason: str) -> int:
    """Close open tasks (the work is done, or no longer needed), each audited against its person."""
    now = timezone.now()
    open_ = [t for t in tasks if t.closed_at is None]
    if not open_:
        return 0
    with transaction.atomic():
        for task in open_:
            task.closed_at, task.closed_by, task.close_reason = now, actor, reason[:200]
            task.save(update_fields=["closed_at", "closed_by", "close_reason"])
        audit.record_many(
            actor=actor,
            action=AuditAction.UPDATE,
            objs=open_,
            basis=BASIS,
            details={"event": "task_closed", "reason": reason[:200]},
        )
    return len(open_)


def tasks_close_for(*, actor: User, kind: str | tuple[str, ...], subject, reason: str) -> int:
    """Close the open tasks of a kind about one thing (an assessment signed off closes its sign-off task)."""
    kinds = (kind,) if isinstance(kind, str) else kind
    tasks = Task.objects.filter(
        kind__in=kinds,
        subject_type=audit.object_type(subject),
        subject_id=subject.pk,
        closed_at__isnull=True,
    )
    return tasks_close(actor=actor, tasks=list(tasks), reason=reason)


@dataclass
class Reconciled:
    opened: int = 0
    closed: int = 0
    kept: int = 0


def tasks_reconcile(*, actor: User, kind: str, wanted: dict[int, TaskSpec], reason: str) -> Reconciled:
    """Make the open tasks of `kind` exactly `wanted` (subject id -> spec): open those missing, close those no longer
    wanted, leave the rest. Idempotent: run twice, the second run opens and closes nothing. Written in bulk inside
    one audited block (the refresh of a council's reviews and breaches is thousands of rows)."""
    shape = ("assigned_user_id", "team_id", "capability", "role", "excluded_user_id", "due_on")
    open_now = {
        row[0]: row[1:]
        for row in Task.objects.filter(kind=kind, closed_at__isnull=True)
        .values_list("subject_id", "pk", *shape)
        .iterator()
    }
    # Closed: no longer wanted, or now for someone else or due another day (then opened again, as it now is)
    to_close = [
        row[0]
        for sid, row in open_now.items()
        if sid not in wanted or tuple(getattr(wanted[sid], f) for f in shape) != tuple(row[1:])
    ]
    closing_ids = set(to_close)
    to_open = [spec for sid, spec in wanted.items() if sid not in open_now or open_now[sid][0] in closing_ids]
    result = Reconciled(kept=len(open_now) - len(to_close))
    if not to_open and not to_close:
        return result
    now = timezone.now()
    with audit.bulk(
        actor=actor,
        action=AuditAction.UPDATE,
        reason=reason,
        basis=BASIS,
        details={"event": "worktray_refresh", "kind": kind},
        summary=False,
    ):
        closing = []
        for i in range(
            0, len(to_close), 500
        ):  # first, so that a task opened again does not meet its old self
            chunk = Task.objects.filter(pk__in=to_close[i : i + 500])
            closing += list(chunk.only("pk", "person_id"))
            chunk.update(closed_at=now, closed_by=actor, close_reason=reason[:200])
        made = Task.objects.bulk_create([spec.make(actor=actor, now=now) for spec in to_open], batch_size=500)
        if any(t.pk is None for t in made):  # databases that do not return the ids of a bulk insert
            made = list(Task.objects.filter(kind=kind, closed_at__isnull=True, key__in=[t.key for t in made]))
        if made:
            audit.record_many(
                actor=actor,
                action=AuditAction.CREATE,
                objs=made,
                basis=BASIS,
                details={"event": "task_opened", "kind": kind},
            )
        if closing:
            audit.record_many(
                actor=actor,
                action=AuditAction.UPDATE,
                objs=closing,
                basis=BASIS,
                details={"event": "task_closed", "reason": reason[:200]},
            )
        notifications_create(tasks=made)
    result.opened, result.closed = len(made), len(closing)
    return result


# --- Notifications -------------------------------------------------------------------------------------------------


def wants_email(user: User) -> bool:
    pref = NotificationPreference.objects.filter(user=user).values_list("email", flat=True).first()
    return bool(user.email) and pref is not False


def notifications_create(*, tasks: list[Task]) -> int:
    """Tell each user a task is for that it is there, and queue an email for those who want one (sent after the
    transaction commits, by a background job, so a mail server that is down never breaks the work)."""
    if not tasks:
        return 0
    now = timezone.now()
    off = set(NotificationPreference.objects.filter(email=False).values_list("user_id", flat=True))
    rows = []
    audiences: dict[tuple, list] = {}  # a refresh opens thousands of tasks for the same few audiences
    for task in tasks:
        who = (task.assigned_user_id, task.team_id, task.capability, task.role, task.excluded_user_id)
        if who not in audiences:
            audiences[who] = list(audience(task).values_list("pk", "email"))
        for user_id, email in audiences[who]:
            rows.append(
                Notification(
                    user_id=user_id,
                    task=task,
                    created_at=now,
                    email=Notification.Email.PENDING if email and user_id not in off else "",
                )
            )
    Notification.objects.bulk_create(rows, batch_size=500, ignore_conflicts=True)
    if any(r.email for r in rows):
        from openasc.worktray.tasks import send_notification_emails

        transaction.on_commit(lambda: _enqueue(send_notification_emails))
    return len(rows)


def _enqueue(task) -> None:
    try:
        task.enqueue()
    except Exception:  # the queue is in the database; if even that fails, the next refresh sends them
        logger.exception("could not queue the notification emails")


def notification_read(*, user: User, task: Task) -> int:
    """The user has opened the task: its notification to them is read (it names no one: not audited)."""
    return Notification.objects.filter(user=user, task=task, read_at__isnull=True).update(
        read_at=timezone.now()
    )


def notifications_read_all(*, user: User) -> int:
    return Notification.objects.filter(user=user, read_at__isnull=True).update(read_at=timezone.now())


def preference_set(*, user: User, email: bool) -> NotificationPreference:
    pref, _ = NotificationPreference.objects.update_or_create(
        user=user, defaults={"email": bool(email), "updated_at": timezone.now()}
    )
    return pref


# --- The council's urgency targets -----------------------------------------------------------------------------------

MAX_TARGET_DAYS = 365


def urgency_targets_set(*, actor: User, targets: dict[str, object]) -> dict[str, int]:
    """Set the most days a request of each urgency may wait (an administrator's choice for the council), all or
    nothing: each a whole number of days from 1 to 365. Audited with the old and new figures."""
    from openasc.frontdoor.models import Urgency
    from openasc.frontdoor.selectors import urgency_target_days
    from openasc.worktray.models import UrgencyTarget

    if not access.has(actor, access.Capability.MANAGE_STAFF):
        raise PermissionError("Only an administrator can set the urgency targets.")
    errors: dict[str, str] = {}
    clean: dict[str, int] = {}
    labels = dict(Urgency.choices)
    for urgency in Urgency.values:
        raw = str(targets.get(urgency, "") or "").strip()
        label = str(labels[urgency]).split(":")[0].lower()
        if not raw.isdigit() or not 1 <= int(raw) <= MAX_TARGET_DAYS:
            article = "an" if label[:1] in "aeiou" else "a"
            errors[urgency] = (
                f"Enter the days {article} {label} request may wait as a whole number from 1 to 365"
            )
        else:
            clean[urgency] = int(raw)
    if errors:
        from openasc.core.errors import ValidationFailed

        raise ValidationFailed(errors)
    before = urgency_target_days()
    now = timezone.now()
    with transaction.atomic():
        for urgency, days in clean.items():
            UrgencyTarget.objects.update_or_create(
                urgency=urgency, defaults={"days": days, "changed_by": actor, "changed_at": now}
            )
        audit.record(
            actor=actor,
            action=AuditAction.UPDATE,
            details={"event": "urgency_targets_set", "changes": audit.changes_between(before, clean)},
        )
    return clean
