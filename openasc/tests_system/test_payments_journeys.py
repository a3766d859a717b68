"""Provider payments in the browser, with axe and the reflow check at 320 CSS px on every page (the `journey`
fixture): a finance officer enters a home care invoice and sees it matched line by line against the plan, cannot
approve their own, a second finance officer approves it, and a payment run produces its ledger/BACS file."""

from __future__ import annotations

from pathlib import Path

import pytest

from openasc.core.models import AuditAction, AuditEvent, Role
from openasc.core.tests.factories import UserFactory
from openasc.payments.models import Invoice, InvoiceStatus, Payment
from openasc.payments.tests import factories as f
from openasc.people.tests.factories import PersonFactory

pytestmark = pytest.mark.system


@pytest.fixture
def agency(staff):
    loc = f.location("Kingsford branch")
    loc.provider.name = "Northshire Home Care"
    from openasc.core import audit

    with audit.exempt_from_safety_net():
        loc.provider.save()
    ivy = PersonFactory(first_name="Ivy", last_name="Northam")
    f.home_care(ivy, loc)  # £22.00 an hour, 10 hours a week
    return loc, ivy


def test_an_invoice_is_matched_approved_by_a_second_person_and_paid(journey, new_journey, staff, agency):
    loc, ivy = agency
    UserFactory(username="fo-approver", role=Role.FINANCE_OFFICER)
    page = journey.page
    journey.sign_in("finance_officer", start="/payments/invoices/new/")
    page.get_by_label("Provider", exact=True).select_option(label="Northshire Home Care")
    page.get_by_label("Payment schedule").select_option(label=f.schedule("home-care").name)
    page.fill("input[name='period_start-day']", "6")
    page.fill("input[name='period_start-month']", "4")
    page.fill("input[name='period_start-year']", "2026")
    page.get_by_label("Provider's invoice number").fill("NHC-0426")
    page.get_by_label("Invoice", exact=True).check()
    page.get_by_label("Or type the lines").fill(f"{ivy.la_person_id},,2026-04-06,2026-05-40,40,22.00,")
    journey.submit("Enter and match the invoice", status=400)
    assert any("row 2, to" in m or "Enter a date" in m for m in journey.error_messages())
    assert not Invoice.objects.exists()
    page.get_by_label("Or type the lines").fill(f"{ivy.la_person_id},,2026-04-06,2026-05-03,43.5,22.00,")
    journey.submit("Enter and match the invoice", status=200)
    invoice = Invoice.objects.get(number="NHC-0426")
    main = page.locator("main").inner_text()
    assert ivy.la_person_id in main and "Ivy Northam" in main
    assert "Invoiced £77.00 more than planned; invoiced 3.5 hours more than planned" in main
    assert AuditEvent.objects.filter(
        actor=staff.finance_officer, action=AuditAction.VIEW, person_id=ivy.pk
    ).exists()
    journey.submit("Submit for approval", status=200)
    # nobody approves their own: the button is not offered, and the page says why
    assert page.get_by_role("button", name="Approve", exact=True).count() == 0
    assert "someone else must approve it" in page.locator("main").inner_text()
    invoice.refresh_from_db()
    assert invoice.status == InvoiceStatus.SUBMITTED

    second = new_journey()
    second.sign_in("fo-approver", start=f"/payments/invoices/{invoice.pk}/")
    second.submit("Approve", status=200)
    invoice.refresh_from_db()
    assert invoice.status == InvoiceStatus.APPROVED and invoice.first_approver.username == "fo-approver"

    second.goto("/payments/runs/")
    p = second.page
    p.fill("input[name='period_end-day']", "3")
    p.fill("input[name='period_end-month']", "5")
    p.fill("input[name='period_end-year']", "2026")
    second.submit("Start the payment run", status=200)
    payment = Payment.objects.get(provider_id=loc.provider_id)
    assert payment.amount_pence == 95700
    assert "£957.00" in p.locator("main").inner_text()
    with p.expect_download() as download:
        p.get_by_role("link", name="Download the ledger/BACS export (CSV)").click()
    text = Path(download.value.path()).read_text(encoding="utf-8")
    assert text.splitlines()[0].startswith("payment_reference,provider_id,provider_name")
    assert f"{payment.reference},{loc.provider_id},Northshire Home Care" in text and ",95700,957.00," in text
    invoice.refresh_from_db()
    assert invoice.status == InvoiceStatus.PAID


def test_the_payment_pages_at_320px_and_a_refusal(journey, staff, agency):
    journey.sign_in("finance_officer", start="/payments/")
    journey.goto("/payments/expected/?period_end=2026-05-03")
    assert "Northshire Home Care" in journey.page.locator("main").inner_text()
    for path in (
        "/payments/schedules/",
        "/payments/nhs/",
        "/payments/call-monitoring/",
        "/payments/adjustments/new/",
        "/payments/invoices/",
        "/payments/runs/",
    ):
        journey.goto(path)
    other = journey  # a social worker is refused, audited
    other.page.context.clear_cookies()
    other.sign_in("social_worker", start="/payments/")
    assert other.path == "/payments/"
    assert "You cannot see this page" in other.page.locator("main").inner_text()
    assert AuditEvent.objects.filter(actor=staff.social_worker, action=AuditAction.ACCESS_REFUSED).exists()
