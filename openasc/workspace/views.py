"""My caseload, my team's caseload and the manager's overview."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from openasc.ui.pagination import pagination
from openasc.ui.responses import forbidden
from openasc.workspace import selectors


def my_caseload(request: HttpRequest) -> HttpResponse:
    rows = selectors.my_caseload(user=request.user)
    return render(
        request,
        "workspace/caseload.jinja",
        {
            "rows": rows,
            "title": "My caseload",
            "active_nav": "caseload",
            "heading": "My caseload",
            "total": len(rows),
            "overdue": sum(r.review_overdue for r in rows),
        },
    )


def team_caseload(request: HttpRequest, team_id: int) -> HttpResponse:
    try:
        listed = selectors.team_caseload(user=request.user, team_id=team_id, page=request.GET.get("page", 1))
    except PermissionError as exc:
        return forbidden(request, "You cannot see this page", str(exc))
    team = request.user.teams.get(pk=team_id)
    return render(
        request,
        "workspace/caseload.jinja",
        {
            "rows": listed.rows,
            "total": listed.total,
            "title": f"{team.name}: caseload",
            "heading": f"{team.name}: caseload",
            "active_nav": "manager",
            "overdue": listed.overdue,
            "pagination": pagination(listed.page, {}, label="Pages of the caseload"),
            "page": listed.page,
        },
    )


def manager(request: HttpRequest) -> HttpResponse:
    try:
        teams = selectors.manager_view(user=request.user)
    except PermissionError as exc:
        return forbidden(request, "You cannot see this page", str(exc))
    return render(
        request, "workspace/manager.jinja", {"teams": teams, "title": "My teams", "active_nav": "manager"}
    )
