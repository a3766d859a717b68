"""The advocacy providers a council commissions (Care Act and IMCA): local reference data, set by an administrator.

No national list names advocacy providers, so they are `core.ReferenceCode` rows of the list "Advocacy provider",
release "local" (ADR 0005): never deleted, deactivated when the council stops using one, so that records naming a
former provider still read true. Each change is audited.
"""

from __future__ import annotations

from django.db import transaction

from openasc.capacity.models import ADVOCACY_PROVIDER_LIST
from openasc.core import audit, codes, validation
from openasc.core.errors import ValidationFailed
from openasc.core.models import AuditAction, ReferenceCode, User

SOURCE = "Set by the council (openasc capacity providers)"
NOTE = "Local reference data: no national list of advocacy providers exists (docs/capacity.md)"


def providers(*, include_inactive: bool = False) -> list[ReferenceCode]:
    rows = ReferenceCode.objects.filter(list_name=ADVOCACY_PROVIDER_LIST, release="local")
    if not include_inactive:
        rows = rows.filter(active=True)
    return list(rows.order_by("order", "value"))


def _name(name: str) -> str:
    try:
        clean = validation.clean_text(name, label="provider's name", max_length=200)
    except validation.TextError as exc:
        raise ValidationFailed({"name": str(exc)}) from None
    if not clean:
        raise ValidationFailed({"name": "Enter the advocacy provider's name"})
    return clean


def provider_add(*, actor: User, name: str) -> ReferenceCode:
    """Add a provider to the council's list (or bring back one that was removed)."""
    value = _name(name)
    if not ReferenceCode.objects.exclude(release="local").exists():
        # An emptied table (a flushed test database, a restore without reference data) is refilled by
        # `codes.values` only while it is empty: load the national lists before the first local row goes in.
        codes.load_reference_codes()
    with transaction.atomic():
        existing = ReferenceCode.objects.filter(
            list_name=ADVOCACY_PROVIDER_LIST, release="local", value=value
        ).first()
        if existing is not None and existing.active:
            raise ValidationFailed({"name": f"“{value}” is already on the list of advocacy providers"})
        if existing is None:
            order = (
                ReferenceCode.objects.filter(list_name=ADVOCACY_PROVIDER_LIST, release="local").count() + 1
            )
            existing = ReferenceCode.objects.create(
                list_name=ADVOCACY_PROVIDER_LIST,
                release="local",
                value=value,
                order=order,
                source=SOURCE,
                note=NOTE,
                is_confirmed=False,
                version="local",
                active=True,
            )
        else:
            existing.active = True
            existing.save(update_fields=["active"])
        audit.record(
            actor=actor,
            action=AuditAction.CREATE,
            obj=existing,
            details={"event": "advocacy_provider_added", "provider": value},
        )
    codes.clear_cache()
    return existing


def provider_remove(*, actor: User, name: str) -> ReferenceCode:
    """Take a provider off the list offered for new referrals; records that name it keep it."""
    value = _name(name)
    with transaction.atomic():
        existing = ReferenceCode.objects.filter(
            list_name=ADVOCACY_PROVIDER_LIST, release="local", value=value, active=True
        ).first()
        if existing is None:
            raise ValidationFailed({"name": f"“{value}” is not on the list of advocacy providers"})
        existing.active = False
        existing.save(update_fields=["active"])
        audit.record(
            actor=actor,
            action=AuditAction.UPDATE,
            obj=existing,
            details={"event": "advocacy_provider_removed", "provider": value},
        )
    codes.clear_cache()
    return existing
