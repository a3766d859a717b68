"""The case record as CLD rows: what is included for a period, service cost versions, carers, validation."""

import csv
import datetime as dt
import json
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command

from openasc.assessments.models import Assessment
from openasc.core import audit
from openasc.frontdoor.models import SupportRequest
from openasc.people.tests.factories import CarerLinkFactory, PersonFactory
from openasc.planning.models import Review
from openasc.reporting import projection, validation
from openasc.services.models import Service, ServiceCost

D = dt.date


@pytest.fixture
def record(staff):
    with audit.exempt_from_safety_net():
        edna = PersonFactory(first_name="Edna", la_person_id="P0000001", date_of_birth=D(1940, 5, 1))
        carer = PersonFactory(
            first_name="Ron", la_person_id="P0000002", client_type="Unpaid carer", date_of_birth=D(1945, 1, 1)
        )
        CarerLinkFactory(carer=carer, cared_for=edna, hours_caring_per_week="35-49 hours")
        SupportRequest.objects.create(
            person=edna,
            received_on=D(2024, 3, 20),
            concluded_on=D(2024, 4, 2),
            route_of_access="Discharge from hospital",
            contact_by="hospital",
            what_matters="Home",
            decision="assessment",
            outcome="Progress to assessment, review or reassessment",
            status="concluded",
            created_by=staff.system,
        )
        SupportRequest.objects.create(
            person=edna,
            received_on=D(2023, 1, 1),
            concluded_on=D(2023, 1, 2),
            contact_by="self",
            what_matters="x",
            outcome="NFA: Other",
            status="concluded",
            created_by=staff.system,
        )  # ended before the period: not included
        Assessment.objects.create(
            person=edna,
            started_on=D(2024, 4, 3),
            completed_on=D(2024, 4, 20),
            status="completed",
            eligible=True,
            assessor=staff.social_worker,
            outcome="Progress to support planning or services",
            method="Face to face",
        )
        home_care = Service.objects.create(
            person=edna,
            service_type="Long term support: Community",
            service_component="Home support or domiciliary care",
            delivery_mechanism="CASSR commissioned support",
            start_on=D(2024, 5, 1),
            end_on=D(2025, 1, 10),
            end_outcome="NFA: Deceased",
            created_by=staff.system,
        )
        ServiceCost.objects.create(
            service=home_care,
            effective_from=D(2024, 5, 1),
            unit_cost_pence=1800,
            cost_frequency="Hourly",
            planned_units_per_week=Decimal("10.5"),
            created_by=staff.system,
        )
        ServiceCost.objects.create(
            service=home_care,
            effective_from=D(2024, 9, 1),
            unit_cost_pence=1800,
            cost_frequency="Hourly",
            planned_units_per_week=Decimal("14"),
            created_by=staff.system,
        )
        Review.objects.create(
            person=edna,
            due_on=D(2024, 6, 12),
            started_on=D(2024, 6, 12),
            completed_on=D(2024, 6, 12),
            reason="Planned",
            method="Face to face",
            what_followed="increase",
            outcome="Progress to support planning or services",
            status="completed",
            outcomes_achieved="Partially achieved",
        )
        Review.objects.create(
            person=edna, due_on=D(2025, 6, 12), status="scheduled"
        )  # not held: not a CLD event
    return edna, carer


PERIOD = (D(2024, 4, 1), D(2025, 3, 31))


def rows(start=PERIOD[0], end=PERIOD[1]):
    return list(projection.project(start, end))


def test_events_open_in_the_period_one_row_each(record):
    got = sorted((r["Event Type"], r["Event Start Date"], r["Event End Date"]) for r in rows())
    assert got == [
        ("Assessment", "2024-04-03", "2024-04-20"),
        ("Request", "2024-03-20", "2024-04-02"),
        ("Review", "2024-06-12", "2024-06-12"),
        ("Service", "2024-05-01", "2024-08-31"),
        ("Service", "2024-09-01", "2025-01-10"),
    ]


def test_each_cost_version_is_a_service_row_and_only_the_last_carries_the_end_outcome(record):
    services = [r for r in rows() if r["Event Type"] == "Service"]
    assert [
        (r["Unit Cost"], r["Cost Frequency (Unit Type)"], r["Planned units per week"], r["Event Outcome"])
        for r in services
    ] == [
        ("18.00", "Hourly", "10.50", "Continuation of support or services"),
        ("18.00", "Hourly", "14.00", "NFA: Deceased"),
    ]
    assert services[0]["Service Type"] == "Long term support: Community"


