"""SALT tables in the browser: figures from the record, the people behind each cell, downloads, who may see them."""

import datetime as dt
from decimal import Decimal
from io import BytesIO

import pytest
from django.core.cache import cache
from django.urls import reverse

from openasc.core import audit
from openasc.core.models import AuditEvent
from openasc.frontdoor.models import RequestStatus, SupportRequest
from openasc.people.tests.factories import PersonFactory
from openasc.reporting import returns
from openasc.services.models import Service, ServiceCost

D = dt.date
YEAR = {"year": 2024}


@pytest.fixture
def record(staff):
    """Three people in residential care (two aged 65+, one 18-64) and one new client's request in 2024/25."""
    cache.clear()
    people = []
    with audit.exempt_from_safety_net():
        for i, (born, start) in enumerate(
            [(D(1940, 1, 1), D(2023, 6, 1)), (D(1945, 3, 3), D(2024, 9, 1)), (D(1980, 5, 5), D(2024, 7, 1))]
        ):
            p = PersonFactory(first_name=f"Person{i}", date_of_birth=born, la_person_id=f"P000020{i}")
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
                unit_cost_pence=60000,
                cost_frequency="Weekly",
                planned_units_per_week=Decimal(1),
                created_by=staff.system,
            )
            people.append(p)
        newcomer = PersonFactory(first_name="Newcomer", date_of_birth=D(1950, 2, 2), la_person_id="P0000210")
        SupportRequest.objects.create(
            person=newcomer,
            received_on=D(2024, 5, 1),
            concluded_on=D(2024, 5, 2),
            route_of_access="Discharge from hospital",
            contact_by="self",
            what_matters="Staying at home",
            outcome="NFA: Information and advice or signposting",
            status=RequestStatus.CONCLUDED,
            created_by=staff.system,
        )
        people.append(newcomer)
    return people


def test_tables_come_from_the_record(staff, record):
    results = returns.salt(
        user=staff.performance_analyst, period_start=D(2024, 4, 1), period_end=D(2025, 3, 31)
    )
    lts = results.tables["LTS001a"]
    assert lts.cell("65 and over", "Total", "Residential") == 2
    assert lts.cell("18 to 64", "Total", "Residential") == 1
    # Person0's care began on 1 June 2023, on or before 31 March 2024 (12 months before the year end); the
    # projection looks back before the period so the start is seen.  Person1's began in September 2024.
    assert results.tables["LTS001c"].cell("65 and over", "Total", "Residential") == 1
    sts = results.tables["STS001"]
    assert (
        sts.cell("65 and over", "Discharge from hospital", "Universal Services/ Signposted to other services")
        == 1
    )


@pytest.mark.parametrize("role", ["social_worker", "front_door", "broker", "nhs_partner"])
def test_only_analysts_managers_and_ig_see_salt(client, staff, role):
    client.force_login(getattr(staff, role))
    assert client.get(reverse("returns:salt")).status_code == 403
    assert client.get(reverse("returns:salt-table", args=["LTS001a"])).status_code == 403
    assert client.get(reverse("returns:salt-detail", args=["LTS001a"])).status_code == 403


@pytest.mark.parametrize("role", ["performance_analyst", "team_manager", "information_governance"])
def test_returns_roles_see_salt(client, staff, record, role):
    client.force_login(getattr(staff, role))
    html = client.get(reverse("returns:salt"), YEAR).content.decode()
    assert "LTS001a" in html and "STS001" in html
    assert client.get(reverse("returns:salt-table", args=["LTS001a"]), YEAR).status_code == 200


def test_a_cell_opens_its_people_and_is_audited(client, staff, record):
    client.force_login(staff.performance_analyst)
    page = client.get(reverse("returns:salt-table", args=["LTS001a"]), YEAR).content.decode()
    assert "people: 65 and over Total, Residential" in page  # the hidden text of the linked figure
    assert "Part Direct Payment" in page  # the table's notes say what CLD cannot support
    before = AuditEvent.objects.filter(actor=staff.performance_analyst, action="view").count()
    detail = client.get(
        reverse("returns:salt-detail", args=["LTS001a"]),
        {**YEAR, "group": "65 and over", "row": "Total", "column": "Residential"},
    ).content.decode()
    assert "P0000200" in detail and "P0000201" in detail and "P0000202" not in detail
    assert "hierarchy rank 2" in detail
    assert AuditEvent.objects.filter(actor=staff.performance_analyst, action="view").count() > before


def test_csv_and_xlsx_downloads_are_audited(client, staff, record):
    client.force_login(staff.performance_analyst)
    params = {**YEAR, "group": "65 and over", "row": "Total", "column": "Residential"}
    csv_text = client.get(
        reverse("returns:salt-detail", args=["LTS001a"]), {**params, "format": "csv"}
    ).content
    lines = csv_text.decode().strip().splitlines()
    assert lines[0].startswith("LA person id,Name,What was counted")  # no NHS number by default
    assert len(lines) == 3  # header and the two people aged 65 and over
    xlsx = client.get(reverse("returns:salt-table", args=["STS001"]), {**YEAR, "format": "xlsx"})
    from openpyxl import load_workbook

    book = load_workbook(BytesIO(xlsx.content))
    header = [c.value for c in book["Table"][1]]
    assert header[:3] == ["Group", "Row", "Short Term Support to Maximise Independence"]
    assert "Notes" in book.sheetnames
    # one export event per person in the cell's download, one for the table of counts
    assert AuditEvent.objects.filter(actor=staff.performance_analyst, action="export").count() == 3


def test_index_shows_each_tables_headline_figure_counting_each_person_once(client, staff, record):
    results = returns.salt(
        user=staff.performance_analyst, period_start=D(2024, 4, 1), period_end=D(2025, 3, 31)
    )
    lts001b = results.tables["LTS001b"]
    # LTS001b shows the same people in four blocks (reason, carer, gender, ethnic group): the headline counts them once
    people = {d["person_id"] for d in lts001b.details if d["counted"]}
    assert len([d for d in lts001b.details if d["counted"]]) == 4 * len(people)
    assert lts001b.counted == len(people) == 3
    assert results.tables["LTS001a"].counted == 3 and results.tables["STS001"].counted == 1
    client.force_login(staff.performance_analyst)
    html = client.get(reverse("returns:salt"), YEAR).content.decode()
    assert "3 people<span class='govuk-visually-hidden'> counted in LTS001b</span>" in html
    assert f"{reverse('returns:salt-detail', args=['LTS001b'])}?year=2024" in html
    detail = client.get(reverse("returns:salt-detail", args=["LTS001b"]), YEAR).content.decode()
    assert detail.count("P0000200") == 1  # opened from the headline: each person listed once


def test_ascof_page_links_to_salt_and_unknown_table_is_404(client, staff, record):
    client.force_login(staff.performance_analyst)
    html = client.get(reverse("returns:ascof"), YEAR).content.decode()
    assert reverse("returns:salt") in html
    assert client.get(reverse("returns:salt-table", args=["XYZ"]), YEAR).status_code == 404


def test_openasc_salt_without_cld_reads_the_database(staff, record, capsys):
    from openasc.reporting.management.commands.salt import Command

    assert Command().execute_argv(["--period", "2024-04-01:2025-03-31", "--format", "csv"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "table,group,row,column,count"
    assert "LTS001a,65 and over,Total,Residential,2" in lines
    assert "LTS001a,18 to 64,Total,Residential,1" in lines
    assert AuditEvent.objects.filter(actor=staff.system, action="export").exists()
