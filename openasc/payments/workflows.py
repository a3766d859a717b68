"""An invoice's states, as data (ADR 0010): entered (draft), submitted for approval by whoever entered it, approved
by someone with APPROVE_INVOICES who did not enter it, and, above the second-approval amount, approved again by a
third person; or rejected with a reason (and entered again as a new invoice). A payment run marks it paid.

An invoice is not a person's record, so `services.invoices` makes the transitions itself (status row and audit
event in one transaction) by these rules rather than through `Workflow.apply`, which acts on an opened record."""

from __future__ import annotations

from django.conf import settings

from openasc.core.access import Capability
from openasc.core.workflow import Transition, Workflow
from openasc.payments.models import Invoice, InvoiceStatus, InvoiceStatusChange

DEFAULT_SECOND_APPROVAL_PENCE = 500_000  # £5,000


def second_approval_pence() -> int:
    """Invoices above this (pence; OPENASC_SECOND_APPROVAL_PENCE, £5,000 unless set) need a second approver."""
    return int(getattr(settings, "OPENASC_SECOND_APPROVAL_PENCE", DEFAULT_SECOND_APPROVAL_PENCE))


def needs_second(invoice: Invoice) -> bool:
    return invoice.total_pence > second_approval_pence()


def _not_own(user, invoice: Invoice) -> str:
    if invoice.entered_by_id == user.pk:
        return "You entered this invoice: someone else must approve it (nobody approves their own)."
    if invoice.status == InvoiceStatus.SECOND and invoice.first_approver_id == user.pk:
        return "You have approved this invoice already: a second approver must be someone else."
    return ""


def _entered_it(user, invoice: Invoice) -> bool:
    return invoice.entered_by_id == user.pk


INVOICE = Workflow(
    name="invoice",
    noun="invoice",
    status_model=InvoiceStatusChange,
    parent_field="invoice",
    states=InvoiceStatus,
    initial=InvoiceStatus.DRAFT,
    transitions=(
        Transition(
            "submit",
            source={InvoiceStatus.DRAFT},
            target=InvoiceStatus.SUBMITTED,
            capability=(),
            also=_entered_it,
            label="Submit for approval",
            done="submitted",
            field="invoice",
            refused="Only the person who entered an invoice submits it for approval.",
        ),
        Transition(
            "approve",
            source={InvoiceStatus.SUBMITTED},
            target=InvoiceStatus.APPROVED,
            capability=Capability.APPROVE_INVOICES,
            label="Approve",
            done="approved",
            field="invoice",
            refused="Your role cannot approve invoices.",
            rule=_not_own,
        ),
        Transition(
            "approve_first",
            source={InvoiceStatus.SUBMITTED},
            target=InvoiceStatus.SECOND,
            capability=Capability.APPROVE_INVOICES,
            label="Approve",
            done="approved",
            field="invoice",
            refused="Your role cannot approve invoices.",
            rule=_not_own,
        ),
        Transition(
            "approve_second",
            source={InvoiceStatus.SECOND},
            target=InvoiceStatus.APPROVED,
            capability=Capability.APPROVE_INVOICES,
            label="Approve as the second approver",
            done="approved",
            field="invoice",
            refused="Your role cannot approve invoices.",
            rule=_not_own,
        ),
        Transition(
            "reject",
            source={InvoiceStatus.SUBMITTED, InvoiceStatus.SECOND},
            target=InvoiceStatus.REJECTED,
            capability=Capability.APPROVE_INVOICES,
            label="Reject",
            done="rejected",
            field="reason",
            refused="Your role cannot reject invoices.",
            rule=lambda user, inv: (
                "You entered this invoice: someone else decides on it."
                if inv.entered_by_id == user.pk
                else ""
            ),
        ),
        Transition(
            "pay",
            source={InvoiceStatus.APPROVED},
            target=InvoiceStatus.PAID,
            capability=Capability.RUN_PAYMENTS,
            label="Pay",
            done="paid",
            field="invoice",
        ),
    ),
)


def approval_transition(invoice: Invoice) -> str:
    """Which approval `invoice` is waiting for: the only one, the first of two (above the amount), or the second."""
    if invoice.status == InvoiceStatus.SECOND:
        return "approve_second"
    return "approve_first" if needs_second(invoice) else "approve"
