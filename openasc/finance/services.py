"""Writes for budgets: cost centres and the budget of a cost centre in a year, by a finance officer (SET_BUDGETS).
Every field is checked before anything is written (ValidationFailed names each field and says how to fix it), the
write is atomic and audited with what changed (before and after). A closed year's budgets cannot be changed."""

from __future__ import annotations

import re
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from openasc.core import access, audit
from openasc.core.access import Capability
from openasc.core.errors import ValidationFailed
from openasc.core.models import AuditAction, Team, User
from openasc.finance.models import Budget, CareCategory, CostCentre, FinancialYear, ForecastAdjustment

CODE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._/-]{0,19}")
MAX_BUDGET_POUNDS = Decimal("10000000000")  # £10bn: larger than any council's whole budget
MAX_UNIT_COST_PENCE = 100_000_000  # £1m a week


def can_set_budgets(user: User) -> bool:
    return access.has(user, Capability.SET_BUDGETS)


def _require(actor: User) -> None:
    if not can_set_budgets(actor):
        raise PermissionError("Only a finance officer can set cost centres and budgets.")


def _reasons(values) -> list[str]:
    out: list[str] = []
    for v in values or ():
        v = str(v).strip()
        if v and v not in out:
            out.append(v)
    return out


def _centre_state(c: CostCentre) -> dict:
    return {
        "code": c.code,
        "name": c.name,
        "care_category": c.care_category_id,
        "support_reasons": list(c.support_reasons or []),
        "team": c.team_id,
        "holder": c.holder_id,
        "active": c.active,
    }


def cost_centre_save(
    *,
    actor: User,
    centre: CostCentre | None = None,
    code: str,
    name: str,
    care_category_id: int | None,
    support_reasons: list[str],
    team_id: int | None,
    holder_id: int | None,
    active: bool = True,
) -> CostCentre:
    """Add a cost centre (`centre` None) or change one; deactivating it (active False) keeps it and its budgets, and
    its services fall to the next most specific cost centre (or to 'not in a cost centre')."""
    _require(actor)
    code = (code or "").strip()
    name = (name or "").strip()
    errors: dict[str, str] = {}
    if not code:
        errors["code"] = "Enter the cost centre's code, as the general ledger has it"
    elif not CODE.fullmatch(code):
        errors["code"] = "The code must be up to 20 letters, digits, dots, dashes or slashes, like ASC-RES-01"
    elif CostCentre.objects.filter(code__iexact=code).exclude(pk=getattr(centre, "pk", None)).exists():
        errors["code"] = f"There is already a cost centre {code}: enter another code"
    if not name:
        errors["name"] = "Enter the cost centre's name, like Residential care, older people"
    elif len(name) > 120:
        errors["name"] = "The name must be 120 characters or fewer"
    if care_category_id is not None and not CareCategory.objects.filter(pk=care_category_id).exists():
        errors["care_category"] = "Select a care category from the list"
    if team_id is not None and not Team.objects.filter(pk=team_id).exists():
        errors["team"] = "Select a team from the list"
    holder = None
    if holder_id is not None:
        holder = User.objects.filter(pk=holder_id, is_active=True).first()
        if holder is None or not access.has(holder, Capability.SEE_BUDGETS):
            errors["holder"] = "Select a budget holder from the list (a team manager or finance officer)"
    reasons = _reasons(support_reasons)
    if any(len(r) > 120 for r in reasons):
        errors["support_reasons"] = "Each client group must be 120 characters or fewer, one a line"
    if errors:
        raise ValidationFailed(errors)
    with transaction.atomic():
        before = _centre_state(centre) if centre else {}
        centre = CostCentre() if centre is None else CostCentre.objects.select_for_update().get(pk=centre.pk)
        centre.code, centre.name = code, name
        centre.care_category_id, centre.team_id, centre.holder_id = care_category_id, team_id, holder_id
        centre.support_reasons = reasons
        centre.active = bool(active)
        created = centre.pk is None
        centre.save()
        audit.record(
            actor=actor,
            action=AuditAction.CREATE if created else AuditAction.UPDATE,
            obj=centre,
            details={
                "event": "cost_centre_added" if created else "cost_centre_changed",
                "code": code,
                "changes": audit.changes_between(before, _centre_state(centre)),
            },
        )
    return centre


