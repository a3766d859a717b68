"""CLD import: checking every row, Release 1 mapping, stacked submissions, loading, idempotency, round trip."""

from __future__ import annotations

import csv
import datetime as dt
import gzip
import io
from pathlib import Path

import pytest

from openasc.assessments.models import Assessment, AssessmentKind, AssessmentStatus
from openasc.core.models import AuditEvent
from openasc.frontdoor.models import RequestStatus, SupportRequest
from openasc.people.models import CarerLink, Person
from openasc.people.tests.factories import valid_nhs_number
from openasc.planning.models import Review, ReviewStatus
from openasc.reporting import importer
from openasc.reporting.engine.schema import CLD_COLUMNS
from openasc.reporting.importer.check import check_files
from openasc.reporting.models import ImportedEvent, ImportRun, ImportStatus
from openasc.services.models import Service, ServiceCost

FIELDS = [name for name, _, _ in CLD_COLUMNS]
NHS1, NHS2 = valid_nhs_number(11), valid_nhs_number(12)

PERSON = {
    "Reporting Period Start Date": "2024-04-01",
    "Reporting Period End Date": "2025-03-31",
    "NHS Number": NHS1,
    "LA Person Unique Identifier": "P1",
    "First Name": "Ada",
    "Last Name": "Lovelace",
    "Gender": "Female",
    "Ethnicity": "White: Irish",
    "Date of Birth": "1940-06-15",
    "Client Type": "Service user",
    "Primary Support Reason": "Physical support: Personal care support",
    "Postcode": "NS1 4AB",
    "Accommodation Status": "Owner occupier or shared ownership scheme",
}
CARER = {
    **PERSON,
    "NHS Number": NHS2,
    "LA Person Unique Identifier": "C1",
    "First Name": "Bea",
    "Last Name": "Lovelace",
    "Date of Birth": "1945-01-02",
    "Client Type": "Unpaid carer",
    "Primary Support Reason": "",
    "Adult 1 Linked Person_ID": "P1",
    "Total Hrs Caring per week": "20-34 hours",
    "No. of adults being cared for": "1",
}


def request_row(**kw):
    return {
        **PERSON,
        "Event Type": "Request",
        "Event Start Date": "2024-05-01",
        "Event End Date": "2024-05-03",
        "Request: Route of Access": "Community or other route",
        "Event Outcome": "Progress to assessment, review or reassessment",
        **kw,
    }


def assessment_row(**kw):
    return {
        **PERSON,
        "Event Type": "Assessment",
        "Event Start Date": "2024-05-04",
        "Event End Date": "2024-06-01",
        "Assessment Type": "Long term assessment",
        "Eligible Needs Identified": "Yes",
        "Event Outcome": "Progress to support planning or services",
        **kw,
    }


def service_row(**kw):
    return {
        **PERSON,
        "Event Type": "Service",
        "Event Start Date": "2024-06-10",
        "Event End Date": "",
        "Service Type": "Long term support: Community",
        "Service Component": "Home support or domiciliary care",
        "Delivery Mechanism": "CASSR commissioned support",
        "Unit Cost": "23.50",
        "Cost Frequency (Unit Type)": "Hourly",
        "Planned units per week": "10.5",
        "Provider CQC Location ID": "1-123456789",
        "Provider CQC Location Name": "Northside Home Care",
        **kw,
    }


def review_row(**kw):
    return {
        **PERSON,
        "Event Type": "Review",
        "Event Start Date": "2024-09-01",
        "Event End Date": "2024-09-10",
        "Review Reason": "Planned",
        "Event Outcome": "Continuation of support or services",
        **kw,
    }


def carer_assessment_row(**kw):
    return {
        **CARER,
        "Event Type": "Assessment",
        "Event Start Date": "2024-07-01",
        "Event End Date": "2024-07-15",
        "Assessment Type": "Long term assessment",
        "Event Outcome": "NFA: Information and advice or signposting",
        **kw,
    }


