"""The documents pages: the record's link, writing and changing a letter (errors on their fields), uploading and
downloading (headers, type, refusals audited), the printable pages and PDFs read back with pypdf, the templates
page for administrators only."""

from __future__ import annotations

import datetime as dt
import io

import pypdf
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from openasc.assessments.models import OutcomeAssessment
from openasc.assessments.tests.factories import AssessmentFactory
from openasc.core import audit
from openasc.core.models import AuditEvent, RelationshipKind
from openasc.core.tests.factories import CareRelationshipFactory, TeamFactory, UserFactory
from openasc.documents.models import Document, LetterTemplate
from openasc.documents.tests.factories import DocumentFactory, LetterTemplateFactory
from openasc.documents.tests.test_files import PDF, PNG
from openasc.people.tests.factories import PersonFactory
from openasc.planning.tests.factories import PlanFactory, PlanNeedFactory, ReviewFactory


@pytest.fixture
def person(teams):
    p = PersonFactory(first_name="Ruby", last_name="Lane", address_line_1="2 Church Row", town="Northby")
    CareRelationshipFactory(person=p, user=None, team=teams.north, kind=RelationshipKind.ALLOCATED_TEAM)
    return p


@pytest.fixture
def outsider():
    return UserFactory(username="east-worker", teams=[TeamFactory(code="east-x", name="East X")])


@pytest.fixture
def worker(client, staff):
    client.force_login(staff.social_worker)
    return staff.social_worker


def pdf_text(content: bytes) -> tuple[int, str]:
    reader = pypdf.PdfReader(io.BytesIO(content))
    return len(reader.pages), " ".join(" ".join(page.extract_text().split()) for page in reader.pages)


def refusals(user, person) -> int:
    return AuditEvent.objects.filter(actor=user, person_id=person.pk, action="access_refused").count()


def test_the_record_links_to_documents(client, staff, person):
    client.force_login(staff.social_worker)
    html = client.get(f"/people/{person.pk}").content.decode()
    assert (
        f'href="/documents/people/{person.pk}"' in html
        and f'href="/documents/people/{person.pk}/add"' in html
    )
    CareRelationshipFactory(
        person=person, user=staff.nhs_partner, kind=RelationshipKind.NHS_SHARING, basis="Care"
    )
    client.force_login(staff.nhs_partner)  # may open the record, but does not write to people
    html = client.get(f"/people/{person.pk}").content.decode()
    assert (
        f'href="/documents/people/{person.pk}"' in html and f"/documents/people/{person.pk}/add" not in html
    )


# --- letters -------------------------------------------------------------------------------------------------------


def test_a_letter_is_chosen_filled_edited_and_stored(client, worker, person):
    plan = PlanFactory(person=person, agreed_weekly_pence=28750)
    page = client.get(f"/documents/people/{person.pk}/letter")
    assert page.status_code == 200 and "Your care and support plan" in page.content.decode()
    page = client.get(
        f"/documents/people/{person.pk}/letter/write?template=care-and-support-plan&link=plan:{plan.pk}"
    )
    html = page.content.decode()
    assert page.status_code == 200 and "Dear Ruby" in html and "£287.50 a week (agreed)" in html
    assert "The record does not have everything this letter asks for" in html  # no review is scheduled
    assert "<li>When the next review is due</li>" in html
    response = client.post(
        f"/documents/people/{person.pk}/letter/write",
        {
            "template": "care-and-support-plan",
            "link": f"plan:{plan.pk}",
            "title": "Your care and support plan",
            "body": "Dear Ms Lane\n\nYour budget is £287.50 a week.",
        },
    )
    letter = Document.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/documents/{letter.pk}"
    assert letter.body.startswith("Dear Ms Lane") and letter.plan == plan
    html = client.get(f"/documents/{letter.pk}").content.decode()
    assert "Letter stored on the record" in html and "Dear Ms Lane" in html
    timeline = client.get(f"/people/{person.pk}").content.decode()
    assert "Letter: Your care and support plan" in timeline and f'href="/documents/{letter.pk}"' in timeline


