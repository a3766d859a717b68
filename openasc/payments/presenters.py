"""Formatting for the payments pages: money through core.money.pounds, dates as 6 April 2026, links by format_html."""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import reverse
from django.utils.html import format_html

from openasc.core.money import pounds
from openasc.payments.models import InvoiceStatus, RunStatus
from openasc.payments.workflows import INVOICE
from openasc.ui.jinja2 import uk_date

DASH = "–"
STATUS_COLOURS = {
    InvoiceStatus.DRAFT: "grey",
    InvoiceStatus.SUBMITTED: "blue",
    InvoiceStatus.SECOND: "purple",
    InvoiceStatus.APPROVED: "green",
    InvoiceStatus.REJECTED: "red",
    InvoiceStatus.PAID: "turquoise",
}
MATCH_COLOURS = {"as planned": "green", "differs": "yellow", "not matched": "red"}


def money(pence) -> str:
    return DASH if pence is None else pounds(pence)


def hours(value) -> str:
    return DASH if value is None else f"{value:.2f}"


def status_tag(invoice) -> dict:
    return {
        "text": INVOICE.label(invoice.status),
        "classes": f"govuk-tag--{STATUS_COLOURS.get(invoice.status, 'grey')}",
    }


def _link(href: str, text: str) -> str:
    return format_html('<a class="govuk-link" href="{}">{}</a>', href, text)


def _tag(text: str, colour: str) -> str:
    return format_html('<strong class="govuk-tag govuk-tag--{}">{}</strong>', colour, text)


def invoice_rows(invoices) -> list[list[dict]]:
    return [
        [
            {
                "html": _link(reverse("payments:invoice", args=[inv.pk]), inv.number),
                "classes": "app-break-anywhere",
            },
            {"text": inv.provider.name},
            {"text": inv.get_kind_display()},
            {"text": f"{uk_date(inv.period_start)} to {uk_date(inv.period_end)}"},
            {"text": pounds(inv.signed_total_pence), "format": "numeric"},
            {"html": _tag(INVOICE.label(inv.status), STATUS_COLOURS.get(inv.status, "grey"))},
        ]
        for inv in invoices
    ]


INVOICE_HEAD = [
    {"text": "Number"},
    {"text": "Provider"},
    {"text": "Kind"},
    {"text": "Period"},
    {"text": "Total", "format": "numeric"},
    {"text": "Status"},
]


def invoice_summary(invoice, totals) -> list[dict]:
    rows = [
        ("Provider", invoice.provider.name),
        ("Kind", invoice.get_kind_display()),
        ("Provider's number", invoice.number),
        ("Schedule", invoice.schedule.name),
        ("Period", f"{uk_date(invoice.period_start)} to {uk_date(invoice.period_end)}"),
        ("Invoiced", pounds(totals.invoiced_pence)),
        ("Planned for these lines", pounds(totals.planned_pence)),
        ("Difference", pounds(totals.invoiced_pence - totals.planned_pence)),
        (
            "Lines",
            f"{totals.lines:,} ({totals.differing:,} differ from the plan, {totals.unmatched:,} not matched)",
        ),
        ("Entered by", f"{invoice.entered_by.get_full_name() or invoice.entered_by.username}"),
        ("Status", INVOICE.label(invoice.status)),
    ]
    if invoice.first_approver_id:
        rows.append(
            ("Approved by", invoice.first_approver.get_full_name() or invoice.first_approver.username)
        )
    if invoice.second_approver_id:
        rows.append(
            ("Second approver", invoice.second_approver.get_full_name() or invoice.second_approver.username)
        )
    if invoice.rejection_reason:
        rows.append(("Why it was rejected", invoice.rejection_reason))
    return [{"key": {"text": k}, "value": {"text": v}} for k, v in rows]


MATCH_HEAD = [
    {"text": "Row", "format": "numeric"},
    {"text": "Person"},
    {"text": "Dates"},
    {"text": "Invoiced", "format": "numeric"},
    {"text": "Planned", "format": "numeric"},
    {"text": "Hours invoiced, planned, monitored"},
    {"text": "Match"},
]