def write(path: Path, rows: list[dict], *, gz: bool = False, fields=FIELDS) -> Path:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=fields, extrasaction="ignore")
    writer.writeheader()
    for r in rows:
        writer.writerow({f: r.get(f, "") for f in fields})
    data = buffer.getvalue().encode()
    path.write_bytes(gzip.compress(data) if gz else data)
    return path


def run(paths, **kw):
    out, err = io.StringIO(), io.StringIO()
    code = importer.main(
        [str(p) for p in paths] + ["--as-user", "system", "--no-progress", *kw.get("args", [])], out, err
    )
    return code, out.getvalue(), err.getvalue()


def counts():
    return (
        Person.objects.count(),
        SupportRequest.objects.count(),
        Assessment.objects.count(),
        Service.objects.count(),
        ServiceCost.objects.count(),
        Review.objects.count(),
        CarerLink.objects.count(),
        ImportedEvent.objects.count(),
    )


@pytest.fixture
def full(tmp_path):
    return write(
        tmp_path / "cld.csv",
        [request_row(), assessment_row(), service_row(), review_row(), carer_assessment_row()],
    )


def test_valid_file_creates_people_events_costs_and_carer_links(staff, full):
    code, out, err = run([full])
    assert code == 0, out + err
    ada = Person.objects.get(nhs_number=NHS1)
    assert (ada.la_person_id, ada.first_name, ada.last_name, ada.date_of_birth, ada.gender) == (
        "P1",
        "Ada",
        "Lovelace",
        dt.date(1940, 6, 15),
        "Female",
    )
    assert ada.first_key and ada.postcode_key  # search keys set
    req = SupportRequest.objects.get(person=ada)
    assert (req.received_on, req.triaged_on, req.status, req.outcome, req.route_of_access) == (
        dt.date(2024, 5, 1),
        dt.date(2024, 5, 3),
        RequestStatus.ROUTED,
        "Progress to assessment, review or reassessment",
        "Community or other route",
    )
    asm = Assessment.objects.get(person=ada)
    assert (asm.kind, asm.status, asm.eligible, asm.completed_on) == (
        AssessmentKind.NEEDS,
        AssessmentStatus.COMPLETED,
        True,
        dt.date(2024, 6, 1),
    )
    svc = Service.objects.get(person=ada)
    assert (
        svc.service_type,
        svc.end_on,
        svc.provider_location.cqc_location_id,
        svc.provider_location.name,
    ) == ("Long term support: Community", None, "1-123456789", "Northside Home Care")
    cost = svc.costs.get()
    assert (cost.unit_cost_pence, cost.cost_frequency, cost.planned_units_per_week, cost.effective_from) == (
        2350,
        "Hourly",
        pytest.approx(10.5),
        dt.date(2024, 6, 10),
    )
    review = Review.objects.get(person=ada)
    assert (review.status, review.completed_on, review.reason) == (
        ReviewStatus.COMPLETED,
        dt.date(2024, 9, 10),
        "Planned",
    )
    bea = Person.objects.get(nhs_number=NHS2)
    carer_asm = Assessment.objects.get(person=bea)
    assert (carer_asm.kind, carer_asm.cared_for) == (AssessmentKind.CARER, ada)
    link = CarerLink.objects.get()
    assert (link.carer, link.cared_for, link.hours_caring_per_week) == (bea, ada, "20-34 hours")
    # one audit event per created person, by the importing user
    events = AuditEvent.objects.filter(object_type="people.person", action="create")
    assert sorted(int(e.object_id) for e in events) == sorted([ada.pk, bea.pk])
    assert {e.actor.username for e in events} == {"system"}
    run_ = ImportRun.objects.get()
    assert run_.status == ImportStatus.LOADED and run_.counts["people created"] == 2
    assert "rows a second" in out


