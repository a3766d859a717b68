"""Someone given a temporary password sets their own before anything else (User.must_change_password).

Every page of a signed-in member of staff who must change their password goes to the change-password page; the
pages that stay open are that page, signing out, the session's keep-alive and the static files. An htmx request is
sent there too (HX-Redirect). API requests with a bearer token are unaffected (tokens belong to system accounts,
which have no password); an API request that would be authenticated by this session is refused."""

from __future__ import annotations

from urllib.parse import quote

from django.contrib.auth.models import AnonymousUser
from django.http import HttpResponse, HttpResponseRedirect, JsonResponse
from django.urls import reverse

ALWAYS_OPEN = ("/sign-out", "/sign-in", "/static/", "/healthz", "/session/extend", "/session/status")
API = "/api/"


class PasswordChangeRequiredMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if not (user is not None and user.is_authenticated and getattr(user, "must_change_password", False)):
            return self.get_response(request)
        path = request.path
        change = reverse("staff:own-password")
        if path == change or path.startswith(ALWAYS_OPEN):
            return self.get_response(request)
        if path.startswith(API):
            if request.headers.get("Authorization", "").lower().startswith("bearer "):
                request.user = (
                    AnonymousUser()
                )  # only the token may authenticate this request, not the session
                return self.get_response(request)
            return JsonResponse(
                {"detail": "Set your own password first (you were given a temporary one): " + change},
                status=403,
            )
        target = change
        if request.method == "GET" and not request.headers.get("HX-Request"):
            target += "?next=" + quote(request.get_full_path())
        if request.headers.get("HX-Request"):
            response = HttpResponse(status=204)
            response["HX-Redirect"] = target
            return response
        return HttpResponseRedirect(target)
