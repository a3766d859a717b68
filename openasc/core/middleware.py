"""Request id, content security policy, inactivity timeout and sign-in for every page."""

from __future__ import annotations

import re
import secrets
import time
import uuid
from urllib.parse import quote

from django.conf import settings
from django.contrib.auth import logout
from django.http import HttpResponseRedirect, JsonResponse
from django.urls import reverse

from openasc.core.context import request_id_var

_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")

# Paths anyone may reach without signing in.
PUBLIC_PREFIXES = ("/sign-in", "/static/", "/healthz", "/api/", "/session/")


class RequestIdMiddleware:
    """Tag every request with an id, echoed in the response and written on audit events."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        incoming = request.headers.get("X-Request-ID", "")
        rid = incoming if _REQUEST_ID.match(incoming) else uuid.uuid4().hex
        request.id = rid
        token = request_id_var.set(rid)
        try:
            response = self.get_response(request)
        finally:
            request_id_var.reset(token)
        response["X-Request-ID"] = rid
        return response


class ContentSecurityPolicyMiddleware:
    """Only our own scripts run: inline scripts need the per-request nonce."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.csp_nonce = secrets.token_urlsafe(16)
        response = self.get_response(request)
        if "Content-Security-Policy" not in response:
            response["Content-Security-Policy"] = (
                "default-src 'self'; "
                f"script-src 'self' 'nonce-{request.csp_nonce}'; "
                "style-src 'self'; img-src 'self' data:; font-src 'self'; connect-src 'self'; "
                "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
            )
        return response


class InactivityTimeoutMiddleware:
    """Sign staff out after a period without activity; the page warns first and keeps their typing."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and hasattr(request, "session"):
            now = time.time()
            last = request.session.get("last_activity")
            passive = request.path.startswith("/session/status")
            if last is not None and now - last > settings.OPENASC_IDLE_TIMEOUT_SECONDS:
                logout(request)
                if request.path.startswith("/session/") or request.headers.get("HX-Request"):
                    return JsonResponse({"signedIn": False}, status=401)
                target = reverse("core:sign-in") + "?timeout=1&next=" + quote(request.get_full_path())
                return HttpResponseRedirect(target)
            if not passive and (last is None or now - last >= activity_resolution()):
                # Saving the session is a database write: once per resolution, not on every request.
                request.session["last_activity"] = now
        return self.get_response(request)


def activity_resolution() -> float:
    """How stale the recorded last activity may be (seconds): at most 30, and well inside the warning and the
    timeout, so that the page's own countdown (from when it loaded) always warns before the server signs out: the
    server may end a session up to this much sooner than the page's clock says, never later."""
    return min(30.0, settings.OPENASC_IDLE_WARNING_SECONDS / 4, settings.OPENASC_IDLE_TIMEOUT_SECONDS / 10)


class LoginRequiredMiddleware:
    """Every staff page needs a signed-in user; the API authenticates with its own tokens."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not request.user.is_authenticated and not request.path.startswith(PUBLIC_PREFIXES):
            return HttpResponseRedirect(reverse("core:sign-in") + "?next=" + quote(request.get_full_path()))
        return self.get_response(request)


class NoStoreMiddleware:
    """Pages for a signed-in user or an API token carry personal data: no browser or proxy may keep a copy.

    Council computers are shared; without this the back button or the browser's cache shows the last worker's
    pages to the next person. Static files never reach here (WhiteNoise answers them first)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        has_token = request.headers.get("Authorization", "").lower().startswith("bearer ")
        if ((user is not None and user.is_authenticated) or has_token) and not request.path.startswith(
            settings.STATIC_URL
        ):
            response["Cache-Control"] = "no-store, private"
            response["Pragma"] = "no-cache"
        return response
