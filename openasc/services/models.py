"""Services delivered (CLD 'Service' events) with cost versions, so the cost on any past date is known."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from openasc.core import audit
from openasc.core.money import weekly_cost_pence
from openasc.core.sensitive import SensitiveManager
from openasc.core.workflow import StatusChange


@audit.sensitive
class Service(models.Model):
    """One service: its CLD type and component, provider location, dates, delivery mechanism and end outcome.

    Short-term support to maximise independence (reablement, 'Short term support: ST-Max') is a service whose
    end outcome records what followed; equipment is 'Short term support: Ongoing low level'.
    """

    # db_index=False: the (person, start_on) index below answers lookups by person
    person = models.ForeignKey(
        "people.Person", on_delete=models.PROTECT, related_name="services", db_index=False
    )
    plan = models.ForeignKey(
        "planning.Plan", on_delete=models.PROTECT, null=True, blank=True, related_name="services"
    )
    service_type = models.CharField("CLD service type", max_length=80)
    service_component = models.CharField("CLD service component", max_length=80, blank=True)
    provider_location = models.ForeignKey(
        "providers.ProviderLocation", on_delete=models.PROTECT, null=True, blank=True, related_name="services"
    )
    delivery_mechanism = models.CharField("CLD delivery mechanism", max_length=60, blank=True)
    client_type = models.CharField(max_length=60, default="Service user")
    start_on = models.DateField()
    end_on = models.DateField(null=True, blank=True)
    end_outcome = models.CharField("CLD event outcome at the end", max_length=120, blank=True)
    description = models.TextField(blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    objects = SensitiveManager()  # refuses unaudited bulk writes (core.sensitive)

    class Meta:
        indexes = [
            models.Index(fields=["person", "start_on"], name="service_person"),
            models.Index(fields=["service_type", "start_on"], name="service_type_start"),
        ]


@audit.sensitive
class ServiceCost(models.Model):
    """The cost of a service from a date: a change of cost or hours adds a row, never edits one."""

    # db_index=False: the unique (service, effective_from) constraint's index answers lookups by service
    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="costs", db_index=False)
    effective_from = models.DateField()
    unit_cost_pence = models.PositiveIntegerField()
    cost_frequency = models.CharField("CLD cost frequency (unit type)", max_length=40)
    planned_units_per_week = models.DecimalField(max_digits=8, decimal_places=2, null=True, blank=True)
    reason = models.CharField(max_length=200, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    objects = SensitiveManager()  # refuses unaudited bulk writes (core.sensitive)

    class Meta:
        ordering = ["service", "effective_from", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["service", "effective_from"], name="service_cost_once_a_day")
        ]

    @property
    def weekly_pence(self) -> int | None:
        return weekly_cost_pence(self.unit_cost_pence, self.cost_frequency, self.planned_units_per_week)


class AuthorisationStatus(models.TextChoices):
    REQUESTED = "requested", "Waiting for authorisation"
    AUTHORISED = "authorised", "Authorised"
    DECLINED = "declined", "Declined"


@audit.sensitive
class BudgetAuthorisation(models.Model):
    """A manager's authorisation of a service start or cost change that takes a plan's weekly cost above its agreed
    personal budget. It does not change the service (its dates and costs are what the returns count): it records
    that the overspend was asked about, and who authorised or declined it, and why."""

    person = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="+", db_index=False)
    plan = models.ForeignKey("planning.Plan", on_delete=models.PROTECT, related_name="budget_authorisations")
    service = models.ForeignKey(Service, on_delete=models.PROTECT, related_name="budget_authorisations")
    cost = models.ForeignKey(ServiceCost, on_delete=models.PROTECT, related_name="+")
    committed_weekly_pence = models.PositiveIntegerField(help_text="The plan's weekly cost with this change")
    agreed_weekly_pence = models.PositiveIntegerField(help_text="The plan's agreed personal budget then")
    status = models.CharField(
        max_length=20, choices=AuthorisationStatus.choices, default=AuthorisationStatus.REQUESTED
    )
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField()
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    reason = models.TextField(blank=True, help_text="Why it was authorised or declined")
    objects = SensitiveManager()  # refuses unaudited bulk writes (core.sensitive)

    class Meta:
        indexes = [models.Index(fields=["person", "status"], name="budget_auth_person")]

    @property
    def over_pence(self) -> int:
        return self.committed_weekly_pence - self.agreed_weekly_pence


class BudgetAuthorisationStatus(StatusChange):
    authorisation = models.ForeignKey(
        BudgetAuthorisation, on_delete=models.CASCADE, related_name="status_changes"
    )
