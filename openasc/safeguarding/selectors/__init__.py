"""Reads of safeguarding concerns and enquiries, always through the access rules, and who may see their detail.

Opening the adult's record (access.open_record) decides whether someone may see it at all. Within it, the detail of
a safeguarding concern or enquiry is seen (`sees_detail`) by safeguarding leads and team managers
(Capability.SEE_SAFEGUARDING), by the staff the enquiry's own relationships name (the safeguarding team, the enquiry
officer), by the adult's allocated worker and team, and by whoever raised that concern. An NHS partner sees only the
concerns they raised themselves: their sharing basis covers the care they give, not the council's enquiry. Anyone
else who may open the record is told only that there is an open safeguarding concern or enquiry, and whom to ask.
Every view is audited (the opening, with the concern or enquiry as the object); a refusal too.

The person alleged to cause harm is never shown anything: nothing here reads Allegation.source_person from their
side, so their record, their timeline and their access log stay silent (docs/safeguarding.md)."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Q
from django.utils import timezone

from openasc.core import access
from openasc.core.models import CareRelationship, RelationshipKind, Role, User
from openasc.safeguarding.models import (
    OPEN_ENQUIRY,
    Concern,
    ConcernStatus,
    Enquiry,
)

DETAIL_REFUSED = (
    "Safeguarding records are seen by the safeguarding team, the enquiry officer, the adult's allocated worker and "
    "team, safeguarding leads and team managers, and by whoever raised the concern."
)
ASK = "Ask the safeguarding adults hub"


def _relationship_with(user: User, person_id: int, kinds) -> bool:
    now = timezone.now()
    return (
        CareRelationship.objects.filter(access.active_at(now), person_id=person_id, kind__in=kinds)
        .filter(Q(user=user) | Q(team_id__in=access._team_ids(user)))
        .exists()
    )


DETAIL_KINDS = (
    RelationshipKind.SAFEGUARDING_ENQUIRY,
    RelationshipKind.ALLOCATED_WORKER,
    RelationshipKind.ALLOCATED_TEAM,
)


def sees_all_detail(user: User, person_id: int) -> bool:
    """Whether `user` sees the detail of every safeguarding record of this person (whose record they may open)."""
    if not (user and user.is_authenticated and user.is_active) or user.role == Role.NHS_PARTNER:
        return False
    return access.has(user, access.Capability.SEE_SAFEGUARDING) or _relationship_with(
        user, person_id, DETAIL_KINDS
    )


def sees_detail(user: User, person_id: int, concern: Concern, *, all_detail: bool | None = None) -> bool:
    """Whether `user` sees the detail of this concern (and its enquiry)."""
    if not (user and user.is_authenticated and user.is_active):
        return False
    if concern.raised_by_id == user.pk:
        return True
    return sees_all_detail(user, person_id) if all_detail is None else all_detail


def _open(user: User, concern: Concern, purpose: str, obj) -> access.OpenedRecord:
    """Open the adult's record for this concern or enquiry; refuse (audited) someone who may open the record but not
    see the safeguarding detail."""
    decision = access.explain(user, concern.person)
    if decision.allowed and not sees_detail(user, concern.person_id, concern):
        raise access.refuse(
            user, person_id=concern.person_id, purpose=purpose, explanation=DETAIL_REFUSED, obj=obj
        )
    return access.open_record(user, concern.person, purpose, obj=obj)


def concern_get(
    *, user: User, concern_id: int, purpose: str = "safeguarding concern"
) -> tuple[Concern, access.OpenedRecord]:
    """A concern and the adult's record opened for it; raises Concern.DoesNotExist or (audited) AccessDenied."""
    concern = Concern.objects.select_related("person", "team", "raised_by", "decided_by", "request").get(
        pk=concern_id
    )
    return concern, _open(user, concern, purpose, concern)


def enquiry_get(
    *, user: User, enquiry_id: int, purpose: str = "safeguarding enquiry"
) -> tuple[Enquiry, access.OpenedRecord]:
    enquiry = Enquiry.objects.select_related(
        "person", "concern", "concern__raised_by", "team", "officer", "large_scale", "capacity_assessment"
    ).get(pk=enquiry_id)
    return enquiry, _open(user, enquiry.concern, purpose, enquiry)