def test_loading_twice_changes_nothing(staff, full):
    assert run([full])[0] == 0
    before = counts()
    people = list(Person.objects.order_by("pk").values())
    code, out, _ = run([full])
    assert code == 0
    assert counts() == before
    assert list(Person.objects.order_by("pk").values()) == people
    assert "Nothing to change" in out


def test_imported_events_keep_the_key_and_fingerprint_later_imports_look_for(staff, tmp_path):
    """The key text is what files already loaded were stored under: a later import finds them by it."""
    path = write(tmp_path / "cld.csv", [request_row(), carer_assessment_row()])
    assert run([path])[0] == 0
    keys = set(ImportedEvent.objects.values_list("event_key", flat=True))
    assert keys == {
        f"NHS:{NHS1}|Request|2024-05-01|Service user|community or other route|||",
        f"NHS:{NHS2}|Assessment|2024-07-01|Unpaid carer||long term assessment||",
    }
    assert all(len(h) == 32 for h in ImportedEvent.objects.values_list("row_hash", flat=True))


@pytest.mark.parametrize(
    ("row", "field", "value", "reason"),
    [
        (
            request_row(**{"Client Type": "service user"}),
            "Client Type",
            "service user",
            "did you mean 'Service user'",
        ),
        (
            service_row(**{"Service Type": "Long term: community"}),
            "Service Type",
            "Long term: community",
            "Not a value of the Service Type list",
        ),
        (request_row(**{"Event Start Date": "2024-02-30"}), "Event Start Date", "2024-02-30", "Not a date"),
        (request_row(**{"Event Start Date": "1 May 2024"}), "Event Start Date", "1 May 2024", "Not a date"),
        (service_row(**{"Unit Cost": "23.505"}), "Unit Cost", "23.505", "more than two decimal places"),
        (request_row(**{"NHS Number": "1234567890"}), "NHS Number", "1234567890", "check digit"),
        (assessment_row(**{"Assessment Type": ""}), "Assessment Type", "", "Required for a assessment event"),
        (
            request_row(**{"NHS Number": "", "LA Person Unique Identifier": ""}),
            "LA Person Unique Identifier",
            "",
            "NHS number or LA person id",
        ),
        (
            request_row(**{"Event End Date": "2024-04-30"}),
            "Event End Date",
            "2024-04-30",
            "before the start date",
        ),
        (
            request_row(**{"Event Outcome": "Provision of service"}),
            "Event Outcome",
            "Provision of service",
            "Release 1 value with no Release 2 equivalent",
        ),
    ],
)
def test_each_error_is_reported_by_row_field_value_and_reason_and_nothing_is_loaded(
    staff, tmp_path, row, field, value, reason
):
    path = write(tmp_path / "bad.csv", [review_row(), row])
    code, _out, err = run([path])
    assert code == 1
    assert "Nothing was loaded" in err
    assert counts() == (0, 0, 0, 0, 0, 0, 0, 0)
    with (tmp_path / "bad.errors.csv").open() as f:
        errors = list(csv.DictReader(f))
    assert len(errors) == 1, errors
    assert (errors[0]["Row"], errors[0]["Field"], errors[0]["Value"]) == ("3", field, value)
    assert reason in errors[0]["Reason"]
    assert ImportRun.objects.get().status == ImportStatus.REJECTED


@pytest.mark.parametrize("fast", [True, False])
def test_a_money_value_is_judged_for_its_own_field(staff, tmp_path, fast):
    """5000000 is an allowed unit cost (a one-off cost of five million pounds); as planned units a week it is too
    large, and it is judged so even when the same text was seen first in the other field."""
    path = write(
        tmp_path / "cld.csv",
        [
            service_row(**{"Unit Cost": "5000000"}),
            service_row(**{"Event Start Date": "2024-07-01", "Planned units per week": "5000000"}),
        ],
    )
    plan = check_files([path], fast=fast)
    assert [(e.row, e.field, e.value, e.reason) for e in plan.errors] == [
        (3, "Planned units per week", "5000000", "Too large: at most 999999.99")
    ]