def budget_set(
    *,
    actor: User,
    year: FinancialYear,
    centre: CostCentre,
    net_budget_pence: int,
    budgeted_people: int,
    budgeted_unit_cost_pence: int,
    note: str = "",
) -> Budget:
    """Set (or change) the budget of `centre` in `year`: the net budget, and the people and average unit cost (per
    week, per hour for an hourly category) it was built on."""
    _require(actor)
    errors: dict[str, str] = {}
    if year.closed:
        errors["year"] = f"{year.label} is closed: its budgets can no longer be changed"
    if not isinstance(net_budget_pence, int) or isinstance(net_budget_pence, bool):
        errors["net_budget"] = "Enter the net budget in pounds, like 1250000"
    elif net_budget_pence < 0:
        errors["net_budget"] = "The net budget cannot be below £0"
    elif net_budget_pence > int(MAX_BUDGET_POUNDS * 100):
        errors["net_budget"] = "The net budget must be less than £10,000,000,000"
    if not isinstance(budgeted_people, int) or isinstance(budgeted_people, bool) or budgeted_people < 0:
        errors["budgeted_people"] = "Enter the number of people the budget was built on, like 120"
    elif budgeted_people > 1_000_000:
        errors["budgeted_people"] = "The number of people must be 1,000,000 or fewer"
    if (
        not isinstance(budgeted_unit_cost_pence, int)
        or isinstance(budgeted_unit_cost_pence, bool)
        or budgeted_unit_cost_pence < 0
    ):
        errors["budgeted_unit_cost"] = "Enter the budgeted average unit cost in pounds, like 850.00"
    elif budgeted_unit_cost_pence > MAX_UNIT_COST_PENCE:
        errors["budgeted_unit_cost"] = "The average unit cost must be less than £1,000,000"
    note = (note or "").strip()
    if len(note) > 2000:
        errors["note"] = "The note must be 2,000 characters or fewer"
    if errors:
        raise ValidationFailed(errors)
    with transaction.atomic():
        FinancialYear.objects.select_for_update().filter(pk=year.pk).first()
        existing = Budget.objects.select_for_update().filter(year=year, cost_centre=centre).first()
        before = (
            {
                "net_budget_pence": existing.net_budget_pence,
                "budgeted_people": existing.budgeted_people,
                "budgeted_unit_cost_pence": existing.budgeted_unit_cost_pence,
                "note": existing.note,
            }
            if existing
            else {}
        )
        after = {
            "net_budget_pence": net_budget_pence,
            "budgeted_people": budgeted_people,
            "budgeted_unit_cost_pence": budgeted_unit_cost_pence,
            "note": note,
        }
        budget = existing or Budget(year=year, cost_centre=centre)
        for k, v in after.items():
            setattr(budget, k, v)
        budget.updated_by = actor
        budget.updated_at = timezone.now()
        budget.save()
        audit.record(
            actor=actor,
            action=AuditAction.UPDATE if existing else AuditAction.CREATE,
            obj=budget,
            details={
                "event": "budget_set",
                "year": year.label,
                "cost_centre": centre.code,
                "before": {k: before.get(k) for k in after} if existing else None,
                "after": after,
                "changes": audit.changes_between(before, after),
            },
        )
    return budget


def _lines(values) -> list[str]:
    out: list[str] = []
    for v in values or ():
        v = str(v).strip()
        if v and v.casefold() not in {x.casefold() for x in out}:
            out.append(v)
    return out