def test_changes_before_the_period_fold_into_one_row_that_keeps_the_real_start(record):
    services = [r for r in rows(D(2024, 10, 1), D(2025, 9, 30)) if r["Event Type"] == "Service"]
    assert [(r["Event Start Date"], r["Planned units per week"], r["Event End Date"]) for r in services] == [
        ("2024-05-01", "14.00", "2025-01-10")
    ]  # the version in force at the period start, real start date


def test_a_change_after_the_period_is_not_shown(record):
    services = [r for r in rows(D(2024, 4, 1), D(2024, 8, 31)) if r["Event Type"] == "Service"]
    assert [(r["Event Start Date"], r["Planned units per week"], r["Event Outcome"]) for r in services] == [
        ("2024-05-01", "10.50", "NFA: Deceased")
    ]


def test_person_fields_and_carer_links(record):
    _edna, _carer = record
    by_person = {r["LA Person Unique Identifier"]: r for r in rows()}
    assert by_person["P0000001"]["Has Unpaid Carer"] == "Yes"
    assert by_person["P0000001"]["Date of Birth"] == "1940-05-01"
    assert by_person["P0000001"]["Reporting Period End Date"] == "2025-03-31"


def test_carer_rows_name_the_adult_cared_for(record, staff):
    edna, carer = record
    with audit.exempt_from_safety_net():
        Assessment.objects.create(
            person=carer,
            kind="carer",
            cared_for=edna,
            started_on=D(2024, 7, 1),
            completed_on=D(2024, 7, 9),
            status="completed",
            eligible=False,
            assessor=staff.social_worker,
            outcome="NFA: Information and advice or signposting",
        )
    [row] = [r for r in rows() if r["LA Person Unique Identifier"] == "P0000002"]
    assert (
        row["Client Type"],
        row["Adult 1 Linked Person_ID"],
        row["No. of adults being cared for"],
        row["Total Hrs Caring per week"],
        row["Eligible Needs Identified"],
    ) == ("Unpaid carer", "P0000001", "1", "35-49 hours", "No")


def test_validation_reports_missing_and_invalid_values_with_a_link_to_fix(record):
    edna, _ = record
    bad = dict(
        rows()[0], **{"Gender": "", "Service Type": "Long Term Support: Community", "Event Type": "Service"}
    )
    [(_, problems)] = list(validation.check_rows([bad], {"P0000001": edna.pk}))
    found = {(p.field, p.reason) for p in problems}
    assert ("Gender", "Missing: this field is needed to count the event") in found
    assert (
        "Service Type",
        "Not a value of the CLD Release 2 list",
    ) in found  # Release 1 casing is not Release 2
    assert all(p.fix_url == f"/people/{edna.pk}/edit" for p in problems)
    clean = rows()[0]
    assert next(iter(validation.check_rows([clean])))[1] == []


def test_unconfirmed_lists_are_not_enforced(record):
    row = dict(rows()[0], **{"Request: Route of Access": "Walk-in centre"})
    assert next(iter(validation.check_rows([row])))[1] == []


def test_export_command_writes_the_file_and_report_and_audits(record, tmp_path, staff):
    out = tmp_path / "cld.csv"
    stdout = StringIO()
    call_command(
        "cld",
        "export",
        "--period",
        "2024-04-01:2025-03-31",
        "--out",
        str(out),
        "--as-user",
        "system",
        stdout=stdout,
    )
    with out.open() as f:
        data = list(csv.DictReader(f))
    assert len(data) == 5
    assert list(data[0]) == projection.FIELDS
    assert "Wrote 5 CLD rows" in stdout.getvalue()
    assert (tmp_path / "cld.problems.csv").exists()
    assert audit.AuditEvent.objects.filter(action="export", actor=staff.system).exists()


def test_measures_from_the_database_equal_measures_from_its_exported_file(record, tmp_path, capsys):
    out = tmp_path / "cld.csv"
    call_command("cld", "export", "--period", "2024-04-01:2025-03-31", "--out", str(out), stdout=StringIO())
    args = ["--period", "2024-04-01:2025-03-31", "--population", "18-64=1000", "--population", "65+=500"]
    from openasc.reporting.management.commands.measures import Command

    assert Command().execute_argv(args) == 0
    from_db = json.loads(capsys.readouterr().out)
    assert Command().execute_argv(["--cld", str(out), *args]) == 0
    from_file = json.loads(capsys.readouterr().out)
    assert from_db == from_file
    assert from_db["period"] == {"start": "2024-04-01", "end": "2025-03-31"}
    assert set(from_db["measures"]) >= {"2A", "2B", "2C", "2E", "3D 1a"}
