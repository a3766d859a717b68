"""Formatting for the budget pages: the committee table by care category, the cost centre table, the year's months
for the chart and its table, and the services behind a figure. Plain functions (no database, no request); money
only through core.money.pounds, links built with format_html."""

from __future__ import annotations

from urllib.parse import urlencode

from django.urls import reverse
from django.utils.html import format_html, format_html_join

from openasc.core.money import pounds
from openasc.finance.commitments import NONE, Figures
from openasc.ui.jinja2 import uk_date

DASH = "–"


def _n(value: int | None) -> str:
    return DASH if value is None else f"{value:,}"


def _money(value: int | None) -> str:
    return DASH if value is None else pounds(value)


def per(unit: str) -> str:
    return "an hour" if unit == "hour" else "a week"


def unit_cost(value: int | None, unit: str) -> str:
    return DASH if value is None else f"{pounds(value)} {per(unit)}"


def trend(delta: int | None, *, money: bool = False):
    """The change since the previous month end, with an arrow that screen readers skip: '▲ 3 up', '▼ £12.50 down',
    '→ no change'."""
    if delta is None:
        return DASH
    if not delta:
        return format_html('<span aria-hidden="true">{}</span> no change', "→")
    size = pounds(abs(delta)) if money else f"{abs(delta):,}"
    arrow, word = ("▲", "up") if delta > 0 else ("▼", "down")
    return format_html('<span aria-hidden="true">{}</span> {} {}', arrow, word, size)


def variance_tag(variance: int | None) -> dict | None:
    """The GOV.UK tag beside a variance: red for an overspend, green for an underspend."""
    if variance is None:
        return None
    if variance > 0:
        return {"text": "Overspend", "classes": "govuk-tag--red"}
    if variance < 0:
        return {"text": "Underspend", "classes": "govuk-tag--green"}
    return {"text": "On budget", "classes": "govuk-tag--grey"}


def behind_url(year: str, centre, *, figure: str = "all", category: str = "", as_at=None) -> str:
    """The services behind a figure: `centre` a cost centre id, NONE (not in a cost centre) or 'all'."""
    key = "none" if centre == NONE else str(centre)
    query = {"figure": figure}
    if category:
        query["category"] = category
    if as_at is not None:
        query["as_at"] = as_at.isoformat()
    return reverse("finance:behind", args=[year, key]) + "?" + urlencode(query)


def _link(href: str, text: str):
    return format_html('<a class="govuk-link" href="{}">{}</a>', href, text)


def _num(cell) -> dict:
    return {**cell, "format": "numeric"}


def committee_rows(lines: list[tuple], *, year: str, as_at) -> list[list[dict]]:
    """`lines` as (category, Figures): expected service users, budgeted average cost, current service users, current
    average unit cost, trend in numbers, trend in unit cost, each current figure opening its services."""
    rows = []
    for category, f in lines:
        code = category.code if category is not None else ""
        name = category.name if category is not None else "In no care category"
        current = behind_url(year, "all", figure="current", category=code or "none", as_at=as_at)
        rows.append(
            [
                {"text": name},
                _num({"text": _n(f.budgeted_people)}),
                _num({"text": unit_cost(f.budgeted_unit_cost, f.unit)}),
                _num({"html": _link(current, _n(f.people))}),
                _num({"text": unit_cost(f.unit_cost, f.unit)}),
                _num({"html": trend(f.people_trend)}),
                _num({"html": trend(f.unit_cost_trend, money=True)}),
            ]
        )
    return rows


COMMITTEE_HEAD = [
    {"text": "Care category"},
    {"text": "Expected service users", "format": "numeric"},
    {"text": "Budgeted average cost", "format": "numeric"},
    {"text": "Current service users", "format": "numeric"},
    {"text": "Current average unit cost", "format": "numeric"},
    {"text": "Trend in numbers", "format": "numeric"},
    {"text": "Trend in unit cost", "format": "numeric"},
]

CENTRE_HEAD = [
    {"text": "Cost centre"},
    {"text": "Budget", "format": "numeric"},
    {"text": "Spent to date", "format": "numeric"},
    {"text": "Committed to year end", "format": "numeric"},
    {"text": "Forecast outturn", "format": "numeric"},
    {"text": "Variance", "format": "numeric"},
    {"text": "People (budgeted)", "format": "numeric"},
    {"text": "Average unit cost (budgeted)", "format": "numeric"},
]


