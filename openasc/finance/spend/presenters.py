"""Page and file formatting for the spend report: plain functions of `spend.calc` results (no database, no request).
Money only through core.money.pounds (on screen) and pounds_input (in files, as plain numbers)."""

from __future__ import annotations

from urllib.parse import urlencode

from django.urls import reverse
from django.utils.html import format_html

from openasc.core.money import pounds, pounds_input
from openasc.finance.spend import calc
from openasc.ui.jinja2 import uk_date

DASH = "–"
HEAD = ["Spend", "People", "Services", "Average weekly cost per person", "Hourly rate"]
FILE_HEADER = [
    "Table",
    "Group",
    "Gross spend (£)",
    "People",
    "Services",
    "Average weekly cost per person (£)",
    "Hourly rate (£)",
    "Hours",
]


def behind_url(year: str, mode: str, dimension: str, label: str, **extra) -> str:
    query = {"year": year, "to": mode, "dim": dimension, "row": label, **extra}
    return reverse("finance:spend-services") + "?" + urlencode(query)


def report_url(year: str, mode: str, *, anchor: str = "", **extra) -> str:
    url = reverse("finance:spend") + "?" + urlencode({"year": year, "to": mode, **extra})
    return url + (f"#{anchor}" if anchor else "")


def _link(href: str, text: str, what: str) -> str:
    return format_html(
        '<a class="govuk-link" href="{}">{}<span class="govuk-visually-hidden"> ({})</span></a>',
        href,
        text,
        what,
    )


def table_rows(rows: list[calc.Row], *, year: str, mode: str, dimension: str) -> list[list[dict]]:
    """A table of one dimension: each figure opens the services behind it."""
    out = []
    for r in rows:
        href = behind_url(year, mode, dimension, r.label)
        out.append(
            [
                {"text": r.label, "classes": "app-break-anywhere"},
                {"html": _link(href, pounds(r.spend_pence), f"spend, {r.label}"), "format": "numeric"},
                {"html": _link(href, f"{r.people:,}", f"people, {r.label}"), "format": "numeric"},
                {"html": _link(href, f"{r.services:,}", f"services, {r.label}"), "format": "numeric"},
                {"text": pounds(r.average_weekly_pence) or DASH, "format": "numeric"},
                {"text": pounds(r.hourly_rate_pence) or DASH, "format": "numeric"},
            ]
        )
    return out


def total_rows(result: calc.Spend, *, year: str, mode: str) -> list[dict]:
    t = result.total
    href = behind_url(year, mode, "", calc.TOTAL)
    return [
        {"key": {"text": "Period"}, "value": {"text": f"{uk_date(result.first)} to {uk_date(result.last)}"}},
        {
            "key": {"text": "Gross spend"},
            "value": {"html": _link(href, pounds(t.spend_pence), "all services")},
        },
        {"key": {"text": "People"}, "value": {"text": f"{t.people:,}"}},
        {"key": {"text": "Services"}, "value": {"text": f"{t.services:,}"}},
        {
            "key": {"text": "Average weekly cost per person"},
            "value": {"text": pounds(t.average_weekly_pence) or DASH},
        },
        {
            "key": {"text": "Hourly rate (hourly services)"},
            "value": {"text": pounds(t.hourly_rate_pence) or DASH},
        },
    ]


def chart_bars(rows: list[calc.Row]) -> list[dict]:
    """Bars for the chart of spend by setting: its label, its amount, and its length out of 560."""
    peak = max([r.spend_pence for r in rows] or [0])
    return [
        {
            "label": r.label,
            "amount": pounds(r.spend_pence),
            "width": round(560 * r.spend_pence / peak, 1) if peak else 0,
            "y": i * 44,
        }
        for i, r in enumerate(rows)
    ]


def file_rows(result: calc.Spend) -> list[list]:
    """Every table as lines of a file (no names): the figures as plain numbers."""
    out = []

    def line(table: str, r: calc.Row) -> list:
        return [
            table,
            r.label,
            pounds_input(r.spend_pence),
            r.people,
            r.services,
            pounds_input(r.average_weekly_pence),
            pounds_input(r.hourly_rate_pence),
            f"{r.hours:.2f}",
        ]

    out.append(line("Total", result.total))
    for d, title in calc.DIMENSIONS.items():
        for r in result.tables[d]:
            out.append(line(title, r))
    return out


def service_table(rows, *, can_link: bool = True) -> list[list[dict]]:
    out = []
    for r in rows:
        person = (
            {
                "html": format_html(
                    '<a class="govuk-link" href="{}">{}</a>',
                    reverse("people:detail", args=[r.person_id]),
                    r.la_person_id,
                )
            }
            if can_link
            else {"text": r.la_person_id}
        )
        service = r.service_type + (f": {r.service_component}" if r.service_component else "")
        out.append(
            [
                person,
                {"text": r.name or "Not shown", "classes": "app-break-anywhere"},
                {"text": service, "classes": "app-break-anywhere"},
                {"text": r.provider or DASH, "classes": "app-break-anywhere"},
                {"text": uk_date(r.start_on)},
                {"text": uk_date(r.end_on) if r.end_on else DASH},
                {"text": pounds(r.spend_pence), "format": "numeric"},
            ]
        )
    return out


SERVICE_HEADER = ["LA person id", "Name", "Service", "Provider", "Start", "End", "Spend in the period (£)"]


def service_file_rows(rows) -> list[list]:
    service = lambda r: r.service_type + (f": {r.service_component}" if r.service_component else "")  # noqa: E731
    return [
        [
            r.la_person_id,
            r.name,
            service(r),
            r.provider,
            r.start_on.isoformat(),
            r.end_on.isoformat() if r.end_on else "",
            pounds_input(r.spend_pence),
        ]
        for r in rows
    ]
