"""Reads of the provider register (no personal data; any signed-in member of staff may read it)."""

from __future__ import annotations

from django.db.models import Count, Prefetch, QuerySet

from openasc.core.models import User
from openasc.providers.models import Provider, ProviderLocation


def providers_list(*, user: User) -> QuerySet:
    return (
        Provider.objects.prefetch_related(
            Prefetch("locations", queryset=ProviderLocation.objects.order_by("name"))
        )
        .annotate(location_count=Count("locations"))
        .order_by("name")
    )


def provider_get(*, user: User, provider_id: int) -> Provider:
    return Provider.objects.get(pk=provider_id)


def locations_for_choice(*, user: User) -> list[tuple[str, str]]:
    """Active locations as (id, 'Location – Provider (CQC id)') for a select box."""
    rows = ProviderLocation.objects.filter(active=True).select_related("provider").order_by("name", "pk")
    return [
        (
            str(loc.pk),
            f"{loc.name} – {loc.provider.name}"
            + (f" ({loc.cqc_location_id})" if loc.cqc_location_id else ""),
        )
        for loc in rows
    ]


def location_get(*, user: User, location_id: int) -> ProviderLocation:
    return ProviderLocation.objects.select_related("provider").get(pk=location_id)