def match_rows(matches) -> list[list[dict]]:
    rows = []
    for m in matches:
        who = (
            format_html(
                '<a class="govuk-link" href="{}">{}</a><br>{}',
                reverse("people:detail", args=[m.person_id]),
                m.la_person_id,
                m.name,
            )
            if m.person_id
            else format_html("{}<br>(not known)", m.la_person_id)
        )
        rows.append(
            [
                {"text": str(m.line.row), "format": "numeric"},
                {"html": who, "classes": "app-break-anywhere"},
                {"text": f"{uk_date(m.line.from_on)} to {uk_date(m.line.to_on)}"},
                {"text": pounds(m.invoiced_pence), "format": "numeric"},
                {"text": money(m.planned_pence), "format": "numeric"},
                {"text": f"{hours(m.invoiced_hours)}, {hours(m.planned_hours)}, {hours(m.ecm_hours)}"},
                {
                    "html": format_html(
                        "{}<br>{}", _tag(m.status.capitalize(), MATCH_COLOURS[m.status]), m.explanation
                    )
                },
            ]
        )
    return rows


def run_rows(runs) -> list[list[dict]]:
    colours = {RunStatus.RUNNING: "blue", RunStatus.FINISHED: "green", RunStatus.FAILED: "red"}
    return [
        [
            {"html": _link(reverse("payments:run", args=[r.pk]), f"Run {r.pk}")},
            {"text": uk_date(r.period_end)},
            {"text": f"{r.payments:,}", "format": "numeric"},
            {"text": pounds(r.total_pence), "format": "numeric"},
            {"html": _tag(r.get_status_display(), colours.get(r.status, "grey"))},
        ]
        for r in runs
    ]


RUN_HEAD = [
    {"text": "Run"},
    {"text": "Periods ending"},
    {"text": "Payments", "format": "numeric"},
    {"text": "Total", "format": "numeric"},
    {"text": "Status"},
]


def payment_rows(payments) -> list[list[dict]]:
    return [
        [
            {"text": p.reference, "classes": "app-break-anywhere"},
            {"text": p.provider.name},
            {"text": f"{uk_date(p.period_start)} to {uk_date(p.period_end)}"},
            {"text": pounds(p.amount_pence), "format": "numeric"},
            {"text": p.cost_centre_code or DASH},
            {
                "html": format_html(
                    '<a class="govuk-link" href="{}">CSV<span class="govuk-visually-hidden"> remittance for {}</span></a>, '
                    '<a class="govuk-link" href="{}">PDF<span class="govuk-visually-hidden"> remittance for {}</span></a>',
                    reverse("payments:remittance", args=[p.pk, "csv"]),
                    p.reference,
                    reverse("payments:remittance", args=[p.pk, "pdf"]),
                    p.reference,
                )
            },
        ]
        for p in payments
    ]


PAYMENT_HEAD = [
    {"text": "Reference"},
    {"text": "Provider"},
    {"text": "Period"},
    {"text": "Amount", "format": "numeric"},
    {"text": "Cost centre"},
    {"text": "Remittance"},
]


def would_pay_rows(items) -> list[list[dict]]:
    return [
        [
            {"text": p.reference, "classes": "app-break-anywhere"},
            {"text": p.provider_name},
            {"text": f"{uk_date(p.period.first)} to {uk_date(p.period.last)}"},
            {"text": pounds(p.amount_pence), "format": "numeric"},
            {"text": f"{len(p.lines):,}", "format": "numeric"},
        ]
        for p in items
    ]


def schedule_rows(schedules, next_periods) -> list[list[dict]]:
    return [
        [
            {"html": _link(reverse("payments:schedule", args=[s.pk]), s.name)},
            {"text": ", ".join(s.care_categories or []) or ", ".join(s.service_types or []) or DASH},
            {"text": s.get_frequency_display()},
            {"text": s.get_timing_display()},
            {"text": s.get_basis_display()},
            {"text": next_periods.get(s.pk, DASH)},
        ]
        for s in schedules
    ]


SCHEDULE_HEAD = [
    {"text": "Schedule"},
    {"text": "Pays"},
    {"text": "How often"},
    {"text": "When"},
    {"text": "On"},
    {"text": "Current period"},
]


