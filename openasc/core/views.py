"""Sign-in and session, break-glass and its review: thin views over core services and selectors."""

from __future__ import annotations

import json

from django.contrib import messages
from django.contrib.auth import login, logout
from django.core.exceptions import ObjectDoesNotExist
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods, require_POST

from openasc.core import audit, selectors, services
from openasc.core.errors import ValidationFailed
from openasc.core.forms import BreakGlassForm, BreakGlassReviewForm, SignInForm
from openasc.core.models import AuditAction, BreakGlassAccess
from openasc.people import selectors as people_selectors
from openasc.ui import forms as ui
from openasc.ui.responses import forbidden, not_found


def _safe_next(request: HttpRequest, default: str = "/") -> str:
    target = request.POST.get("next") or request.GET.get("next") or default
    if url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return default


@require_http_methods(["GET", "POST"])
def sign_in(request: HttpRequest) -> HttpResponse:
    form = SignInForm(request.POST or None)
    timed_out = request.GET.get("timeout") == "1"
    if timed_out and request.method == "GET" and request.user.is_authenticated:
        # The page timed out in the browser: end the session on the server too.
        audit.record(actor=request.user, action=AuditAction.SIGN_OUT, details={"reason": "inactivity"})
        logout(request)
    if request.method == "POST" and form.is_valid():
        try:
            user = services.sign_in_check(
                request=request,
                username=form.cleaned_data["username"],
                password=form.cleaned_data["password"],
            )
        except services.SignInRefused as exc:
            form.add_error("username", str(exc))
        else:
            login(request, user)
            audit.record(actor=user, action=AuditAction.SIGN_IN)
            return redirect(_safe_next(request, "/"))
    return render(
        request,
        "core/sign_in.jinja",
        {
            "form": form,
            "title": "Sign in",
            "errors": ui.error_summary(form),
            "timed_out": timed_out,
            "next": _safe_next(request, ""),
        },
    )