def care_category_save(
    *,
    actor: User,
    category: CareCategory,
    name: str,
    priority: int,
    service_types: list[str],
    service_components: list[str],
    delivery_mechanisms: list[str],
    support_reasons: list[str],
    active: bool = True,
) -> CareCategory:
    """Change a care category's rule (which services it holds) and its place in the order tried. The unit (per week
    or per hour) is fixed: budgets were set in it. A rule changed by the council is a local setting, and its
    `source` says so."""
    _require(actor)
    name = (name or "").strip()
    errors: dict[str, str] = {}
    if not name:
        errors["name"] = "Enter the care category's name, like Nursing dementia"
    elif len(name) > 120:
        errors["name"] = "The name must be 120 characters or fewer"
    if not isinstance(priority, int) or isinstance(priority, bool) or not 0 <= priority <= 1000:
        errors["priority"] = "Enter the priority as a whole number from 0 to 1000 (lower is tried first)"
    lists = {
        "service_types": _lines(service_types),
        "service_components": _lines(service_components),
        "delivery_mechanisms": _lines(delivery_mechanisms),
        "support_reasons": _lines(support_reasons),
    }
    for field, values in lists.items():
        if any(len(v) > 120 for v in values):
            errors[field] = "Each value must be 120 characters or fewer, one a line"
    if errors:
        raise ValidationFailed(errors)
    with transaction.atomic():
        category = CareCategory.objects.select_for_update().get(pk=category.pk)
        state = ("name", "priority", *lists, "active")
        before = {k: getattr(category, k) for k in state}
        category.name, category.priority, category.active = name, priority, bool(active)
        for field, values in lists.items():
            setattr(category, field, values)
        after = {k: getattr(category, k) for k in state}
        changes = audit.changes_between(before, after)
        if changes and not category.source.startswith("Local setting"):
            category.source = f"Local setting (changed from: {category.source})"[:200]
        category.save()
        audit.record(
            actor=actor,
            action=AuditAction.UPDATE,
            obj=category,
            details={"event": "care_category_changed", "code": category.code, "changes": changes},
        )
    return category


MAX_ADJUSTMENT_PENCE = 1_000_000_000  # £10m either way


def forecast_adjust(
    *, actor: User, year: FinancialYear, centre: CostCentre, amount_pence: int, reason: str
) -> ForecastAdjustment:
    """A budget holder's adjustment to a cost centre's forecast for the year (positive raises it), with its reason:
    for a cost centre they hold (finance: any), with a budget set for the year, in a year not closed. Audited."""
    from openasc.finance.selectors.budgets import visible_centre_ids

    visible = visible_centre_ids(actor)
    if not access.has(actor, Capability.SEE_BUDGETS) or (visible is not None and centre.pk not in visible):
        raise PermissionError("Only the cost centre's budget holders and finance can adjust its forecast.")
    errors: dict[str, str] = {}
    if year.closed:
        errors["year"] = f"{year.label} is closed: its forecast can no longer be adjusted"
    elif not Budget.objects.filter(year=year, cost_centre=centre).exists():
        errors["year"] = (
            f"{centre.code} has no budget for {year.label} yet: finance sets it before the forecast is adjusted"
        )
    if not isinstance(amount_pence, int) or isinstance(amount_pence, bool) or amount_pence == 0:
        errors["amount"] = "Enter the adjustment in pounds, like 12000.00"
    elif abs(amount_pence) >= MAX_ADJUSTMENT_PENCE:
        errors["amount"] = "An adjustment must be less than £10,000,000"
    reason = (reason or "").strip()
    if not reason:
        errors["reason"] = (
            "Say why the forecast changes, like 'a nursing placement agreed to start on 1 February'"
        )
    elif len(reason) > 2000:
        errors["reason"] = "The reason must be 2,000 characters or fewer"
    if errors:
        raise ValidationFailed(errors)
    with transaction.atomic():
        made = ForecastAdjustment.objects.create(
            year=year,
            cost_centre=centre,
            amount_pence=amount_pence,
            reason=reason,
            created_by=actor,
            created_at=timezone.now(),
        )
        audit.record(
            actor=actor,
            action=AuditAction.CREATE,
            obj=made,
            basis="Budget monitoring",
            details={
                "event": "forecast_adjusted",
                "year": year.label,
                "cost_centre": centre.code,
                "amount_pence": amount_pence,
            },
        )
    return made
