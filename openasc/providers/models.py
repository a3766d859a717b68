"""A simple provider register with CQC location ids (commissioning and brokerage come later)."""

from django.db import models


class Provider(models.Model):
    name = models.CharField(max_length=200)
    cqc_provider_id = models.CharField("CQC provider id", max_length=20, blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class ProviderLocation(models.Model):
    """A CQC-registered location (a care home, a home care branch): what the CLD reports on services."""

    provider = models.ForeignKey(Provider, on_delete=models.PROTECT, related_name="locations")
    name = models.CharField(max_length=200)
    cqc_location_id = models.CharField("CQC location id", max_length=20, blank=True, db_index=True)
    postcode = models.CharField(max_length=8, blank=True)
    kind = models.CharField(
        max_length=40, blank=True, help_text="e.g. Care home with nursing, Home care agency"
    )
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name
