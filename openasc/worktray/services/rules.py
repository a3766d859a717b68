"""What task each piece of work makes: its title (never the person's name), who it is for, where it is done, when
it is due. The listeners (one thing, as it happens) and the refresh (everything, set by set) both build their
tasks here, so a task is the same whichever made it."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse
from django.utils import timezone

from openasc.core import access
from openasc.core.models import CareRelationship, RelationshipKind, Role
from openasc.core.money import pounds
from openasc.worktray.models import TaskKind
from openasc.worktray.services import TaskSpec

SIGN_OFF_DAYS = 5  # a manager signs off or authorises within a working week
ALLOCATED_DAYS = 5  # a worker makes first contact within a working week of allocation
BREAK_GLASS_REVIEW_DAYS = 7


def _today() -> dt.date:
    return timezone.localdate()


CHUNK = 5000  # ids per query: well inside SQLite's limit on parameters


def _allocated(person_ids, kind: str, field: str) -> dict[int, int]:
    """Each person's allocated team or worker now (the earliest allocation), a query per 5,000 people."""
    found: dict[int, int] = {}
    ids, now = sorted(set(person_ids)), timezone.now()
    for i in range(0, len(ids), CHUNK):
        rows = (
            CareRelationship.objects.filter(
                access.active_at(now), kind=kind, person_id__in=ids[i : i + CHUNK]
            )
            .order_by("starts_at", "pk")
            .values_list("person_id", field)
        )
        for person_id, value in rows.iterator():
            found.setdefault(person_id, value)
    return found


def teams_of_people(person_ids) -> dict[int, int]:
    return _allocated(person_ids, RelationshipKind.ALLOCATED_TEAM, "team_id")


def workers_of_people(person_ids) -> dict[int, int]:
    return _allocated(person_ids, RelationshipKind.ALLOCATED_WORKER, "user_id")


def triage_teams(person_ids) -> dict[int, int]:
    """For requests not yet with a team: the person's allocated team, else their allocated worker's team (the
    waiting list for triage of a team shows both), so a breach is the same team's whichever list shows it."""
    teams = teams_of_people(person_ids)
    missing = [p for p in person_ids if p not in teams]
    workers = workers_of_people(missing)
    firsts: dict[int, int | None] = {}
    for person_id, user_id in workers.items():
        if user_id not in firsts:
            firsts[user_id] = _first_team(user_id)
        if firsts[user_id]:
            teams[person_id] = firsts[user_id]
    return teams


def _first_team(user_id: int | None) -> int | None:
    from openasc.core.models import User

    if not user_id:
        return None
    return (
        User.teams.through.objects.filter(user_id=user_id, team__is_nhs_partner=False)
        .order_by("team__name")
        .values_list("team_id", flat=True)
        .first()
    )


def sign_off_team(person_id: int, worker_id: int | None, teams: dict[int, int] | None = None) -> int | None:
    """The team whose managers sign off: the person's allocated team, else the worker's own team."""
    teams = teams if teams is not None else teams_of_people([person_id])
    return teams.get(person_id) or _first_team(worker_id)


def assessment_sign_off(a, *, team_id: int | None, on: dt.date | None = None) -> TaskSpec:
    kind = "carer's assessment" if getattr(a, "cared_for_id", None) else "assessment"
    return TaskSpec(
        kind=TaskKind.ASSESSMENT_SIGN_OFF,
        title=f"Sign off an {kind}" if kind[0] in "aeiou" else f"Sign off a {kind}",
        subject_type="assessments.assessment",
        subject_id=a.pk,
        url=reverse("assessments:sign-off", args=[a.pk]),
        person_id=a.person_id,
        team_id=team_id,
        capability=access.Capability.SIGN_OFF,
        excluded_user_id=a.assessor_id,
        due_on=(on or _today()) + dt.timedelta(days=SIGN_OFF_DAYS),
    )


def plan_sign_off(p, *, team_id: int | None, on: dt.date | None = None) -> TaskSpec:
    return TaskSpec(
        kind=TaskKind.PLAN_SIGN_OFF,
        title="Sign off a care and support plan",
        subject_type="planning.plan",
        subject_id=p.pk,
        url=reverse("planning:sign-off", args=[p.pk]),
        person_id=p.person_id,
        team_id=team_id,
        capability=access.Capability.SIGN_OFF,
        excluded_user_id=p.created_by_id,
        due_on=(on or _today()) + dt.timedelta(days=SIGN_OFF_DAYS),
    )


def budget(b, *, team_id: int | None, on: dt.date | None = None) -> TaskSpec:
    over = b.committed_weekly_pence - b.agreed_weekly_pence
    return TaskSpec(
        kind=TaskKind.BUDGET,
        title=f"Authorise a cost {pounds(over)} a week above the personal budget",
        subject_type="services.budgetauthorisation",
        subject_id=b.pk,
        url=reverse("worktray:budget", args=[b.pk]),
        person_id=b.person_id,
        team_id=team_id,
        capability=access.Capability.SIGN_OFF,
        excluded_user_id=b.requested_by_id,
        due_on=(on or _today()) + dt.timedelta(days=SIGN_OFF_DAYS),
    )


