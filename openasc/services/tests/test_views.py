import datetime as dt
import re

import pytest
from django.urls import reverse

from openasc.core.tests.factories import CareRelationshipFactory
from openasc.people.tests.factories import PersonFactory
from openasc.planning.models import Review
from openasc.planning.tests.factories import PlanFactory, PlanNeedFactory
from openasc.providers.tests.factories import ProviderLocationFactory
from openasc.services.models import Service, ServiceCost
from openasc.services.tests.factories import ServiceCostFactory, ServiceFactory


def errors_in(html: str) -> list[tuple[str, str]]:
    summary = re.search(r'govuk-error-summary__list">(.*?)</ul>', html, re.S)
    return re.findall(r'<a href="#([^"]+)">([^<]+)</a>', summary.group(1)) if summary else []


@pytest.fixture
def person(staff):
    person = PersonFactory(first_name="Ivy", last_name="Lane")
    CareRelationshipFactory(person=person, user=staff.social_worker)
    return person


def test_start_from_an_agreed_plan_prefills_the_form(client, staff, person):
    plan = PlanFactory(person=person, delivery_mechanism="Direct payment")
    PlanNeedFactory(plan=plan, outcome_code="hygiene", meet_by="service", description="Morning calls to wash")
    PlanNeedFactory(plan=plan, outcome_code="nutrition", meet_by="family", description="Daughter cooks")
    client.force_login(staff.social_worker)
    html = client.get(reverse("services:create", args=[person.pk]) + f"?plan={plan.pk}").content.decode()
    assert "Maintaining personal hygiene: Morning calls to wash" in html
    assert "Daughter cooks" not in html
    assert '<option value="Direct payment" selected' in html
    assert f'name="plan" value="{plan.pk}"' in html


def test_start_service_with_errors_then_success(client, staff, person):
    location = ProviderLocationFactory(name="Riverside Homecare")
    client.force_login(staff.social_worker)
    url = reverse("services:create", args=[person.pk])
    data = {
        "service_type": "Long term support: Community",
        "service_component": "Home support or domiciliary care",
        "provider_location": str(location.pk),
        "start_on-day": "5",
        "start_on-month": "1",
        "start_on-year": "2026",
        "end_on-day": "1",
        "end_on-month": "1",
        "end_on-year": "2026",
        "unit_cost": "22.505",
        "cost_frequency": "Hourly",
        "planned_units_per_week": "",
    }
    response = client.post(url, data)
    html = response.content.decode()
    assert response.status_code == 400
    assert "<title>Error: Start a service" in html
    assert errors_in(html) == [
        ("end_on-day", "The end date must be the same as or after the start date"),
        ("unit_cost", "The unit cost can have at most 2 decimal places (pence), like 18.50"),
        (
            "planned_units_per_week",
            "Enter the planned units per week: a cost charged hourly needs them to work out the weekly cost",
        ),
    ]
    assert 'value="22.505"' in html
    response = client.post(
        url,
        {
            **data,
            "end_on-day": "",
            "end_on-month": "",
            "end_on-year": "",
            "unit_cost": "22.50",
            "planned_units_per_week": "14",
        },
    )
    service = Service.objects.get()
    assert response["Location"] == reverse("services:detail", args=[service.pk])
    html = client.get(response["Location"]).content.decode()
    assert "Riverside Homecare" in html and "£315.00" in html
    assert Review.objects.filter(person=person).exists()
    timeline = client.get(reverse("people:detail", args=[person.pk])).content.decode()
    assert "Service started: Long term support: Community" in timeline and "Review scheduled" in timeline


