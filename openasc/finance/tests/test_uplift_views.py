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


def test_the_services_an_uplift_changes_name_each_person_and_audit_them(client, staff, home_care):
    other = service_with_costs(
        PersonFactory(date_of_birth=D(1945, 1, 1), first_name="Olive", last_name="Other"),
        service_type=HOME,
        start_on=D(2025, 4, 1),
        costs=[(D(2025, 4, 1), 30000, "Weekly", None)],
    )
    client.force_login(staff.finance_officer)
    client.post(reverse("finance:uplift-new"), FORM)
    uplift = RateUplift.objects.get()
    url = reverse("finance:uplift-services", args=[uplift.pk])
    body = client.get(url).content.decode()
    assert home_care.person.la_person_id in body and "Olive Other" in body
    assert "£300.00 to £306.00 (weekly)" in body and "£20.00 to £20.40 (hourly)" in body
    viewed = AuditEvent.objects.filter(actor=staff.finance_officer, action="view", basis="rate uplift")
    assert set(viewed.exclude(person_id=None).values_list("person_id", flat=True)) == {
        home_care.person_id,
        other.person_id,
    }
    provider = home_care.provider_location.provider_id
    at_sunrise = client.get(url, {"provider": provider}).content.decode()
    assert "at Sunrise Care Ltd" in at_sunrise and "Olive" not in at_sunrise
    without = client.get(url, {"provider": "none"}).content.decode()
    assert "Olive Other" in without and home_care.person.la_person_id not in without
    assert client.get(url, {"provider": "nonsense"}).status_code == 200
    client.post(reverse("finance:uplift-apply", args=[uplift.pk]))
    applied = client.get(url).content.decode()
    assert "The services it changed" in applied and "Olive Other" in applied


def test_the_services_list_is_refused_to_other_roles(client, staff, db):
    uplift = RateUplift.objects.create(
        name="x", effective_from=D(2026, 10, 1), percent=2, created_by=staff.finance_officer
    )
    client.force_login(staff.performance_analyst)
    assert client.get(reverse("finance:uplift-services", args=[uplift.pk])).status_code == 403
    assert AuditEvent.objects.filter(actor=staff.performance_analyst, action="access_refused").count() == 1
