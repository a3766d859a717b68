"""Invoices: entered or uploaded, matched line by line with the differences explained, and approved by others."""

import datetime as dt
from decimal import Decimal

import pytest
from django.test import override_settings

from openasc.core.errors import AccessDenied, ValidationFailed
from openasc.core.models import AuditEvent
from openasc.payments.models import Invoice, InvoiceKind, InvoiceLine, InvoiceStatus, InvoiceStatusChange
from openasc.payments.selectors.invoices import match_invoice, totals
from openasc.payments.services import invoices as svc
from openasc.payments.services.csvin import LineIn
from openasc.payments.tests import factories as f

START, END = dt.date(2026, 4, 6), dt.date(2026, 5, 3)


def _csv(*rows):
    return "la_person_id,service_id,from,to,units,unit_cost,amount\n" + "\n".join(rows) + "\n"


def _enter(user, world, text, number="INV-1", kind=InvoiceKind.INVOICE):
    return svc.invoice_upload(
        user=user,
        provider_id=world.agency.provider_id,
        schedule_id=f.schedule("home-care").pk,
        period_start=START,
        number=number,
        kind=kind,
        text=text,
    )


def test_an_invoice_exactly_as_planned_matches_every_line(world, officers):
    inv = _enter(
        officers.clerk,
        world,
        _csv(
            f"{world.ann.la_person_id},,2026-04-06,2026-05-03,40,22.00,",
            f"{world.bob.la_person_id},,06/04/2026,03/05/2026,28,20.00,560.00",
        ),
    )
    assert inv.total_pence == 88000 + 56000 and inv.status == InvoiceStatus.DRAFT
    matches = match_invoice(inv)
    assert [m.service_id for m in matches] == [world.ann_care.pk, world.bob_care.pk]
    assert [m.explanation for m in matches] == ["As planned", "As planned"]
    assert totals(matches).invoiced_pence == totals(matches).planned_pence == 144000


def test_an_invoice_over_plan_is_explained_with_the_call_monitoring(world, officers):
    # 43.5 hours invoiced against 40 planned; call monitoring shows 42.75 hours
    svc.ecm_upload(
        user=officers.clerk,
        provider_id=world.agency.provider_id,
        text="la_person_id,visit_date,minutes\n"
        + "\n".join(
            f"{world.ann.la_person_id},{(START + dt.timedelta(days=d)).isoformat()},{90 if d < 27 else 135}"
            for d in range(28)
        ),
    )
    inv = _enter(
        officers.clerk, world, _csv(f"{world.ann.la_person_id},,2026-04-06,2026-05-03,43.5,22.00,957.00")
    )
    (m,) = match_invoice(inv)
    assert m.planned_pence == 88000 and m.difference_pence == 7700
    assert m.ecm_hours == Decimal("42.75")
    assert m.explanation == (
        "Invoiced £77.00 more than planned; invoiced 3.5 hours more than planned, and 0.75 more than the call "
        "monitoring shows"
    )
    assert m.status == "differs"


def test_an_invoice_under_plan_and_a_service_that_ended(world, officers):
    world.bob_care.end_on = dt.date(2026, 4, 26)
    with __import__("openasc.core.audit", fromlist=["x"]).exempt_from_safety_net():
        world.bob_care.save()
    inv = _enter(officers.clerk, world, _csv(f"{world.bob.la_person_id},,2026-04-06,2026-05-03,20,20.00,"))
    (m,) = match_invoice(inv)
    assert m.planned_pence == 42000  # 21 days of £140 a week
    assert m.explanation == (
        "Invoiced £20.00 less than planned; invoiced 1 hour fewer than planned; service ended on 26 April 2026"
    )


def test_lines_that_cannot_be_matched_are_flagged(world, officers):
    inv = _enter(
        officers.clerk,
        world,
        _csv(
            "NOBODY-1,,2026-04-06,2026-05-03,,,10.00",
            f"{world.cat.la_person_id},,2026-04-06,2026-05-03,,,10.00",
        ),
    )
    a, b = match_invoice(inv)
    assert (a.status, a.explanation) == ("not matched", "No person with LA person id NOBODY-1")
    assert (b.status, b.explanation) == (
        "not matched",
        "No service for this person at this provider in the period",
    )
    assert totals([a, b]).unmatched == 2


