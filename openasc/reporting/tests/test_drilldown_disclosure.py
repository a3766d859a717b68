"""The people behind a returns figure: LA person ids by default, names only of people the user may open, NHS numbers
only for the roles a council names (OPENASC_RETURNS_NHS_NUMBER_ROLES), and every view and download audited per
person, so that it is in each person's access log."""

import datetime as dt
from decimal import Decimal
from io import BytesIO

import pytest
from django.core.cache import cache
from django.urls import reverse

from openasc.core import access, audit
from openasc.core.models import AuditEvent
from openasc.core.tests.factories import CareRelationshipFactory
from openasc.people.tests.factories import PersonFactory
from openasc.services.models import Service, ServiceCost

D = dt.date
ASCOF = {"year": 2024, "age_group": "65 and above", "part": "numerator"}
SALT = {"year": 2024, "group": "65 and over", "row": "Total", "column": "Residential"}


@pytest.fixture
def admitted(staff):
    """Two people aged 65+ admitted to residential care in 2024/25, one of them allocated to the analyst."""
    cache.clear()
    people = []
    with audit.exempt_from_safety_net():
        for i, start in enumerate([D(2024, 6, 1), D(2024, 9, 1)]):
            p = PersonFactory(
                first_name=f"Firstname{i}",
                last_name=f"Surname{i}",
                date_of_birth=D(1940 + i, 1, 1),
                la_person_id=f"LA00030{i}",
            )
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
        CareRelationshipFactory(person=people[0], user=staff.performance_analyst)
    assert all(len(p.nhs_number) == 10 for p in people)
    return people


def _bodies(client):
    out = {}
    for name, url, params in (
        ("ascof", reverse("returns:ascof-detail", args=["2C"]), ASCOF),
        ("salt", reverse("returns:salt-detail", args=["LTS001a"]), SALT),
    ):
        out[f"{name}-page"] = client.get(url, params).content.decode()
        out[f"{name}-csv"] = client.get(url, {**params, "format": "csv"}).content.decode()
        from openpyxl import load_workbook

        sheet = load_workbook(BytesIO(client.get(url, {**params, "format": "xlsx"}).content)).active
        out[f"{name}-xlsx"] = "\n".join(
            ",".join("" if c is None else str(c) for c in row) for row in sheet.iter_rows(values_only=True)
        )
    return out


def test_analyst_sees_la_ids_names_only_of_people_they_may_open_and_no_nhs_numbers(client, staff, admitted):
    client.force_login(staff.performance_analyst)
    assert not access.returns_show_nhs_numbers(staff.performance_analyst)
    opened, other = admitted
    for name, body in _bodies(client).items():
        for p in admitted:
            assert p.nhs_number not in body, name
            assert p.la_person_id in body, name
        assert "Firstname0 Surname0" in body, name
        assert "Firstname1" not in body and "Surname1" not in body, name
        assert "Not shown: you cannot open this record" in body, name
    page = client.get(reverse("returns:ascof-detail", args=["2C"]), ASCOF).content.decode()
    assert reverse("people:detail", args=[opened.pk]) in page
    assert reverse("people:detail", args=[other.pk]) not in page


def test_a_role_the_setting_names_sees_nhs_numbers(client, staff, admitted, settings):
    settings.OPENASC_RETURNS_NHS_NUMBER_ROLES = "performance_analyst, information_governance"
    assert access.returns_show_nhs_numbers(staff.performance_analyst)
    assert not access.returns_show_nhs_numbers(staff.team_manager)
    assert not access.returns_show_nhs_numbers(staff.social_worker)  # no returns at all
    client.force_login(staff.performance_analyst)
    for name, body in _bodies(client).items():
        for p in admitted:
            assert p.nhs_number in body, name
        assert "Firstname1" not in body, name  # still no names of people they may not open


def test_each_download_and_view_is_audited_per_person(client, staff, admitted):
    client.force_login(staff.performance_analyst)
    url = reverse("returns:ascof-detail", args=["2C"])
    before = AuditEvent.objects.count()
    client.get(url, {**ASCOF, "format": "csv"})
    events = [e for e in AuditEvent.objects.order_by("pk")[before:] if e.action == "export"]
    assert sorted(e.person_id for e in events) == sorted(p.pk for p in admitted)
    assert all(e.action == "export" and e.actor == staff.performance_analyst for e in events)
    assert all(e.details["format"] == "csv" and e.details["measure"] == "2C" for e in events)
    assert all(e.details["age_group"] == "65 and above" and e.details["part"] == "numerator" for e in events)

    before = AuditEvent.objects.count()
    client.get(reverse("returns:salt-detail", args=["LTS001a"]), {**SALT, "format": "xlsx"})
    events = [e for e in AuditEvent.objects.order_by("pk")[before:] if e.action == "export"]
    assert sorted(e.person_id for e in events) == sorted(p.pk for p in admitted)
    assert all(e.details["table"] == "LTS001a" and e.details["column"] == "Residential" for e in events)

    before = AuditEvent.objects.count()
    client.get(url, ASCOF)
    views = [e for e in AuditEvent.objects.order_by("pk")[before:] if e.person_id is not None]
    assert sorted(e.person_id for e in views) == sorted(p.pk for p in admitted)
    assert all(e.action == "view" and e.details["format"] == "page" for e in views)

    # the person's access log shows the downloads
    log = AuditEvent.objects.filter(person_id=admitted[1].pk, actor=staff.performance_analyst)
    assert set(log.values_list("action", flat=True)) == {"export", "view"}
    assert log.filter(action="export").count() == 2


def test_cli_detail_files_carry_la_ids_and_nhs_numbers_only_when_asked(tmp_path):
    from openasc.reporting.engine import cli

    from .test_engine_load_cli import ROWS, write_csv

    nhs = "9434765919"
    path = tmp_path / "cld.csv"
    write_csv(path, [{**r, "NHS_Number": nhs} if r["person"] == "A" else r for r in ROWS])
    args = ["--cld", str(path), "--period", "2024-04-01:2025-03-31", "--out", str(tmp_path / "out.json")]
    for main, extra in ((cli.main, ["--population", "65+=1000"]), (cli.salt_main, [])):
        assert main([*args, *extra, "--detail", str(tmp_path / "plain")]) == 0
        assert main([*args, *extra, "--detail", str(tmp_path / "nhs"), "--with-nhs-numbers"]) == 0
    plain = "".join(f.read_text() for f in (tmp_path / "plain").glob("*.csv"))
    with_nhs = "".join(f.read_text() for f in (tmp_path / "nhs").glob("*.csv"))
    assert (
        nhs not in plain
        and "la_person_id" in plain
        and "person_id," not in plain.replace("la_person_id,", "")
    )
    assert nhs in with_nhs
    a2 = (tmp_path / "plain" / "ascof_2A.csv").read_text().splitlines()
    assert a2[0].startswith("la_person_id,") and {line.split(",")[0] for line in a2[1:]} == {"A", "B"}