def sign_out(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        audit.record(actor=request.user, action=AuditAction.SIGN_OUT)
    logout(request)
    return render(request, "core/signed_out.jinja", {"title": "You have signed out"})


@require_POST
def session_extend(request: HttpRequest) -> JsonResponse:
    if not request.user.is_authenticated:
        return JsonResponse({"signedIn": False}, status=401)
    return JsonResponse({"signedIn": True})


@require_http_methods(["GET", "POST", "DELETE"])
def drafts(request: HttpRequest) -> JsonResponse:
    """Save, fetch or discard the signed-in user's draft of a form."""
    if not request.user.is_authenticated:
        return JsonResponse({"signedIn": False}, status=401)
    if request.method == "GET":
        return JsonResponse(
            {"data": services.form_draft_get(user=request.user, path=request.GET.get("path", ""))}
        )
    try:
        payload = json.loads(request.body or b"{}")
    except (json.JSONDecodeError, UnicodeDecodeError, RecursionError):
        return JsonResponse({"error": "The draft must be JSON"}, status=400)
    if not isinstance(payload, dict):
        return JsonResponse({"error": "The draft must be a JSON object with its path and data"}, status=400)

    def control(value) -> bool:  # NUL and lone surrogates, which PostgreSQL cannot store (text or JSONB)
        if isinstance(value, str):
            return any(ch == "\x00" or 0xD800 <= ord(ch) <= 0xDFFF for ch in value)
        if isinstance(value, dict):
            return any(control(k) or control(v) for k, v in value.items())
        return isinstance(value, list) and any(control(v) for v in value)

    try:
        bad = control(payload)
    except RecursionError:
        bad = True
    if bad:
        return JsonResponse(
            {"error": "The draft cannot contain a NUL character or a broken character"}, status=400
        )
    path = str(payload.get("path") or "")
    if not path.startswith("/"):
        return JsonResponse({"error": "The draft needs the path of its form"}, status=400)
    if request.method == "DELETE":
        services.form_draft_discard(user=request.user, path=path)
        return JsonResponse({"discarded": True})
    data = payload.get("data")
    if not isinstance(data, dict):
        return JsonResponse(
            {"error": "The draft data must be an object of field names and values"}, status=400
        )
    try:
        services.form_draft_save(user=request.user, path=path, data=data)
    except ValidationFailed as exc:
        return JsonResponse({"errors": exc.errors}, status=400)
    return JsonResponse({"saved": True})


@require_http_methods(["GET", "POST"])
def break_glass(request: HttpRequest, person_id: int) -> HttpResponse:
    from openasc.core import access

    if not access.has(request.user, access.Capability.BREAK_GLASS):
        # The same answer whether or not the record exists, and nothing about whose it is; the attempt is in the
        # person's "who has looked" where the record exists.
        access.refuse(
            request.user,
            person_id=people_selectors.person_exists(person_id=person_id),
            purpose="break-glass page",
            explanation=f"Role cannot use break-glass (asked for record id {person_id})",
        )
        return forbidden(
            request,
            "You cannot open this record",
            "Your role cannot use emergency access. Ask the person's allocated worker or their team "
            "manager to allocate the person to you, or to grant you access.",
            audited=True,
        )
    try:
        person, decision = people_selectors.person_for_break_glass(user=request.user, person_id=person_id)
    except ObjectDoesNotExist:
        return not_found(request, "person")
    if decision.allowed:
        return redirect("people:detail", person_id=person.pk)
    form = BreakGlassForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.break_glass_start(actor=request.user, person=person, **form.cleaned_data)
        except ValidationFailed as exc:
            ui.add_service_errors(form, exc.errors)
        except PermissionError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(
                request,
                "You have break-glass access to this record for a limited time. Your manager will review it.",
            )
            return redirect("people:detail", person_id=person.pk)
    return render(
        request,
        "core/break_glass.jinja",
        {
            "form": form,
            "person": person,
            "decision": decision,
            "title": "Access this record in an emergency",
            "errors": ui.error_summary(form),
            "show_name": access.has(request.user, access.Capability.SEARCH_ALL),
        },
        status=200 if request.method == "GET" or form.is_valid() else 400,
    )


@require_POST
def break_glass_end(request: HttpRequest, person_id: int) -> HttpResponse:
    grant = selectors.active_break_glass(user=request.user, person_id=person_id)
    if grant:
        services.break_glass_end(actor=request.user, grant=grant)
        messages.success(request, "Break-glass access ended.")
    return redirect("people:search")


def break_glass_reviews(request: HttpRequest) -> HttpResponse:
    from openasc.core import access

    if not access.has(request.user, access.Capability.REVIEW_BREAK_GLASS):
        return forbidden(
            request,
            "You cannot see this page",
            "Only managers and information governance review break-glass access.",
        )
    queue = list(selectors.break_glass_review_queue(user=request.user)[:200])
    access.disclose(request.user, [g.person for g in queue], purpose="break-glass review queue")
    return render(
        request,
        "core/break_glass_reviews.jinja",
        {"queue": queue, "title": "Break-glass reviews", "active_nav": "reviews"},
    )


@require_http_methods(["GET", "POST"])
def break_glass_review(request: HttpRequest, grant_id: int) -> HttpResponse:
    try:
        grant = selectors.break_glass_get_for_review(user=request.user, grant_id=grant_id)
    except BreakGlassAccess.DoesNotExist:
        return render(
            request,
            "core/forbidden.jinja",
            {
                "title": "Review not found",
                "explanation": "This access has been reviewed already, or it is not yours to review.",
            },
            status=404,
        )
    from openasc.core import access

    if request.method == "GET":
        access.disclose(request.user, [grant.person], purpose="break-glass review")
    form = BreakGlassReviewForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.break_glass_review(actor=request.user, grant=grant, **form.cleaned_data)
        except ValidationFailed as exc:
            ui.add_service_errors(form, exc.errors)
        else:
            messages.success(request, "Review recorded.")
            return redirect("core:break-glass-reviews")
    return render(
        request,
        "core/break_glass_review.jinja",
        {
            "form": form,
            "grant": grant,
            "title": "Review break-glass access",
            "errors": ui.error_summary(form),
            "active_nav": "reviews",
            "events": selectors.break_glass_events(user=request.user, grant=grant),
        },
        status=400 if request.method == "POST" else 200,
    )


@require_http_methods(["GET", "POST"])
def restriction(request: HttpRequest, person_id: int) -> HttpResponse:
    """Restrict a record, or lift its restriction: information governance, the roles named on the restriction, and
    team managers who work with the person."""
    from openasc.core.forms import LiftRestrictionForm, RestrictionForm

    try:
        person, current = people_selectors.person_for_restriction(user=request.user, person_id=person_id)
    except PermissionError as exc:
        return forbidden(request, "You cannot see this page", str(exc), audited=True)
    except ObjectDoesNotExist:
        return not_found(request, "person")
    form_class = LiftRestrictionForm if current else RestrictionForm
    form = form_class(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            if current:
                services.restriction_lift(
                    actor=request.user, restriction=current, reason=form.cleaned_data["reason"]
                )
                messages.success(request, "Restriction lifted")
            else:
                services.restriction_set(
                    actor=request.user,
                    person=person,
                    reason=form.cleaned_data["reason"],
                    review_on=form.cleaned_data["review_on"],
                    allowed_roles=form.cleaned_data["allowed_roles"],
                )
                messages.success(request, "Record restricted")
        except ValidationFailed as exc:
            ui.add_service_errors(form, exc.errors)
        except PermissionError as exc:
            return forbidden(request, "You cannot see this page", str(exc), audited=True)
        else:
            return redirect("people:access-log", person_id=person.pk)
    chosen = request.POST.getlist("allowed_roles") if request.method == "POST" else []
    role_items = [
        {"value": v, "text": t, "checked": v in chosen}
        for v, t in RestrictionForm.base_fields["allowed_roles"].choices
    ]
    return render(
        request,
        "core/restriction.jinja",
        {
            "form": form,
            "person": person,
            "current": current,
            "errors": ui.error_summary(form),
            "role_items": role_items,
            "title": "Lift the restriction" if current else "Restrict this record",
        },
        status=400 if request.method == "POST" else 200,
    )
