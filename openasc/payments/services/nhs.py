"""Recording what the NHS pays towards a service: joint funding (an ICB's share, an amount a week or a percentage of
the service's cost, from a date) and funded nursing care (a weekly rate: the national FNC rate unless given)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from openasc.core import audit
from openasc.core.access import Capability
from openasc.core.errors import ValidationFailed
from openasc.core.models import AuditAction, User
from openasc.payments.models import ContributionKind, NhsContribution
from openasc.payments.services.invoices import BASIS, require
from openasc.services.models import Service

# The NHS-funded nursing care rate, pence a week. UNVERIFIED: /work/shared/specs/data/charging_rates_england.csv has
# £235.88 (2024/25, "secondary, LOW confidence"); a council sets OPENASC_FNC_WEEKLY_PENCE to the current rate.
DEFAULT_FNC_WEEKLY_PENCE = 23588


def fnc_weekly_pence() -> int:
    return int(getattr(settings, "OPENASC_FNC_WEEKLY_PENCE", DEFAULT_FNC_WEEKLY_PENCE))


def nhs_contribution_add(
    *,
    user: User,
    service_id: int | None,
    kind: str,
    weekly_pence: int | None = None,
    percent: Decimal | None = None,
    from_on: dt.date | None,
    to_on: dt.date | None = None,
    icb_reference: str = "",
) -> NhsContribution:
    require(user, Capability.APPROVE_INVOICES, "record NHS contributions")
    errors: dict[str, str] = {}
    service = Service.objects.filter(pk=service_id).first() if service_id else None
    if service is None:
        errors["service"] = "Enter the id of the service the NHS contributes to"
    if kind not in ContributionKind.values:
        errors["kind"] = "Choose joint funding or funded nursing care"
    if kind == ContributionKind.FNC:
        if percent is not None:
            errors["percent"] = "Funded nursing care is a weekly rate, not a percentage"
        weekly_pence = fnc_weekly_pence() if weekly_pence is None else weekly_pence
    elif kind == ContributionKind.JOINT:
        if (weekly_pence is None) == (percent is None):
            errors["weekly"] = "Enter either the NHS's amount a week or its percentage of the cost, not both"
        if percent is not None and not (Decimal(0) < percent <= Decimal(100)):
            errors["percent"] = "Enter a percentage more than 0 and at most 100"
    if weekly_pence is not None and weekly_pence <= 0:
        errors["weekly"] = "Enter an amount a week more than £0.00"
    if from_on is None:
        errors["from_on"] = "Enter the date the NHS contribution starts"
    elif service is not None and from_on < service.start_on:
        errors["from_on"] = (
            f"The service starts on {service.start_on:%-d %B %Y}: the contribution cannot start before"
        )
    if to_on is not None and from_on is not None and to_on < from_on:
        errors["to_on"] = "The end date must be on or after the start"
    if len(icb_reference or "") > 60:
        errors["icb_reference"] = "The ICB's reference has at most 60 characters"
    if errors:
        raise ValidationFailed(errors)
    with transaction.atomic():
        c = NhsContribution.objects.create(
            service=service,
            person_id=service.person_id,
            kind=kind,
            weekly_pence=weekly_pence,
            percent=percent,
            from_on=from_on,
            to_on=to_on,
            icb_reference=(icb_reference or "").strip(),
            created_by=user,
            created_at=timezone.now(),
        )
        audit.record(
            actor=user,
            action=AuditAction.CREATE,
            obj=c,
            basis=BASIS,
            details={
                "what": f"NHS contribution recorded ({c.get_kind_display()})",
                "service": service.pk,
                "weekly_pence": weekly_pence,
                "percent": str(percent) if percent is not None else None,
                "from": from_on.isoformat(),
            },
        )
    return c