def contribution_rows(contributions, *, with_person=True) -> list[list[dict]]:
    rows = []
    for c in contributions:
        amount = (
            pounds(c.weekly_pence) + " a week" if c.weekly_pence is not None else f"{c.percent}% of the cost"
        )
        row = []
        if with_person:
            row.append(
                {
                    "html": format_html(
                        '<a class="govuk-link" href="{}">{}</a><br>{}',
                        reverse("people:detail", args=[c.person_id]),
                        c.person.la_person_id,
                        c.person.full_name,
                    ),
                    "classes": "app-break-anywhere",
                }
            )
        row += [
            {"html": _link(reverse("payments:service", args=[c.service_id]), f"Service {c.service_id}")},
            {"text": c.get_kind_display()},
            {"text": amount},
            {"text": f"{uk_date(c.from_on)} to {uk_date(c.to_on) if c.to_on else 'open'}"},
            {"text": c.icb_reference or DASH, "classes": "app-break-anywhere"},
        ]
        rows.append(row)
    return rows


def contribution_head(with_person=True) -> list[dict]:
    head = [{"text": "Person"}] if with_person else []
    return [
        *head,
        {"text": "Service"},
        {"text": "Kind"},
        {"text": "NHS pays"},
        {"text": "Dates"},
        {"text": "ICB reference"},
    ]


@dataclass(frozen=True)
class ExpectedSummary:
    provider_id: int
    schedule_id: int
    schedule_code: str
    schedule_name: str
    services: int
    total_pence: int


def expected_rows(summaries, names, day) -> list[list[dict]]:
    rows = []
    for e in summaries:
        href = reverse("payments:expected-provider", args=[e.provider_id]) + (
            f"?schedule={e.schedule_id}&period_end={day.isoformat()}"
        )
        rows.append(
            [
                {"html": _link(href, names.get(e.provider_id, str(e.provider_id)))},
                {"text": e.schedule_name},
                {"text": f"{e.services:,}", "format": "numeric"},
                {"text": pounds(e.total_pence), "format": "numeric"},
            ]
        )
    return rows


EXPECTED_LINE_HEAD = [
    {"text": "Person"},
    {"text": "Service"},
    {"text": "Dates"},
    {"text": "Days", "format": "numeric"},
    {"text": "Weekly cost", "format": "numeric"},
    {"text": "Planned hours", "format": "numeric"},
    {"text": "Cost", "format": "numeric"},
]


def expected_line_rows(lines, people) -> list[list[dict]]:
    rows = []
    for ln in lines:
        person = people.get(ln.person_id)
        who = (
            format_html(
                '<a class="govuk-link" href="{}">{}</a><br>{}',
                reverse("people:detail", args=[ln.person_id]),
                person.la_person_id,
                person.full_name,
            )
            if person
            else str(ln.person_id)
        )
        rows.append(
            [
                {"html": who, "classes": "app-break-anywhere"},
                {
                    "html": _link(
                        reverse("payments:service", args=[ln.service_id]), f"Service {ln.service_id}"
                    )
                },
                {"text": f"{uk_date(ln.first)} to {uk_date(ln.last)}"},
                {"text": str(ln.days), "format": "numeric"},
                {"text": "one-off" if ln.one_off else money(ln.weekly_pence), "format": "numeric"},
                {"text": f"{ln.units:.2f}" if ln.units else DASH, "format": "numeric"},
                {"text": pounds(ln.pence), "format": "numeric"},
            ]
        )
    return rows


EXPECTED_HEAD = [
    {"text": "Provider"},
    {"text": "Schedule"},
    {"text": "Services", "format": "numeric"},
    {"text": "Expected", "format": "numeric"},
]


def payment_line_rows(lines) -> list[list[dict]]:
    return [
        [
            {"text": ln.payment.reference, "classes": "app-break-anywhere"},
            {"text": ln.description},
            {"text": f"{uk_date(ln.from_on)} to {uk_date(ln.to_on)}"},
            {"text": pounds(ln.amount_pence), "format": "numeric"},
        ]
        for ln in lines
    ]
