"""Documents in the browser: a letter is generated, edited and stored (and downloaded as a PDF); the plan's PDF is
downloaded and read back (text present, pages render); an attachment is uploaded, opened by an allowed user and
refused (audited) to another. Every page is checked with axe and for reflow at 320 CSS px (the `journey` fixture)."""

import io
from pathlib import Path

import pypdf
import pytest

from openasc.core.models import AuditEvent, RelationshipKind
from openasc.core.tests.factories import CareRelationshipFactory, TeamFactory, UserFactory
from openasc.documents import standard
from openasc.documents.models import Document, LetterTemplate
from openasc.people.tests.factories import PersonFactory
from openasc.planning.tests.factories import PlanFactory, PlanNeedFactory

pytestmark = pytest.mark.system

PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


@pytest.fixture
def documents_dir(settings, tmp_path):
    settings.OPENASC_DOCUMENTS_DIR = str(tmp_path / "documents")
    standard.load(LetterTemplate)  # the standard letters (a browser test empties every table when it ends)
    return tmp_path / "documents"


@pytest.fixture
def person(staff):
    p = PersonFactory(first_name="Dorothy", last_name="Fenwick", address_line_1="9 Beck Lane", town="Northby")
    CareRelationshipFactory(person=p, user=staff.social_worker, kind=RelationshipKind.ALLOCATED_WORKER)
    return p


@pytest.fixture
def plan(person):
    plan = PlanFactory(person=person, agreed_weekly_pence=31250, goals="To keep living at home with my cat")
    PlanNeedFactory(
        plan=plan, outcome_code="nutrition", meet_by="service", description="A carer helps cook lunch"
    )
    PlanNeedFactory(
        plan=plan, outcome_code="hygiene", meet_by="family", description="Her son helps her bathe"
    )
    return plan


def press_link_button(journey, name: str) -> None:
    """Follow a link drawn as a GOV.UK button (role button), and check the page it leads to."""
    with journey.page.expect_navigation():
        journey.page.get_by_role("button", name=name).click()
    journey.check()


def pdf_of(download) -> tuple[int, str]:
    reader = pypdf.PdfReader(io.BytesIO(Path(download.path()).read_bytes()))
    return len(reader.pages), " ".join(" ".join(p.extract_text().split()) for p in reader.pages)


def test_a_letter_is_generated_edited_stored_and_downloaded(journey, staff, person, plan, documents_dir):
    page = journey.page
    journey.sign_in("social_worker", start=f"/people/{person.pk}")
    journey.click_link("write a letter")
    assert journey.path == f"/documents/people/{person.pk}/letter"
    journey.submit("Continue", status=400)
    assert journey.error_links() == [("#template", "Choose the letter to write")]

    page.get_by_label("Your care and support plan").check()
    page.get_by_label("What is the letter about? (optional)").select_option(f"plan:{plan.pk}")
    journey.submit("Continue", status=200)
    body = page.get_by_label("The letter", exact=True)
    text = body.input_value()
    assert text.startswith("Dear Dorothy") and "£312.50 a week (agreed)" in text
    assert "- Managing and maintaining nutrition: A carer helps cook lunch" in text
    journey.screenshot("letter-to-edit")

    body.fill("")
    journey.submit("Store the letter", status=400)
    assert journey.error_links() == [("#body", "Enter the letter")]
    body = page.get_by_label("The letter", exact=True)
    body.fill(text.replace("Dear Dorothy", "Dear Mrs Fenwick") + "\n\nPS: the carers start on Monday.")
    journey.submit("Store the letter", status=200)
    letter = Document.objects.get()
    assert journey.path == f"/documents/{letter.pk}"
    main = page.locator("main").inner_text()
    assert (
        "Letter stored on the record" in main
        and "Dear Mrs Fenwick" in main
        and "PS: the carers start" in main
    )
    journey.screenshot("letter-stored")

    with page.expect_download() as info:
        page.get_by_role("button", name="Download as PDF").click()
    pages, pdf_text = pdf_of(info.value)
    assert pages >= 1 and "Dear Mrs Fenwick" in pdf_text and "Northshire County Council" in pdf_text

    press_link_button(journey, "Change this letter")
    page.get_by_label("The letter", exact=True).fill("Dear Mrs Fenwick\n\nThe carers now start on Tuesday.")
    journey.submit("Store as a new version", status=200)
    assert "New version of the letter stored" in page.locator("main").inner_text()
    assert Document.objects.count() == 2 and Document.objects.get(version=1).body.find("Monday") > 0

    journey.click_link("Back to documents and letters")
    journey.click_link("Back to the record")
    timeline = page.locator(".app-timeline").inner_text()
    assert "Letter: Your care and support plan" in timeline and "Letter changed (version 2)" in timeline


