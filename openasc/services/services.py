"""Writes for services delivered (CLD 'Service' events). Each is atomic, audited and validated.

The name clash is deliberate: this is the write module of the `openasc.services` app. Import it as
`from openasc.services import services as service_writes`.

A change of cost or hours never edits a cost: it adds a ServiceCost row from an effective date, so the cost on any
past date stays known (`selectors.cost_on`). Starting a service schedules the person's reviews.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.utils import timezone

from openasc.core import access, audit, codes, validation
from openasc.core.errors import ValidationFailed
from openasc.core.models import AuditAction, User
from openasc.core.money import MoneyError, parse_pounds, weekly_cost_pence
from openasc.core.workflow import require_belongs, require_record
from openasc.services.models import BudgetAuthorisation, Service, ServiceCost
from openasc.services.workflows import BUDGET_AUTHORISATION

# Cost frequencies whose weekly cost depends on how many units are planned each week.
NEEDS_UNITS = ("hourly", "daily", "per session")

ST_MAX = "Short term support: ST-Max"
REABLEMENT = "Reablement"
LOW_LEVEL = "Short term support: Ongoing low level"
EQUIPMENT = "Equipment"


def can_write_services(user: User) -> bool:
    return access.has(user, access.Capability.ARRANGE_SERVICES)


def _require(actor: User) -> None:
    if not can_write_services(actor):
        raise PermissionError("Your role cannot arrange or change services.")


def needs_units(frequency: str) -> bool:
    return (frequency or "").strip().lower() in NEEDS_UNITS


# The largest values a page, the API or a cost change accepts: a unit cost of £100,000 (one-off adaptations and the
# most complex annual packages included), and 10,000 planned units a week (hours, days or sessions; a week has 168
# hours, so this leaves room for several carers and per-session units while refusing mistakes such as 1e30).
MAX_UNIT_COST = Decimal("100000")
MAX_UNITS_PER_WEEK = Decimal("10000")
_UNITS = re.compile(r"-?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)", re.ASCII)
UNITS_HINT = "Enter the planned units per week as a number, like 14 or 3.5"


def parse_units(value: Any) -> Decimal:
    """Planned units per week: digits 0 to 9 (any script's digits are given as 0-9 first), more than 0, at most
    10,000, at most 2 decimal places. Raises ValueError with the message for the field."""
    if isinstance(value, bool):
        raise ValueError(UNITS_HINT)
    if isinstance(value, Decimal):
        units = value
    elif isinstance(value, int):
        units = Decimal(value)
    elif isinstance(value, float):
        units = Decimal(repr(value)) if value == value and abs(value) != float("inf") else Decimal("NaN")
    else:
        text = validation.ascii_digits(str(value)).strip()
        units = Decimal(text) if _UNITS.fullmatch(text) else Decimal("NaN")
    if not units.is_finite():
        raise ValueError(UNITS_HINT)
    if units <= 0:
        raise ValueError("The planned units per week must be more than 0")
    if units > MAX_UNITS_PER_WEEK:
        raise ValueError("The planned units per week must be 10,000 or fewer")
    try:
        exact = units == units.quantize(Decimal("0.01"))
    except InvalidOperation:
        exact = False
    if not exact:
        raise ValueError("The planned units per week can have at most 2 decimal places, like 3.25")
    return units


def _check_cost(
    *, unit_cost: Any, cost_frequency: str, planned_units_per_week: Any, errors: dict[str, str]
) -> tuple[int | None, Decimal | None]:
    pence = None
    try:
        pence = parse_pounds(unit_cost, what="unit cost", maximum=MAX_UNIT_COST)
    except MoneyError as exc:
        errors["unit_cost"] = str(exc)
    if not isinstance(cost_frequency, str) or not codes.is_valid(
        codes.ListName.COST_FREQUENCY, cost_frequency
    ):
        errors["cost_frequency"] = "Select how often the unit cost is charged from the list"
        cost_frequency = ""
    units = None
    if planned_units_per_week is not None and not (
        isinstance(planned_units_per_week, str) and not planned_units_per_week.strip()
    ):
        try:
            units = parse_units(planned_units_per_week)
        except ValueError as exc:
            errors["planned_units_per_week"] = str(exc)
    if units is None and needs_units(cost_frequency) and "planned_units_per_week" not in errors:
        errors["planned_units_per_week"] = (
            f"Enter the planned units per week: a cost charged "
            f"{cost_frequency.lower()} needs them to work out the weekly cost"
        )
    return pence, units


def _check_words(
    clean: dict[str, Any], errors: dict[str, str], **fields: tuple[str, int | None, bool]
) -> None:
    """Free text a service write stores: normalised, no control characters, within the column (validation)."""
    for name, (label, max_length, multiline) in fields.items():
        validation.check_text(clean, errors, name, label=label, max_length=max_length, multiline=multiline)


def _check_service(
    *,
    service_type: str,
    service_component: str,
    delivery_mechanism: str,
    start_on: dt.date | None,
    end_on: dt.date | None,
    errors: dict[str, str],
) -> None:
    if not codes.is_valid(codes.ListName.SERVICE_TYPE, service_type or ""):
        errors["service_type"] = "Select the service type from the list"
    if service_component and not codes.is_valid(codes.ListName.SERVICE_COMPONENT, service_component):
        errors["service_component"] = "Select the service component from the list"
    if delivery_mechanism and not codes.is_valid(codes.ListName.DELIVERY_MECHANISM, delivery_mechanism):
        errors["delivery_mechanism"] = "Select the delivery mechanism from the list"
    if start_on is None:
        errors["start_on"] = "Enter the date the service starts"
    if start_on and end_on and end_on < start_on:
        errors["end_on"] = "The end date must be the same as or after the start date"


@transaction.atomic
def service_start(
    *,
    record: access.OpenedRecord,
    service_type: str,
    start_on: dt.date,
    unit_cost: Any,
    cost_frequency: str,
    planned_units_per_week: Any = None,
    service_component: str = "",
    provider_location=None,
    delivery_mechanism: str = "",
    end_on: dt.date | None = None,
    description: str = "",
    plan=None,
    client_type: str = "",
) -> Service:
    """Start a service with its first cost, then make sure the person's reviews are scheduled. On the record as
    opened (access.open_record): the worker, the person and the basis come from the opening."""
    actor, person = require_record(record).user, record.person
    _require(actor)
    errors: dict[str, str] = {}
    _check_service(
        service_type=service_type,
        service_component=service_component,
        delivery_mechanism=delivery_mechanism,
        start_on=start_on,
        end_on=end_on,
        errors=errors,
    )
    pence, units = _check_cost(
        unit_cost=unit_cost,
        cost_frequency=cost_frequency,
        planned_units_per_week=planned_units_per_week,
        errors=errors,
    )
    words = {"description": description}
    _check_words(words, errors, description=("description", None, True))
    description = words["description"]
    if plan is not None:
        if plan.person_id != person.pk:
            errors["plan"] = "The plan belongs to someone else"
        elif plan.status != "agreed":
            errors["plan"] = "Services can be started only from an agreed plan"
    if provider_location is not None and not provider_location.active:
        errors["provider_location"] = "This provider location is no longer active: choose another"
    client_type = client_type or (
        "Unpaid carer" if getattr(person, "client_type", "") == "Unpaid carer" else "Service user"
    )
    if not codes.is_valid(codes.ListName.CLIENT_TYPE, client_type):
        errors["client_type"] = "Select the client type from the list"
    if errors:
        raise ValidationFailed(errors)
    service = Service.objects.create(
        person=person,
        plan=plan,
        service_type=service_type,
        service_component=service_component,
        provider_location=provider_location,
        delivery_mechanism=delivery_mechanism,
        client_type=client_type,
        start_on=start_on,
        end_on=end_on,
        description=description,
        created_by=actor,
    )
    cost = ServiceCost.objects.create(
        service=service,
        effective_from=start_on,
        unit_cost_pence=pence,
        cost_frequency=cost_frequency,
        planned_units_per_week=units,
        reason="Service started",
        created_by=actor,
    )
    audit.record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=service,
        basis=record.basis,
        details={
            "event": "service_started",
            "service_type": service_type,
            "service_component": service_component,
            "start_on": start_on.isoformat(),
            "plan": plan.pk if plan else None,
        },
    )
    audit.record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=cost,
        person_id=person.pk,
        basis=record.basis,
        details={
            "service": service.pk,
            "unit_cost_pence": pence,
            "cost_frequency": cost_frequency,
            "planned_units_per_week": str(units) if units is not None else None,
            "weekly_pence": cost.weekly_pence,
        },
    )
    from openasc.planning import services as planning_writes

    planning_writes.review_schedule_for(record=record, started=service)
    from openasc.frontdoor.services import requests_close_waiting

    requests_close_waiting(record=record)
    budget_check(record=record, service=service, cost=cost)
    return service


@transaction.atomic
def service_cost_change(
    *,
    record: access.OpenedRecord,
    service: Service,
    effective_from: dt.date,
    unit_cost: Any,
    cost_frequency: str,
    planned_units_per_week: Any = None,
    reason: str = "",
) -> ServiceCost:
    """A new cost or number of hours from a date; earlier costs are kept, so past costs stay known."""
    actor = require_record(record).user
    _require(actor)
    require_belongs(record, service, field="service", what="service")
    service = Service.objects.select_for_update().get(pk=service.pk)
    errors: dict[str, str] = {}
    if effective_from is None:
        errors["effective_from"] = "Enter the date the new cost applies from"
    elif effective_from < service.start_on:
        errors["effective_from"] = (
            f"The new cost cannot apply before the service started ({service.start_on:%-d %B %Y})"
        )
    elif service.end_on and effective_from > service.end_on:
        errors["effective_from"] = (
            f"The new cost cannot apply after the service ended ({service.end_on:%-d %B %Y})"
        )
    elif service.costs.filter(effective_from=effective_from).exists():
        errors["effective_from"] = "There is already a cost from this date: choose another date"
    pence, units = _check_cost(
        unit_cost=unit_cost,
        cost_frequency=cost_frequency,
        planned_units_per_week=planned_units_per_week,
        errors=errors,
    )
    words = {"reason": reason}
    _check_words(
        words,
        errors,
        reason=("reason for the change", ServiceCost._meta.get_field("reason").max_length, False),
    )
    reason = words["reason"]
    if errors:
        raise ValidationFailed(errors)
    before = service.costs.filter(effective_from__lte=effective_from).order_by("-effective_from").first()
    cost = ServiceCost.objects.create(
        service=service,
        effective_from=effective_from,
        unit_cost_pence=pence,
        cost_frequency=cost_frequency,
        planned_units_per_week=units,
        reason=reason,
        created_by=actor,
    )
    audit.record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=cost,
        person_id=service.person_id,
        reason=reason,
        basis=record.basis,
        details={
            "event": "service_cost_changed",
            "service": service.pk,
            "effective_from": effective_from.isoformat(),
            "unit_cost_pence": pence,
            "cost_frequency": cost_frequency,
            "planned_units_per_week": str(units) if units is not None else None,
            "weekly_pence": cost.weekly_pence,
            "previous_weekly_pence": before.weekly_pence if before else None,
        },
    )
    budget_check(record=record, service=service, cost=cost)
    return cost


@transaction.atomic
def service_end(*, record: access.OpenedRecord, service: Service, end_on: dt.date, outcome: str) -> Service:
    """End a service on a date with its CLD event outcome (for reablement: what followed)."""
    actor = require_record(record).user
    _require(actor)
    require_belongs(record, service, field="service", what="service")
    service = Service.objects.select_for_update().get(pk=service.pk)
    errors: dict[str, str] = {}
    if service.end_outcome:
        errors["service"] = f"This service has already ended ({service.end_on:%-d %B %Y})"
    if end_on is None:
        errors["end_on"] = "Enter the date the service ended"
    elif end_on < service.start_on:
        errors["end_on"] = f"The end date cannot be before the service started ({service.start_on:%-d %B %Y})"
    elif service.costs.filter(effective_from__gt=end_on).exists():
        errors["end_on"] = "There is a cost that starts after this date: the end date must be on or after it"
    if not codes.is_valid(codes.ListName.EVENT_OUTCOME, outcome or ""):
        errors["outcome"] = "Select what happened when the service ended from the list"
    if errors:
        raise ValidationFailed(errors)
    before = {"end_on": service.end_on, "end_outcome": service.end_outcome}
    service.end_on = end_on
    service.end_outcome = outcome
    service.save(update_fields=["end_on", "end_outcome"])
    audit.record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=service,
        basis=record.basis,
        details={
            "event": "service_ended",
            "end_on": end_on.isoformat(),
            "outcome": outcome,
            "changes": audit.changes_between(before, {"end_on": end_on, "end_outcome": outcome}),
        },
    )
    from openasc.planning import services as planning_writes

    if service.service_type.startswith(planning_writes.LONG_TERM_PREFIX):
        planning_writes.reviews_cancel_when_support_ends(record=record, ended_on=end_on)
    return service


def weekly_pence_for(*, unit_cost: Any, cost_frequency: str, planned_units_per_week: Any) -> int | None:
    """The weekly cost of what was typed, for showing it before it is saved (None when it cannot be known)."""
    errors: dict[str, str] = {}
    pence, units = _check_cost(
        unit_cost=unit_cost,
        cost_frequency=cost_frequency,
        planned_units_per_week=planned_units_per_week,
        errors=errors,
    )
    if errors:
        return None
    return weekly_cost_pence(pence, cost_frequency, units)


# --- Costs above the agreed personal budget: a manager's authorisation --------------------------------------------


def plan_weekly_cost_on(plan, on: dt.date) -> int:
    """What a plan's services cost a week on a date: the cost in force then of each service running then (a one-off
    cost, or hours not known, counts nothing)."""
    from openasc.services.selectors import weekly_cost_on

    services = plan.services.filter(start_on__lte=on).prefetch_related("costs")
    return sum(weekly_cost_on(s, on) or 0 for s in services)


def budget_check(
    *, record: access.OpenedRecord, service: Service, cost: ServiceCost
) -> BudgetAuthorisation | None:
    """When a service start or cost change takes its plan's weekly cost above the agreed personal budget, ask a
    manager to authorise it (a budget authorisation, and through its workflow a task in the managers' worktray).
    The service itself is not held back: what was arranged is what the returns count."""
    plan = service.plan
    if plan is None or plan.agreed_weekly_pence is None:
        return None
    committed = plan_weekly_cost_on(plan, cost.effective_from)
    if committed <= plan.agreed_weekly_pence:
        return None
    authorisation = BudgetAuthorisation.objects.create(
        person=record.person,
        plan=plan,
        service=service,
        cost=cost,
        committed_weekly_pence=committed,
        agreed_weekly_pence=plan.agreed_weekly_pence,
        requested_by=record.user,
        requested_at=timezone.now(),
    )
    audit.record(
        actor=record.user,
        action=AuditAction.CREATE,
        obj=authorisation,
        basis=record.basis,
        details={
            "event": "budget_authorisation_requested",
            "plan": plan.pk,
            "service": service.pk,
            "cost": cost.pk,
            "committed_weekly_pence": committed,
            "agreed_weekly_pence": plan.agreed_weekly_pence,
        },
    )
    BUDGET_AUTHORISATION.begin(record, authorisation, note="Cost above the agreed personal budget")
    return authorisation


def budget_authorisation_decide(
    *, record: access.OpenedRecord, authorisation: BudgetAuthorisation, decision: str, reason: str
) -> BudgetAuthorisation:
    """Authorise or decline a cost above the personal budget, with the reason (the workflow checks the role, the
    state and that the manager did not arrange it), audited with the record's basis."""
    require_belongs(record, authorisation, field="decision", what="authorisation")
    errors: dict[str, str] = {}
    if decision not in ("authorise", "decline"):
        errors["decision"] = "Select whether you authorise or decline the cost"
    words = {"reason": reason}
    _check_words(words, errors, reason=("reason", None, True))
    if not errors and not words["reason"]:
        errors["reason"] = "Enter the reason for your decision"
    if errors:
        raise ValidationFailed(errors)
    BUDGET_AUTHORISATION.check(record, authorisation, decision)
    with transaction.atomic():
        authorisation = BudgetAuthorisation.objects.select_for_update().get(pk=authorisation.pk)
        authorisation.decided_by = record.user
        authorisation.decided_at = timezone.now()
        authorisation.reason = words["reason"]
        BUDGET_AUTHORISATION.apply(
            record,
            authorisation,
            decision,
            note=words["reason"],
            reason=words["reason"],
            details={"over_weekly_pence": authorisation.over_pence},
            fields=["decided_by", "decided_at", "reason"],
        )
    return authorisation


def can_decide_budget(user: User) -> bool:
    return access.has(user, access.Capability.SIGN_OFF)
