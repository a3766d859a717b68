"""Reads of the worktray, always for the requesting user: their tasks and their teams', one page at a time, the
person named only to a user who may open that person's record (and that showing audited), the header's count."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.core.paginator import Page, Paginator
from django.db.models import BooleanField, Count, ExpressionWrapper, F, Q, Value
from django.http import Http404
from django.utils import timezone

from openasc.core import access
from openasc.core.models import User
from openasc.people.models import Person
from openasc.worktray.models import Notification, Task, TaskKind
from openasc.worktray.services import audience_of, for_user

PAGE_SIZE = 25
HIDDEN = "a person whose record you cannot open"


@dataclass
class TaskRow:
    task: Task
    person: Person | None  # None when there is no person, or the user may not open them
    hidden: bool  # about a person the user may not open: never named
    overdue: bool
    unread: bool


@dataclass
class Worktray:
    rows: list[TaskRow]
    page: Page
    kind: str
    counts: dict[str, int]  # open tasks of each kind, all of them (the filter's figures)
    overdue: dict[str, int]  # of those, past their due date
    total: int
    unread: int
    kinds: dict[str, str] = field(default_factory=lambda: dict(TaskKind.choices))


def worktray(*, user: User, kind: str = "", page: int | str = 1, page_size: int = PAGE_SIZE) -> Worktray:
    """One page of the user's open tasks, overdue first then soonest due; a task's person is shown only if the user
    may open their record now, and each person shown is audited as disclosed to them (purpose "worktray")."""
    today = timezone.localdate()
    mine = Task.objects.filter(for_user(user))
    # Open and overdue, by kind, in one grouped count
    grouped = mine.values_list("kind").annotate(n=Count("pk"), late=Count("pk", filter=Q(due_on__lt=today)))
    by_kind = list(grouped.order_by())
    counts = {k: n for k, n, _ in by_kind}
    late = {k: n for k, _, n in by_kind if n}
    if kind not in TaskKind.values:
        kind = ""
    chosen = mine.filter(kind=kind) if kind else mine
    ordered = chosen.order_by(F("due_on").asc(nulls_last=True), "pk")
    total = sum(counts.get(k, 0) for k in ([kind] if kind else counts))
    paginator = Paginator(ordered.values_list("pk", flat=True), page_size)
    paginator.count = total  # known already: the page does not count again
    page_obj = paginator.get_page(page)
    ids = list(page_obj.object_list)
    may = access.may_open(user, "person_id")
    visible = ExpressionWrapper(may, output_field=BooleanField()) if may is not None else Value(False)
    tasks = list(
        Task.objects.filter(pk__in=ids)
        .annotate(may_open=visible)
        .select_related("team")
        .order_by(F("due_on").asc(nulls_last=True), "pk")
    )
    shown_ids = [t.person_id for t in tasks if t.person_id and t.may_open]
    people = Person.objects.only("pk", "la_person_id", "first_name", "last_name").in_bulk(shown_ids)
    unread_tasks = set(
        Notification.objects.filter(user=user, read_at__isnull=True, task_id__in=ids).values_list(
            "task_id", flat=True
        )
    )
    rows = [
        TaskRow(
            task=t,
            person=people.get(t.person_id) if t.may_open else None,
            hidden=bool(t.person_id) and not t.may_open,
            overdue=bool(t.due_on and t.due_on < today),
            unread=t.pk in unread_tasks,
        )
        for t in tasks
    ]
    access.disclose(
        user,
        [people[pid] for pid in dict.fromkeys(shown_ids) if pid in people],
        purpose="worktray",
        details={"page": page_obj.number, "kind": kind},
    )
    return Worktray(
        rows=rows,
        page=page_obj,
        kind=kind,
        counts=counts,
        overdue=late,
        total=sum(counts.values()),
        unread=unread_count(user=user),
    )


def open_count(*, user: User) -> int:
    """The header's figure: the user's open tasks, one count on the open-task indexes."""
    return Task.objects.filter(for_user(user)).count()


def unread_count(*, user: User) -> int:
    return Notification.objects.filter(user=user, read_at__isnull=True, task__closed_at__isnull=True).count()


def task_for(*, user: User, task_id: int) -> Task:
    """A task (open or closed) that is for the user; any other is "not found", like one that does not exist, so no
    one learns that a task is there."""
    task = Task.objects.filter(audience_of(user), pk=task_id).first()
    if task is None:
        raise Http404("There is no task with that id")
    return task


@dataclass
class NotificationRow:
    notification: Notification
    task: Task


def notifications(*, user: User, limit: int = 50) -> list[NotificationRow]:
    """The user's latest notifications (titles only: a title never names a person)."""
    rows = (
        Notification.objects.filter(user=user).select_related("task").order_by("-created_at", "-pk")[:limit]
    )
    return [NotificationRow(notification=n, task=n.task) for n in rows]


FIGURES_SECONDS = 60


def figures_key(user_id: int) -> str:
    return f"worktray:waiting-figures:{user_id}"


def waiting_figures(*, user: User) -> dict:
    """For a manager or the front door: how many wait on their teams' lists, and how many past their target (counts
    only: they name no one), by the waiting lists' own rules (frontdoor.selectors.waiting_counts), so the figures
    are the lists'. Kept for a minute per user (`as_of` says when they were counted): counting 5,000 waiting
    against the access rules takes as long as the rest of the page; the user's own transitions forget them
    (listeners.on_event), so what they have just done shows at once."""
    from django.core.cache import cache

    from openasc.frontdoor.selectors import waiting_counts

    def count() -> dict:
        counts, breached = waiting_counts(user=user)
        return {
            "waiting": counts.pop("any"),
            "breached": breached.pop("any"),
            **{f"waiting_{k}": v for k, v in counts.items()},
            "as_of": timezone.localtime(),
        }

    key = f"{figures_key(user.pk)}:{','.join(map(str, sorted(access._team_ids(user))))}"
    return cache.get_or_set(key, count, FIGURES_SECONDS)


def figures_forget(*, user_id: int, team_ids) -> None:
    from django.core.cache import cache

    cache.delete(f"{figures_key(user_id)}:{','.join(map(str, sorted(team_ids)))}")


def budget_get(*, user: User, authorisation_id: int, purpose: str = "authorise budget"):
    """One budget authorisation with its service and cost, and the person's record as opened (audited): what
    services.budget_authorisation_decide takes."""
    from openasc.services.models import BudgetAuthorisation

    authorisation = BudgetAuthorisation.objects.select_related(
        "person", "service", "cost", "plan", "requested_by", "decided_by"
    ).get(pk=authorisation_id)
    return authorisation, access.open_record(user, authorisation.person, purpose, obj=authorisation)


def overdue_by_kind(*, user: User) -> dict[str, int]:
    """The user's open tasks past their due date, by kind (one grouped count)."""
    mine = Task.objects.filter(for_user(user), due_on__lt=timezone.localdate())
    return dict(mine.values_list("kind").annotate(n=Count("pk")).order_by())
