"""A first import loaded as sets (setload) writes what the row-by-row load (load.Loader) writes for the same files."""

from __future__ import annotations

import datetime as dt

import duckdb
import pytest
from django.db import connection, models, transaction

from openasc.assessments.models import Assessment
from openasc.core.models import AuditEvent
from openasc.frontdoor.models import SupportRequest
from openasc.people.models import CarerLink, Person
from openasc.people.tests.factories import valid_nhs_number
from openasc.planning.models import Review
from openasc.providers.models import Provider, ProviderLocation
from openasc.reporting import importer
from openasc.reporting.engine.synth import write_synthetic_cld
from openasc.reporting.importer import setload
from openasc.reporting.models import ImportedEvent, ImportRun, ImportStatus
from openasc.services.models import Service, ServiceCost

from .test_import import (
    CARER,
    PERSON,
    assessment_row,
    carer_assessment_row,
    request_row,
    review_row,
    service_row,
    write,
)

TABLES = [
    Provider,
    ProviderLocation,
    Person,
    SupportRequest,
    Assessment,
    Service,
    ServiceCost,
    Review,
    CarerLink,
]


def snapshot() -> dict:
    """Every row the import wrote, ids replaced by each row's place in its table (the two loads take ids from the
    same sequences at different times) and times left out."""
    place = {
        m: {pk: i for i, pk in enumerate(m.objects.order_by("pk").values_list("pk", flat=True))}
        for m in TABLES
    }
    out = {}
    for model in TABLES:
        rows = []
        for values in model.objects.order_by("pk").values():
            row = {}
            for f in model._meta.concrete_fields:
                v = values[f.attname]
                if f.primary_key or isinstance(f, models.DateTimeField):
                    continue
                if f.is_relation and v is not None and f.related_model in place:
                    v = ("place", place[f.related_model][v])
                row[f.attname] = v
            rows.append(row)
        out[model.__name__] = rows
    by_label = {m._meta.label_lower: m for m in TABLES}
    out["ImportedEvent"] = sorted(
        (ie.event_key, ie.object_type, place[by_label[ie.object_type]][ie.object_id], ie.row_hash)
        for ie in ImportedEvent.objects.all()
    )
    person = place[Person]
    out["AuditEvent"] = [
        (
            e.action,
            person[e.person_id],
            e.object_type,
            person[int(e.object_id)],
            e.basis,
            e.actor_id,
            {k: v for k, v in e.details.items() if k != "import_run"},
        )
        for e in AuditEvent.objects.filter(basis="CLD import").order_by("pk")
    ]
    return out


def both_loads(paths, user, monkeypatch) -> tuple[tuple, tuple]:
    """Import the files into the empty record as sets, note what was written, undo it; then the same row by row."""
    results = []
    for as_sets in (True, False):
        with transaction.atomic():
            with monkeypatch.context() as m:
                if not as_sets:
                    m.setattr(setload, "available", lambda: False)
                result = importer.run_import(paths, user=user)
            assert result.ok, [(e.row, e.field, e.value, e.reason) for e in result.plan.errors]
            plan = result.plan
            assert (plan.staged is None and plan.events == {}) == as_sets  # the path each was meant to take
            results.append(
                (
                    snapshot(),
                    result.counts,
                    result.unlinked,
                    plan.rows,
                    plan.submissions,
                    plan.cropped,
                    {k: (w.count, w.file, w.first_row) for k, w in plan.warnings.items()},
                )
            )
            transaction.set_rollback(True)
    return results[0], results[1]


def test_a_synthetic_council_loads_the_same_as_sets_and_row_by_row(staff, tmp_path, monkeypatch):
    path = tmp_path / "council.csv"
    write_synthetic_cld(path, people=300, seed=7, period_end=dt.date(2025, 3, 31))
    as_sets, by_row = both_loads([path], staff.system, monkeypatch)
    assert as_sets == by_row
    written, counts = as_sets[0], as_sets[1]
    assert len(written["Person"]) == counts["people created"] > 250
    assert counts["carer links created"] and counts["service costs created"] and as_sets[4] > 1  # stacked
    assert written["ImportedEvent"][0][3] != written["ImportedEvent"][1][3]
    waiting = [r["waiting_ended_on"] for r in written["SupportRequest"] if r["status"] == "routed"]
    assert None in waiting and set(waiting) - {None}  # some routed requests still wait, some are served


