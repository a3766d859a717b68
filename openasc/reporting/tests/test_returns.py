"""ASCOF in the browser: figures from the record, the people behind each, downloads, and who may see them."""

import datetime as dt
from decimal import Decimal
from io import BytesIO

import pytest
from django.core.cache import cache
from django.urls import reverse

from openasc.core import audit
from openasc.core.models import AuditEvent
from openasc.core.tests.factories import CareRelationshipFactory
from openasc.people.tests.factories import PersonFactory
from openasc.reporting import returns
from openasc.services.models import Service, ServiceCost

D = dt.date


@pytest.fixture
def admissions(staff):
    cache.clear()
    people = []
    with audit.exempt_from_safety_net():
        for i, (born, start) in enumerate(
            [(D(1940, 1, 1), D(2024, 6, 1)), (D(1945, 3, 3), D(2024, 9, 1)), (D(1980, 5, 5), D(2024, 7, 1))]
        ):
            p = PersonFactory(first_name=f"Person{i}", date_of_birth=born, la_person_id=f"P000010{i}")
            s = Service.objects.create(
                person=p,
                service_type="Long term support: Residential care",
                service_component="Long term residential care",
                start_on=start,
                delivery_mechanism="CASSR commissioned support",
                created_by=staff.system,
            )
            ServiceCost.objects.create(
                service=s,
                effective_from=start,
                unit_cost_pence=58000,
                cost_frequency="Weekly",
                planned_units_per_week=Decimal(1),
                created_by=staff.system,
            )
            people.append(p)
    return people


def test_figures_come_from_the_record(staff, admissions):
    results = returns.ascof(
        user=staff.performance_analyst, period_start=D(2024, 4, 1), period_end=D(2025, 3, 31)
    )
    population = returns.default_population(D(2024, 4, 1))
    assert results.figures["measures"]["2C"]["65 and above"]["numerator"] == 2
    assert results.figures["measures"]["2C"]["65 and above"]["denominator"] == population["65+"]
    assert results.figures["measures"]["2B"]["18 to 64"]["numerator"] == 1


def test_detail_names_the_people_and_the_rule(staff, admissions):
    results = returns.ascof(
        user=staff.performance_analyst, period_start=D(2024, 4, 1), period_end=D(2025, 3, 31)
    )
    rows = returns.detail(
        user=staff.performance_analyst,
        results=results,
        measure="2C",
        age_group="65 and above",
        part="numerator",
    )
    assert sorted(r.person.la_person_id for r in rows) == ["P0000100", "P0000101"]
    assert all("new admission" in r.rule for r in rows)
    assert not any(r.can_open for r in rows)  # an analyst sees who was counted, not their records
    CareRelationshipFactory(person=admissions[0], user=staff.team_manager)
    rows = returns.detail(
        user=staff.team_manager, results=results, measure="2C", age_group="65 and above", part="numerator"
    )
    assert {r.person.la_person_id: r.can_open for r in rows} == {"P0000100": True, "P0000101": False}


@pytest.mark.parametrize("role", ["social_worker", "front_door", "broker", "nhs_partner"])
def test_only_analysts_managers_and_ig_see_returns(client, staff, role):
    client.force_login(getattr(staff, role))
    assert client.get(reverse("returns:ascof")).status_code == 403


def test_pages_and_downloads_are_audited(client, staff, admissions):
    client.force_login(staff.performance_analyst)
    html = client.get(reverse("returns:ascof"), {"year": 2024}).content.decode()
    assert "ASCOF 2C" in html and "people in the numerator of 2C, 65 and above" in html
    detail = client.get(
        reverse("returns:ascof-detail", args=["2C"]),
        {"year": 2024, "age_group": "65 and above", "part": "numerator"},
    )
    assert "P0000100" in detail.content.decode()
    xlsx = client.get(
        reverse("returns:ascof-detail", args=["2C"]),
        {"year": 2024, "age_group": "65 and above", "part": "numerator", "format": "xlsx"},
    )
    from openpyxl import load_workbook

    sheet = load_workbook(BytesIO(xlsx.content)).active
    assert [c.value for c in sheet[1]][:3] == [
        "LA person id",
        "Name",
        "Age group",
    ]  # no NHS number by default
    assert sheet.max_row == 3
    csv_text = client.get(
        reverse("returns:ascof-detail", args=["2C"]),
        {"year": 2024, "age_group": "65 and above", "part": "numerator", "format": "csv"},
    ).content
    assert csv_text.decode().count("\n") == 3
    assert (
        AuditEvent.objects.filter(actor=staff.performance_analyst, action="export").count() == 4
    )  # per person
    assert client.get(reverse("returns:ascof-detail", args=["9Z"])).status_code == 404
