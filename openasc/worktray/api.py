"""The worktray over JSON: the same selector as the page, so the same tasks, the same rule about naming people (a
person the caller may not open is never identified) and the same disclosure audit."""

from __future__ import annotations

import datetime as dt

from django.http import HttpRequest
from ninja import Field, Router, Schema

from openasc.worktray import selectors

router = Router(tags=["worktray"])


class TaskOut(Schema):
    id: int
    kind: str = Field(
        ..., description="allocated, assessment_sign_off, plan_sign_off, review_due, break_glass, ..."
    )
    title: str = Field(..., description="What to do; never names the person")
    url: str = Field(..., description="The page where the work is done")
    person_id: int | None = Field(None, description="Only when the caller may open the person's record")
    person_hidden: bool = Field(..., description="About a person whose record the caller may not open")
    team_id: int | None
    for_you: bool = Field(..., description="Assigned to the caller by name")
    due_on: dt.date | None
    overdue: bool


class WorktrayOut(Schema):
    total: int
    counts: dict[str, int] = Field(..., description="Open tasks of each kind")
    overdue: dict[str, int] = Field(..., description="Of those, past their due date")
    page: int
    pages: int
    tasks: list[TaskOut]


@router.get("", response=WorktrayOut, summary="The caller's open tasks and their teams', overdue first")
def worktray(request: HttpRequest, kind: str = "", page: int = 1):
    wt = selectors.worktray(user=request.user, kind=kind, page=page)
    return {
        "total": wt.total,
        "counts": wt.counts,
        "overdue": wt.overdue,
        "page": wt.page.number,
        "pages": wt.page.paginator.num_pages,
        "tasks": [
            {
                "id": r.task.pk,
                "kind": r.task.kind,
                "title": r.task.title,
                "url": r.task.url,
                "person_id": r.person.pk if r.person is not None else None,
                "person_hidden": r.hidden,
                "team_id": r.task.team_id,
                "for_you": r.task.assigned_user_id == request.user.pk,
                "due_on": r.task.due_on,
                "overdue": r.overdue,
            }
            for r in wt.rows
        ],
    }
