"""Safeguarding on the adult's timeline, only for those who see the concern's detail (core.timeline's viewer
providers): the concern received, the decision, the enquiry's conclusion and closure. What was reported is never in
the entry (it is on the concern's page, audited when opened). Nothing appears on the timeline of the person alleged
to cause harm."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from openasc.core.timeline import TimelineEntry, href_for, register_for_viewer
from openasc.safeguarding import selectors
from openasc.safeguarding.codes import ConcernDecision


def _noon(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(12, 0)))


DECIDED = {
    ConcernDecision.SECTION_42: "Safeguarding concern decided: a section 42 enquiry",
    ConcernDecision.OTHER_ENQUIRY: "Safeguarding concern decided: another safeguarding enquiry",
    ConcernDecision.NO_ENQUIRY: "Safeguarding concern decided: no enquiry",
}


@register_for_viewer
def safeguarding_events(person, viewer):
    concern_link, enquiry_link = href_for("safeguarding:concern"), href_for("safeguarding:enquiry")
    for c in selectors.timeline_rows(person, viewer):
        yield TimelineEntry(
            when=c.raised_at
            if timezone.localtime(c.raised_at).date() == c.received_on
            else _noon(c.received_on),
            title="Safeguarding concern received",
            who=c.raised_by.display_name,
            href=concern_link(c.pk),
            kind="safeguarding",
        )
        if c.decided_on and c.decision:
            yield TimelineEntry(
                when=_noon(c.decided_on),
                title=DECIDED.get(c.decision, "Safeguarding concern decided"),
                who=c.decided_by.display_name if c.decided_by else "",
                href=concern_link(c.pk),
                kind="safeguarding",
            )
        enquiry = selectors.enquiry_of(c)
        if enquiry and enquiry.concluded_on:
            yield TimelineEntry(
                when=_noon(enquiry.concluded_on),
                title="Safeguarding enquiry concluded",
                detail=enquiry.risk_assessment_outcome,
                href=enquiry_link(enquiry.pk),
                kind="safeguarding",
            )
        if enquiry and enquiry.closed_on:
            yield TimelineEntry(
                when=_noon(enquiry.closed_on),
                title="Safeguarding enquiry closed",
                href=enquiry_link(enquiry.pk),
                kind="safeguarding",
            )