def centre_rows(lines: list[tuple], *, year: str, as_at) -> list[list[dict]]:
    """`lines` as (label, centre key, Figures), the centre key an id, NONE or 'all' (the total)."""
    rows = []
    for label, key, f in lines:
        everything = behind_url(year, key, as_at=as_at)
        current = behind_url(year, key, figure="current", as_at=as_at)
        tag = variance_tag(f.variance)
        variance = (
            format_html(
                '{} <strong class="govuk-tag {}">{}</strong>', _money(f.variance), tag["classes"], tag["text"]
            )
            if tag
            else DASH
        )
        services = f"{f.services:,} services" + (f", {f.no_cost:,} with no cost known" if f.no_cost else "")
        rows.append(
            [
                {"html": format_html('{}<br><span class="govuk-body-s">{}</span>', label, services)},
                _num({"text": _money(f.budget)}),
                _num({"html": _link(everything, pounds(f.spent))}),
                _num({"html": _link(everything, pounds(f.committed))}),
                _num({"html": _forecast_cell(f, everything, year=year, key=key)}),
                _num({"html": variance}),
                _num({"html": format_html("{} ({})", _link(current, _n(f.people)), _n(f.budgeted_people))}),
                _num(
                    {"text": f"{unit_cost(f.unit_cost, f.unit)} ({unit_cost(f.budgeted_unit_cost, f.unit)})"}
                ),
            ]
        )
    return rows


def _forecast_cell(f: Figures, everything: str, *, year: str, key):
    """The forecast from the record, linked to its services; for a cost centre, the budget holders' adjustments
    under it (with the adjusted forecast), linked to where they are made."""
    forecast = _link(everything, pounds(f.forecast))
    if not isinstance(key, int) or key == NONE:
        if f.adjustment:
            return format_html(
                '{}<br><span class="govuk-body-s">adjusted {}</span>', forecast, pounds(f.adjusted_forecast)
            )
        return forecast
    href = reverse("finance:adjustments", args=[year, key])
    if f.adjustment:
        return format_html(
            '{}<br><span class="govuk-body-s"><a class="govuk-link" href="{}">adjusted {}</a></span>',
            forecast,
            href,
            pounds(f.adjusted_forecast),
        )
    return format_html(
        '{}<br><span class="govuk-body-s"><a class="govuk-link" href="{}">adjust<span class="govuk-visually-hidden">'
        " the forecast</span></a></span>",
        forecast,
        href,
    )


def adjustment_summary(f: Figures | None) -> list[dict]:
    if f is None:
        return []

    def row(key, value):
        return {"key": {"text": key}, "value": {"text": value}}

    return [
        row("Forecast from the record", pounds(f.forecast)),
        row("Adjustments", pounds(f.adjustment)),
        row("Adjusted forecast", pounds(f.adjusted_forecast)),
        row("Budget", _money(f.budget)),
        row("Adjusted variance", _money(None if f.budget is None else f.adjusted_forecast - f.budget)),
    ]


def adjustment_rows(adjustments) -> list[list[dict]]:
    return [
        [
            {"text": uk_date(a.created_at.date())},
            {"text": a.created_by.display_name},
            {"text": pounds(a.amount_pence), "format": "numeric"},
            {"text": a.reason, "classes": "app-break-anywhere"},
        ]
        for a in adjustments
    ]


def months(result, total: Figures) -> list[dict]:
    """Per month: spend in the month (spent to date, committed after), the cumulative forecast, the budget profile
    (a twelfth of the budget a month), for the chart and the table beside it."""
    out = []
    running = 0
    n = len(result.months)
    for i, (first, _last) in enumerate(result.months):
        spent, committed = total.months_spent[i], total.months_committed[i]
        running += spent + committed
        profile = None if total.budget is None else round(total.budget * (i + 1) / n)
        out.append(
            {
                "label": uk_date(first, "%B %Y"),
                "short": uk_date(first, "%b"),
                "spent": spent,
                "committed": committed,
                "cumulative": running,
                "profile": profile,
                "spent_text": pounds(spent),
                "committed_text": pounds(committed),
                "cumulative_text": pounds(running),
                "profile_text": _money(profile),
            }
        )
    return out


def behind_rows(rows, *, can_open) -> list[list[dict]]:
    """The services behind a figure: LA person id (opening the record, through the ordinary access rules), name,
    service, provider, dates, weekly cost now and cost in the year."""
    out = []
    for r in rows:
        person = reverse("people:detail", args=[r.person_id])
        out.append(
            [
                {"html": _link(person, r.la_person_id or DASH), "classes": "app-break-anywhere"},
                {"text": r.name or DASH},
                {"text": r.service_type + (f": {r.service_component}" if r.service_component else "")},
                {"text": r.provider or DASH, "classes": "app-break-anywhere"},
                {"text": uk_date(r.start_on)},
                {"text": uk_date(r.end_on) or "Ongoing"},
                _num({"text": _money(r.weekly_now)}),
                _num({"text": pounds(r.in_year)}),
            ]
        )
    return out


BEHIND_HEAD = [
    {"text": "LA person id"},
    {"text": "Name"},
    {"text": "Service"},
    {"text": "Provider"},
    {"text": "Started"},
    {"text": "Ends"},
    {"text": "Weekly cost on the date", "format": "numeric"},
    {"text": "Cost in the year", "format": "numeric"},
]


def behind_csv(rows) -> tuple[list[str], list[list]]:
    header = [
        "la_person_id",
        "name",
        "service_type",
        "service_component",
        "provider",
        "start_on",
        "end_on",
        "weekly_cost_pence",
        "cost_in_year_pence",
    ]
    data = [
        [
            r.la_person_id,
            r.name,
            r.service_type,
            r.service_component,
            r.provider,
            r.start_on.isoformat(),
            r.end_on.isoformat() if r.end_on else "",
            "" if r.weekly_now is None else r.weekly_now,
            r.in_year,
        ]
        for r in rows
    ]
    return header, data