def allocated(rel, *, on: dt.date | None = None) -> TaskSpec:
    return TaskSpec(
        kind=TaskKind.ALLOCATED,
        title="Make contact with a person allocated to you",
        subject_type="core.carerelationship",
        subject_id=rel.pk,
        url=reverse("people:detail", args=[rel.person_id]),
        person_id=rel.person_id,
        assigned_user_id=rel.user_id,
        due_on=(on or _today()) + dt.timedelta(days=ALLOCATED_DAYS),
    )


def review_due(review_id: int, person_id: int, due_on: dt.date, *, user_id, team_id) -> TaskSpec:
    return TaskSpec(
        kind=TaskKind.REVIEW_DUE,
        title="Complete a review",
        subject_type="planning.review",
        subject_id=review_id,
        url=reverse("planning:review", args=[review_id]),
        person_id=person_id,
        assigned_user_id=user_id,
        team_id=None if user_id else team_id,
        due_on=due_on,
    )


def breach(
    request_id: int, person_id: int, urgency: str, received_on: dt.date, *, team_id, targets: dict[str, int]
) -> TaskSpec:
    from openasc.frontdoor.models import Urgency

    days = targets.get(urgency, 0)
    label = str(dict(Urgency.choices).get(urgency, urgency)).split(":")[0]
    return TaskSpec(
        kind=TaskKind.REQUEST_BREACH,
        title=f"{label} request past its {days}-day target",
        subject_type="frontdoor.supportrequest",
        subject_id=request_id,
        url=reverse("frontdoor:request", args=[request_id]),
        person_id=person_id,
        team_id=team_id,
        # Not yet with a team (waiting for triage): the front door's, who triage for the whole council
        role="" if team_id else Role.FRONT_DOOR,
        due_on=received_on + dt.timedelta(days=days),
    )


def break_glass(grant_id: int, person_id: int, user_id: int, started: dt.date) -> TaskSpec:
    return TaskSpec(
        kind=TaskKind.BREAK_GLASS,
        title="Review a break-glass access",
        subject_type="core.breakglassaccess",
        subject_id=grant_id,
        url=reverse("core:break-glass-review", args=[grant_id]),
        person_id=person_id,
        capability=access.Capability.REVIEW_BREAK_GLASS,
        excluded_user_id=user_id,
        due_on=started + dt.timedelta(days=BREAK_GLASS_REVIEW_DAYS),
    )


# --- Safeguarding (openasc/safeguarding) ---------------------------------------------------------------------------
PLAN_REVIEW_NOTICE_DAYS = 7  # a protection plan review comes onto the worktray a week before it is due


def safeguarding_decision(concern_id: int, person_id: int, due_on: dt.date, *, team_id: int) -> TaskSpec:
    """A concern past its decision date: for the safeguarding team's managers who decide."""
    return TaskSpec(
        kind=TaskKind.SAFEGUARDING_DECISION,
        title="Decide on a safeguarding concern past its decision date",
        subject_type="safeguarding.concern",
        subject_id=concern_id,
        url=reverse("safeguarding:concern", args=[concern_id]),
        person_id=person_id,
        team_id=team_id,
        capability=access.Capability.DECIDE_SAFEGUARDING,
        due_on=due_on,
    )


def safeguarding_enquiry(
    enquiry_id: int, person_id: int, officer_id: int, *, on: dt.date | None = None
) -> TaskSpec:
    return TaskSpec(
        kind=TaskKind.SAFEGUARDING_ENQUIRY,
        title="Lead a safeguarding enquiry allocated to you",
        subject_type="safeguarding.enquiry",
        subject_id=enquiry_id,
        url=reverse("safeguarding:enquiry", args=[enquiry_id]),
        person_id=person_id,
        assigned_user_id=officer_id,
        due_on=(on or _today()) + dt.timedelta(days=ALLOCATED_DAYS),
    )


def protection_plan_review(
    plan_id: int, enquiry_id: int, person_id: int, due_on: dt.date, *, officer_id: int | None, team_id: int
) -> TaskSpec:
    """A protection plan's review: the enquiry officer's, else the safeguarding team's."""
    return TaskSpec(
        kind=TaskKind.PROTECTION_PLAN_REVIEW,
        title="Review a protection plan",
        subject_type="safeguarding.protectionplan",
        subject_id=plan_id,
        url=reverse("safeguarding:enquiry", args=[enquiry_id]),
        person_id=person_id,
        assigned_user_id=officer_id,
        team_id=None if officer_id else team_id,
        due_on=due_on,
    )
