"""Writes for rate uplifts: define one (a draft), and apply it once. Keyword-only, typed, validated before anything is
written, atomic and audited.

Applying adds a `services.ServiceCost` version from the effective date to every service the preview changes (same
frequency and planned units; reason "Rate uplift: <name>") and a `RateUpliftLine` for each, in one transaction: the
rows are written in bulk inside `audit.bulk` (one summary event for the uplift) and each new cost is audited against
its person (one event each, so it is in their access log as any cost change is). What is written is exactly
`selectors.compute(uplift)`: the preview's own calculation, taken again inside the transaction."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.utils import timezone

from openasc.core import access, audit, codes, validation
from openasc.core.errors import ValidationFailed
from openasc.core.models import AuditAction, User
from openasc.core.money import MoneyError, parse_pounds
from openasc.finance.models import (
    CareCategory,
    FinancialYear,
    RateUplift,
    RateUpliftLine,
    UpliftMethod,
    UpliftStatus,
)
from openasc.finance.uplifts import calc, selectors
from openasc.providers.models import Provider
from openasc.services.models import ServiceCost

BASIS = "rate uplift"
MAX_PERCENT = Decimal("100")
MAX_SKIP_DAYS = 3650
MAX_BENCHMARK = Decimal("100000")  # as the largest unit cost a service takes (services.MAX_UNIT_COST)


def can_apply(user: User) -> bool:
    return access.has(user, access.Capability.APPLY_UPLIFTS)


def _require(actor: User) -> None:
    if not can_apply(actor):
        raise PermissionError("Only finance officers can define and apply rate uplifts.")


def reason_for(uplift: RateUplift) -> str:
    return f"Rate uplift: {uplift.name}"[: ServiceCost._meta.get_field("reason").max_length]


def _percent(value: Any, errors: dict[str, str]) -> Decimal | None:
    hint = "Enter the percentage as a number, like 2 or 3.5"
    if value is None or (isinstance(value, str) and not value.strip()):
        errors["percent"] = "Enter the percentage to raise unit costs by, like 2 or 3.5"
        return None
    try:
        text = validation.ascii_digits(str(value)).strip().removesuffix("%").strip()
        pct = Decimal(text)
    except (InvalidOperation, ValueError):
        errors["percent"] = hint
        return None
    if not pct.is_finite():
        errors["percent"] = hint
    elif pct <= 0:
        errors["percent"] = "The percentage must be more than 0"
    elif pct > MAX_PERCENT:
        errors["percent"] = "The percentage must be 100 or less"
    elif pct != pct.quantize(Decimal("0.001")):
        errors["percent"] = "The percentage can have at most 3 decimal places, like 2.125"
    else:
        return pct
    return None


def _whole(value: Any, *, field: str, label: str, low: int, high: int, errors: dict[str, str]) -> int | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    text = validation.ascii_digits(str(value)).strip()
    if not text.isascii() or not text.isdigit():
        errors[field] = f"Enter the {label} as a whole number, like {low + 1}"
        return None
    number = int(text)
    if not low <= number <= high:
        errors[field] = f"The {label} must be between {low} and {high}"
        return None
    return number


def _closed_year(day: dt.date) -> str | None:
    """The label of the closed financial year `day` falls in (its money is final), or None."""
    found = FinancialYear.objects.filter(starts_on__lte=day, ends_on__gte=day, closed=True).first()
    return found.label if found else None


@transaction.atomic
def uplift_create(
    *,
    actor: User,
    name: str,
    effective_from: dt.date | None,
    method: str,
    percent: Any = None,
    benchmark_unit_cost: Any = None,
    skip_uplifted_within_days: Any = None,
    provider_id: int | None = None,
    service_type: str = "",
    care_category_id: int | None = None,
    age_under: Any = None,
    age_from: Any = None,
) -> RateUplift:
    """A draft uplift, ready to preview. Every field is checked first; nothing is written when one is wrong."""
    _require(actor)
    errors: dict[str, str] = {}
    clean = {"name": name or ""}
    validation.check_text(
        clean, errors, "name", label="name", max_length=RateUplift._meta.get_field("name").max_length
    )
    if "name" not in errors and not clean["name"].strip():
        errors["name"] = "Enter a name for the uplift, like 'Home care 2027-28 uplift 3.5%'"
    if not isinstance(effective_from, dt.date):
        errors["effective_from"] = "Enter the date the new rates apply from"
    elif (closed := _closed_year(effective_from)) is not None:
        errors["effective_from"] = f"{closed} is closed: choose a date in a financial year that is still open"
    if method not in UpliftMethod.values:
        errors["method"] = "Select how the uplift changes unit costs"
    pct = benchmark = None
    if method == UpliftMethod.PERCENT:
        pct = _percent(percent, errors)
    elif method == UpliftMethod.TO_BENCHMARK:
        try:
            benchmark = parse_pounds(benchmark_unit_cost, what="benchmark unit cost", maximum=MAX_BENCHMARK)
        except MoneyError as exc:
            errors["benchmark_unit_cost"] = str(exc)
        else:
            if benchmark <= 0:
                errors["benchmark_unit_cost"] = "The benchmark unit cost must be more than £0.00"
    skip = _whole(
        skip_uplifted_within_days,
        field="skip_uplifted_within_days",
        label="number of days",
        low=0,
        high=MAX_SKIP_DAYS,
        errors=errors,
    )
    under = _whole(age_under, field="age_under", label="age", low=1, high=130, errors=errors)
    older = _whole(age_from, field="age_from", label="age", low=0, high=130, errors=errors)
    if under is not None and older is not None and older >= under and "age_under" not in errors:
        errors["age_under"] = f"'Younger than' must be more than 'aged from' ({older}), or leave one empty"
    provider = None
    if provider_id not in (None, ""):
        provider = Provider.objects.filter(pk=provider_id).first()
        if provider is None:
            errors["provider"] = "Select the provider from the list"
    category = None
    if care_category_id not in (None, ""):
        category = CareCategory.objects.filter(pk=care_category_id, active=True).first()
        if category is None:
            errors["care_category"] = "Select the care category from the list"
    service_type = (service_type or "").strip()
    if service_type and not codes.is_valid(codes.ListName.SERVICE_TYPE, service_type):
        errors["service_type"] = "Select the service type from the list"
    if errors:
        raise ValidationFailed(errors)
    uplift = RateUplift.objects.create(
        name=clean["name"].strip(),
        effective_from=effective_from,
        method=method,
        percent=pct,
        benchmark_unit_cost_pence=benchmark,
        skip_uplifted_within_days=skip or 0,
        provider=provider,
        service_type=service_type,
        care_category=category,
        age_under=under,
        age_from=older,
        created_by=actor,
    )
    audit.record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=uplift,
        basis=BASIS,
        details={
            "event": "rate_uplift_defined",
            "name": uplift.name,
            "effective_from": effective_from.isoformat(),
            "method": method,
            "percent": str(pct) if pct is not None else None,
            "benchmark_unit_cost_pence": benchmark,
            "skip_uplifted_within_days": uplift.skip_uplifted_within_days,
            "provider": provider.pk if provider else None,
            "service_type": service_type,
            "care_category": category.code if category else None,
            "age_under": under,
            "age_from": older,
        },
    )
    return uplift


def apply_problems(uplift: RateUplift) -> dict[str, str]:
    """Why the uplift cannot be applied now (empty when it can): applied already, or its year closed since."""
    if uplift.status != UpliftStatus.DRAFT:
        when = timezone.localtime(uplift.applied_at).strftime("%-d %B %Y") if uplift.applied_at else "already"
        return {"uplift": f"This uplift was applied on {when}: an uplift is applied once only"}
    closed = _closed_year(uplift.effective_from)
    if closed is not None:
        return {"uplift": f"{closed} has been closed since this uplift was defined: it cannot be applied"}
    return {}


def write_costs(uplift: RateUplift, result: calc.Preview, *, by: User) -> list[ServiceCost]:
    """The uplift's writes: a cost version from its date for each service it changes, and a line recording what
    changed. The caller audits them (`uplift_apply`) or is exempt (the demo's build)."""
    reason = reason_for(uplift)
    costs = ServiceCost.objects.bulk_create(
        [
            ServiceCost(
                service_id=x.service_id,
                effective_from=uplift.effective_from,
                unit_cost_pence=x.new_unit_cost_pence,
                cost_frequency=x.cost_frequency,
                planned_units_per_week=x.planned_units_per_week,
                reason=reason,
                created_by=by,
            )
            for x in result.lines
        ],
        batch_size=500,
    )
    RateUpliftLine.objects.bulk_create(
        [
            RateUpliftLine(
                uplift=uplift,
                service_id=x.service_id,
                new_cost=cost,
                old_unit_cost_pence=x.old_unit_cost_pence,
                new_unit_cost_pence=x.new_unit_cost_pence,
                weekly_change_pence=x.weekly_change_pence,
            )
            for x, cost in zip(result.lines, costs, strict=True)
        ],
        batch_size=500,
    )
    return costs


def mark_applied(uplift: RateUplift, result: calc.Preview, *, by: User, at) -> None:
    uplift.status = UpliftStatus.APPLIED
    uplift.applied_by = by
    uplift.applied_at = at
    uplift.people = result.people
    uplift.providers = result.providers
    uplift.services = result.services
    uplift.annual_change_pence = result.annual_change_pence
    uplift.save(
        update_fields=[
            "status",
            "applied_by",
            "applied_at",
            "people",
            "providers",
            "services",
            "annual_change_pence",
        ]
    )


@transaction.atomic
def uplift_apply(*, actor: User, uplift: RateUplift) -> calc.Preview:
    """Apply a draft uplift: what the preview shows, written once. A second apply is refused (the uplift row is
    locked first, so two at once cannot both write)."""
    _require(actor)
    uplift = RateUplift.objects.select_for_update().get(pk=uplift.pk)
    problems = apply_problems(uplift)
    if problems:
        raise ValidationFailed(problems)
    result = selectors.compute(uplift)
    reason = reason_for(uplift)
    details = {
        "event": "rate_uplift_applied",
        "name": uplift.name,
        "effective_from": uplift.effective_from.isoformat(),
        "services": result.services,
        "people": result.people,
        "providers": result.providers,
        "skipped": len(result.skipped),
        "annual_change_pence": result.annual_change_pence,
        "in_year_change_pence": result.in_year_change_pence,
    }
    with audit.bulk(
        actor=actor, action=AuditAction.CREATE, reason=reason, basis=BASIS, obj=uplift, details=details
    ):
        costs = write_costs(uplift, result, by=actor)
        # each new cost in its person's access log, as a cost change made by hand is
        audit.write(
            [
                audit.event(
                    actor=actor,
                    action=AuditAction.CREATE,
                    obj=cost,
                    person_id=x.person_id,
                    basis=BASIS,
                    details={
                        "event": "service_cost_changed",
                        "service": x.service_id,
                        "effective_from": uplift.effective_from.isoformat(),
                        "unit_cost_pence": x.new_unit_cost_pence,
                        "previous_unit_cost_pence": x.old_unit_cost_pence,
                        "weekly_pence": x.new_weekly_pence,
                        "previous_weekly_pence": x.old_weekly_pence,
                        "uplift": uplift.pk,
                        "reason": reason,
                    },
                )
                for x, cost in zip(result.lines, costs, strict=True)
            ]
        )
    mark_applied(uplift, result, by=actor, at=timezone.now())
    return result


def run_uplift_apply(job, progress):
    """A background job's runner for `uplift_apply` (a whole-market uplift writes a cost version for every service:
    about 27 s at 200,000 people on SQLite), as the member of staff who asked (`JobKind.RATE_UPLIFT`, `params`:
    {"uplift": id})."""
    from django.urls import reverse

    from openasc.finance.uplifts.presenters import plural
    from openasc.jobs.tasks import JobFailed, Outcome

    uplift = RateUplift.objects.filter(pk=job.params.get("uplift")).first()
    if uplift is None:
        raise JobFailed("There is no such rate uplift: nothing was changed.")
    progress(message=f"Applying {uplift.name}", force=True)
    try:
        result = uplift_apply(actor=job.requested_by, uplift=uplift)
    except ValidationFailed as exc:
        raise JobFailed(" ".join(exc.errors.values()) + ": nothing was changed.") from None
    except PermissionError as exc:
        raise JobFailed(f"{exc} Nothing was changed.") from None
    return Outcome(
        result={"uplift": uplift.pk, "services": result.services, "people": result.people},
        result_url=reverse("finance:uplift", args=[uplift.pk]),
        message=f"Uplift applied: {plural(result.services, 'service now has', 'services now have')} a new cost from "
        f"{uplift.effective_from:%-d %B %Y}",
    )
