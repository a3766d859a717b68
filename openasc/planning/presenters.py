"""How plans and reviews read on a page: status tags, budgets in pounds, dates, need labels, table and summary rows.

Each presenter is a plain function of model objects (no database, no request); the views pass what they return to
the templates, which only lay it out."""

from __future__ import annotations

from django.urls import reverse
from django.utils.html import format_html

from openasc.core.money import pounds
from openasc.planning.models import PlanStatus, ReviewStatus
from openasc.planning.services import OUTCOME_LABELS
from openasc.ui.jinja2 import uk_date

PLAN_TAG_CLASSES = {
    PlanStatus.DRAFT: "govuk-tag--grey",
    PlanStatus.AWAITING_SIGN_OFF: "govuk-tag--yellow",
    PlanStatus.AGREED: "govuk-tag--green",
    PlanStatus.SUPERSEDED: "govuk-tag--grey",
}
REVIEW_TAG_CLASSES = {
    ReviewStatus.SCHEDULED: "govuk-tag--blue",
    ReviewStatus.COMPLETED: "govuk-tag--green",
    ReviewStatus.CANCELLED: "govuk-tag--grey",
}
NO_INDICATIVE = "not available (no assessment or no matching band)"


def money_or(pence: int | None, missing: str) -> str:
    """'£95.00', or `missing` when there is no amount (a zero budget is still £0.00, not missing)."""
    return pounds(pence) if pence is not None else missing


def need_label(outcome_code: str) -> str:
    """The Care Act outcome's words for a need ('Managing and maintaining nutrition'); an unknown code as it is."""
    return OUTCOME_LABELS.get(outcome_code, outcome_code)


def plan_status_tag(plan) -> dict:
    """The govukTag of a plan version's status."""
    return {"text": PlanStatus(plan.status).label, "classes": PLAN_TAG_CLASSES[plan.status]}


def review_status_tag(review) -> dict:
    return {"text": ReviewStatus(review.status).label, "classes": REVIEW_TAG_CLASSES[review.status]}


def plan_summary_rows(plan) -> list[dict]:
    """The plan's summary list (govukSummaryList rows)."""

    def row(key: str, text: str) -> dict:
        return {"key": {"text": key}, "value": {"text": text}}

    return [
        row("Goals", plan.goals),
        row("Indicative weekly budget", money_or(plan.indicative_weekly_pence, "Not available")),
        row("Agreed weekly budget", money_or(plan.agreed_weekly_pence, "Not agreed yet")),
        row("Delivery mechanism", plan.delivery_mechanism or "Not recorded"),
        row("Starts", uk_date(plan.starts_on) or "When agreed"),
        row("Agreed on", uk_date(plan.agreed_on) or "Not agreed yet"),
        row("Signed off by", plan.signed_off_by.display_name if plan.signed_off_by_id else "Not signed off"),
        row("Written by", plan.created_by.display_name),
    ]


def need_rows(needs) -> list[list[dict]]:
    """The plan's needs table: the need in words, how it is met, and what the worker wrote."""
    return [
        [{"text": need_label(n.outcome_code)}, {"text": n.get_meet_by_display()}, {"text": n.description}]
        for n in needs
    ]


def support_kind(need) -> str:
    """Formal (paid for) or informal support, in words."""
    from openasc.planning.models import FORMAL_SUPPORT

    return "Formal (paid for)" if need.meet_by in FORMAL_SUPPORT else "Informal"


def who_does_what_rows(needs) -> list[list[dict]]:
    """Who does what, when: one row a need, formal support first, then informal; what is missing says so."""
    from openasc.planning.models import FORMAL_SUPPORT

    ordered = sorted(needs, key=lambda n: (n.meet_by not in FORMAL_SUPPORT, n.pk or 0))
    return [
        [
            {"text": n.who or "Not recorded"},
            {"text": f"{need_label(n.outcome_code)}: {n.description}"},
            {"text": n.when or "Not recorded"},
            {"text": support_kind(n)},
        ]
        for n in ordered
    ]


def contingency_warning(plan, needs) -> str:
    """Said on the plan when it relies on family or friends and has no contingency plan ("" otherwise)."""
    from openasc.planning.models import FRAGILE_SUPPORT

    if plan.contingency.strip() or not any(n.meet_by in FRAGILE_SUPPORT for n in needs):
        return ""
    return (
        "This plan relies on family or friends and has no contingency plan: record what happens if they cannot "
        "help, and whom to call."
    )


def plan_rows(plans) -> list[list[dict]]:
    """The person page's table of plan versions, each linked to its page."""
    return [
        [
            {
                "html": format_html(
                    '<a class="govuk-link" href="{}">Version {}</a>',
                    reverse("planning:detail", args=[p.pk]),
                    p.version,
                )
            },
            {"text": PlanStatus(p.status).label},
            {"text": money_or(p.agreed_weekly_pence, "–")},
            {"text": uk_date(p.agreed_on) or "–"},
        ]
        for p in plans
    ]


def review_rows(reviews) -> list[list[dict]]:
    """The person page's table of reviews, each linked to its page."""
    return [
        [
            {
                "html": format_html(
                    '<a class="govuk-link" href="{}">{}</a>',
                    reverse("planning:review", args=[r.pk]),
                    r.reason,
                )
            },
            {"text": uk_date(r.due_on)},
            {"text": ReviewStatus(r.status).label},
            {"text": r.outcome or "–"},
        ]
        for r in reviews
    ]


def sign_off_rows(plans) -> list[list[dict]]:
    """The sign-off queue: who, which version, the weekly budget, who wrote it, and how long it has waited
    (`waited`, a timedelta the selector annotates)."""
    return [
        [
            {
                "html": format_html(
                    '<a class="govuk-link" href="{}">{}</a> <span class="govuk-body-s">({})</span>',
                    reverse("planning:detail", args=[p.pk]),
                    p.person.full_name,
                    p.person.la_person_id,
                )
            },
            {"text": f"Version {p.version}"},
            {"text": money_or(p.agreed_weekly_pence, "–"), "format": "numeric"},
            {"text": p.created_by.display_name},
            {"text": f"{p.waited.days} days", "format": "numeric"},
        ]
        for p in plans
    ]


def need_initial(needs) -> dict:
    """The plan form's description boxes filled with what the assessment noted about each need."""
    return {f"description_{n.code}": n.notes for n in needs if getattr(n, "notes", "")}


def plan_form_initial(plan, current_needs, rows, *, new_version: bool) -> dict:
    """The plan form filled from a plan version: its goals, delivery, budget in pounds and how each need is met (a
    new version starts on a date still to be chosen)."""
    from openasc.core.money import pounds_input

    initial = {
        "goals": plan.goals,
        "contingency": plan.contingency,
        "delivery_mechanism": plan.delivery_mechanism,
        "agreed_weekly": pounds_input(plan.agreed_weekly_pence),
        "starts_on": None if new_version else plan.starts_on,
        **need_initial(rows),
    }
    for n in current_needs:
        initial[f"meet_by_{n.outcome_code}"] = n.meet_by
        initial[f"description_{n.outcome_code}"] = n.description
        initial[f"who_{n.outcome_code}"] = n.who
        initial[f"when_{n.outcome_code}"] = n.when
    return initial