def test_errors_can_be_written_to_a_named_file(staff, tmp_path):
    path = write(tmp_path / "bad.csv", [request_row(**{"Date of Birth": "31/02/1940"})])
    report = tmp_path / "report.csv"
    code, _, _ = run([path], args=["--errors", str(report)])
    assert code == 1
    assert "Date of Birth,31/02/1940" in report.read_text()


def test_unconfirmed_list_values_are_accepted_with_warnings(staff, tmp_path):
    path = write(
        tmp_path / "cld.csv",
        [
            request_row(**{"Gender": "Non-binary", "Request: Route of Access": "Walk-in"}),
            review_row(**{"Gender": "Non-binary", "Review Reason": "Annual"}),
        ],
    )
    code, out, _ = run([path])
    assert code == 0, out
    assert Person.objects.get().gender == "Non-binary"
    assert SupportRequest.objects.get().route_of_access == "Walk-in"
    assert Review.objects.get().reason == "Annual"
    assert "Gender: 'Non-binary' x2" in out
    assert "Unfamiliar value" in out


def test_release_1_values_are_mapped_with_warnings(staff, tmp_path):
    path = write(
        tmp_path / "cld.csv",
        [
            service_row(
                **{
                    "Service Type": "Long Term Support: Nursing Care",
                    "Client Type": "Service User",
                    "Event End Date": "2024-12-01",
                    "Event Outcome": "NFA - Deceased",
                }
            ),
            carer_assessment_row(**{"Client Type": "Carer"}),
        ],
    )
    code, out, _ = run([path])
    assert code == 0, out
    svc = Service.objects.get()
    assert (svc.service_type, svc.client_type, svc.end_outcome) == (
        "Long term support: Nursing care",
        "Service user",
        "NFA: Deceased",
    )
    assert Person.objects.get(nhs_number=NHS2).client_type == "Unpaid carer"
    assert Assessment.objects.get().kind == AssessmentKind.CARER
    assert "Release 1 value, stored as the Release 2 value 'Long term support: Nursing care'" in out


def test_gzip_input(staff, tmp_path):
    path = write(tmp_path / "cld.csv.gz", [request_row()], gz=True)
    assert run([path])[0] == 0
    assert SupportRequest.objects.count() == 1


def test_headers_tolerate_case_and_spacing(staff, tmp_path):
    fields = [f.upper().replace(" ", "  ") for f in FIELDS]
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(fields)
    row = request_row()
    writer.writerow([row.get(f, "") for f in FIELDS])
    path = tmp_path / "cld.csv"
    path.write_text(buffer.getvalue())
    assert run([path])[0] == 0
    assert SupportRequest.objects.count() == 1


def test_two_stacked_submissions_are_deduplicated(staff, tmp_path):
    q1 = {"Reporting Period Start Date": "2024-01-01", "Reporting Period End Date": "2024-12-31"}
    q2 = {"Reporting Period Start Date": "2024-04-01", "Reporting Period End Date": "2025-03-31"}
    rows = [
        # the older submission: the request still open, the service open, and a name since corrected
        request_row(**q1, **{"Event End Date": "", "Event Outcome": "", "First Name": "Adah"}),
        service_row(**q1),
        # the newer submission: the request concluded, the service still open at a new cost
        request_row(
            **q2,
            **{"Event End Date": "2025-01-10", "Event Outcome": "NFA: Information and advice or signposting"},
        ),
        service_row(**q2, **{"Unit Cost": "25.00"}),
        # an assessment only in the older submission, open there: cropped to that submission's end
        assessment_row(**q1, **{"Event End Date": "", "Event Outcome": ""}),
    ]
    path = write(tmp_path / "stacked.csv", rows)
    code, out, _ = run([path])
    assert code == 0, out
    assert "2 submission(s)" in out
    assert Person.objects.get().first_name == "Ada"
    req = SupportRequest.objects.get()
    assert (req.concluded_on, req.status, req.outcome) == (
        dt.date(2025, 1, 10),
        RequestStatus.CONCLUDED,
        "NFA: Information and advice or signposting",
    )
    assert Service.objects.get().costs.get().unit_cost_pence == 2500
    assert Assessment.objects.get().completed_on == dt.date(2024, 12, 31)
    assert "missing from the latest one" in out


