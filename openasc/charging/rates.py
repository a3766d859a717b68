"""The year's charging rates from the reference data, for the calculation."""

from __future__ import annotations

from openasc.charging.models import ChargingRate


def rates_for(year: str) -> dict[str, int]:
    return dict(ChargingRate.objects.filter(year=year).values_list("key", "amount_pence"))


def unconfirmed(year: str, keys) -> list[str]:
    """Of the rates used, those whose source is not primary and that no finance officer has confirmed."""
    return sorted(
        r.key for r in ChargingRate.objects.filter(year=year, key__in=list(keys)) if r.needs_confirming
    )
