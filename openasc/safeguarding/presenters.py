"""Formatting for the concern and enquiry pages: plain functions of the records (no queries beyond the rows given).

Only the adult at risk's record is shown. The person alleged to cause harm appears as the allegation's own words
(`source_description`), never as a name read from their record or a link to it (docs/safeguarding.md)."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe

from openasc.safeguarding import calendar
from openasc.safeguarding.codes import (
    Agency,
    ConcernDecision,
    Consent,
    HarmPersonKnown,
    MeetingKind,
    NoEnquiryOutcome,
    ReferrerKind,
    SharingBasis,
)
from openasc.safeguarding.models import ConcernStatus, EnquiryStatus
from openasc.ui.jinja2 import uk_date

_AGENCIES = dict(Agency.choices)


def _label(choices, value) -> str:
    return dict(choices).get(value, value) if value else ""


def _lines(text: str):
    lines = [line for line in (text or "").split("\n") if line.strip()]
    if not lines:
        return None
    return format_html_join(mark_safe("<br>"), "{}", ((line,) for line in lines))


def _row(key: str, value: str = "", *, html=None, action: tuple[str, str] | None = None) -> dict:
    cell = {"html": html} if html is not None else {"text": value or "Not recorded"}
    row = {"key": {"text": key}, "value": cell}
    if action:
        row["actions"] = {
            "items": [{"href": action[0], "text": action[1], "visuallyHiddenText": key.lower()}]
        }
    return row


def _text_row(key: str, text: str) -> dict:
    html = _lines(text)
    return _row(key, html=html) if html is not None else _row(key)


def yes_no(value) -> str:
    return "Not answered" if value is None else ("Yes" if value else "No")


def _who(user) -> str:
    if user is None:
        return ""
    return user.get_full_name() or user.username


# --- the concern -------------------------------------------------------------------------------------------------

_STATUS_COLOURS = {
    ConcernStatus.AWAITING_DECISION: "govuk-tag--yellow",
    ConcernStatus.ENQUIRY: "govuk-tag--blue",
    ConcernStatus.NO_ENQUIRY: "govuk-tag--grey",
    ConcernStatus.CANCELLED: "govuk-tag--grey",
}


def concern_status_tag(concern) -> dict:
    return {
        "text": ConcernStatus(concern.status).label,
        "classes": _STATUS_COLOURS.get(concern.status, ""),
    }


def decision_timer(concern, today: dt.date) -> dict | None:
    """The decision timer while the concern waits: its words and tag (red when overdue), and the due date."""
    if concern.status != ConcernStatus.AWAITING_DECISION:
        return None
    words, colour = calendar.timer(concern.decision_due_on, today)
    return {
        "due": uk_date(concern.decision_due_on),
        "tag": {"text": words, "classes": colour},
        "overdue": concern.decision_due_on < today,
    }


def referrer_text(concern) -> str:
    parts = [_label(ReferrerKind.choices, concern.referrer_kind)]
    if concern.referrer_name:
        parts.append(concern.referrer_name)
    if concern.referrer_organisation:
        parts.append(concern.referrer_organisation)
    return ", ".join(p for p in parts if p)


def concern_rows(concern) -> list[dict]:
    consent = _label(Consent.choices, concern.consent)
    rows = [
        _row("Received", uk_date(concern.received_on)),
        _text_row("What was seen or reported", concern.what_happened),
        _row("Raised by", referrer_text(concern)),
        _row("Referrer's contact details", concern.referrer_contact),
        _text_row("The adult's views and wishes", concern.adult_views),
        _row("Consent to share", consent),
    ]
    if concern.consent == Consent.OVERRIDDEN:
        rows.append(_text_row("Why consent was overridden", concern.consent_override_reason))
    rows += [
        _text_row("Immediate safety actions", concern.immediate_actions),
        _row("Is the person causing harm known?", _label(HarmPersonKnown.choices, concern.harm_person_known)),
        _row("Team", concern.team.name),
        _row(
            "Recorded by",
            f"{_who(concern.raised_by)}, {uk_date(timezone.localtime(concern.raised_at), '%-d %B %Y %H:%M')}",
        ),
    ]
    if concern.status == ConcernStatus.CANCELLED:
        rows.append(_text_row("Recorded in error because", concern.cancel_reason))
    return rows


CRITERIA = (
    ("care_and_support_needs", "Has needs for care and support"),
    ("abuse_or_neglect", "Is experiencing, or at risk of, abuse or neglect"),
    ("unable_to_protect", "Because of those needs, is unable to protect themselves"),
)


def criteria_rows(concern) -> list[dict]:
    return [_row(label, yes_no(getattr(concern, name))) for name, label in CRITERIA]


def decision_rows(concern) -> list[dict]:
    if not concern.decision:
        return []
    rows = [
        _row("Decision", _label(ConcernDecision.choices, concern.decision)),
        _row("Decided", f"{uk_date(concern.decided_on)} by {_who(concern.decided_by)}"),
    ]
    if concern.decision == ConcernDecision.NO_ENQUIRY:
        rows.append(
            _row("Instead of an enquiry", _label(NoEnquiryOutcome.choices, concern.no_enquiry_outcome))
        )
    if concern.decision_reason or concern.decision == ConcernDecision.NO_ENQUIRY:
        rows.append(_text_row("Reasons", concern.decision_reason))
    return rows


def agency_table(rows) -> list[list[dict]]:
    out = []
    for a in rows:
        agency = _label(Agency.choices, a.agency)
        if a.agency_name:
            agency = f"{agency}: {a.agency_name}"
        out.append(
            [
                {"text": uk_date(a.received_on)},
                {"text": agency},
                {"html": _lines(a.information) or ""},
                {"text": _label(SharingBasis.choices, a.sharing_basis)},
            ]
        )
    return out


# --- the enquiry -------------------------------------------------------------------------------------------------

_STAGE_COLOURS = {
    EnquiryStatus.PLANNING: "govuk-tag--yellow",
    EnquiryStatus.IN_PROGRESS: "govuk-tag--blue",
    EnquiryStatus.CONCLUDED: "govuk-tag--green",
    EnquiryStatus.CLOSED: "govuk-tag--grey",
}


def enquiry_stage_tag(enquiry) -> dict:
    return {"text": EnquiryStatus(enquiry.status).label, "classes": _STAGE_COLOURS.get(enquiry.status, "")}


def enquiry_rows(enquiry) -> list[dict]:
    concern = enquiry.concern
    rows = [
        _row("Kind", enquiry.get_kind_display()),
        _row("Started", uk_date(enquiry.started_on)),
        _row("Stage", EnquiryStatus(enquiry.status).label),
        _row("Enquiry officer", _who(enquiry.officer) or "Not allocated yet"),
        _row("Team", enquiry.team.name),
        _row(
            "The concern",
            html=format_html(
                '<a class="govuk-link" href="{}">Concern received {}</a>',
                reverse("safeguarding:concern", args=[concern.pk]),
                uk_date(concern.received_on),
            ),
        ),
    ]
    if enquiry.other_reason:
        rows.insert(1, _text_row("Why an other enquiry is necessary and proportionate", enquiry.other_reason))
    if enquiry.large_scale_id:
        rows.append(_row("Part of the large-scale enquiry", enquiry.large_scale.title))
    return rows


def meeting_table(meetings) -> list[list[dict]]:
    out = []
    for m in meetings:
        agencies = ", ".join(_AGENCIES.get(a, a) for a in m.agency_list)
        out.append(
            [
                {"text": uk_date(m.held_on)},
                {"text": _label(MeetingKind.choices, m.kind)},
                {"html": _lines(m.attendees) or ""},
                {"text": agencies or "None recorded"},
                {"html": _lines(m.decisions) or ""},
                {"html": _lines(m.actions) or "None recorded"},
            ]
        )
    return out


def allegation_table(allegations, *, remove_url=None) -> list[list[dict]]:
    """One row an allegation line. The source is the line's own description: never the alleged person's record."""
    out = []
    for a in allegations:
        source = a.source_of_risk
        if a.local_source_id:
            source = f"{source} ({a.local_source.name})"
        row = [
            {"text": a.type_of_risk},
            {"text": a.location_of_risk},
            {"text": source},
            {"text": a.source_description or "Not described"},
            {"html": _lines(a.details) or "None"},
        ]
        if remove_url is not None:
            row.append(
                {
                    "html": format_html(
                        '<a class="govuk-link" href="{}">Remove<span class="govuk-visually-hidden"> the {} '
                        "allegation</span></a>",
                        remove_url(a),
                        a.type_of_risk.lower(),
                    )
                }
            )
        out.append(row)
    return out


def plan_rows(plan) -> list[dict]:
    rows = [
        _row("Agreed", uk_date(plan.agreed_on)),
        _text_row("What will keep the adult safe", plan.summary),
    ]
    if plan.ended_on:
        rows.append(_row("Ended", uk_date(plan.ended_on)))
    else:
        rows.append(_row("Next review due", uk_date(plan.review_due_on)))
    return rows


def action_table(actions) -> list[list[dict]]:
    return [
        [
            {"html": _lines(a.action) or ""},
            {"text": a.owner},
            {"text": uk_date(a.due_on) or "No date"},
            {"text": uk_date(a.done_on) or "Not yet"},
        ]
        for a in actions
    ]


def review_table(reviews) -> list[list[dict]]:
    return [
        [
            {"text": uk_date(r.reviewed_on)},
            {"html": _lines(r.summary) or ""},
            {"text": uk_date(r.next_review_on) or "None: the plan ended"},
        ]
        for r in reviews
    ]


def conclusion_rows(enquiry) -> list[dict]:
    if not enquiry.concluded_on:
        return []
    rows = [
        _row("Concluded", uk_date(enquiry.concluded_on)),
        _row("Risk assessment outcome", enquiry.risk_assessment_outcome),
    ]
    if enquiry.risk_outcome:
        rows.append(_row("Risk outcome", enquiry.risk_outcome))
    rows.append(_row("Lacked capacity to make decisions about the enquiry", enquiry.lacked_capacity))
    if enquiry.capacity_assessment_id:
        c = enquiry.capacity_assessment
        rows.append(
            _row(
                "Mental capacity assessment",
                html=format_html(
                    '<a class="govuk-link" href="{}">{} (assessed {})</a>',
                    reverse("capacity:assessment", args=[c.pk]),
                    c.decision,
                    uk_date(c.assessed_on),
                ),
            )
        )
    if enquiry.supported_by_advocate is not None:
        rows.append(
            _row("Supported by an advocate, family member or friend", yes_no(enquiry.supported_by_advocate))
        )
    rows += [
        _row("Asked what outcomes they wanted (Making Safeguarding Personal)", enquiry.msp_asked),
        _text_row("The outcomes they wanted", enquiry.msp_desired_outcomes),
    ]
    if enquiry.msp_achieved:
        rows.append(_row("Were the outcomes achieved?", enquiry.msp_achieved))
    if enquiry.autism:
        rows.append(_row("Health condition (SG1e)", enquiry.get_autism_display()))
    rows.append(_text_row("Conclusion", enquiry.conclusion))
    return rows


def closure_rows(enquiry) -> list[dict]:
    if not enquiry.closed_on:
        return []
    return [_row("Closed", uk_date(enquiry.closed_on)), _text_row("Closing note", enquiry.closure_note)]
