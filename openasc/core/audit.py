"""The audit service: every view, change, search and export of personal data writes one event.

Services and record views call `audit.record(...)` explicitly, inside the same transaction as the
change it describes, so a change and its audit event are saved together or not at all.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable
from contextlib import contextmanager
from typing import Any

from django.db import models
from django.utils import timezone

from openasc.core.context import current_request_id
from openasc.core.models import AuditAction, AuditEvent, User


class AnonymousWriteRefused(PermissionError):
    """Nobody may change or read personal data without being known."""


# Models holding personal data. Saving one without an audit event fails the test suite's safety net.
SENSITIVE_MODELS: set[type[models.Model]] = set()


def sensitive(model: type[models.Model]) -> type[models.Model]:
    """Class decorator: mark a model as holding personal data."""
    SENSITIVE_MODELS.add(model)
    return model


def object_type(obj_or_model: models.Model | type[models.Model]) -> str:
    return obj_or_model._meta.label_lower


def record(
    *,
    actor: User,
    action: AuditAction | str,
    obj: models.Model | None = None,
    person_id: int | None = None,
    basis: str = "",
    reason: str = "",
    details: dict[str, Any] | None = None,
    on_behalf_of: User | None = None,
) -> AuditEvent:
    """Append one audit event; refuses anonymous or inactive actors."""
    if actor is None or not getattr(actor, "is_authenticated", False) or not actor.pk or not actor.is_active:
        raise AnonymousWriteRefused("An audit event needs a signed-in, active user or system account.")
    if person_id is None and obj is not None:
        person_id = _person_id_of(obj)
    return AuditEvent.objects.create(
        occurred_at=timezone.now(),
        actor=actor,
        on_behalf_of=on_behalf_of,
        action=str(action),
        person_id=person_id,
        object_type=object_type(obj) if obj is not None else "",
        object_id=str(obj.pk) if obj is not None else "",
        basis=basis[:64],
        reason=reason,
        request_id=current_request_id(),
        details=details or {},
    )


def record_many(*, actor: User, action: AuditAction | str, objs: Iterable[models.Model], basis: str = "",
                details: dict[str, Any] | None = None) -> int:
    """Audit a batch (list views, search results, bulk loads) in one insert."""
    if actor is None or not getattr(actor, "is_authenticated", False) or not actor.pk:
        raise AnonymousWriteRefused("An audit event needs a signed-in user or system account.")
    now = timezone.now()
    rid = current_request_id()
    events = [
        AuditEvent(
            occurred_at=now, actor=actor, action=str(action), person_id=_person_id_of(o),
            object_type=object_type(o), object_id=str(o.pk), basis=basis[:64], request_id=rid,
            details=details or {},
        )
        for o in objs
    ]
    AuditEvent.objects.bulk_create(events, batch_size=500)
    return len(events)


def _person_id_of(obj: models.Model) -> int | None:
    if obj._meta.label_lower == "people.person":
        return obj.pk
    return getattr(obj, "person_id", None)


def changes_between(before: dict[str, Any], after: dict[str, Any]) -> dict[str, list[Any]]:
    """Field-level differences, as [old, new] pairs, for the audit details."""
    return {k: [_jsonable(before.get(k)), _jsonable(v)] for k, v in after.items() if before.get(k) != v}


def _jsonable(value: Any) -> Any:
    if value is None or isinstance(value, str | int | float | bool):
        return value
    return str(value)


# --- test support: bulk set-up code (factories, the demo build) may opt out of the safety net.
_exempt = threading.local()


@contextmanager
def exempt_from_safety_net():
    """Used only by test factories and bulk loaders that write their own summary audit event."""
    depth = getattr(_exempt, "depth", 0)
    _exempt.depth = depth + 1
    try:
        yield
    finally:
        _exempt.depth = depth


def is_exempt() -> bool:
    return getattr(_exempt, "depth", 0) > 0
