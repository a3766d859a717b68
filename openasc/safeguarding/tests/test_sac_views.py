"""The Safeguarding Adults Collection in the browser: the tables with each count opening the adults behind it (LA
ids for an analyst, names for the lead who may open the record), each view and download audited per adult; the
return as CSV and XLSX; roles without it refused."""

from __future__ import annotations

import csv
import datetime as dt
import io

from openasc.core.models import AuditAction, AuditEvent, RelationshipKind
from openasc.core.tests.factories import CareRelationshipFactory
from openasc.people.tests.factories import PersonFactory
from openasc.safeguarding import sac
from openasc.safeguarding.tests.factories import ConcernFactory

ROW = "Total Number of Safeguarding Concerns"


def test_an_analyst_sees_the_return_and_every_count_links_to_its_adults(client, staff):
    adult = PersonFactory(last_name="Pennant")
    ConcernFactory(received_on=dt.date(2025, 6, 1), person=adult)
    client.force_login(staff.performance_analyst)
    html = client.get("/safeguarding/sac/?year=2025").content.decode()
    assert "Safeguarding Adults Collection 2025-26" in html
    for tid in sac.TABLE_IDS:
        assert f'id="{tid}"' in html
    assert "/safeguarding/sac/SG1f/?year=2025&amp;row=Total%20Number%20of%20Safeguarding%20Concerns" in html
    assert "&lt;a" not in html  # the counts are links, not escaped text
    assert "NOT FOUND" in html  # the choices made where the guidance is silent, with their status
    cell = client.get("/safeguarding/sac/SG1f/", {"year": "2025", "row": ROW, "column": "Count"})
    text = cell.content.decode()
    assert cell.status_code == 200 and adult.la_person_id in text and "Pennant" not in text
    assert AuditEvent.objects.filter(
        actor=staff.performance_analyst, action=AuditAction.VIEW, person_id=adult.pk, basis=sac.BASIS
    ).exists()


def test_the_lead_sees_names_of_adults_they_may_open_and_downloads_are_audited_as_exports(client, staff):
    adult = PersonFactory(first_name="Ivy", last_name="Pennant")
    CareRelationshipFactory(
        person=adult, user=staff.safeguarding_lead, kind=RelationshipKind.SAFEGUARDING_ENQUIRY
    )
    ConcernFactory(received_on=dt.date(2025, 6, 1), person=adult)
    client.force_login(staff.safeguarding_lead)
    page = client.get("/safeguarding/sac/SG1f/", {"year": "2025-26", "row": ROW, "column": "Count"})
    assert "Ivy Pennant" in page.content.decode()
    r = client.get(
        "/safeguarding/sac/SG1f/", {"year": "2025", "row": ROW, "column": "Count", "format": "csv"}
    )
    rows = list(csv.reader(io.StringIO(r.content.decode())))
    assert rows[0][:2] == ["LA person id", "Name"] and rows[1][:2] == [adult.la_person_id, "Ivy Pennant"]
    assert AuditEvent.objects.filter(
        actor=staff.safeguarding_lead, action=AuditAction.EXPORT, person_id=adult.pk
    ).exists()


def test_the_return_downloads_as_csv_and_xlsx(client, staff):
    ConcernFactory(received_on=dt.date(2025, 6, 1))
    client.force_login(staff.performance_analyst)
    r = client.get("/safeguarding/sac/", {"year": "2025", "format": "csv"})
    assert r["Content-Disposition"] == 'attachment; filename="sac-2025-26.csv"'
    assert "SG1f,Total Number of Safeguarding Concerns,Count,1" in r.content.decode()
    x = client.get("/safeguarding/sac/", {"year": "2025", "format": "xlsx"})
    assert x.content[:2] == b"PK"
    assert (
        AuditEvent.objects.filter(
            actor=staff.performance_analyst, action=AuditAction.EXPORT, basis=sac.BASIS
        ).count()
        == 2
    )


def test_an_unknown_table_or_cell_is_not_found_with_a_reason(client, staff):
    client.force_login(staff.performance_analyst)
    r = client.get("/safeguarding/sac/SG9/", {"year": "2025"})
    assert r.status_code == 404 and "There is no table" in r.content.decode()
    r = client.get("/safeguarding/sac/SG2a/", {"year": "2025", "row": "Teleportation"})
    assert r.status_code == 404 and "SG2a has no cell" in r.content.decode()


def test_roles_without_the_return_are_refused(client, staff):
    for role in ("social_worker", "front_door", "broker", "nhs_partner"):
        client.force_login(getattr(staff, role))
        assert client.get("/safeguarding/sac/").status_code == 403, role
        assert client.get("/safeguarding/sac/SG1a/").status_code == 403, role
