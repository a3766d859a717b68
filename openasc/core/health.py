"""`/healthz`: is this web process up and can it reach its database? For load balancers and container health
checks: no sign-in, no personal data, nothing written."""

from __future__ import annotations

import logging

from django.db import DatabaseError, connection
from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_safe

log = logging.getLogger(__name__)


@require_safe
def healthz(request: HttpRequest) -> HttpResponse:
    """200 "ok" when a trivial query succeeds, 503 when the database cannot be reached (the error goes to the log,
    not to the unauthenticated caller)."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        log.exception("health check: the database is unreachable")
        response = HttpResponse("database unavailable\n", status=503, content_type="text/plain")
    else:
        response = HttpResponse("ok\n", content_type="text/plain")
    response["Cache-Control"] = "no-store"
    return response
