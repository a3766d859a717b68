"""The national rates a financial assessment uses, for each financial year, as reference data (docs/charging.md).

Each rate carries the status of its source (`specs/data/charging_rates_england.csv`): a rate that is DERIVED,
UNVERIFIED or of low confidence is shipped so the calculation can run, and shown as unconfirmed until a finance
officer confirms it against the year's local authority circular; a rate with no source is not shipped at all, and the
calculation refuses to run without it, saying which rate to set."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class RateStatus(models.TextChoices):
    PRIMARY = "primary", "From the regulations or the DHSC circular"
    SECONDARY = "secondary", "From a secondary source: confirm it"
    DERIVED = "derived", "Derived, not published: confirm it"
    LOCAL = "local", "A council's own setting"


class ChargingRate(models.Model):
    year = models.CharField(max_length=7, help_text="Financial year, like 2025-26")
    key = models.CharField(max_length=60)
    amount_pence = models.PositiveIntegerField()
    status = models.CharField(max_length=12, choices=RateStatus.choices)
    source = models.TextField(blank=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    confirmed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["year", "key"]
        constraints = [models.UniqueConstraint(fields=["year", "key"], name="charging_rate_once")]

    @property
    def needs_confirming(self) -> bool:
        return self.status != RateStatus.PRIMARY and self.confirmed_at is None