def test_a_credit_note_counts_negatively(world, officers):
    inv = _enter(
        officers.clerk,
        world,
        _csv(f"{world.ann.la_person_id},,2026-04-20,2026-04-26,,,44.00"),
        number="CN-1",
        kind=InvoiceKind.CREDIT_NOTE,
    )
    assert inv.signed_total_pence == -4400
    (m,) = match_invoice(inv)
    assert m.invoiced_pence == -4400 and m.planned_pence == -22000


def test_csv_errors_are_reported_by_row_and_column_and_nothing_is_saved(world, officers):
    before = (Invoice.objects.count(), InvoiceLine.objects.count())
    with pytest.raises(ValidationFailed) as caught:
        _enter(
            officers.clerk,
            world,
            _csv(
                f"{world.ann.la_person_id},,2026-04-06,2026-05-03,40,22.00,",
                ",,2026-04-31,2026-05-03,,,12.345",
                f"{world.bob.la_person_id},x,2026-05-03,2026-04-06,-1,,",
            ),
        )
    errors = caught.value.errors
    assert errors["row 3, la_person_id"] == "Enter the person's LA person id"
    assert errors["row 3, from"].startswith("Enter a date like")
    assert errors["row 3, amount"] == "The amount can have at most 2 decimal places (pence), like 18.50"
    assert errors["row 4, service_id"].startswith("A service id is a whole number")
    assert errors["row 4, to"] == "The last day must be on or after the first"
    assert errors["row 4, units"].startswith("Enter the units (hours) as a number of 0 or more")
    assert not any(k.startswith("row 2") for k in errors)
    assert (Invoice.objects.count(), InvoiceLine.objects.count()) == before


def test_a_csv_without_the_columns_is_refused(world, officers):
    with pytest.raises(ValidationFailed) as caught:
        _enter(officers.clerk, world, "person,amount\nX,1\n")
    assert "no column la_person_id, from, to" in caught.value.errors["file"]


def test_an_invoice_number_is_unique_per_provider_and_lines_stay_in_the_period(world, officers):
    _enter(officers.clerk, world, _csv(f"{world.ann.la_person_id},,2026-04-06,2026-05-03,,,1.00"))
    with pytest.raises(ValidationFailed) as caught:
        _enter(officers.clerk, world, _csv(f"{world.ann.la_person_id},,2026-04-06,2026-05-04,,,1.00"))
    assert "already has an invoice numbered INV-1" in caught.value.errors["number"]
    assert caught.value.errors["row 2, from"].startswith("The line's dates must be within the period")


def test_the_period_must_start_on_a_period_start(world, officers):
    with pytest.raises(ValidationFailed) as caught:
        svc.invoice_enter(
            user=officers.clerk,
            provider_id=world.agency.provider_id,
            schedule_id=f.schedule("home-care").pk,
            period_start=dt.date(2026, 4, 7),
            number="X",
            lines=[LineIn(2, "A", None, START, END, None, None, 1)],
        )
    assert "is not the first day of a period" in caught.value.errors["period_start"]


def test_only_a_role_that_enters_invoices_may(world, staff):
    with pytest.raises(AccessDenied):
        _enter(staff.social_worker, world, _csv(f"{world.ann.la_person_id},,2026-04-06,2026-05-03,,,1.00"))
    assert AuditEvent.objects.filter(actor=staff.social_worker, action="access_refused").exists()
    assert not Invoice.objects.exists()


# --- approval -------------------------------------------------------------------------------------------------------


def _submitted(world, officers, amount="1000.00", number="INV-A"):
    inv = _enter(
        officers.clerk,
        world,
        _csv(f"{world.ann.la_person_id},,2026-04-06,2026-05-03,,,{amount}"),
        number=number,
    )
    return svc.invoice_submit(user=officers.clerk, invoice_id=inv.pk)


