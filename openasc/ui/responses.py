"""The refusal and not-found pages every app shows, and restoring a worker's saved draft into a form."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from openasc.core import services as core_services
from openasc.core.errors import AccessDenied


def forbidden(request: HttpRequest, title: str, explanation: str, *, audited: bool = False) -> HttpResponse:
    """The refusal page; the refusal is written to the audit trail unless the caller's access check already did."""
    if not audited:
        audit_refusal(request, explanation)
    return render(request, "core/forbidden.jinja", {"title": title, "explanation": explanation}, status=403)


def audit_refusal(request: HttpRequest, explanation: str) -> None:
    """A refused page or API call (a role that cannot do something) leaves a trace: against the person whose record
    the URL names, where it names one (core.subjects), so that the attempt is in their "who has looked"."""
    from openasc.core import audit, subjects
    from openasc.core.models import AuditAction

    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated and user.is_active:
        match = getattr(request, "resolver_match", None)
        audit.record(
            actor=user,
            action=AuditAction.ACCESS_REFUSED,
            person_id=subjects.person_of(match.kwargs) if match else None,
            details={"path": request.path[:300], "method": request.method, "reason": explanation[:300]},
        )


def not_found(request: HttpRequest, what: str = "page", *, explanation: str = "") -> HttpResponse:
    return render(
        request,
        "core/forbidden.jinja",
        {
            "title": "Page not found",
            "explanation": explanation
            or f"There is no {what} with that id. Check the link, or search again.",
        },
        status=404,
    )


def denied(request: HttpRequest, exc: AccessDenied, person_id: int | None = None) -> HttpResponse:
    """No basis to open the record: offer break-glass where the role allows it, else explain why."""
    if exc.access.break_glass_possible and person_id is not None:
        return redirect("core:break-glass", person_id=person_id)
    return forbidden(request, "You cannot open this record", exc.access.explanation, audited=True)


def restore_draft(request: HttpRequest, form_class, path: str, **form_kwargs):
    """An unbound form, or one filled from the worker's saved draft (shown without errors until submitted)."""
    draft = core_services.form_draft_get(user=request.user, path=path)
    if not draft:
        return form_class(**form_kwargs), None
    form = form_class(data=draft, **form_kwargs)
    form.restored_draft = True
    return form, draft