def test_change_cost_and_end(client, staff, person):
    service = ServiceFactory(person=person, start_on=dt.date(2026, 1, 5))
    ServiceCostFactory(service=service)
    client.force_login(staff.social_worker)
    response = client.post(
        reverse("services:cost-change", args=[service.pk]),
        {
            "effective_from-day": "6",
            "effective_from-month": "4",
            "effective_from-year": "2026",
            "unit_cost": "25",
            "cost_frequency": "Hourly",
            "planned_units_per_week": "12",
            "reason": "Uplift",
        },
    )
    assert response.status_code == 302
    assert ServiceCost.objects.filter(service=service).count() == 2
    html = client.get(reverse("services:detail", args=[service.pk]) + "?on=2026-04-05").content.decode()
    assert "£220.00 a week" in html and "£300.00" in html
    response = client.post(
        reverse("services:end", args=[service.pk]),
        {
            "end_on-day": "4",
            "end_on-month": "1",
            "end_on-year": "2026",
            "outcome": "NFA: Support ended as planned",
        },
    )
    assert errors_in(response.content.decode()) == [
        ("end_on-day", "The end date cannot be before the service started (5 January 2026)")
    ]
    response = client.post(
        reverse("services:end", args=[service.pk]),
        {
            "end_on-day": "30",
            "end_on-month": "6",
            "end_on-year": "2026",
            "outcome": "NFA: Support ended as planned",
        },
    )
    assert response.status_code == 302
    service.refresh_from_db()
    assert service.end_outcome == "NFA: Support ended as planned"
    timeline = client.get(reverse("people:detail", args=[person.pk])).content.decode()
    assert "Service cost or hours changed" in timeline and "Service ended" in timeline


def test_access_rules(client, staff, person):
    service = ServiceFactory(person=person)
    client.force_login(staff.nhs_partner)
    assert client.get(reverse("services:detail", args=[service.pk])).status_code in (302, 403)
    client.force_login(staff.front_door)  # may read anyone, cannot arrange services
    assert client.get(reverse("services:detail", args=[service.pk])).status_code == 200
    assert client.get(reverse("services:create", args=[person.pk])).status_code == 403
    assert client.get(reverse("services:end", args=[service.pk])).status_code == 403


def test_detail_page_shows_the_presenters_status_tag_and_offers_no_change_once_ended(client, staff, person):
    current = ServiceFactory(person=person, start_on=dt.date(2026, 1, 5))
    ServiceCostFactory(service=current, planned_units_per_week=12)
    ended = ServiceFactory(person=person, ended=True)
    ServiceCostFactory(service=ended, weekly=True)
    client.force_login(staff.social_worker)
    html = client.get(reverse("services:detail", args=[current.pk])).content.decode()
    assert "govuk-tag--green" in html and "Current" in html and "End the service" in html
    assert "£264.00" in html  # £22.00 an hour, 12 hours a week
    html = client.get(reverse("services:detail", args=[ended.pk])).content.decode()
    assert "govuk-tag--grey" in html and "Ended" in html and "NFA: Support ended as planned" in html
    assert "End the service" not in html and "Change the cost or hours" not in html
    assert "£850.00" in html
    html = client.get(reverse("services:cost-change", args=[current.pk])).content.decode()
    assert "Now: £22.00 hourly, 12.00 units a week (£264.00 a week)." in html


def test_the_start_page_keeps_its_draft_under_the_plan_it_was_started_from(client, staff, person):
    from openasc.core import services as core_services
    from openasc.core.models import AuditAction, AuditEvent

    plan = PlanFactory(person=person, delivery_mechanism="Direct payment")
    url = reverse("services:create", args=[person.pk])
    core_services.form_draft_save(
        user=staff.social_worker, path=url + f"?plan={plan.pk}", data={"description": "Typed from the plan"}
    )
    client.force_login(staff.social_worker)
    assert "Typed from the plan" not in client.get(url).content.decode()  # without the plan: another page
    html = client.get(url + f"?plan={plan.pk}").content.decode()
    assert "Typed from the plan" in html and f'data-draft-path="{url}?plan={plan.pk}"' in html
    client.force_login(staff.finance_officer)  # cannot arrange services: refused before the record is opened
    response = client.get(url)
    assert response.status_code == 403 and "Your role cannot arrange or change services." in (
        response.content.decode()
    )
    assert not AuditEvent.objects.filter(action=AuditAction.VIEW, actor=staff.finance_officer).exists()


def test_a_plan_of_another_person_is_not_used_to_start_a_service(client, staff, person):
    other_plan = PlanFactory(person=PersonFactory(), delivery_mechanism="Direct payment")
    CareRelationshipFactory(person=other_plan.person, user=staff.social_worker)
    client.force_login(staff.social_worker)
    html = client.get(
        reverse("services:create", args=[person.pk]) + f"?plan={other_plan.pk}"
    ).content.decode()
    assert f'name="plan" value="{other_plan.pk}"' not in html
