"""The CLD import page for performance analysts: upload, the result page, the error report download."""

from __future__ import annotations

import csv
import gzip
import io

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from openasc.core.models import AuditEvent
from openasc.people.models import Person
from openasc.reporting.models import ImportRun, ImportStatus
from openasc.reporting.tests.test_import import FIELDS, request_row, review_row, service_row


def cld_bytes(rows) -> bytes:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=FIELDS)
    writer.writeheader()
    for r in rows:
        writer.writerow({f: r.get(f, "") for f in FIELDS})
    return buffer.getvalue().encode()


def upload(client, data: bytes, name="cld.csv", **extra):
    return client.post(
        reverse("reporting:cld-import"),
        {"file": SimpleUploadedFile(name, data, content_type="text/csv"), **extra},
        follow=True,
    )


def test_the_page_is_for_analysts_and_administrators_only(client, staff):
    client.force_login(staff.social_worker)
    assert client.get(reverse("reporting:cld-import")).status_code == 403
    assert client.post(reverse("reporting:cld-import"), {}).status_code == 403
    for user in (staff.performance_analyst, staff.administrator):
        client.force_login(user)
        response = client.get(reverse("reporting:cld-import"))
        assert response.status_code == 200
        assert 'type="file"' in response.content.decode()


def test_a_valid_file_is_loaded_and_the_page_shows_what_was_created(client, staff):
    client.force_login(staff.performance_analyst)
    response = upload(
        client, gzip.compress(cld_bytes([request_row(), service_row(), review_row()])), name="q4.csv.gz"
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "File imported" in html
    assert "People created" in html and "Services created" in html and "Service costs created" in html
    person = Person.objects.get()
    event = AuditEvent.objects.get(object_type="people.person", object_id=str(person.pk), action="create")
    assert event.actor == staff.performance_analyst
    assert ImportRun.objects.get().source == "browser"


def test_a_file_with_errors_loads_nothing_and_lists_the_errors_with_a_download(client, staff):
    client.force_login(staff.performance_analyst)
    rows = [
        review_row(),
        service_row(**{"Unit Cost": "12.345"}),
        request_row(**{"Client Type": "service user"}),
    ]
    response = upload(client, cld_bytes(rows))
    html = response.content.decode()
    assert "The file was not imported" in html
    assert Person.objects.count() == 0
    assert "12.345" in html and "more than two decimal places" in html
    assert "service user" in html
    run = ImportRun.objects.get()
    assert run.status == ImportStatus.REJECTED
    download = client.get(reverse("reporting:cld-import-errors", args=[run.pk]))
    assert download.status_code == 200
    assert download["Content-Disposition"].startswith("attachment")
    report = list(csv.reader(io.StringIO(download.content.decode())))
    assert report[0] == ["File", "Row", "Field", "Value", "Reason"]
    assert [r[1:4] for r in report[1:]] == [
        ["3", "Unit Cost", "12.345"],
        ["4", "Client Type", "service user"],
    ]
    assert AuditEvent.objects.filter(action="export", actor=staff.performance_analyst).exists()
    client.force_login(staff.social_worker)
    assert client.get(reverse("reporting:cld-import-errors", args=[run.pk])).status_code == 403


def test_warnings_are_shown(client, staff):
    client.force_login(staff.performance_analyst)
    html = upload(client, cld_bytes([request_row(**{"Gender": "Non-binary"})])).content.decode()
    assert "File imported" in html
    assert "Non-binary" in html and "Unfamiliar value" in html


def test_check_only_loads_nothing(client, staff):
    client.force_login(staff.performance_analyst)
    html = upload(client, cld_bytes([request_row()]), check_only="on").content.decode()
    assert "No errors found" in html
    assert Person.objects.count() == 0


def test_no_file_or_the_wrong_kind_is_an_error_on_the_field(client, staff):
    client.force_login(staff.performance_analyst)
    response = client.post(reverse("reporting:cld-import"), {})
    html = response.content.decode()
    assert response.status_code == 400
    assert "<title>Error: " in html
    assert 'href="#file"' in html
    response = client.post(
        reverse("reporting:cld-import"),
        {"file": SimpleUploadedFile("cld.xlsx", b"x", content_type="application/octet-stream")},
    )
    assert response.status_code == 400
    assert "must be a CSV file" in response.content.decode()
