import pytest
from django.urls import reverse

from openasc.core.errors import ValidationFailed
from openasc.core.models import AuditEvent
from openasc.providers import services as provider_writes
from openasc.providers.models import Provider, ProviderLocation


def test_broker_adds_a_provider_and_a_location(client, staff):
    client.force_login(staff.broker)
    response = client.post(
        reverse("services:provider-add"), {"name": "Riverside Care Ltd", "cqc_provider_id": "1-101234567"}
    )
    provider = Provider.objects.get()
    assert response["Location"] == reverse("services:location-add", args=[provider.pk])
    response = client.post(
        response["Location"],
        {"name": "Riverside Homecare North", "cqc_location_id": "1-55", "postcode": "ns14ab"},
    )
    assert response.status_code == 400
    assert "Enter the CQC location id as shown by CQC, like 1-123456789" in response.content.decode()
    response = client.post(
        reverse("services:location-add", args=[provider.pk]),
        {
            "name": "Riverside Homecare North",
            "cqc_location_id": "1-123456789",
            "postcode": "ns14ab",
            "kind": "Home care agency",
        },
    )
    assert response.status_code == 302
    location = ProviderLocation.objects.get()
    assert location.postcode == "NS1 4AB"
    html = client.get(reverse("services:providers")).content.decode()
    assert "Riverside Care Ltd" in html and "1-123456789" in html
    assert AuditEvent.objects.filter(object_type="providers.providerlocation", actor=staff.broker).exists()


def test_social_workers_can_read_but_not_change_the_register(client, staff):
    client.force_login(staff.social_worker)
    assert client.get(reverse("services:providers")).status_code == 200
    assert client.get(reverse("services:provider-add")).status_code == 403
    with pytest.raises(PermissionError):
        provider_writes.provider_create(actor=staff.social_worker, name="X")


def test_duplicate_names_and_cqc_ids_are_refused(staff):
    provider = provider_writes.provider_create(actor=staff.team_manager, name="Acme Care")
    with pytest.raises(ValidationFailed) as exc:
        provider_writes.provider_create(actor=staff.team_manager, name="acme care")
    assert exc.value.errors == {"name": "There is already a provider with this name"}
    provider_writes.location_create(
        actor=staff.team_manager, provider=provider, name="A", cqc_location_id="1-123456"
    )
    with pytest.raises(ValidationFailed) as exc:
        provider_writes.location_create(
            actor=staff.team_manager, provider=provider, name="B", cqc_location_id="1-123456"
        )
    assert exc.value.errors == {
        "cqc_location_id": "A location with this CQC location id is already on the register"
    }
