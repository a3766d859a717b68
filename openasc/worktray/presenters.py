"""Formatting of the worktray's pages: the task table's rows, tags, the pagination (no database, no request)."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse
from django.utils.html import format_html

from openasc.core.money import pounds
from openasc.ui.jinja2 import uk_date
from openasc.worktray.selectors import HIDDEN, TaskRow


def due_text(due_on: dt.date | None, today: dt.date) -> str:
    if due_on is None:
        return "No date"
    if due_on < today:
        days = (today - due_on).days
        return f"{uk_date(due_on)} ({days} day{'s' if days != 1 else ''} overdue)"
    if due_on == today:
        return f"{uk_date(due_on)} (today)"
    return uk_date(due_on)


def task_rows(rows: list[TaskRow], today: dt.date) -> list[dict]:
    """The worktray's items: the task (a link to where it is done), who it is about (or that the user cannot open
    them, never who), what kind, who it is for, when it is due."""
    out = []
    for row in rows:
        t = row.task
        if row.person is not None:
            about = format_html(
                "{} {} ({})", row.person.first_name, row.person.last_name, row.person.la_person_id
            )
        elif row.hidden:
            about = HIDDEN
        else:
            about = "no one in particular"
        if t.assigned_user_id:
            for_whom = "You"
        elif t.team_id:
            for_whom = t.team.name
        else:
            for_whom = "Everyone in your role"
        out.append(
            {
                "href": reverse("worktray:task", args=[t.pk]),
                "title": t.title,
                "about": about,
                "kind": t.get_kind_display(),
                "for": for_whom,
                "due": due_text(t.due_on, today),
                "overdue": row.overdue,
                "unread": row.unread,
            }
        )
    return out


def kind_items(kinds: dict[str, str], counts: dict[str, int], chosen: str) -> list[dict]:
    items = [{"value": "", "text": f"All tasks ({sum(counts.values())})", "selected": chosen == ""}]
    for value, label in kinds.items():
        items.append(
            {"value": value, "text": f"{label} ({counts.get(value, 0)})", "selected": chosen == value}
        )
    return items


def budget_rows(authorisation) -> list[dict]:
    """The summary of a cost above the personal budget, for the manager deciding it."""

    def row(key: str, value: str) -> dict:
        return {"key": {"text": key}, "value": {"text": value}}

    service = authorisation.service
    return [
        row("Service", service.service_type),
        row("Starts", uk_date(service.start_on)),
        row("Cost from", uk_date(authorisation.cost.effective_from)),
        row("This service a week", pounds(authorisation.cost.weekly_pence or 0)),
        row("The plan's services a week", pounds(authorisation.committed_weekly_pence)),
        row("Agreed personal budget a week", pounds(authorisation.agreed_weekly_pence)),
        row("Above the budget by", pounds(authorisation.over_pence) + " a week"),
        row("Arranged by", authorisation.requested_by.display_name),
        row("Status", authorisation.get_status_display()),
    ]