def record_open(
    *, user: User, person_id: int, purpose: str = "raise a safeguarding concern"
) -> access.OpenedRecord:
    from openasc.people.models import Person

    return access.open_record(user, Person.objects.get(pk=person_id), purpose)


@dataclass(frozen=True)
class OnRecord:
    """What the adult's record shows of safeguarding to the user who opened it."""

    concerns: list[Concern]  # those whose detail they see, newest first, each with .enquiry_or_none
    hidden_open: int  # open concerns or enquiries they may not see the detail of
    sees_all: bool


def on_record(record: access.OpenedRecord) -> OnRecord:
    """The adult's safeguarding concerns (with their enquiries) that the record's user may see, and how many open
    ones they may not (so the page says there is one and whom to ask). Never the records where this person is the
    one alleged to cause harm."""
    return for_person(user=record.user, person_id=record.person_id)


def for_person(*, user: User, person_id: int) -> OnRecord:
    """`on_record` for a page that opened the record itself (the person's page, through people.selectors): the
    caller has already checked and audited that `user` may open it."""
    all_detail = sees_all_detail(user, person_id)
    rows = list(
        Concern.objects.filter(person_id=person_id)
        .exclude(status=ConcernStatus.CANCELLED)
        .select_related("enquiry", "enquiry__officer", "raised_by")
        .order_by("-received_on", "-pk")
    )
    shown, hidden = [], 0
    for c in rows:
        if sees_detail(user, person_id, c, all_detail=all_detail):
            shown.append(c)
        elif c.status == ConcernStatus.AWAITING_DECISION or (
            c.status == ConcernStatus.ENQUIRY
            and getattr(c, "enquiry", None)
            and c.enquiry.status in OPEN_ENQUIRY
        ):
            hidden += 1
    return OnRecord(concerns=shown, hidden_open=hidden, sees_all=all_detail)


def enquiry_of(concern: Concern) -> Enquiry | None:
    try:
        return concern.enquiry
    except Enquiry.DoesNotExist:
        return None


def capacity_choices(record: access.OpenedRecord):
    """The adult's capacity assessments that found they lacked capacity (for the conclusion's SG3a link)."""
    from openasc.capacity.selectors import lacking_capacity_for

    return lacking_capacity_for(record)


def timeline_rows(person, viewer: User) -> list[Concern]:
    """The adult's concerns (with their enquiries) whose detail `viewer` sees, for the timeline: never those where
    this person is the one alleged to cause harm (Allegation.source_person is not read)."""
    all_detail = sees_all_detail(viewer, person.pk)
    rows = (
        Concern.objects.filter(person_id=person.pk)
        .exclude(status=ConcernStatus.CANCELLED)
        .select_related("enquiry", "raised_by", "decided_by")
        .order_by("-received_on", "-pk")
    )
    return [c for c in rows if sees_detail(viewer, person.pk, c, all_detail=all_detail)]


# --- The parts of a concern or enquiry, for its page (after concern_get / enquiry_get opened and audited it) --------
def agency_information_of(concern: Concern) -> list:
    return list(concern.agency_information.order_by("received_on", "pk"))


@dataclass(frozen=True)
class EnquiryParts:
    plan: object  # the protection plan, or None until one is agreed
    allegations: list
    meetings: list
    plan_actions: list
    plan_reviews: list


def enquiry_parts(enquiry: Enquiry) -> EnquiryParts:
    """The enquiry's allegation lines, meetings, and its protection plan's actions and reviews, in the order the page
    shows them. Never the person alleged to cause harm's record: only the line's own fields."""
    from openasc.safeguarding.models import ProtectionPlan

    plan = ProtectionPlan.objects.filter(enquiry_id=enquiry.pk).first()
    return EnquiryParts(
        plan=plan,
        allegations=list(enquiry.allegations.select_related("local_source").order_by("pk")),
        meetings=list(enquiry.meetings.order_by("held_on", "pk")),
        plan_actions=list(plan.actions.order_by("pk")) if plan else [],
        plan_reviews=list(plan.reviews.order_by("reviewed_on", "pk")) if plan else [],
    )


def allegation_of(enquiry: Enquiry, allegation_id: int):
    """One of this enquiry's allegation lines (Allegation.DoesNotExist for another enquiry's)."""
    return enquiry.allegations.select_related("local_source").get(pk=allegation_id)