def test_a_later_file_updates_what_changed(staff, tmp_path):
    first = write(
        tmp_path / "q1.csv", [service_row(), request_row(**{"Event End Date": "", "Event Outcome": ""})]
    )
    assert run([first])[0] == 0
    later = write(
        tmp_path / "q2.csv",
        [
            service_row(**{"Event End Date": "2025-01-31", "Event Outcome": "NFA: Support ended as planned"}),
            request_row(**{"Event End Date": "", "Event Outcome": ""}),
            review_row(),
        ],
    )
    code, out, _ = run([later])
    assert code == 0, out
    assert Service.objects.get().end_on == dt.date(2025, 1, 31)
    assert (SupportRequest.objects.count(), Review.objects.count()) == (1, 1)
    ada = Person.objects.get()
    update = AuditEvent.objects.get(action="update", object_id=str(ada.pk))
    assert update.details["changes"] == {"services updated": 1, "reviews created": 1}


def test_person_known_only_by_la_id_in_some_rows_is_one_person(staff, tmp_path):
    path = write(tmp_path / "cld.csv", [request_row(), review_row(**{"NHS Number": ""})])
    assert run([path])[0] == 0
    assert Person.objects.count() == 1
    assert Review.objects.get().person.nhs_number == NHS1


def test_round_trip_from_export(staff, tmp_path):
    """`openasc cld export` of a small record, imported into an empty database, gives the same people and events."""
    from django.core.management import call_command

    path = write(
        tmp_path / "cld.csv",
        [request_row(), assessment_row(), service_row(), review_row(), carer_assessment_row()],
    )
    assert run([path])[0] == 0

    def snapshot():
        people = sorted(
            Person.objects.values_list(
                "nhs_number",
                "la_person_id",
                "first_name",
                "last_name",
                "date_of_birth",
                "gender",
                "client_type",
                "postcode",
            )
        )
        events = sorted(
            [
                ("Request", r.person.la_person_id, r.received_on, r.triaged_on or r.concluded_on, r.outcome)
                for r in SupportRequest.objects.all()
            ]
            + [
                ("Assessment", a.person.la_person_id, a.started_on, a.completed_on, a.outcome)
                for a in Assessment.objects.all()
            ]
            + [
                (
                    "Service",
                    s.person.la_person_id,
                    s.start_on,
                    s.end_on,
                    s.service_type,
                    s.costs.get().unit_cost_pence,
                )
                for s in Service.objects.all()
            ]
            + [
                ("Review", r.person.la_person_id, r.started_on, r.completed_on, r.outcome)
                for r in Review.objects.all()
            ],
            key=str,
        )
        links = sorted(CarerLink.objects.values_list("carer__la_person_id", "cared_for__la_person_id"))
        return people, events, links

    original = snapshot()
    exported = tmp_path / "export.csv"
    call_command(
        "cld", "export", "--period", "2024-04-01:2025-03-31", "--out", str(exported), stdout=io.StringIO()
    )
    # an empty database
    from openasc.core import audit

    with (
        audit.exempt_from_safety_net()
    ):  # (test set-up: the sensitive managers refuse unaudited bulk deletes)
        for model in (ImportedEvent, CarerLink, ServiceCost, Service, Review, Assessment, SupportRequest):
            model.objects.all().delete()
        Person.objects.all().delete()
    code, out, err = run([exported])
    assert code == 0, out + err
    assert snapshot() == original


