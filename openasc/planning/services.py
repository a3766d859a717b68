"""Writes for care and support plans, personal budgets and reviews. Each is atomic, audited and validated.

A plan is never overwritten: changing an agreed plan creates version n+1 (`previous` = the agreed one). The agreed
version stays in force while the new one is drafted and signed off; when the new version is agreed the old one
becomes SUPERSEDED. Reviews are scheduled automatically (`review_schedule_for`), and completing one schedules the next.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from openasc.assessments.eligibility import ADULT_OUTCOMES, CARER_OUTCOMES
from openasc.core import access, audit, codes
from openasc.core.errors import ValidationFailed
from openasc.core.models import AuditAction, User
from openasc.core.workflow import require_belongs, require_record
from openasc.planning import bands
from openasc.planning.models import (
    REVIEW_OUTCOME,
    MeetBy,
    Plan,
    PlanNeed,
    PlanStatus,
    Review,
    ReviewStatus,
    WhatFollowed,
)
from openasc.planning.workflows import PLAN, REVIEW

# Who may write plans and reviews (Capability.PLAN) and who signs plans off when OPENASC_PLAN_SIGN_OFF is on
# (Capability.SIGN_OFF): see core.access.
OUTCOME_LABELS = {
    **dict(ADULT_OUTCOMES),
    **{k: v for k, v in CARER_OUTCOMES if k not in dict(ADULT_OUTCOMES)},
}
LONG_TERM_PREFIX = "Long term support"


@dataclass(frozen=True)
class NeedIn:
    outcome_code: str
    meet_by: str
    description: str  # what will be done
    who: str = ""  # who does it
    when: str = ""  # when it is done


def _require(actor: User, capability: str, what: str) -> None:
    if not access.has(actor, capability):
        raise PermissionError(f"Your role cannot {what}.")


def can_write_plans(user: User) -> bool:
    return access.has(user, access.Capability.PLAN)


def can_sign_off(user: User) -> bool:
    return access.has(user, access.Capability.SIGN_OFF)


def _as_need(n: NeedIn | dict[str, Any]) -> NeedIn:
    if isinstance(n, NeedIn):
        return n
    return NeedIn(
        outcome_code=str(n.get("outcome_code", "")).strip(),
        meet_by=str(n.get("meet_by", "")).strip(),
        description=str(n.get("description", "")),
        who=str(n.get("who", "") or "").strip(),
        when=str(n.get("when", "") or "").strip(),
    )


def _check_plan(
    *,
    goals: str,
    needs: list[NeedIn],
    delivery_mechanism: str,
    agreed_weekly_pence: int | None,
    errors: dict[str, str],
    contingency: str = "",
) -> None:
    if not (goals or "").strip():
        errors["goals"] = "Enter the person's goals, in their own words"
    elif len(goals) > 10000:
        errors["goals"] = "The goals must be 10,000 characters or fewer"
    if not needs:
        errors["needs"] = (
            "Add at least one eligible need and how it will be met (complete an assessment first)"
        )
    seen = set()
    for n in needs:
        if n.outcome_code not in OUTCOME_LABELS:
            errors[f"meet_by_{n.outcome_code}"] = f"'{n.outcome_code}' is not a Care Act outcome"
            continue
        if n.outcome_code in seen:
            errors[f"meet_by_{n.outcome_code}"] = "Each need can appear only once in a plan"
        seen.add(n.outcome_code)
        label = OUTCOME_LABELS[n.outcome_code].lower()
        if n.meet_by not in MeetBy.values:
            errors[f"meet_by_{n.outcome_code}"] = f"Select how the need for {label} will be met"
        if not n.description.strip():
            errors[f"description_{n.outcome_code}"] = f"Describe how the need for {label} will be met"
        for part, words in (("who", "Who will meet"), ("when", "When the need for")):
            if len(getattr(n, part)) > 200:
                errors[f"{part}_{n.outcome_code}"] = (
                    f"{words} {'the need for ' + label if part == 'who' else label + ' is met'} must be 200 "
                    "characters or fewer"
                )
    if len(contingency or "") > 10000:
        errors["contingency"] = "The contingency plan must be 10,000 characters or fewer"
    if delivery_mechanism and not codes.is_valid(codes.ListName.DELIVERY_MECHANISM, delivery_mechanism):
        errors["delivery_mechanism"] = "Select a delivery mechanism from the list"
    if agreed_weekly_pence is not None and (
        not isinstance(agreed_weekly_pence, int) or agreed_weekly_pence < 0
    ):
        errors["agreed_weekly"] = "The agreed weekly amount must be £0.00 or more"


def indicative_for(assessment, *, on: dt.date | None = None) -> tuple[int | None, int | None]:
    """(points, indicative weekly pence) from an assessment's unmet outcomes and limbs, using the council's table."""
    if assessment is None:
        return None, None
    from openasc.planning.selectors import eligible_needs_of

    points = bands.need_points((n.code, n.limbs) for n in eligible_needs_of(assessment))
    return points, bands.indicative_weekly_pence(points, on=on)


def _create_needs(record: access.OpenedRecord, plan: Plan, needs: list[NeedIn]) -> None:
    rows = [
        PlanNeed.objects.create(
            plan=plan,
            outcome_code=n.outcome_code,
            meet_by=n.meet_by,
            description=n.description.strip(),
            who=n.who.strip(),
            when=n.when.strip(),
        )
        for n in needs
    ]
    audit.record_many(
        actor=record.user,
        action=AuditAction.CREATE,
        objs=[_with_person(r, plan) for r in rows],
        basis=record.basis,
        details={"plan": plan.pk, "version": plan.version},
    )


def _with_person(need: PlanNeed, plan: Plan) -> PlanNeed:
    need.person_id = plan.person_id  # so the audit event carries the person
    return need


@transaction.atomic
def plan_create(
    *,
    record: access.OpenedRecord,
    goals: str,
    needs: list[NeedIn | dict[str, Any]],
    delivery_mechanism: str = "",
    agreed_weekly_pence: int | None = None,
    starts_on: dt.date | None = None,
    assessment=None,
    contingency: str = "",
) -> Plan:
    """Draft the first plan for a person, with its indicative budget from the resource allocation table, on the
    record as opened (access.open_record): the worker, the person and the basis come from the opening."""
    actor, person = require_record(record).user, record.person
    _require(actor, access.Capability.PLAN, "write care and support plans")
    needs = [_as_need(n) for n in needs]
    errors: dict[str, str] = {}
    if Plan.objects.filter(person=person).exists():
        latest = Plan.objects.filter(person=person).order_by("-version").first()
        errors["person"] = (
            f"This person already has a plan (version {latest.version}, "
            f"{latest.get_status_display().lower()}): change that plan or create a new version of it"
        )
    if assessment is not None and assessment.person_id != person.pk:
        errors["assessment"] = "The assessment belongs to someone else"
    _check_plan(
        goals=goals,
        needs=needs,
        delivery_mechanism=delivery_mechanism,
        agreed_weekly_pence=agreed_weekly_pence,
        errors=errors,
        contingency=contingency,
    )
    if errors:
        raise ValidationFailed(errors)
    points, indicative = indicative_for(assessment)
    plan = Plan.objects.create(
        person=person,
        assessment=assessment,
        version=1,
        goals=goals.strip(),
        contingency=(contingency or "").strip(),
        indicative_weekly_pence=indicative,
        agreed_weekly_pence=agreed_weekly_pence,
        delivery_mechanism=delivery_mechanism,
        starts_on=starts_on,
        created_by=actor,
    )
    PLAN.begin(record, plan)
    audit.record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=plan,
        basis=record.basis,
        details={
            "event": "plan_created",
            "version": 1,
            "points": points,
            "indicative_pence": indicative,
            "needs": [n.outcome_code for n in needs],
        },
    )
    _create_needs(record, plan, needs)
    return plan


@transaction.atomic
def plan_update(
    *,
    record: access.OpenedRecord,
    plan: Plan,
    goals: str,
    needs: list[NeedIn | dict[str, Any]],
    delivery_mechanism: str = "",
    agreed_weekly_pence: int | None = None,
    starts_on: dt.date | None = None,
    contingency: str = "",
) -> Plan:
    """Change a draft plan (an agreed plan is never changed: create a new version of it instead)."""
    actor = require_record(record).user
    _require(actor, access.Capability.PLAN, "write care and support plans")
    require_belongs(record, plan, field="plan", what="plan")
    plan = Plan.objects.select_for_update().get(pk=plan.pk)
    if plan.status != PlanStatus.DRAFT:
        raise ValidationFailed(
            {"plan": "Only a draft plan can be changed: create a new version of an agreed plan"}
        )
    needs = [_as_need(n) for n in needs]
    errors: dict[str, str] = {}
    _check_plan(
        goals=goals,
        needs=needs,
        delivery_mechanism=delivery_mechanism,
        agreed_weekly_pence=agreed_weekly_pence,
        errors=errors,
        contingency=contingency,
    )
    if errors:
        raise ValidationFailed(errors)
    before = {
        "contingency": plan.contingency,
        "goals": plan.goals,
        "delivery_mechanism": plan.delivery_mechanism,
        "agreed_weekly_pence": plan.agreed_weekly_pence,
        "starts_on": plan.starts_on,
    }
    after = {
        "contingency": (contingency or "").strip(),
        "goals": goals.strip(),
        "delivery_mechanism": delivery_mechanism,
        "agreed_weekly_pence": agreed_weekly_pence,
        "starts_on": starts_on,
    }
    for k, v in after.items():
        setattr(plan, k, v)
    plan.save(update_fields=list(after))
    old = list(plan.needs.all())
    with audit.bulk(actor=actor, action=AuditAction.DELETE, reason="Plan needs replaced", summary=False):
        audit.record_many(
            actor=actor,
            action=AuditAction.DELETE,
            objs=[_with_person(n, plan) for n in old],
            basis=record.basis,
            details={"plan": plan.pk, "replaced": True},
        )
        plan.needs.all().delete()
    _create_needs(record, plan, needs)
    audit.record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=plan,
        basis=record.basis,
        details={"event": "plan_changed", "changes": audit.changes_between(before, after)},
    )
    return plan


@transaction.atomic
def plan_new_version(
    *,
    record: access.OpenedRecord,
    plan: Plan,
    goals: str | None = None,
    needs: list[NeedIn | dict[str, Any]] | None = None,
    delivery_mechanism: str | None = None,
    agreed_weekly_pence: int | None = None,
    starts_on: dt.date | None = None,
    reason: str = "",
    contingency: str | None = None,
) -> Plan:
    """Version n+1 of an agreed plan, as a draft: unchanged parts are copied, the agreed version is kept."""
    actor = require_record(record).user
    _require(actor, access.Capability.PLAN, "write care and support plans")
    require_belongs(record, plan, field="plan", what="plan")
    plan = Plan.objects.select_for_update().get(pk=plan.pk)
    latest = Plan.objects.filter(person_id=plan.person_id).order_by("-version").first()
    errors: dict[str, str] = {}
    if plan.status != PlanStatus.AGREED:
        errors["plan"] = "Only the agreed plan can be changed by a new version"
    elif latest.pk != plan.pk:
        errors["plan"] = (
            f"Version {latest.version} is already being prepared "
            f"({latest.get_status_display().lower()}): change that one"
        )
    if errors:
        raise ValidationFailed(errors)
    new_needs = (
        [_as_need(n) for n in needs]
        if needs is not None
        else [
            NeedIn(n.outcome_code, n.meet_by, n.description, n.who, n.when) for n in plan.needs.order_by("pk")
        ]
    )
    contingency = plan.contingency if contingency is None else contingency
    goals = plan.goals if goals is None else goals
    delivery_mechanism = plan.delivery_mechanism if delivery_mechanism is None else delivery_mechanism
    agreed = plan.agreed_weekly_pence if agreed_weekly_pence is None else agreed_weekly_pence
    _check_plan(
        goals=goals,
        needs=new_needs,
        delivery_mechanism=delivery_mechanism,
        agreed_weekly_pence=agreed,
        errors=errors,
        contingency=contingency,
    )
    if errors:
        raise ValidationFailed(errors)
    from openasc.planning.selectors import latest_eligible_assessment

    assessment = latest_eligible_assessment(plan.person) or plan.assessment
    _, indicative = indicative_for(assessment)
    new = Plan.objects.create(
        person_id=plan.person_id,
        assessment=assessment,
        version=plan.version + 1,
        previous=plan,
        goals=goals.strip(),
        contingency=(contingency or "").strip(),
        indicative_weekly_pence=indicative,
        agreed_weekly_pence=agreed,
        delivery_mechanism=delivery_mechanism,
        starts_on=starts_on,
        created_by=actor,
    )
    PLAN.begin(record, new, note=reason)
    audit.record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=new,
        reason=reason,
        basis=record.basis,
        details={
            "event": "plan_new_version",
            "version": new.version,
            "previous": plan.pk,
            "indicative_pence": indicative,
        },
    )
    _create_needs(record, new, new_needs)
    return new


def _agree(
    record: access.OpenedRecord, plan: Plan, transition: str, signed_off_by: User | None, note: str = ""
) -> Plan:
    """Agree (or sign off) the plan; the version it replaces is superseded and its scheduled reviews move over."""
    actor = record.user
    today = timezone.localdate()
    plan.agreed_on = today
    plan.starts_on = plan.starts_on or today
    plan.signed_off_by = signed_off_by
    PLAN.apply(
        record,
        plan,
        transition,
        note=note,
        fields=["agreed_on", "starts_on", "signed_off_by"],
        details={
            "event": "plan_agreed",
            "version": plan.version,
            "signed_off_by": signed_off_by.pk if signed_off_by else None,
        },
    )
    if plan.previous_id:
        old = Plan.objects.select_for_update().get(pk=plan.previous_id)
        if old.status == PlanStatus.AGREED:
            PLAN.apply(
                record,
                old,
                "supersede",
                note=f"Replaced by version {plan.version}",
                details={"event": "plan_superseded", "by": plan.pk, "version": old.version},
            )
        moving = list(Review.objects.filter(plan=old, status=ReviewStatus.SCHEDULED).only("pk", "person_id"))
        with audit.bulk(
            actor=actor, action=AuditAction.UPDATE, reason="Reviews follow the agreed plan", summary=False
        ):
            Review.objects.filter(pk__in=[r.pk for r in moving]).update(plan=plan)
            audit.record_many(
                actor=actor,
                action=AuditAction.UPDATE,
                objs=moving,
                basis=record.basis,
                details={"event": "review_moved_to_plan", "from_plan": old.pk, "plan": plan.pk},
            )
    return plan


def plan_agree(*, record: access.OpenedRecord, plan: Plan, note: str = "") -> Plan:
    """The person and worker agree the plan; it goes to a team manager first when sign-off is required."""
    actor = require_record(record).user
    require_belongs(record, plan, field="plan", what="plan")
    # A team manager may agree a plan someone else wrote; their own plans go to another manager like anyone's.
    to_manager = settings.OPENASC_PLAN_SIGN_OFF and (
        not can_sign_off(actor) or plan.created_by_id == actor.pk
    )
    transition = "send_for_sign_off" if to_manager else "agree"
    PLAN.check(record, plan, transition)
    if plan.agreed_weekly_pence is None:
        raise ValidationFailed(
            {"agreed_weekly": "Enter the agreed weekly personal budget before agreeing the plan"}
        )
    with transaction.atomic():
        plan = Plan.objects.select_for_update().get(pk=plan.pk)
        if to_manager:
            PLAN.apply(
                record,
                plan,
                transition,
                note=note,
                details={"event": "plan_sent_for_sign_off", "version": plan.version},
            )
            return plan
        return _agree(record, plan, transition, actor if settings.OPENASC_PLAN_SIGN_OFF else None, note)


def plan_sign_off(*, record: access.OpenedRecord, plan: Plan, approve: bool = True, note: str = "") -> Plan:
    """A team manager agrees the plan, or returns it to draft with a note saying what to change."""
    actor = require_record(record).user
    require_belongs(record, plan, field="plan", what="plan")
    PLAN.check(record, plan, "sign_off" if approve else "return")
    if not approve and not note.strip():
        raise ValidationFailed({"note": "Say what needs to change before the plan can be signed off"})
    with transaction.atomic():
        plan = Plan.objects.select_for_update().get(pk=plan.pk)
        if not approve:
            PLAN.apply(
                record,
                plan,
                "return",
                note=note,
                reason=note,
                details={"event": "plan_returned", "version": plan.version},
            )
            return plan
        return _agree(record, plan, "sign_off", actor, note)


# --- reviews -----------------------------------------------------------------------------------------------------


def _weeks(n: int) -> dt.timedelta:
    return dt.timedelta(weeks=n)


def _allocated_worker(person) -> User | None:
    from openasc.core.models import CareRelationship, RelationshipKind

    now = timezone.now()
    rel = (
        CareRelationship.objects.filter(
            access.active_at(now), person=person, kind=RelationshipKind.ALLOCATED_WORKER, user__isnull=False
        )
        .select_related("user")
        .order_by("-starts_at")
        .first()
    )
    return rel.user if rel else None


def _current_plan(person) -> Plan | None:
    return Plan.objects.filter(person=person, status=PlanStatus.AGREED).order_by("-version").first()


def _schedule(
    record: access.OpenedRecord, due_on: dt.date, reason: str = "Planned", note: str = ""
) -> Review:
    person = record.person
    review = Review.objects.create(
        person=person,
        plan=_current_plan(person),
        due_on=due_on,
        reason=reason,
        reviewer=_allocated_worker(person),
    )
    REVIEW.begin(record, review, note=note)
    audit.record(
        actor=record.user,
        action=AuditAction.CREATE,
        obj=review,
        basis=record.basis,
        details={"event": "review_scheduled", "due_on": due_on.isoformat(), "reason": reason},
    )
    return review


def _long_term(person):
    from openasc.services.models import Service

    return Service.objects.filter(person=person, service_type__startswith=LONG_TERM_PREFIX)


@transaction.atomic
def review_schedule_for(*, record: access.OpenedRecord, started=None) -> Review | None:
    """Make sure the person has their next planned review: OPENASC_FIRST_REVIEW_WEEKS after long-term support
    starts (the first time, or again after it had ended), then OPENASC_REVIEW_INTERVAL_WEEKS after each completed
    review. `started` is a service that has just started. Idempotent. On the record as opened by whoever's work
    led here (a service starting, a review completing), or by a system actor with its purpose."""
    person = require_record(record).person
    require_belongs(record, started, field="service", what="service")
    scheduled = (
        Review.objects.filter(person=person, status=ReviewStatus.SCHEDULED, reason="Planned")
        .order_by("due_on")
        .first()
    )
    if scheduled:  # (an unplanned review someone asked for does not replace the planned cycle)
        return scheduled
    if started is not None and started.service_type.startswith(LONG_TERM_PREFIX):
        already = (
            _long_term(person)
            .exclude(pk=started.pk)
            .filter(start_on__lte=started.start_on)
            .exclude(end_on__lt=started.start_on)
        )
        if not already.exists():  # long-term support starts (again) with this service
            return _schedule(
                record,
                started.start_on + _weeks(settings.OPENASC_FIRST_REVIEW_WEEKS),
                note="First review after long-term support started",
            )
    last = (
        Review.objects.filter(person=person, status=ReviewStatus.COMPLETED)
        .order_by("-completed_on", "-pk")
        .first()
    )
    if last is not None:
        if last.what_followed == WhatFollowed.ENDED:
            return None
        return _schedule(record, last.completed_on + _weeks(settings.OPENASC_REVIEW_INTERVAL_WEEKS))
    first = _long_term(person).order_by("start_on").values_list("start_on", flat=True).first()
    if first is None:
        return None
    return _schedule(
        record,
        first + _weeks(settings.OPENASC_FIRST_REVIEW_WEEKS),
        note="First review after long-term support started",
    )


@transaction.atomic
def reviews_cancel_when_support_ends(*, record: access.OpenedRecord, ended_on: dt.date) -> list[Review]:
    """When the person's last long-term service has ended there is nothing left for the planned review to review:
    cancel it, so it no longer shows as due or overdue. Unplanned reviews someone asked for stay. A new long-term
    service schedules a first review again (`review_schedule_for`)."""
    person = require_record(record).person
    if _long_term(person).exclude(end_on__lte=ended_on).exists():
        return []
    cancelled = []
    for review in Review.objects.select_for_update().filter(
        person=person, status=ReviewStatus.SCHEDULED, reason="Planned"
    ):
        note = f"Long-term support ended on {ended_on:%-d %B %Y}"
        REVIEW.apply(
            record,
            review,
            "cancel",
            note=note,
            reason=note,
            details={
                "event": "review_cancelled",
                "due_on": review.due_on.isoformat(),
                "support_ended_on": ended_on.isoformat(),
            },
        )
        cancelled.append(review)
    return cancelled


@transaction.atomic
def review_create_unplanned(
    *, record: access.OpenedRecord, reason: str, due_on: dt.date | None = None, notes: str = ""
) -> Review:
    """An unplanned review (hospital, carer, safeguarding, provider failure...) or a review of short-term support."""
    _require(require_record(record).user, access.Capability.PLAN, "arrange reviews")
    if not codes.is_valid(codes.ListName.REVIEW_REASON, reason) or reason == "Planned":
        raise ValidationFailed({"reason": "Select why this unplanned review is needed from the list"})
    review = _schedule(record, due_on or timezone.localdate(), reason=reason, note=notes)
    return review


def _care_began(review: Review) -> tuple[dt.date, str] | None:
    """When the care a review looks at began: the first service of its plan (or, for a review with no plan, of the
    person), else the day the plan was agreed; None when nothing has begun (an early review of a plan not yet in
    place stands)."""
    from openasc.services.models import Service

    services = (
        Service.objects.filter(plan_id=review.plan_id)
        if review.plan_id
        else Service.objects.filter(person_id=review.person_id)
    )
    first = services.order_by("start_on").values_list("start_on", flat=True).first()
    if first:
        return first, "the first service started"
    if review.plan_id and review.plan.agreed_on:
        return review.plan.agreed_on, "the plan was agreed"
    return None


def review_complete(
    *,
    record: access.OpenedRecord,
    review: Review,
    completed_on: dt.date,
    method: str,
    outcomes_achieved: str,
    what_followed: str,
    notes: str = "",
    started_on: dt.date | None = None,
) -> Review:
    """Record the review and what followed (with its CLD event outcome); the next planned review is scheduled."""
    actor = require_record(record).user
    require_belongs(record, review, field="review", what="review")
    REVIEW.check(record, review, "complete")
    errors: dict[str, str] = {}
    if completed_on is None:
        errors["completed_on"] = "Enter the date the review was completed"
    elif completed_on > timezone.localdate():
        errors["completed_on"] = "The date the review was completed must be today or in the past"
    given_start = started_on
    started_on = started_on or completed_on
    if started_on and completed_on and started_on > completed_on:
        errors["started_on"] = "The review cannot start after it was completed"
    began = _care_began(review)
    if began and started_on and started_on < began[0] and "completed_on" not in errors:
        field = "started_on" if given_start else "completed_on"
        errors.setdefault(
            field,
            f"A review cannot be before the care it reviews: {began[1]} on {began[0]:%-d %B %Y}",
        )
    if not codes.is_valid(codes.ListName.METHOD_OF_REVIEW, method):
        errors["method"] = "Select how the review was carried out"
    if not codes.is_valid(codes.ListName.REVIEW_OUTCOMES_ACHIEVED, outcomes_achieved):
        errors["outcomes_achieved"] = "Select whether the person's outcomes were achieved"
    if what_followed not in WhatFollowed.values:
        errors["what_followed"] = "Select what followed the review"
    if errors:
        raise ValidationFailed(errors)
    with transaction.atomic():
        review = Review.objects.select_for_update().get(pk=review.pk)
        review.started_on = started_on
        review.completed_on = completed_on
        review.method = method
        review.outcomes_achieved = outcomes_achieved
        review.what_followed = what_followed
        review.outcome = REVIEW_OUTCOME[WhatFollowed(what_followed)]
        review.notes = notes.strip()
        review.reviewer = review.reviewer or actor
        REVIEW.apply(
            record,
            review,
            "complete",
            fields=[
                "started_on",
                "completed_on",
                "method",
                "outcomes_achieved",
                "what_followed",
                "outcome",
                "notes",
                "reviewer",
            ],
            details={"event": "review_completed", "outcome": review.outcome, "what_followed": what_followed},
        )
        review_schedule_for(record=record)
    return review
