"""Reads for plans and reviews, always for a given user, through the access rules.

The work lists (`overdue_reviews`, `waiting_for_service_start`, `waiting_for_review`) are annotated querysets: they
filter and order in the database with EXISTS subqueries and carry `waited` (a timedelta: `row.waited.days`), so they
stay fast with thousands of rows. Their callers slice them and audit what they show.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import (
    DateField,
    DurationField,
    Exists,
    ExpressionWrapper,
    F,
    OuterRef,
    Q,
    QuerySet,
    Value,
)
from django.utils import timezone

from openasc.core import access
from openasc.core.models import CareRelationship, RelationshipKind, User
from openasc.planning.models import MeetBy, Plan, PlanStatus, Review, ReviewStatus
from openasc.planning.services import OUTCOME_LABELS


@dataclass(frozen=True)
class EligibleNeed:
    code: str
    label: str
    limbs: tuple[str, ...] = ()
    notes: str = ""


@dataclass
class Prefill:
    assessment: object | None
    needs: list[EligibleNeed] = field(default_factory=list)
    points: int | None = None
    indicative_weekly_pence: int | None = None
    goals: str = ""  # what matters to the person, from the assessment


def latest_eligible_assessment(person):
    """The person's latest completed assessment that found eligible needs (None if there is none)."""
    from openasc.assessments.models import Assessment, AssessmentStatus

    return (
        Assessment.objects.filter(person=person, status=AssessmentStatus.COMPLETED, eligible=True)
        .order_by("-completed_on", "-pk")
        .first()
    )


def eligible_needs_of(assessment) -> list[EligibleNeed]:
    """The outcomes the person cannot achieve, from the assessments app's `eligible_needs` when it exists."""
    try:
        from openasc.assessments import selectors as assessment_selectors

        provided = getattr(assessment_selectors, "eligible_needs", None)
    except ImportError:
        provided = None
    if provided:
        result = provided(assessment)
        items = list(getattr(result, "outcomes", result))
    else:
        order = list(OUTCOME_LABELS)
        items = sorted(
            assessment.outcomes.filter(can_achieve=False),
            key=lambda o: order.index(o.code) if o.code in order else len(order),
        )
    needs = []
    for item in items:
        if isinstance(item, str):
            code, limbs, notes = item, (), ""
        elif isinstance(item, dict):
            code, limbs, notes = item.get("code", ""), item.get("limbs", ()), item.get("notes", "")
        else:
            code, limbs, notes = item.code, getattr(item, "limbs", ()), getattr(item, "notes", "")
        needs.append(
            EligibleNeed(
                code=code, label=OUTCOME_LABELS.get(code, code), limbs=tuple(limbs or ()), notes=notes or ""
            )
        )
    return needs


def _check(user: User, person, purpose: str = "plans") -> access.Access:
    return access.check(user, person, purpose)


def plan_prefill(*, user: User, person) -> Prefill:
    """What the new-plan page starts from: the eligible needs of the latest assessment and the indicative budget."""
    from openasc.planning.services import indicative_for

    _check(user, person)
    assessment = latest_eligible_assessment(person)
    if assessment is None:
        return Prefill(assessment=None)
    points, indicative = indicative_for(assessment)
    return Prefill(
        assessment=assessment,
        needs=eligible_needs_of(assessment),
        points=points,
        indicative_weekly_pence=indicative,
        goals=assessment.what_matters or "",
    )


def plan_get(*, user: User, plan_id: int, purpose: str = "view") -> tuple[Plan, access.OpenedRecord]:
    """One plan version, if the user may open the person's record, with the record as opened (audited): what the
    plan write services take."""
    plan = Plan.objects.select_related("person", "created_by", "signed_off_by", "assessment").get(pk=plan_id)
    return plan, access.open_record(user, plan.person, purpose, obj=plan)


def plan_needs(plan: Plan) -> list:
    """The needs of a plan the caller has already opened through `plan_get`."""
    return list(plan.needs.order_by("pk"))


def plan_history(plan: Plan) -> list:
    return list(plan.status_changes.select_related("changed_by").order_by("changed_at", "pk"))


def plans_for_person(*, user: User, person) -> list[Plan]:
    """Every version of the person's plan, newest first."""
    _check(user, person)
    return list(Plan.objects.filter(person=person).select_related("created_by").order_by("-version"))


def current_plan(*, user: User, person) -> Plan | None:
    """The agreed (in force) version, if any."""
    _check(user, person)
    return Plan.objects.filter(person=person, status=PlanStatus.AGREED).order_by("-version").first()


