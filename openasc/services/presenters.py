"""How a service and its costs read on a page: money, dates and labels worked out here, not in views or templates.

Each presenter is a plain function of model objects (no database, no request), so it is tested on unsaved objects."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.urls import reverse
from django.utils.html import format_html

from openasc.core.money import pounds
from openasc.ui.jinja2 import uk_date

NO_WEEKLY_COST = "None (not running today, one-off, or units not known)"


def weekly(cost) -> str:
    """'£220.00' for a cost with a weekly figure; '' when there is no cost or its weekly figure cannot be known."""
    if cost is None or cost.weekly_pence is None:
        return ""
    return pounds(cost.weekly_pence)


def units(cost) -> str:
    """The planned units a week as stored, to the hundredth (12.00, 7.50), or '–' when the frequency does not need
    them."""
    value = cost.planned_units_per_week
    if value is None:
        return "–"
    return f"{Decimal(value):.2f}"


def cost_now_sentence(cost) -> str:
    """'£25.00 hourly, 12 units a week (£300.00 a week).' for the change-cost page; '' without a cost."""
    if cost is None:
        return ""
    text = f"{pounds(cost.unit_cost_pence)} {cost.cost_frequency.lower()}"
    if cost.planned_units_per_week is not None:
        text += f", {units(cost)} units a week"
    if cost.weekly_pence is not None:
        text += f" ({pounds(cost.weekly_pence)} a week)"
    return text + "."


def cost_on_sentence(cost) -> str:
    """What a service cost a week on a chosen date: '£220.00 a week', 'no weekly cost' or 'not running'."""
    if cost is None:
        return "not running"
    return f"{weekly(cost)} a week" if cost.weekly_pence is not None else "no weekly cost"


def cost_rows(costs) -> list[list[dict]]:
    """The rows of the costs table (govukTable), oldest first as given."""
    return [
        [
            {"text": uk_date(c.effective_from)},
            {"text": pounds(c.unit_cost_pence)},
            {"text": c.cost_frequency},
            {"text": units(c), "format": "numeric"},
            {"text": weekly(c) or "–", "format": "numeric"},
            {"text": c.reason or "–"},
        ]
        for c in costs
    ]


def service_rows(services) -> list[list[dict]]:
    """A person's services as table rows (the person's plans page): the type linked to its page, the component,
    the dates."""
    return [
        [
            {
                "html": format_html(
                    '<a class="govuk-link" href="{}">{}</a>',
                    reverse("services:detail", args=[s.pk]),
                    s.service_type,
                )
            },
            {"text": s.service_component or "–"},
            {"text": uk_date(s.start_on)},
            {"text": uk_date(s.end_on) or "Ongoing"},
        ]
        for s in services
    ]


def provider_text(location) -> str:
    """'Oak House – Oak Care Ltd (CQC 1-123)', or 'Not recorded'."""
    if location is None:
        return "Not recorded"
    text = f"{location.name} – {location.provider.name}"
    return text + (f" (CQC {location.cqc_location_id})" if location.cqc_location_id else "")


def summary_rows(service, current) -> list[dict]:
    """The service's summary list (govukSummaryList rows) with the weekly cost in force today (`current`). The plan
    row is left to the template, which links it."""

    def row(key: str, text: str) -> dict:
        return {"key": {"text": key}, "value": {"text": text}}

    return [
        row("Service component", service.service_component or "Not recorded"),
        row("Provider location", provider_text(service.provider_location)),
        row("Started", uk_date(service.start_on)),
        row("Ends", uk_date(service.end_on) or "Ongoing"),
        row("Outcome at the end", service.end_outcome or "Not ended"),
        row("Delivery mechanism", service.delivery_mechanism or "Not recorded"),
        row("Weekly cost now", weekly(current) or NO_WEEKLY_COST),
    ]


def status_tag(service, today: dt.date) -> dict:
    """A govukTag for the service: ended (its outcome recorded, or its end date passed), ending (its last day still
    to come), starting (not yet begun) or current."""
    if service.end_outcome or (service.end_on is not None and service.end_on < today):
        return {"text": "Ended", "classes": "govuk-tag--grey"}
    if service.end_on is not None and service.end_on >= today:
        return {"text": "Ending", "classes": "govuk-tag--yellow"}
    if service.start_on > today:
        return {"text": "Starting", "classes": "govuk-tag--blue"}
    return {"text": "Current", "classes": "govuk-tag--green"}


def initial_from_plan(plan, service_needs) -> dict:
    """The new-service form filled from an agreed plan: the plan, its delivery mechanism, and its needs to be met
    by a service, one a line ('Managing and maintaining nutrition: help with meals')."""
    from openasc.planning.services import OUTCOME_LABELS

    return {
        "plan": plan.pk,
        "delivery_mechanism": plan.delivery_mechanism,
        "description": "\n".join(
            f"{OUTCOME_LABELS.get(n.outcome_code, n.outcome_code)}: {n.description}" for n in service_needs
        ),
    }
