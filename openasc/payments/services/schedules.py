"""Payment schedules (reference data a finance officer keeps): which services, how often, in arrears or in
advance, from which anchor, and whether against an invoice or from the plan."""

from __future__ import annotations

import datetime as dt

from django.db import transaction

from openasc.core import audit
from openasc.core.access import Capability
from openasc.core.errors import ValidationFailed
from openasc.core.models import AuditAction, User
from openasc.finance.models import CareCategory
from openasc.payments.models import Basis, Frequency, PaymentSchedule, Timing
from openasc.payments.services.invoices import BASIS, require


def schedule_save(
    *,
    user: User,
    schedule_id: int | None = None,
    code: str,
    name: str,
    care_categories: list[str],
    service_types: list[str] = (),
    service_components: list[str] = (),
    frequency: str = Frequency.FOUR_WEEKLY,
    timing: str = Timing.ARREARS,
    anchor: dt.date | None,
    basis: str = Basis.INVOICE,
    priority: int = 100,
    active: bool = True,
) -> PaymentSchedule:
    require(user, Capability.RUN_PAYMENTS, "change payment schedules")
    errors: dict[str, str] = {}
    schedule = PaymentSchedule.objects.filter(pk=schedule_id).first() if schedule_id else PaymentSchedule()
    if schedule is None:
        raise ValidationFailed({"schedule": "There is no payment schedule with that id"})
    code = (code or "").strip()
    if not code:
        errors["code"] = "Enter a short code, like home-care"
    elif PaymentSchedule.objects.filter(code=code).exclude(pk=schedule.pk).exists():
        errors["code"] = f"Another schedule has the code {code}"
    if not (name or "").strip():
        errors["name"] = "Enter the schedule's name"
    known = set(CareCategory.objects.values_list("code", flat=True))
    unknown = [c for c in care_categories if c not in known]
    if unknown:
        errors["care_categories"] = f"No care category is called {', '.join(unknown)}"
    if not (care_categories or service_types or service_components):
        errors["care_categories"] = "Choose the care categories (or service types) the schedule pays"
    if frequency not in Frequency.values:
        errors["frequency"] = "Choose four-weekly, weekly or monthly"
    if timing not in Timing.values:
        errors["timing"] = "Choose in arrears or in advance"
    if basis not in Basis.values:
        errors["basis"] = "Choose against an invoice or from the plan"
    if anchor is None:
        errors["anchor"] = "Enter the first day of one period, like 6 April 2026"
    if errors:
        raise ValidationFailed(errors)
    before = {f: getattr(schedule, f) for f in ("code", "name", "frequency", "timing", "basis", "anchor")}
    with transaction.atomic():
        schedule.code, schedule.name = code, name.strip()
        schedule.care_categories = list(care_categories)
        schedule.service_types, schedule.service_components = list(service_types), list(service_components)
        schedule.frequency, schedule.timing, schedule.anchor, schedule.basis = (
            frequency,
            timing,
            anchor,
            basis,
        )
        schedule.priority, schedule.active = priority, active
        created = schedule.pk is None
        schedule.save()
        audit.record(
            actor=user,
            action=AuditAction.CREATE if created else AuditAction.UPDATE,
            obj=schedule,
            basis=BASIS,
            details={"what": "payment schedule saved", "before": {k: str(v) for k, v in before.items()}},
        )
    return schedule
