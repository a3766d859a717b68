"""Providers and their CQC locations (set-up data, exempt from the audit safety net)."""

import factory

from openasc.core.tests.factories import AuditExemptFactory
from openasc.providers.models import Provider, ProviderLocation


class ProviderFactory(AuditExemptFactory):
    class Meta:
        model = Provider

    name = factory.Sequence(lambda n: f"Homecare Provider {n} Ltd")


class ProviderLocationFactory(AuditExemptFactory):
    """An active home care branch on the register; `ProviderLocationFactory(inactive=True)` for one that left it."""

    class Meta:
        model = ProviderLocation

    class Params:
        inactive = factory.Trait(active=False)

    provider = factory.SubFactory(ProviderFactory)
    name = factory.Sequence(lambda n: f"Branch {n}")
    cqc_location_id = factory.Sequence(lambda n: f"1-{100000000 + n}")
    kind = "Home care agency"