def test_the_plans_pdf_is_downloaded_and_checked(journey, staff, person, plan, documents_dir):
    page = journey.page
    journey.sign_in("social_worker", start=f"/documents/people/{person.pk}")
    journey.click_link(f"Print Care and support plan, version {plan.version}")
    assert journey.path == f"/documents/print/plan/{plan.pk}"
    main = page.locator("main").inner_text()
    assert "Your care and support plan" in main and "£312.50" in main and "Her son helps her bathe" in main
    journey.screenshot("plan-printable")
    assert page.locator(".govuk-template__header").is_visible()
    page.emulate_media(media="print")  # on paper: the document only, without the service around it
    assert page.locator(".govuk-template__header").is_hidden() and page.locator(".govuk-footer").is_hidden()
    assert page.get_by_role("button", name="Download as PDF").is_hidden()
    assert page.locator("article.app-document").is_visible()
    journey.screenshot("plan-printed")
    page.emulate_media(media="screen")
    with page.expect_download() as info:
        page.get_by_role("button", name="Download as PDF").click()
    download = info.value
    assert download.suggested_filename == f"plan-{person.la_person_id}-{plan.pk}.pdf"
    pages, text = pdf_of(download)
    assert pages >= 1
    for words in (
        "Northshire County Council",
        "Your care and support plan",
        "Dorothy Fenwick",
        "£312.50",
        "A carer helps cook lunch",
        "To keep living at home with my cat",
        "Page 1 of",
    ):
        assert words in text, words


def test_an_attachment_is_uploaded_opened_by_an_allowed_user_and_refused_to_another(
    journey, new_journey, staff, person, documents_dir, tmp_path
):
    page = journey.page
    journey.sign_in("social_worker", start=f"/people/{person.pk}")
    journey.click_link("add a document")
    journey.submit("Add the document", status=400)
    assert journey.error_links() == [("#file", "Select a file to upload")]

    disguised = tmp_path / "consent.pdf"
    disguised.write_bytes(PNG)
    page.get_by_label("Upload a file").set_input_files(str(disguised))
    journey.submit("Add the document", status=400)
    assert journey.error_links() == [
        (
            "#file",
            "The selected file is a PNG image, but its name ends .pdf: rename it to end .png, or choose the "
            "right file",
        )
    ]
    journey.screenshot("attachment-refused")

    real = tmp_path / "Signed consent form.pdf"
    real.write_bytes(PDF)
    page.get_by_label("Upload a file").set_input_files(str(real))
    page.get_by_label("Title (optional)").fill("Signed consent to share")
    journey.submit("Add the document", status=200)
    doc = Document.objects.get()
    assert (
        journey.path == f"/documents/{doc.pk}"
        and "Document added to the record" in page.locator("main").inner_text()
    )
    assert (
        not (documents_dir / "Signed consent form.pdf").exists()
        and len(list(documents_dir.rglob("*.*"))) == 0
    )
    with page.expect_download() as info:
        page.get_by_role("button", name="Download the file").click()
    assert info.value.suggested_filename == "Signed consent form.pdf"
    assert Path(info.value.path()).read_bytes() == PDF

    outsider = UserFactory(username="east-worker", teams=[TeamFactory(code="east-y", name="East Y")])
    other = new_journey()
    other.sign_in("east-worker", start="/")
    other.goto(f"/documents/{doc.pk}/download", status=403)
    assert "You cannot open this record" in other.page.locator("main").inner_text()
    other.goto(f"/documents/{doc.pk}", status=403)
    assert "Signed consent to share" not in other.page.locator("main").inner_text()
    refused = AuditEvent.objects.filter(actor=outsider, person_id=person.pk, action="access_refused")
    assert {e.details["purpose"] for e in refused} == {"download document", "view document"}