def test_an_unknown_template_goes_back_to_the_choice_with_the_error(client, worker, person):
    page = client.get(f"/documents/people/{person.pk}/letter/write?template=nope")
    html = page.content.decode()
    assert page.status_code == 400 and html.count('href="#template"') == 1
    assert "Choose one of the letters in the list" in html


def test_a_template_with_an_unknown_placeholder_is_refused_on_the_page(client, worker, person):
    bad = LetterTemplateFactory(name="Broken letter", body="Dear {frist_name}")
    page = client.get(f"/documents/people/{person.pk}/letter/write?template={bad.key}")
    assert page.status_code == 400 and "{frist_name} is not a placeholder" in page.content.decode()


def test_an_empty_letter_is_refused_on_its_fields(client, worker, person):
    response = client.post(
        f"/documents/people/{person.pk}/letter/write", {"template": "review-due", "title": "", "body": ""}
    )
    html = response.content.decode()
    assert response.status_code == 400 and not Document.objects.exists()
    assert 'href="#title"' in html and "Enter the letter&#39;s title" in html and 'href="#body"' in html


def test_changing_a_letter_makes_version_two(client, worker, person, staff):
    first = DocumentFactory(person=person, body="Version one", created_by=staff.social_worker)
    page = client.get(f"/documents/{first.pk}/change")
    assert page.status_code == 200 and "Version one" in page.content.decode()
    response = client.post(f"/documents/{first.pk}/change", {"title": first.title, "body": "Version two"})
    second = Document.objects.get(previous=first)
    assert response["Location"] == f"/documents/{second.pk}" and second.version == 2
    html = client.get(f"/documents/{first.pk}").content.decode()
    assert "This is an earlier version of the letter" in html and "Change this letter" not in html
    assert client.get(f"/documents/{first.pk}/change")["Location"] == f"/documents/{second.pk}"


def test_a_role_that_does_not_write_to_people_is_refused_the_letter_pages(client, staff, person):
    CareRelationshipFactory(
        person=person, user=staff.nhs_partner, kind=RelationshipKind.NHS_SHARING, basis="Care"
    )
    client.force_login(staff.nhs_partner)
    assert client.get(f"/documents/people/{person.pk}/letter").status_code == 403
    response = client.post(f"/documents/people/{person.pk}/letter/write", {"template": "review-due"})
    assert response.status_code == 403 and not Document.objects.exists()


def test_a_stored_letter_downloads_as_a_pdf_with_its_words(client, worker, person):
    letter = DocumentFactory(
        person=person, title="Your review is due", body="Dear Ruby\n\nYour review is due soon."
    )
    response = client.get(f"/documents/{letter.pk}/pdf")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["X-Content-Type-Options"] == "nosniff"
    pages, text = pdf_text(response.content)
    assert pages >= 1 and "Your review is due" in text and "Your review is due soon." in text
    assert "Northshire County Council" in text and person.la_person_id in text
    event = AuditEvent.objects.filter(action="view", object_id=str(letter.pk)).latest("pk")
    assert event.details["purpose"] == "download document"


# --- attachments ---------------------------------------------------------------------------------------------------


