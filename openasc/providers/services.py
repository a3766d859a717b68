"""Writes for the provider register: providers and their CQC-registered locations. Audited like everything else."""

from __future__ import annotations

import re

from django.db import transaction

from openasc.core import audit
from openasc.core.errors import ValidationFailed
from openasc.core.models import AuditAction, Role, User
from openasc.providers.models import Provider, ProviderLocation

REGISTER_KEEPERS = frozenset({Role.BROKER, Role.TEAM_MANAGER, Role.ADMINISTRATOR, Role.SYSTEM})
# CQC ids look like 1-101234567 (locations) or 1-1012345678 (providers).
CQC_ID = re.compile(r"^1-\d{5,12}$")
POSTCODE = re.compile(r"^[A-Z]{1,2}[0-9][0-9A-Z]?\s?[0-9][A-Z]{2}$")


def can_keep_register(user: User) -> bool:
    return bool(user and user.is_authenticated and user.role in REGISTER_KEEPERS)


def _require(actor: User) -> None:
    if not can_keep_register(actor):
        raise PermissionError(
            "Only brokers, team managers and administrators can change the provider register."
        )


@transaction.atomic
def provider_create(*, actor: User, name: str, cqc_provider_id: str = "") -> Provider:
    _require(actor)
    errors = {}
    name, cqc_provider_id = name.strip(), cqc_provider_id.strip()
    if not name:
        errors["name"] = "Enter the provider's name"
    elif len(name) > 200:
        errors["name"] = "The provider's name must be 200 characters or fewer"
    elif Provider.objects.filter(name__iexact=name).exists():
        errors["name"] = "There is already a provider with this name"
    if cqc_provider_id and not CQC_ID.match(cqc_provider_id):
        errors["cqc_provider_id"] = "Enter the CQC provider id as shown by CQC, like 1-101234567"
    if errors:
        raise ValidationFailed(errors)
    provider = Provider.objects.create(name=name, cqc_provider_id=cqc_provider_id)
    audit.record(actor=actor, action=AuditAction.CREATE, obj=provider, details={"name": name})
    return provider


@transaction.atomic
def location_create(
    *,
    actor: User,
    provider: Provider,
    name: str,
    cqc_location_id: str = "",
    postcode: str = "",
    kind: str = "",
) -> ProviderLocation:
    _require(actor)
    errors = {}
    name, cqc_location_id, kind = name.strip(), cqc_location_id.strip(), kind.strip()
    postcode = " ".join(postcode.upper().split())
    if postcode and " " not in postcode and len(postcode) > 4:
        postcode = f"{postcode[:-3]} {postcode[-3:]}"
    if not name:
        errors["name"] = "Enter the location's name, as registered with CQC"
    elif len(name) > 200:
        errors["name"] = "The location's name must be 200 characters or fewer"
    if cqc_location_id:
        if not CQC_ID.match(cqc_location_id):
            errors["cqc_location_id"] = "Enter the CQC location id as shown by CQC, like 1-123456789"
        elif ProviderLocation.objects.filter(cqc_location_id=cqc_location_id).exists():
            errors["cqc_location_id"] = "A location with this CQC location id is already on the register"
    if postcode and not POSTCODE.match(postcode):
        errors["postcode"] = "Enter a real postcode, like AA1 1AA"
    if len(kind) > 40:
        errors["kind"] = "The kind of location must be 40 characters or fewer"
    if errors:
        raise ValidationFailed(errors)
    location = ProviderLocation.objects.create(
        provider=provider, name=name, cqc_location_id=cqc_location_id, postcode=postcode, kind=kind
    )
    audit.record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=location,
        details={"provider": provider.pk, "cqc_location_id": cqc_location_id},
    )
    return location


@transaction.atomic
def location_set_active(*, actor: User, location: ProviderLocation, active: bool) -> ProviderLocation:
    _require(actor)
    location.active = active
    location.save(update_fields=["active"])
    audit.record(actor=actor, action=AuditAction.UPDATE, obj=location, details={"active": active})
    return location
