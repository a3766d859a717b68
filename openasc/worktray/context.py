"""The header's worktray count, for every page (a Jinja2 context processor): counted only when the header is drawn,
once per request, with one query on the open-task indexes."""

from __future__ import annotations


def worktray(request) -> dict:
    def count() -> int:
        cached = getattr(request, "_worktray_count", None)
        if cached is None:
            from openasc.worktray.selectors import open_count

            user = getattr(request, "user", None)
            cached = open_count(user=user) if user is not None and user.is_authenticated else 0
            request._worktray_count = cached
        return cached

    return {"worktray_count": count}


def remember(request, count: int) -> None:
    """A page that has counted the user's open tasks already (the worktray) saves the header its query."""
    request._worktray_count = count