def reviews_for_person(*, user: User, person) -> list[Review]:
    _check(user, person)
    return list(Review.objects.filter(person=person).select_related("reviewer").order_by("-due_on", "-pk"))


def review_get(*, user: User, review_id: int, purpose: str = "view") -> tuple[Review, access.OpenedRecord]:
    """One review, if the user may open the person's record, with the record as opened (audited)."""
    review = Review.objects.select_related("person", "plan", "reviewer").get(pk=review_id)
    return review, access.open_record(user, review.person, purpose, obj=review)


# --- work lists --------------------------------------------------------------------------------------------------


def _waited_since(field_name: str, today: dt.date):
    return ExpressionWrapper(
        Value(today, output_field=DateField()) - F(field_name), output_field=DurationField()
    )


def _visible(user: User, qs: QuerySet, team_ids: list[int] | None) -> QuerySet:
    from openasc.people.models import Person

    qs = qs.filter(person__in=access.people_visible_to(user, Person.objects.all()).values("pk"))
    if team_ids is not None:
        now = timezone.now()
        team_rel = CareRelationship.objects.filter(
            access.active_at(now), person=OuterRef("person"), team_id__in=list(team_ids)
        )
        qs = qs.filter(Exists(team_rel))
    return qs


def overdue_reviews(
    *, user: User, team_ids: list[int] | None = None, today: dt.date | None = None
) -> QuerySet:
    """Scheduled reviews whose due date has passed (overdue from the day after it), oldest first.

    Without `team_ids`: the user's own (they are the reviewer, or the allocated worker). With `team_ids`: everyone
    allocated to those teams. Always limited to people the user may open. Each row has `waited` (time overdue).
    """
    today = today or timezone.localdate()
    qs = Review.objects.filter(status=ReviewStatus.SCHEDULED, due_on__lt=today)
    if team_ids is None:
        now = timezone.now()
        mine = CareRelationship.objects.filter(
            access.active_at(now),
            person=OuterRef("person"),
            user=user,
            kind=RelationshipKind.ALLOCATED_WORKER,
        )
        qs = qs.filter(Q(reviewer=user) | Exists(mine))
    qs = _visible(user, qs, team_ids)
    return (
        qs.select_related("person", "reviewer")
        .annotate(waited=_waited_since("due_on", today))
        .order_by("due_on", "pk")
    )


def waiting_for_review(
    *, user: User, team_ids: list[int] | None = None, today: dt.date | None = None
) -> QuerySet:
    """Everyone the user may open whose review due date has passed and is not completed, with `waited`."""
    today = today or timezone.localdate()
    qs = _visible(user, Review.objects.filter(status=ReviewStatus.SCHEDULED, due_on__lt=today), team_ids)
    return (
        qs.select_related("person", "reviewer")
        .annotate(waited=_waited_since("due_on", today))
        .order_by("due_on", "pk")
    )


def waiting_for_service_start(
    *, user: User, team_ids: list[int] | None = None, today: dt.date | None = None
) -> QuerySet:
    """Agreed plans with needs to be met by a service and no service started for the person since the plan was
    agreed (or still running from before), with `waited` = time since the plan was agreed."""
    from openasc.planning.models import PlanNeed
    from openasc.services.models import Service

    today = today or timezone.localdate()
    service_need = PlanNeed.objects.filter(plan=OuterRef("pk"), meet_by=MeetBy.SERVICE)
    in_place = Service.objects.filter(person=OuterRef("person"), start_on__lte=today).filter(
        Q(end_on__isnull=True) | Q(end_on__gte=OuterRef("agreed_on"))
    )
    qs = Plan.objects.filter(status=PlanStatus.AGREED).filter(Exists(service_need)).exclude(Exists(in_place))
    qs = _visible(user, qs, team_ids)
    return (
        qs.select_related("person")
        .annotate(waited=_waited_since("agreed_on", today))
        .order_by("agreed_on", "pk")
    )


def plans_awaiting_sign_off(
    *, user: User, team_ids: list[int] | None = None, today: dt.date | None = None
) -> QuerySet:
    """Plans waiting for a team manager, oldest first, with `waited` = time since they were written."""
    today = today or timezone.localdate()
    qs = _visible(user, Plan.objects.filter(status=PlanStatus.AWAITING_SIGN_OFF), team_ids)
    return (
        qs.select_related("person", "created_by")
        .annotate(
            waited=ExpressionWrapper(
                Value(today, output_field=DateField()) - F("created_at__date"), output_field=DurationField()
            )
        )
        .order_by("created_at", "pk")
    )
