"""Capacity assessments, best-interests decisions, advocacy, IMCA referrals and consent on the person's timeline."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from openasc.capacity import presenters, selectors
from openasc.core.timeline import TimelineEntry, href_for, register


def _when(day: dt.date, recorded_at: dt.datetime) -> dt.datetime:
    """When it happened: the time it was recorded if that was the same day, else midday on the day."""
    if timezone.localtime(recorded_at).date() == day:
        return recorded_at
    return timezone.make_aware(dt.datetime.combine(day, dt.time(12, 0)))


# One provider for the five kinds: one query says which kinds the person has (most people have none), then one query
# for each kind present (the timeline reads what it shows in one query per kind of event).


@register
def capacity_events(person):
    present = selectors.timeline_kinds_present(person)
    for kind, events in (
        ("assessments", capacity_assessment_events),
        ("best_interests", best_interests_events),
        ("advocacy", advocacy_events),
        ("imca", imca_events),
        ("consents", consent_events),
    ):
        if kind in present:
            yield from events(person)


def capacity_assessment_events(person):
    link = href_for("capacity:assessment")
    for c in selectors.timeline_records(person, "assessments"):
        yield TimelineEntry(
            when=_when(c.assessed_on, c.recorded_at),
            title=f"Mental capacity assessment: {c.decision}",
            who=c.recorded_by.display_name,
            detail=presenters.outcome_label(c.outcome),
            href=link(c.pk),
            kind="capacity",
        )


def best_interests_events(person):
    link = href_for("capacity:best-interests")
    for b in selectors.timeline_records(person, "best_interests"):
        yield TimelineEntry(
            when=_when(b.decided_on, b.recorded_at),
            title="Best-interests decision",
            who=b.recorded_by.display_name,
            detail=presenters.shorten(b.decision),
            href=link(b.pk),
            kind="capacity",
        )


def advocacy_events(person):
    link = href_for("capacity:advocacy")
    for a in selectors.timeline_records(person, "advocacy"):
        yield TimelineEntry(
            when=_when(a.considered_on, a.recorded_at),
            title="Independent advocacy (Care Act s.67) considered",
            who=a.recorded_by.display_name,
            detail=presenters.duty_sentence(a),
            href=link(a.pk),
            kind="capacity",
        )


def imca_events(person):
    link = href_for("capacity:imca")
    for i in selectors.timeline_records(person, "imca"):
        yield TimelineEntry(
            when=_when(i.referred_on, i.recorded_at),
            title="Referral to an IMCA",
            who=i.recorded_by.display_name,
            detail=presenters.imca_reason_label(i.reason),
            href=link(i.pk),
            kind="capacity",
        )


def consent_events(person):
    link = href_for("capacity:consent")
    for s in selectors.timeline_records(person, "consents"):
        yield TimelineEntry(
            when=_when(s.recorded_on, s.recorded_at),
            title="Consent to share information",
            who=s.recorded_by.display_name,
            detail=presenters.basis_label(s.basis),
            href=link(s.pk),
            kind="capacity",
        )
