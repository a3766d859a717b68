"""Page formatting for rate uplifts: plain functions of uplifts and previews (no database, no request). Money only
through core.money.pounds."""

from __future__ import annotations

from urllib.parse import urlencode

from django.urls import reverse
from django.utils.html import format_html

from openasc.core.money import pounds
from openasc.finance.models import UpliftMethod, UpliftStatus
from openasc.ui.jinja2 import uk_date


def method_text(uplift) -> str:
    if uplift.method == UpliftMethod.TO_BENCHMARK:
        text = f"To the benchmark unit cost of {pounds(uplift.benchmark_unit_cost_pence)}"
        if uplift.skip_uplifted_within_days:
            text += f", leaving costs changed in the {uplift.skip_uplifted_within_days} days before"
        return text
    pct = uplift.percent.normalize() if uplift.percent is not None else None
    return f"{pct:f}% on every unit cost in scope" if pct is not None else "A percentage (not set)"


def scope_text(uplift) -> str:
    parts = []
    if uplift.provider_id:
        parts.append(f"provider {uplift.provider.name}")
    if uplift.service_type:
        parts.append(uplift.service_type)
    if uplift.care_category_id:
        parts.append(f"care category {uplift.care_category.name}")
    if uplift.age_from is not None and uplift.age_under is not None:
        parts.append(f"people aged {uplift.age_from} to {uplift.age_under - 1} on the date")
    elif uplift.age_from is not None:
        parts.append(f"people aged {uplift.age_from} or over on the date")
    elif uplift.age_under is not None:
        parts.append(f"people under {uplift.age_under} on the date")
    text = "; ".join(parts)
    return text[:1].upper() + text[1:] if text else "The whole market"


def status_tag(uplift) -> dict:
    if uplift.status == UpliftStatus.APPLIED:
        return {"text": "Applied", "classes": "govuk-tag--green"}
    return {"text": "Draft", "classes": "govuk-tag--grey"}


def list_rows(uplifts) -> list[list[dict]]:
    rows = []
    for u in uplifts:
        rows.append(
            [
                {
                    "html": format_html(
                        '<a class="govuk-link" href="{}">{}</a>',
                        reverse("finance:uplift", args=[u.pk]),
                        u.name,
                    )
                },
                {"text": uk_date(u.effective_from)},
                {"text": scope_text(u), "classes": "app-break-anywhere"},
                {"text": method_text(u)},
                {"text": status_tag(u)["text"]},
            ]
        )
    return rows


def summary_rows(uplift) -> list[dict]:
    rows = [
        {"key": {"text": "Name"}, "value": {"text": uplift.name, "classes": "app-break-anywhere"}},
        {"key": {"text": "New rates from"}, "value": {"text": uk_date(uplift.effective_from)}},
        {"key": {"text": "Services in scope"}, "value": {"text": scope_text(uplift)}},
        {"key": {"text": "Method"}, "value": {"text": method_text(uplift)}},
        {"key": {"text": "Status"}, "value": {"text": status_tag(uplift)["text"]}},
    ]
    if uplift.status == UpliftStatus.APPLIED and uplift.applied_at:
        who = uplift.applied_by.display_name if uplift.applied_by_id else ""
        rows.append(
            {"key": {"text": "Applied"}, "value": {"text": f"{uk_date(uplift.applied_at)} by {who}".strip()}}
        )
    return rows


def _count_link(uplift_id: int, n: int) -> str:
    if not n:
        return "0"
    return format_html('<a class="govuk-link" href="{}">{}</a>', services_url(uplift_id), f"{n:,}")


def figures_rows(preview, uplift_id: int) -> list[dict]:
    """The preview's totals: what the apply will write."""
    return [
        {"key": {"text": "Services changed"}, "value": {"html": _count_link(uplift_id, preview.services)}},
        {"key": {"text": "People"}, "value": {"text": f"{preview.people:,}"}},
        {"key": {"text": "Providers"}, "value": {"text": f"{preview.providers:,}"}},
        {"key": {"text": "Change in weekly cost"}, "value": {"text": pounds(preview.weekly_change_pence)}},
        {"key": {"text": "Cost a year (52 weeks)"}, "value": {"text": pounds(preview.annual_change_pence)}},
        {
            "key": {"text": f"Commitment to {uk_date(preview.year_last)}, before"},
            "value": {"text": pounds(preview.in_year_before_pence)},
        },
        {
            "key": {"text": f"Commitment to {uk_date(preview.year_last)}, after"},
            "value": {"text": pounds(preview.in_year_after_pence)},
        },
        {
            "key": {"text": "Change to this year's commitment"},
            "value": {"text": pounds(preview.in_year_change_pence)},
        },
    ]


def services_url(uplift_id: int, provider_id: int | None = None, *, any_provider: bool = True) -> str:
    url = reverse("finance:uplift-services", args=[uplift_id])
    if any_provider:
        return url
    return url + "?" + urlencode({"provider": provider_id if provider_id is not None else "none"})


def provider_rows(rows, names: dict[int, str], *, uplift_id: int) -> list[list[dict]]:
    out = []
    for r in rows:
        name = names.get(r.provider_id, "Provider not recorded") if r.provider_id else "No provider recorded"
        href = services_url(uplift_id, r.provider_id, any_provider=False)
        out.append(
            [
                {"text": name, "classes": "app-break-anywhere"},
                {"text": f"{r.people:,}", "format": "numeric"},
                {
                    "html": format_html(
                        '<a class="govuk-link" href="{}">{}<span class="govuk-visually-hidden"> services at {}</span></a>',
                        href,
                        f"{r.services:,}",
                        name,
                    ),
                    "format": "numeric",
                },
                {"text": pounds(r.weekly_change_pence), "format": "numeric"},
                {"text": pounds(r.annual_change_pence), "format": "numeric"},
                {"text": pounds(r.in_year_change_pence), "format": "numeric"},
            ]
        )
    return out


def changed_table(rows) -> list[list[dict]]:
    return [
        [
            {
                "html": format_html(
                    '<a class="govuk-link" href="{}">{}</a>',
                    reverse("people:detail", args=[r.person_id]),
                    r.la_person_id,
                )
            },
            {"text": r.name, "classes": "app-break-anywhere"},
            {"text": r.service, "classes": "app-break-anywhere"},
            {"text": r.provider or "–", "classes": "app-break-anywhere"},
            {
                "text": f"{pounds(r.old_unit_cost_pence)} to {pounds(r.new_unit_cost_pence)} ({r.cost_frequency.lower()})"
            },
            {"text": pounds(r.weekly_change_pence), "format": "numeric"},
        ]
        for r in rows
    ]


def plural(n: int, one: str, many: str) -> str:
    return f"{n:,} {one if n == 1 else many}"


def skip_rows(reasons: list[tuple[str, int]]) -> list[list[dict]]:
    return [[{"text": reason}, {"text": f"{n:,}", "format": "numeric"}] for reason, n in reasons]


def applied_rows(uplift) -> list[dict]:
    """An applied uplift's figures, as recorded when it was applied."""
    return [
        {"key": {"text": "Services changed"}, "value": {"html": _count_link(uplift.pk, uplift.services)}},
        {"key": {"text": "People"}, "value": {"text": f"{uplift.people:,}"}},
        {"key": {"text": "Providers"}, "value": {"text": f"{uplift.providers:,}"}},
        {"key": {"text": "Cost a year (52 weeks)"}, "value": {"text": pounds(uplift.annual_change_pence)}},
    ]