def test_people_already_in_the_record_are_matched_and_updated(staff, tmp_path):
    from openasc.people.tests.factories import PersonFactory

    existing = PersonFactory(
        nhs_number=NHS1, la_person_id="OLD-1", first_name="Ada", last_name="Lovelace", postcode="ZZ1 1ZZ"
    )
    path = write(tmp_path / "cld.csv", [request_row()])
    assert run([path])[0] == 0
    existing.refresh_from_db()
    assert (existing.postcode, existing.la_person_id, Person.objects.count()) == ("NS1 4AB", "OLD-1", 1)
    assert SupportRequest.objects.get().person == existing
    update = AuditEvent.objects.get(action="update", object_id=str(existing.pk))
    assert update.details["changes"] == {"demographics": 1, "requests created": 1}


def test_an_la_person_id_that_belongs_to_someone_else_in_the_record_loads_nothing(staff, tmp_path):
    from openasc.people.tests.factories import PersonFactory

    PersonFactory(nhs_number=NHS2, la_person_id="P1")
    path = write(tmp_path / "cld.csv", [request_row(), review_row()])
    code, out, _ = run([path])
    assert code == 1
    assert "belongs to a person with another NHS number" in out
    assert (SupportRequest.objects.count(), Review.objects.count(), Person.objects.count()) == (0, 0, 1)


def test_one_la_person_id_with_two_nhs_numbers_is_an_error(staff, tmp_path):
    path = write(tmp_path / "cld.csv", [request_row(), review_row(**{"NHS Number": NHS2})])
    code, out, _ = run([path])
    assert code == 1
    assert "one person cannot have two NHS numbers" in out
    assert Person.objects.count() == 0


def test_check_only_loads_nothing(staff, full):
    code, out, _ = run([full], args=["--check-only"])
    assert code == 0
    assert "nothing was loaded" in out
    assert counts() == (0, 0, 0, 0, 0, 0, 0, 0)
    assert ImportRun.objects.get().status == ImportStatus.VALIDATED


def test_a_file_that_is_not_cld_is_rejected(staff, tmp_path):
    path = tmp_path / "other.csv"
    path.write_text("name,age\nAda,84\n")
    code, out, _ = run([path])
    assert code == 1
    assert "must hold the CLD field names" in out


def test_the_openasc_command_line_runs_the_import(staff, full, capsys):
    from openasc import cli

    with pytest.raises(SystemExit) as exit_:
        cli.main(["cld", "import", str(full), "--as-user", "system", "--no-progress", "--check-only"])
    assert exit_.value.code == 0
    assert "No errors: the files can be loaded" in capsys.readouterr().out
    with pytest.raises(SystemExit) as exit_:
        cli.main(["cld", "import", str(full), "--as-user", "nobody", "--no-progress"])
    assert exit_.value.code == 2
    assert "No active account called 'nobody'" in capsys.readouterr().err
    assert Person.objects.count() == 0


def test_call_command_runs_the_import(staff, full):
    from django.core.management import call_command

    out = io.StringIO()
    call_command("cld", "import", str(full), stdout=out)
    assert "Loaded:" in out.getvalue()
    assert Person.objects.count() == 2


def test_imported_requests_whose_work_has_begun_do_not_wait(staff, full):
    code, out, _ = run([full])
    assert code == 0, out
    req = SupportRequest.objects.get()
    assert req.status == "routed"
    assert req.waiting_ended_on is not None  # the service after it started the work


def test_imported_requests_with_no_service_after_them_wait(staff, tmp_path):
    later = service_row(**{"Event Start Date": "2024-04-20"})  # before the request
    code, out, _ = run([write(tmp_path / "a.csv", [request_row(), assessment_row(), later])])
    assert code == 0, out
    req = SupportRequest.objects.get()
    assert (req.status, req.waiting_ended_on) == ("routed", None)
