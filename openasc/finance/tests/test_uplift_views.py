"""The uplift pages: a finance officer defines, previews and applies; everyone else gets the audited refusal."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from openasc.core.models import AuditEvent
from openasc.finance.models import RateUplift, UpliftStatus
from openasc.finance.tests.factories import service_with_costs
from openasc.people.tests.factories import PersonFactory
from openasc.providers.tests.factories import ProviderLocationFactory
from openasc.services.models import ServiceCost

D = dt.date
HOME = "Long term support: Community"


@pytest.fixture
def home_care(db):
    loc = ProviderLocationFactory(provider__name="Sunrise Care Ltd")
    return service_with_costs(
        PersonFactory(date_of_birth=D(1950, 1, 1)),
        service_type=HOME,
        component="Home support or domiciliary care",
        start_on=D(2025, 4, 1),
        provider_location=loc,
        costs=[(D(2025, 4, 1), 2000, "Hourly", 10)],
    )


FORM = {
    "name": "2% for older people",
    "effective_from-day": "1",
    "effective_from-month": "10",
    "effective_from-year": "2026",
    "method": "percent",
    "percent": "2",
    "age_from": "65",
}


def test_define_preview_and_apply(client, staff, home_care):
    client.force_login(staff.finance_officer)
    assert client.get(reverse("finance:uplifts")).status_code == 200
    assert client.get(reverse("finance:uplift-new")).status_code == 200
    response = client.post(reverse("finance:uplift-new"), FORM)
    uplift = RateUplift.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("finance:uplift", args=[uplift.pk])
    page = client.get(reverse("finance:uplift", args=[uplift.pk])).content.decode()
    assert "Sunrise Care Ltd" in page
    assert "£208.00" in page  # +£4.00 a week, 52 weeks
    assert "£104.00" in page  # 182 days at +£4.00 a week to 31 March
    response = client.post(reverse("finance:uplift-apply", args=[uplift.pk]))
    assert response.status_code == 302
    uplift.refresh_from_db()
    assert uplift.status == UpliftStatus.APPLIED
    assert ServiceCost.objects.filter(
        service=home_care, effective_from=D(2026, 10, 1), unit_cost_pence=2040
    ).exists()
    page = client.get(reverse("finance:uplift", args=[uplift.pk])).content.decode()
    assert "Apply the uplift" not in page and "Sunrise Care Ltd" in page
    again = client.post(reverse("finance:uplift-apply", args=[uplift.pk]))
    assert again.status_code == 400 and "applied once only" in again.content.decode()


def test_bad_form_shows_the_errors_and_saves_nothing(client, staff, db):
    client.force_login(staff.finance_officer)
    response = client.post(reverse("finance:uplift-new"), {**FORM, "percent": "two", "name": ""})
    assert response.status_code == 400
    body = response.content.decode()
    assert "There is a problem" in body and "Enter the percentage as a number" in body
    assert not RateUplift.objects.exists()


def test_apply_is_post_only(client, staff, db):
    client.force_login(staff.finance_officer)
    uplift = RateUplift.objects.create(
        name="x", effective_from=D(2026, 10, 1), percent=2, created_by=staff.finance_officer
    )
    assert client.get(reverse("finance:uplift-apply", args=[uplift.pk])).status_code == 405
    assert client.get(reverse("finance:uplift", args=[uplift.pk + 1])).status_code == 404


@pytest.mark.parametrize("role", ["team_manager", "social_worker", "performance_analyst", "broker"])
def test_other_roles_are_refused_and_the_refusal_audited(client, staff, role, db):
    user = getattr(staff, role)
    client.force_login(user)
    uplift = RateUplift.objects.create(
        name="x", effective_from=D(2026, 10, 1), percent=2, created_by=staff.finance_officer
    )
    for name, args in (("finance:uplifts", []), ("finance:uplift-new", []), ("finance:uplift", [uplift.pk])):
        assert client.get(reverse(name, args=args)).status_code == 403
    assert client.post(reverse("finance:uplift-apply", args=[uplift.pk])).status_code == 403
    assert client.post(reverse("finance:uplift-new"), FORM).status_code == 403
    assert AuditEvent.objects.filter(actor=user, action="access_refused").count() == 5
    assert RateUplift.objects.get(pk=uplift.pk).status == UpliftStatus.DRAFT
    assert RateUplift.objects.count() == 1
