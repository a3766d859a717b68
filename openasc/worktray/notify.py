"""Telling a user by email that a task is waiting: through Django's email machinery (SMTP), or GOV.UK Notify when
OPENASC_NOTIFY_API_KEY is set. The message never holds personal details: no name, no NHS number, no person or
record id, only a link to the task in the worktray (whose page then applies the access rules).

The Notify client is a small one of our own (one endpoint, a JSON POST with a JWT signed by the key's secret, from
the standard library), not GDS's notifications-python-client, which would bring requests, PyJWT and docopt for a
single call; `transport` is injectable so the tests never touch the network."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
import urllib.request
from collections.abc import Callable

from django.conf import settings
from django.core.mail import EmailMessage
from django.urls import reverse

SUBJECT = "You have a new task in your worktray"
SUBJECT_SEVERAL = "You have new tasks in your worktray"


def task_link(task_id: int | None) -> str:
    """The task's link, or (for several new tasks at once) the worktray's."""
    path = reverse("worktray:task", args=[task_id]) if task_id else reverse("home")
    return f"{settings.OPENASC_BASE_URL}{path}"


def body(task_id: int | None) -> str:
    what = "a new task" if task_id else "new tasks"
    return (
        f"You have {what} in your worktray in {settings.SERVICE_NAME} at {settings.COUNCIL_NAME}.\n\n"
        f"Sign in to see {'it' if task_id else 'them'}: {task_link(task_id)}\n\n"
        "This email does not say who the tasks are about. To stop these emails, change your notification "
        "settings in the worktray."
    )


class NotifyError(Exception):
    pass


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def parse_key(api_key: str) -> tuple[str, str]:
    """A Notify API key is `name-serviceid-secret`, the last two UUIDs (36 characters each)."""
    if len(api_key) < 74:
        raise NotifyError("OPENASC_NOTIFY_API_KEY is not a GOV.UK Notify API key (name-service id-secret)")
    return api_key[-73:-37], api_key[-36:]


def token(service_id: str, secret: str, *, now: float | None = None) -> str:
    """The JWT Notify asks for: HS256, issuer the service id, issued-at now."""
    header = _b64(json.dumps({"typ": "JWT", "alg": "HS256"}, separators=(",", ":")).encode())
    claims = _b64(
        json.dumps({"iss": service_id, "iat": int(now or time.time())}, separators=(",", ":")).encode()
    )
    signed = f"{header}.{claims}".encode()
    signature = _b64(hmac.new(secret.encode(), signed, hashlib.sha256).digest())
    return f"{header}.{claims}.{signature}"


Transport = Callable[[str, dict[str, str], bytes], tuple[int, bytes]]


def urllib_transport(url: str, headers: dict[str, str], data: bytes) -> tuple[int, bytes]:
    request = urllib.request.Request(url, data=data, headers=headers, method="POST")  # noqa: S310 (https, ours)
    try:
        with urllib.request.urlopen(request, timeout=settings.EMAIL_TIMEOUT) as response:  # noqa: S310
            return response.status, response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()


def send_by_notify(to: str, task_id: int | None, *, transport: Transport | None = None) -> None:
    service_id, secret = parse_key(settings.OPENASC_NOTIFY_API_KEY)
    if not settings.OPENASC_NOTIFY_TEMPLATE_ID:
        raise NotifyError(
            "Set OPENASC_NOTIFY_TEMPLATE_ID to the id of the Notify email template (one placeholder: ((link)))"
        )
    payload = json.dumps(
        {
            "email_address": to,
            "template_id": settings.OPENASC_NOTIFY_TEMPLATE_ID,
            "personalisation": {"link": task_link(task_id)},
        }
    ).encode()
    status, reply = (transport or urllib_transport)(
        f"{settings.OPENASC_NOTIFY_BASE_URL}/v2/notifications/email",
        {
            "Authorization": f"Bearer {token(service_id, secret)}",
            "Content-Type": "application/json",
            "User-Agent": "openasc",
        },
        payload,
    )
    if status >= 300:
        raise NotifyError(f"GOV.UK Notify answered {status}: {reply[:200]!r}")


def send(to: str, task_id: int | None, *, transport: Transport | None = None) -> None:
    """Send the notification email to one address (about one task, or None for several: the link is then the
    worktray's), by Notify when configured, otherwise by Django's email."""
    if settings.OPENASC_NOTIFY_API_KEY:
        send_by_notify(to, task_id, transport=transport)
        return
    subject = SUBJECT if task_id else SUBJECT_SEVERAL
    EmailMessage(subject, body(task_id), settings.DEFAULT_FROM_EMAIL, [to]).send(fail_silently=False)