def test_awkward_files_load_the_same_as_sets_and_row_by_row(staff, tmp_path, monkeypatch):
    la_only = {
        **PERSON,
        "NHS Number": "",
        "LA Person Unique Identifier": "L9",
        "First Name": "Zoë",
        "Postcode": "ns1  4ab",
    }
    nhs3 = valid_nhs_number(13)
    earlier = {"Reporting Period Start Date": "2023-04-01", "Reporting Period End Date": "2024-03-31"}
    rows_1 = [
        request_row(**earlier),
        service_row(**earlier, **{"Service Component": "Day care"}),  # cropped later
        request_row(**{"Request: Route of Access": "Self-referral", "Event End Date": ""}),  # open
        assessment_row(**{"Eligible Needs Identified": "No", "Event End Date": "", "Event Outcome": ""}),
        service_row(
            **{
                "Provider CQC Location ID": "",
                "Provider CQC Location Name": "",  # no provider
                "Service Component": "Short term residential care",
            }
        ),
        service_row(
            **{"Unit Cost": "007.50", "Planned units per week": "3", "Service Component": "Direct payment"}
        ),
        review_row(
            **{"Event End Date": "", "Event Description": 'Reviewed at home, "as agreed" \\ by phone'}
        ),
        {
            **la_only,
            "Event Type": "Request",
            "Event Start Date": "2024-06-01",
            "Event End Date": "2024-06-02",
            "Request: Route of Access": "Community or other route",
            "Event Outcome": "NFA: Other",
        },
        carer_assessment_row(),  # cared for: P1, by LA person id
        carer_assessment_row(
            **{
                "Adult 1 Linked Person_ID": NHS_1_TEXT,
                "Event Start Date": "2024-08-01",
                "Event End Date": "2024-08-02",
            }
        ),
        carer_assessment_row(
            **{
                "Adult 1 Linked Person_ID": "NOBODY",
                "Event Start Date": "2024-09-01",
                "Event End Date": "2024-09-02",
            }
        ),
        {
            **CARER,
            "NHS Number": nhs3,
            "LA Person Unique Identifier": "C3",
            "Event Type": "Assessment",
            "Event Start Date": "2024-07-01",
            "Event End Date": "",
            "Assessment Type": "Long term assessment",
            "Adult 1 Linked Person_ID": "C3",
            "Adult 2 Linked Person_ID": "L9",
        },  # links to self (left out) and L9
    ]
    paths = [write(tmp_path / "a.csv", rows_1)]
    as_sets, by_row = both_loads(paths, staff.system, monkeypatch)
    assert as_sets == by_row
    counts, unlinked = as_sets[1], as_sets[2]
    assert counts["people created"] == 4 and ("NHS:" + nhs3, "C3") in unlinked
    assert any(reason.startswith("Open in an earlier submission") for _, _, reason in as_sets[6])
    assert [r["notes"] for r in as_sets[0]["Review"]] == ['Reviewed at home, "as agreed" \\ by phone']
    assert any(p["first_name"] == "Zoë" and p["first_key"] == "zoe" for p in as_sets[0]["Person"])


NHS_1_TEXT = PERSON["NHS Number"]


def test_a_record_changed_since_the_check_loads_nothing(staff, tmp_path, monkeypatch):
    path = write(tmp_path / "a.csv", [request_row()])
    real = setload.available
    answers = iter([True])  # empty when checked; not when loaded
    monkeypatch.setattr(setload, "available", lambda: next(answers, False))
    result = importer.run_import([path], user=staff.system)
    assert not result.ok and setload.RECORD_CHANGED in result.plan.errors[0].reason
    assert not Person.objects.exists() and real()


@pytest.mark.parametrize("money", ["12", "12.5", "0.50", "012.30"])
def test_amounts_keep_the_row_checkers_fingerprint(staff, tmp_path, monkeypatch, money):
    path = write(tmp_path / "a.csv", [service_row(**{"Planned units per week": money})])
    as_sets, by_row = both_loads([path], staff.system, monkeypatch)
    assert as_sets[0]["ImportedEvent"] == by_row[0]["ImportedEvent"]


def test_a_failure_while_writing_loads_nothing(staff, tmp_path, monkeypatch):
    """A query that fails part way through the writes (on PostgreSQL, in the thread that makes the CSV) stops the
    import with its error, and the transaction leaves the record as it was."""
    path = write(tmp_path / "a.csv", [request_row(), service_row()])
    real = setload.SetLoader._audit

    def audit_then_fail(self):
        real(self)
        self._write(Review, {"id": "no_such_column"}, source="FROM pid")

    monkeypatch.setattr(setload.SetLoader, "_audit", audit_then_fail)
    with pytest.raises(duckdb.BinderException):
        importer.run_import([path], user=staff.system)
    assert not Person.objects.exists() and not SupportRequest.objects.exists()
    assert not AuditEvent.objects.filter(basis="CLD import").exists()
    assert ImportRun.objects.get().status == ImportStatus.FAILED


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL sequences")
def test_ids_that_are_not_one_run_are_used_as_given(staff, tmp_path, monkeypatch):
    """When another session takes ids from a sequence while they are reserved, the ids reserved are not one run:
    each row takes its own from the list, in order."""
    real = setload._reserve_postgresql
    given = {}

    def every_other(cursor, table, pk, n):
        ids = list(real(cursor, table, pk, 2 * n))[::2]
        given[table] = ids
        return ids

    monkeypatch.setattr(setload, "_reserve_postgresql", every_other)
    path = write(tmp_path / "a.csv", [request_row(), service_row(), carer_assessment_row()])
    assert importer.run_import([path], user=staff.system).ok
    assert list(Person.objects.order_by("pk").values_list("pk", flat=True)) == given['"people_person"']
    assert list(SupportRequest.objects.values_list("pk", flat=True)) == given['"frontdoor_supportrequest"']
    assert CarerLink.objects.get().cared_for == Person.objects.get(la_person_id="P1")


def test_constants_are_written_as_given_even_with_a_percent_sign(staff, tmp_path, monkeypatch):
    """On SQLite the values the same on every row go into the INSERT itself (the audit events' details naming the
    file among them): a '%' in them is kept, not read as a placeholder."""
    path = write(tmp_path / "100% of us.csv", [request_row(), carer_assessment_row()])
    as_sets, by_row = both_loads([path], staff.system, monkeypatch)
    assert as_sets == by_row
    assert {e[6]["files"][0] for e in as_sets[0]["AuditEvent"]} == {"100% of us.csv"}
    assert all(not a["condition_met"] and a["computed_reasons"] == [] for a in as_sets[0]["Assessment"])