def test_nobody_approves_their_own_invoice(world, officers):
    inv = _submitted(world, officers)
    with pytest.raises(ValidationFailed) as caught:
        svc.invoice_approve(user=officers.clerk, invoice_id=inv.pk)
    assert "nobody approves their own" in caught.value.errors["invoice"]
    assert AuditEvent.objects.filter(actor=officers.clerk, action="access_refused").exists()
    inv.refresh_from_db()
    assert inv.status == InvoiceStatus.SUBMITTED


def test_a_social_worker_cannot_approve(world, officers, staff):
    inv = _submitted(world, officers)
    with pytest.raises(AccessDenied):
        svc.invoice_approve(user=staff.social_worker, invoice_id=inv.pk)


@override_settings(OPENASC_SECOND_APPROVAL_PENCE=500000)
def test_at_the_threshold_one_approval_is_enough(world, officers):
    inv = _submitted(world, officers, amount="5000.00")
    inv = svc.invoice_approve(user=officers.first, invoice_id=inv.pk)
    assert inv.status == InvoiceStatus.APPROVED and inv.first_approver == officers.first
    assert list(InvoiceStatusChange.objects.filter(invoice=inv).values_list("status", flat=True)) == [
        "draft",
        "submitted",
        "approved",
    ]


@override_settings(OPENASC_SECOND_APPROVAL_PENCE=500000)
def test_above_the_threshold_a_second_different_approver_is_needed(world, officers):
    inv = _submitted(world, officers, amount="5000.01")
    inv = svc.invoice_approve(user=officers.first, invoice_id=inv.pk)
    assert inv.status == InvoiceStatus.SECOND
    with pytest.raises(ValidationFailed) as caught:
        svc.invoice_approve(user=officers.first, invoice_id=inv.pk)
    assert "a second approver must be someone else" in caught.value.errors["invoice"]
    with pytest.raises(ValidationFailed):
        svc.invoice_approve(user=officers.clerk, invoice_id=inv.pk)
    inv = svc.invoice_approve(user=officers.second, invoice_id=inv.pk)
    assert inv.status == InvoiceStatus.APPROVED
    assert (inv.first_approver, inv.second_approver) == (officers.first, officers.second)


def test_rejection_needs_a_reason(world, officers):
    inv = _submitted(world, officers)
    with pytest.raises(ValidationFailed) as caught:
        svc.invoice_reject(user=officers.first, invoice_id=inv.pk, reason=" ")
    assert "Say why" in caught.value.errors["reason"]
    inv = svc.invoice_reject(user=officers.first, invoice_id=inv.pk, reason="Hours do not match the rota")
    assert inv.status == InvoiceStatus.REJECTED and inv.rejection_reason == "Hours do not match the rota"
    with pytest.raises(ValidationFailed):  # a rejected invoice cannot then be approved
        svc.invoice_approve(user=officers.second, invoice_id=inv.pk)


def test_a_draft_cannot_be_approved_before_it_is_submitted(world, officers):
    inv = _enter(officers.clerk, world, _csv(f"{world.ann.la_person_id},,2026-04-06,2026-05-03,,,1.00"))
    with pytest.raises(ValidationFailed) as caught:
        svc.invoice_approve(user=officers.first, invoice_id=inv.pk)
    assert "cannot be approved now" in caught.value.errors["invoice"]


def test_a_rejected_invoice_can_be_sent_again_with_its_number(world, officers):
    inv = _submitted(world, officers, number="INV-R")
    svc.invoice_reject(user=officers.first, invoice_id=inv.pk, reason="Wrong hours")
    again = _enter(
        officers.clerk,
        world,
        _csv(f"{world.ann.la_person_id},,2026-04-06,2026-05-03,40,22.00,"),
        number="INV-R",
    )
    assert again.pk != inv.pk and Invoice.objects.filter(number="INV-R").count() == 2
    with pytest.raises(ValidationFailed):  # but not twice while the first is live
        _enter(
            officers.clerk,
            world,
            _csv(f"{world.ann.la_person_id},,2026-04-06,2026-05-03,,,1.00"),
            number="INV-R",
        )