def test_an_attachment_is_uploaded_and_downloaded_by_an_allowed_user(client, worker, person):
    response = client.post(
        f"/documents/people/{person.pk}/add",
        {"file": SimpleUploadedFile("Consent form.pdf", PDF), "title": "Signed consent"},
    )
    doc = Document.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/documents/{doc.pk}"
    download = client.get(f"/documents/{doc.pk}/download")
    assert download.status_code == 200 and download.content == PDF
    assert download["Content-Type"] == "application/pdf"
    assert download["Content-Disposition"] == 'attachment; filename="Consent form.pdf"'
    assert download["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in download["Content-Security-Policy"]
    event = AuditEvent.objects.filter(action="view", object_id=str(doc.pk)).latest("pk")
    assert event.details["purpose"] == "download document" and event.person_id == person.pk


def test_a_download_is_refused_and_audited_to_someone_who_cannot_open_the_person(client, outsider, person):
    doc = DocumentFactory(person=person, attachment=True)
    client.force_login(outsider)
    response = client.get(f"/documents/{doc.pk}/download")
    assert response.status_code == 403 and response.content != PDF and b"%PDF" not in response.content
    assert refusals(outsider, person) == 1
    event = AuditEvent.objects.get(actor=outsider, action="access_refused")
    assert event.details["purpose"] == "download document"
    assert client.get(f"/documents/{doc.pk}").status_code == 403  # nor its page: not even its title
    assert client.get(f"/documents/{doc.pk}/pdf").status_code == 403


def test_an_upload_of_the_wrong_type_is_refused_on_the_file_field(client, worker, person):
    response = client.post(
        f"/documents/people/{person.pk}/add", {"file": SimpleUploadedFile("scan.pdf", PNG)}
    )
    html = response.content.decode()
    assert response.status_code == 400 and not Document.objects.exists()
    assert 'href="#file"' in html and "The selected file is a PNG image, but its name ends .pdf" in html


def test_an_upload_over_the_limit_is_refused(client, worker, person, settings):
    settings.OPENASC_DOCUMENT_MAX_BYTES = len(PDF)
    assert (
        client.post(
            f"/documents/people/{person.pk}/add", {"file": SimpleUploadedFile("a.pdf", PDF)}
        ).status_code
        == 302
    )
    response = client.post(
        f"/documents/people/{person.pk}/add", {"file": SimpleUploadedFile("a.pdf", PDF + b"x")}
    )
    assert response.status_code == 400 and "or smaller; this one is" in response.content.decode()
    assert Document.objects.count() == 1


def test_no_file_is_refused_on_the_page(client, worker, person):
    response = client.post(f"/documents/people/{person.pk}/add", {"title": "Nothing"})
    assert response.status_code == 400 and "Select a file to upload" in response.content.decode()


def test_a_missing_document_is_not_found(client, worker):
    assert client.get("/documents/999999").status_code == 404
    assert client.get("/documents/999999/download").status_code == 404


def test_the_persons_documents_list_and_what_can_be_printed(client, worker, person):
    DocumentFactory(person=person, title="Your care and support plan")
    DocumentFactory(person=person, attachment=True, title="Signed consent")
    plan = PlanFactory(person=person)
    page = client.get(f"/documents/people/{person.pk}")
    html = page.content.decode()
    assert page.status_code == 200 and "Signed consent" in html and "PDF, " in html
    assert (
        f'href="/documents/print/plan/{plan.pk}"' in html
        and f'href="/documents/print/plan/{plan.pk}/pdf"' in html
    )


def test_the_list_is_refused_and_audited_to_someone_who_cannot_open_the_person(client, outsider, person):
    DocumentFactory(person=person, title="Secret letter title")
    client.force_login(outsider)
    response = client.get(f"/documents/people/{person.pk}")
    assert response.status_code in (302, 403) and b"Secret letter title" not in response.content
    assert refusals(outsider, person) == 1


# --- printable pages and PDFs --------------------------------------------------------------------------------------


@pytest.fixture
def plan(person):
    a = AssessmentFactory(person=person, completed=True, what_matters="Seeing my grandchildren")
    with audit.exempt_from_safety_net():
        OutcomeAssessment.objects.create(assessment=a, code="nutrition", can_achieve=False, limbs=["a"])
    plan = PlanFactory(person=person, assessment=a, agreed_weekly_pence=28750, goals="To stay at home")
    PlanNeedFactory(
        plan=plan, outcome_code="nutrition", description="Help to cook a hot meal", meet_by="service"
    )
    ReviewFactory(person=person, plan=plan, due_on=timezone.localdate() + dt.timedelta(days=40))
    return plan


def test_the_printable_plan_page_has_the_budget_and_how_needs_are_met(client, worker, plan):
    page = client.get(f"/documents/print/plan/{plan.pk}")
    html = page.content.decode()
    assert page.status_code == 200 and "Your care and support plan" in html and "£287.50" in html
    assert "Help to cook a hot meal" in html and "Managing and maintaining nutrition" in html
    assert 'media="print"' in html and "documents/print.css" in html


def test_the_plan_pdf_has_its_text_and_pages(client, worker, plan, person):
    response = client.get(f"/documents/print/plan/{plan.pk}/pdf")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    pages, text = pdf_text(response.content)
    assert pages >= 1
    assert "/StructTreeRoot" in pypdf.PdfReader(io.BytesIO(response.content)).trailer["/Root"]  # tagged
    for words in (
        "Northshire County Council",
        "Your care and support plan",
        "£287.50",
        "Help to cook a hot meal",
        "Ruby Lane",
        "Page 1 of",
    ):
        assert words in text, words


def test_the_assessment_and_review_pdfs(client, worker, plan, person):
    a = plan.assessment
    pages, text = pdf_text(client.get(f"/documents/print/assessment/{a.pk}/pdf").content)
    assert pages >= 1 and "Your needs assessment" in text and "Seeing my grandchildren" in text
    assert "You have eligible needs for care and support" in text
    review = ReviewFactory(person=person, plan=plan, completed=True, notes="Going well")
    pages, text = pdf_text(client.get(f"/documents/print/review/{review.pk}/pdf").content)
    assert pages >= 1 and "Your review" in text and "Going well" in text


def test_printing_is_refused_and_audited_to_someone_who_cannot_open_the_person(
    client, outsider, plan, person
):
    client.force_login(outsider)
    assert client.get(f"/documents/print/plan/{plan.pk}").status_code == 403
    assert client.get(f"/documents/print/plan/{plan.pk}/pdf").status_code == 403
    assert refusals(outsider, person) == 2


def test_an_unknown_printable_kind_is_not_found(client, worker, plan):
    assert client.get(f"/documents/print/person/{plan.pk}").status_code == 404
    assert client.get("/documents/print/plan/999999").status_code == 404


def test_what_a_worker_typed_is_escaped_in_the_pdf(client, worker, person):
    letter = DocumentFactory(person=person, body='<img src="file:///etc/passwd"> <b>bold</b>')
    _pages, text = pdf_text(client.get(f"/documents/{letter.pk}/pdf").content)
    assert '<img src="file:///etc/passwd"> <b>bold</b>' in text  # shown as typed, never as markup


def test_the_pdf_renderer_fetches_no_url(monkeypatch):
    """Even markup that names files and servers is laid out without reading any of them."""
    import urllib.request

    from openasc.documents import pdf

    opened = []
    monkeypatch.setattr(urllib.request.OpenerDirector, "open", lambda self, *a, **k: opened.append(a))
    html = (
        '<html><head><link rel="stylesheet" href="http://127.0.0.1:9/x.css"></head><body>'
        '<img src="file:///etc/passwd"><img src="http://127.0.0.1:9/y.png"><p>Still rendered</p></body></html>'
    )
    monkeypatch.setattr(pdf, "html", lambda *a, **k: html)
    pages, text = pdf_text(pdf.render("unused", {}))
    assert opened == [] and pages == 1 and "Still rendered" in text


# --- templates -----------------------------------------------------------------------------------------------------


def test_an_administrator_edits_a_template_and_an_unknown_placeholder_is_refused(client, staff):
    client.force_login(staff.administrator)
    template = LetterTemplate.objects.get(key="review-due")
    assert client.get("/documents/templates").status_code == 200
    data = {
        "key": "review-due",
        "name": "Your review is due",
        "about": "review",
        "subject": "Your review",
        "body": "Dear {first_name}, {review_date}",
        "active": "on",
    }
    response = client.post(f"/documents/templates/{template.pk}", data)
    html = response.content.decode()
    assert (
        response.status_code == 400
        and "{review_date} is not a placeholder" in html
        and 'href="#body"' in html
    )
    response = client.post(
        f"/documents/templates/{template.pk}", {**data, "body": "Dear {first_name}, {review_due}"}
    )
    assert response.status_code == 302 and LetterTemplate.objects.get(pk=template.pk).body.endswith(
        "{review_due}"
    )


def test_workers_cannot_edit_templates(client, worker):
    assert client.get("/documents/templates").status_code == 403
    assert client.get("/documents/templates/new").status_code == 403
