"""Formatting for the capacity pages: plain functions of the records (no database, no request)."""

from __future__ import annotations

from django.urls import NoReverseMatch, reverse
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe

from openasc.capacity.models import ABILITIES, ConsentBasis, ImcaReason, InvolvementIn, Outcome
from openasc.ui.jinja2 import uk_date

PRESUMPTION = (
    "A person must be assumed to have capacity unless it is established that they lack it (Mental Capacity Act 2005, "
    "section 1(2)). Capacity is about one decision at one time: assess each decision when it needs to be made, "
    "after taking all practicable steps to help the person make it themselves."
)
_OUTCOMES = dict(Outcome.choices)
_BASES = dict(ConsentBasis.choices)
_REASONS = dict(ImcaReason.choices)
_INVOLVEMENT = dict(InvolvementIn.choices)
_LINK_PAGES = {"assessment": "assessments:detail", "plan": "planning:detail"}


def outcome_label(outcome: str) -> str:
    return _OUTCOMES.get(outcome, outcome)


def basis_label(basis: str) -> str:
    return _BASES.get(basis, basis)


def imca_reason_label(reason: str) -> str:
    return _REASONS.get(reason, reason)


def involvement_label(value: str) -> str:
    return _INVOLVEMENT.get(value, value)


def shorten(text: str, limit: int = 120) -> str:
    text = " ".join((text or "").split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def yes_no(value) -> str:
    return "Not answered" if value is None else ("Yes" if value else "No")


def outcome_tag(c) -> dict:
    colour = "govuk-tag--orange" if c.outcome == Outcome.LACKS_CAPACITY else "govuk-tag--green"
    return {"text": outcome_label(c.outcome), "classes": colour}


def basis_tag(s) -> dict:
    colour = {
        ConsentBasis.GIVEN: "govuk-tag--green",
        ConsentBasis.REFUSED: "govuk-tag--red",
        ConsentBasis.BEST_INTERESTS: "govuk-tag--orange",
        ConsentBasis.OVERRIDING: "govuk-tag--purple",
    }.get(s.basis, "govuk-tag--grey")
    return {"text": basis_label(s.basis), "classes": colour}


def duty_sentence(a) -> str:
    if a.duty:
        done = "referred" if a.referral_made else "no referral made"
        return f"Duty to arrange an independent advocate ({done})"
    return "No duty to arrange an independent advocate"


def _row(key: str, value: str = "", *, html=None) -> dict:
    cell = {"html": html} if html is not None else {"text": value or "—"}
    return {"key": {"text": key}, "value": cell}


def _lines_html(text: str):
    lines = [line for line in (text or "").split("\n") if line.strip()]
    if not lines:
        return None
    return format_html_join(mark_safe("<br>"), "{}", ((line,) for line in lines))


def link_row(obj) -> dict | None:
    field = obj.link_field
    if not field:
        return None
    target = getattr(obj, field, None)
    if target is None:
        return None
    if field == "assessment":
        text = f"{target.get_kind_display()} started {uk_date(target.started_on)}"
    else:
        text = f"Care and support plan, version {target.version}"
    try:
        href = reverse(_LINK_PAGES[field], args=[target.pk])
    except NoReverseMatch:
        return _row("About", text)
    return _row("About", html=format_html('<a class="govuk-link" href="{}">{}</a>', href, text))


def _recorded(obj) -> dict:
    return _row(
        "Recorded by", f"{obj.recorded_by.display_name}, {uk_date(obj.recorded_at, '%-d %B %Y %H:%M')}"
    )


def capacity_rows(c) -> list[dict]:
    rows = [
        _row("Decision", c.decision),
        _row("Date assessed", uk_date(c.assessed_on)),
        _row("Who assessed", c.assessor),
        _row("Where", c.location),
        _row("Who else was present", html=_lines_html(c.present))
        if c.present
        else _row("Who else was present"),
        _row("Practicable steps taken to support the person", c.support_steps),
        _row("Outcome", outcome_label(c.outcome)),
    ]
    link = link_row(c)
    if link:
        rows.append(link)
    rows.append(_recorded(c))
    return rows


def stage_rows(c) -> list[dict]:
    """The test as answered: stage 1, the four abilities with their evidence, the nexus."""
    rows = [
        _row(
            "Stage 1: is there an impairment of, or a disturbance in the functioning of, the mind or brain?",
            f"{yes_no(c.impairment)}" + (f": {c.impairment_detail}" if c.impairment_detail else ""),
        )
    ]
    for name, question in ABILITIES:
        evidence = getattr(c, f"{name}_evidence")
        rows.append(_row(f"Can the person {question}?", f"{yes_no(getattr(c, name))}. {evidence}".strip()))
    nexus = yes_no(c.nexus) if c.nexus is not None else "Not applicable"
    rows.append(
        _row(
            "Is the inability to decide because of the impairment (causative nexus)?",
            nexus + (f". {c.nexus_evidence}" if c.nexus_evidence else ""),
        )
    )
    return rows


def best_interests_rows(b) -> list[dict]:
    consulted = [f"{p['name']} ({p['role']})" for p in b.consulted]
    rows = [
        _row("Decision", b.decision),
        _row("Capacity assessment", b.capacity_assessment.decision),
        _row("Decision maker", b.decision_maker),
        _row("Date of the decision", uk_date(b.decided_on)),
        _row("Who was consulted", html=_lines_html("\n".join(consulted))),
        _row("The person's wishes, feelings, beliefs and values", b.wishes),
        _row("The least restrictive option", b.least_restrictive),
    ]
    link = link_row(b)
    if link:
        rows.append(link)
    rows.append(_recorded(b))
    return rows


def option_rows(b) -> list[list[dict]]:
    """The options weighed, as a table's rows: option, benefits, risks."""
    return [[{"text": o["option"]}, {"text": o["benefits"]}, {"text": o["risks"]}] for o in b.options]


def advocacy_rows(a) -> list[dict]:
    areas = (
        ("understanding relevant information", a.difficulty_understand),
        ("retaining that information", a.difficulty_retain),
        ("using or weighing that information", a.difficulty_use_weigh),
        ("communicating their views, wishes or feelings", a.difficulty_communicate),
    )
    rows = [
        _row("Involvement in", involvement_label(a.involvement_in)),
        _row("Date considered", uk_date(a.considered_on)),
        *(_row(f"Substantial difficulty in {words}?", yes_no(v)) for words, v in areas),
        _row("Evidence of the difficulty", a.difficulty_evidence),
        _row(
            "Is there an appropriate individual to support them?",
            yes_no(a.appropriate_individual)
            + (f": {a.appropriate_individual_name}" if a.appropriate_individual_name else ""),
        ),
        _row("Duty to arrange an independent advocate (Care Act s.67)", "Yes" if a.duty else "No"),
        _row(
            "Referral",
            f"To {a.provider} on {uk_date(a.referred_on)}" if a.referral_made else "No referral made",
        ),
    ]
    if a.no_referral_reason:
        rows.append(_row("Why no referral was made", a.no_referral_reason))
    rows.append(_row("Outcome", a.outcome + (f" ({uk_date(a.outcome_on)})" if a.outcome_on else "")))
    link = link_row(a)
    if link:
        rows.append(link)
    rows.append(_recorded(a))
    return rows


def imca_rows(i) -> list[dict]:
    rows = [
        _row("Reason", imca_reason_label(i.reason)),
        _row("The treatment or move proposed", i.reason_detail),
        _row(
            "Capacity assessment",
            f"{i.capacity_assessment.decision} ({uk_date(i.capacity_assessment.assessed_on)})",
        ),
        _row("No one appropriate to consult other than paid carers", yes_no(i.no_one_appropriate)),
        _row("Referred to", f"{i.provider} on {uk_date(i.referred_on)}"),
        _row("Outcome", i.outcome),
    ]
    link = link_row(i)
    if link:
        rows.append(link)
    rows.append(_recorded(i))
    return rows


def consent_rows(s) -> list[dict]:
    rows = [
        _row("Basis", basis_label(s.basis)),
        _row("What is shared", s.what),
        _row("With whom", html=_lines_html(s.agencies)),
        _row("Date recorded", uk_date(s.recorded_on)),
        _row("Review date", uk_date(s.review_on)),
    ]
    if s.capacity_assessment_id:
        rows.append(_row("Capacity assessment", s.capacity_assessment.decision))
    if s.reason:
        rows.append(_row("Reason", s.reason))
    link = link_row(s)
    if link:
        rows.append(link)
    rows.append(_recorded(s))
    return rows


def _a(href: str, text: str):
    return format_html('<a class="govuk-link" href="{}">{}</a>', href, text)


def capacity_table(assessments) -> list[list[dict]]:
    rows = []
    for c in assessments:
        href = reverse("capacity:assessment", args=[c.pk])
        tag = outcome_tag(c)
        rows.append(
            [
                {"html": _a(href, c.decision)},
                {"text": uk_date(c.assessed_on)},
                {
                    "html": format_html(
                        '<strong class="govuk-tag {}">{}</strong>', tag["classes"], tag["text"]
                    )
                },
            ]
        )
    return rows


def best_interests_table(decisions) -> list[list[dict]]:
    return [
        [
            {"html": _a(reverse("capacity:best-interests", args=[b.pk]), shorten(b.decision, 80))},
            {"text": b.capacity_assessment.decision},
            {"text": uk_date(b.decided_on)},
        ]
        for b in decisions
    ]


def advocacy_table(duties) -> list[list[dict]]:
    return [
        [
            {"html": _a(reverse("capacity:advocacy", args=[a.pk]), involvement_label(a.involvement_in))},
            {"text": uk_date(a.considered_on)},
            {"text": duty_sentence(a)},
        ]
        for a in duties
    ]


def imca_table(referrals) -> list[list[dict]]:
    return [
        [
            {"html": _a(reverse("capacity:imca", args=[i.pk]), imca_reason_label(i.reason))},
            {"text": uk_date(i.referred_on)},
            {"text": i.provider},
        ]
        for i in referrals
    ]


def review_text(s, today) -> str:
    """The review date, and whether it is due (on or before today)."""
    if s.review_on is None:
        return "No review date"
    return f"{uk_date(s.review_on)} (due)" if s.review_on <= today else uk_date(s.review_on)


def consent_table(consents, today) -> list[list[dict]]:
    rows = []
    for s in consents:
        tag = basis_tag(s)
        rows.append(
            [
                {"html": _a(reverse("capacity:consent", args=[s.pk]), shorten(s.what, 80))},
                {"text": ", ".join(s.agency_list)},
                {
                    "html": format_html(
                        '<strong class="govuk-tag {}">{}</strong>', tag["classes"], tag["text"]
                    )
                },
                {"text": uk_date(s.recorded_on)},
                {"text": review_text(s, today)},
            ]
        )
    return rows


def refusal_text(s, name: str) -> str:
    return (
        f"{name} refused consent on {uk_date(s.recorded_on)} to share {shorten(s.what, 100)} with "
        f"{', '.join(s.agency_list)}. Do not share it unless there is an overriding reason, recorded."
    )


def resting_on_links(imca, consents) -> list:
    """Links to what rests on a capacity assessment: its IMCA referrals and the consents it supports."""
    links = [
        _a(
            reverse("capacity:imca", args=[i.pk]),
            f"IMCA referral: {imca_reason_label(i.reason)}, {uk_date(i.referred_on)}",
        )
        for i in imca
    ]
    links += [
        _a(
            reverse("capacity:consent", args=[s.pk]),
            f"Information shared in their best interests, {uk_date(s.recorded_on)}",
        )
        for s in consents
    ]
    return links