def centre_summary(centre) -> str:
    bits = [centre.care_category.name if centre.care_category else "Any care category"]
    if centre.support_reasons:
        bits.append(", ".join(centre.support_reasons))
    if centre.team:
        bits.append(centre.team.name)
    return "; ".join(bits)


def centre_list_rows(centres, budgets: dict, *, year: str, editable: bool) -> list[list[dict]]:
    rows = []
    for c in centres:
        b = budgets.get(c.pk)
        holder = c.holder.get_full_name() or c.holder.username if c.holder else DASH
        status = ("Active", "govuk-tag--green") if c.active else ("Deactivated", "govuk-tag--grey")
        actions = []
        if editable:
            actions.append(
                _link(reverse("finance:budget-edit", args=[year, c.pk]), f"Set budget for {c.code}")
            )
            actions.append(_link(reverse("finance:centre-edit", args=[c.pk]), f"Edit {c.code}"))
        rows.append(
            [
                {"text": c.code, "classes": "app-break-anywhere"},
                {"text": c.name},
                {"text": centre_summary(c)},
                {"text": holder},
                {"html": format_html('<strong class="govuk-tag {}">{}</strong>', status[1], status[0])},
                _num({"text": _money(b.net_budget_pence) if b else "Not set"}),
                {"html": format_html_join("", "{}<br>", ((a,) for a in actions))}
                if actions
                else {"text": DASH},
            ]
        )
    return rows


# ---------------------------------------------------------------------------------------------------------------------
# `openasc budget`: the documented JSON shape (docs/finance.md), and the same as rows for CSV and XLSX


def _figures_json(f: Figures) -> dict:
    return {
        "budget_pence": f.budget,
        "spent_to_date_pence": f.spent,
        "committed_pence": f.committed,
        "forecast_outturn_pence": f.forecast,
        "variance_pence": f.variance,
        "forecast_adjustments_pence": f.adjustment,
        "adjusted_forecast_outturn_pence": f.adjusted_forecast,
        "budgeted_people": f.budgeted_people,
        "current_people": f.people,
        "people_trend": f.people_trend,
        "budgeted_unit_cost_pence": f.budgeted_unit_cost,
        "current_unit_cost_pence": f.unit_cost,
        "unit_cost_trend_pence": f.unit_cost_trend,
        "unit": f.unit,
        "services": f.services,
        "services_no_cost_known": f.no_cost,
    }


def report_json(figures: dict, *, generated_at) -> dict:
    result = figures["result"]
    centres = figures["centres"]
    out_centres, not_in = [], None
    for _label, key, f in figures["centre_lines"]:
        if key == NONE:
            not_in = _figures_json(f)
            continue
        c = centres[key]
        out_centres.append(
            {
                "code": c.code,
                "name": c.name,
                "care_category": c.care_category.code if c.care_category else None,
                "active": c.active,
                **_figures_json(f),
            }
        )
    empty = {
        "spent_to_date_pence": 0,
        "committed_pence": 0,
        "forecast_outturn_pence": 0,
        "current_people": 0,
        "services": 0,
        "services_no_cost_known": 0,
    }
    return {
        "year": result.year,
        "as_at": result.as_at.isoformat(),
        "previous_month_end": result.previous.isoformat(),
        "generated_at": generated_at.isoformat(timespec="seconds"),
        "cost_centres": out_centres,
        # only for those who see every cost centre (null for a budget holder)
        "not_in_a_cost_centre": None if figures["visible"] is not None else (not_in or empty),
        "care_categories": [
            {
                "code": cat.code if cat else None,
                "name": cat.name if cat else "In no care category",
                **_figures_json(f),
            }
            for cat, f in figures["committee"]
        ],
        "totals": _figures_json(figures["total"]),
    }


REPORT_COLUMNS = [
    "code",
    "name",
    "care_category",
    "budget_pence",
    "spent_to_date_pence",
    "committed_pence",
    "forecast_outturn_pence",
    "variance_pence",
    "budgeted_people",
    "current_people",
    "people_trend",
    "budgeted_unit_cost_pence",
    "current_unit_cost_pence",
    "unit_cost_trend_pence",
    "unit",
    "services",
    "services_no_cost_known",
]


def report_rows(report: dict) -> list[list]:
    """One row per cost centre, then 'not in a cost centre' and the total (code NONE and TOTAL)."""
    rows = [[c.get(k) for k in REPORT_COLUMNS] for c in report["cost_centres"]]
    rows.append(
        [
            {"code": "NONE", "name": "Not in a cost centre", **report["not_in_a_cost_centre"]}.get(k)
            for k in REPORT_COLUMNS
        ]
    )
    rows.append([{"code": "TOTAL", "name": "Total", **report["totals"]}.get(k) for k in REPORT_COLUMNS])
    return [["" if v is None else v for v in r] for r in rows]
