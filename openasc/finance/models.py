"""Money as a projection of the record (docs/finance.md): the council's financial years, its care categories and cost
centres (reference data a finance officer keeps), the budget set for each cost centre in a year, and rate uplifts.

Nothing here stores a commitment or a forecast: both are worked out from the services and their cost versions
(`openasc.finance.costing`), so they can never disagree with the record. Amounts are integer pence."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from openasc.core import audit
from openasc.core.sensitive import SensitiveManager


class FinancialYear(models.Model):
    """An English council's financial year, 1 April to 31 March, named like '2026-27'."""

    label = models.CharField(max_length=7, unique=True)
    starts_on = models.DateField()
    ends_on = models.DateField()
    closed = models.BooleanField(default=False, help_text="A closed year's budgets can no longer be changed")

    class Meta:
        ordering = ["starts_on"]
        constraints = [
            models.CheckConstraint(condition=models.Q(ends_on__gt=models.F("starts_on")), name="fy_order")
        ]

    def __str__(self) -> str:
        return self.label


class Unit(models.TextChoices):
    WEEK = "week", "per week"
    HOUR = "hour", "per hour"


class CareCategory(models.Model):
    """A line of the committee's budget monitoring table (residential, nursing dementia, home care per hour...): which
    services it holds, as rules on their CLD fields. The CLD has no code for dementia care or live-in care, so these
    rules are the council's setting (seeded from a common structure, `source` says so), never national data.

    A service is in the first category, by `priority` (lowest first), whose every non-empty list holds its value."""

    code = models.SlugField(max_length=40, unique=True)
    name = models.CharField(max_length=120)
    unit = models.CharField(max_length=8, choices=Unit.choices, default=Unit.WEEK)
    order = models.PositiveSmallIntegerField(default=0, help_text="Its place in the monitoring table")
    priority = models.PositiveSmallIntegerField(default=100, help_text="Lower is tried first")
    service_types = models.JSONField(default=list, blank=True)
    service_components = models.JSONField(default=list, blank=True)
    delivery_mechanisms = models.JSONField(default=list, blank=True)
    support_reasons = models.JSONField(
        default=list, blank=True, help_text="Primary support reasons (client group)"
    )
    source = models.CharField(
        max_length=200, blank=True, help_text="Where the rule comes from, and its status"
    )
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["order", "code"]
        verbose_name_plural = "care categories"

    def __str__(self) -> str:
        return self.name


class CostCentre(models.Model):
    """A ledger cost centre: the services of a care category (optionally only for some client groups, or for the
    people a team works with) whose budget one team, or one named person, holds. A service falls in the matching
    cost centre with the most conditions; one that matches none is shown as 'not in a cost centre', never dropped."""

    code = models.CharField(
        max_length=20, unique=True, help_text="The ledger's code, as the general ledger has it"
    )
    name = models.CharField(max_length=120)
    care_category = models.ForeignKey(
        CareCategory, on_delete=models.PROTECT, null=True, blank=True, related_name="cost_centres"
    )
    support_reasons = models.JSONField(
        default=list, blank=True, help_text="Primary support reasons (client group)"
    )
    team = models.ForeignKey(
        "core.Team",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="cost_centres",
        help_text="The team whose people's services it holds, and whose managers hold its budget",
    )
    holder = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="A named budget holder, besides the team's managers",
    )
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class Budget(models.Model):
    """The budget for one cost centre in one year: the net budget, and the number of people and the average weekly
    unit cost (per hour for an hourly category) it was built on. A change is audited with what it was before."""

    year = models.ForeignKey(FinancialYear, on_delete=models.PROTECT, related_name="budgets")
    cost_centre = models.ForeignKey(CostCentre, on_delete=models.PROTECT, related_name="budgets")
    net_budget_pence = models.BigIntegerField()
    budgeted_people = models.PositiveIntegerField(default=0)
    budgeted_unit_cost_pence = models.PositiveIntegerField(
        default=0, help_text="Average unit cost, per week (per hour for an hourly category)"
    )
    note = models.TextField(blank=True)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    updated_at = models.DateTimeField()

    class Meta:
        ordering = ["year", "cost_centre"]
        constraints = [models.UniqueConstraint(fields=["year", "cost_centre"], name="budget_once_a_year")]


class UpliftMethod(models.TextChoices):
    PERCENT = "percent", "A percentage for every service in scope"
    TO_BENCHMARK = "to_benchmark", "Raise those paid below a benchmark to it"


class UpliftStatus(models.TextChoices):
    DRAFT = "draft", "Previewed, not applied"
    APPLIED = "applied", "Applied"


class RateUplift(models.Model):
    """A change of rates from a date for the services in scope (a provider, a service type, a care category, an age
    group, or the whole market). Applying it adds a cost version to each service from `effective_from`, and records a
    line per service; the preview is the same calculation without the writes."""

    name = models.CharField(max_length=120)
    effective_from = models.DateField()
    method = models.CharField(max_length=20, choices=UpliftMethod.choices, default=UpliftMethod.PERCENT)
    percent = models.DecimalField(max_digits=6, decimal_places=3, null=True, blank=True)
    benchmark_unit_cost_pence = models.PositiveIntegerField(null=True, blank=True)
    skip_uplifted_within_days = models.PositiveIntegerField(
        default=0, help_text="To the benchmark: services whose cost changed this recently are left alone"
    )
    provider = models.ForeignKey(
        "providers.Provider", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    service_type = models.CharField(max_length=80, blank=True)
    care_category = models.ForeignKey(
        CareCategory, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    age_under = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="Only people younger than this"
    )
    age_from = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="Only people this age or older"
    )
    status = models.CharField(max_length=10, choices=UpliftStatus.choices, default=UpliftStatus.DRAFT)
    people = models.PositiveIntegerField(default=0)
    providers = models.PositiveIntegerField(default=0)
    services = models.PositiveIntegerField(default=0)
    annual_change_pence = models.BigIntegerField(default=0)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    applied_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    applied_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-effective_from", "-pk"]


@audit.sensitive
class RateUpliftLine(models.Model):
    """What an applied uplift did to one service: its unit cost before and after, and the cost version it added."""

    uplift = models.ForeignKey(RateUplift, on_delete=models.PROTECT, related_name="lines")
    service = models.ForeignKey("services.Service", on_delete=models.PROTECT, related_name="+")
    new_cost = models.ForeignKey("services.ServiceCost", on_delete=models.PROTECT, related_name="+")
    old_unit_cost_pence = models.PositiveIntegerField()
    new_unit_cost_pence = models.PositiveIntegerField()
    weekly_change_pence = models.IntegerField()
    objects = SensitiveManager()  # refuses unaudited bulk writes (core.sensitive)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["uplift", "service"], name="uplift_line_once")]


class ForecastAdjustment(models.Model):
    """A budget holder's adjustment to a cost centre's forecast for the year, for what the record does not hold yet
    (a package agreed to start next month, a placement about to end), with the reason. Added to the forecast worked
    out from the services, shown beside it, never mixed into it; never changed, only added to (a correction is an
    adjustment the other way)."""

    year = models.ForeignKey(FinancialYear, on_delete=models.PROTECT, related_name="adjustments")
    cost_centre = models.ForeignKey(CostCentre, on_delete=models.PROTECT, related_name="adjustments")
    amount_pence = models.BigIntegerField(help_text="Positive raises the forecast, negative lowers it")
    reason = models.TextField()
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["year", "cost_centre", "created_at", "pk"]
        indexes = [models.Index(fields=["year", "cost_centre"], name="forecast_adjustment_centre")]
