"""Caseloads and the manager's view: one annotated query per list, so 300 people render in milliseconds."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone

from openasc.assessments.models import Assessment, AssessmentStatus
from openasc.core import access, audit
from openasc.core.models import AuditAction, CareRelationship, RelationshipKind, Team, User
from openasc.frontdoor.models import RequestStatus, SupportRequest
from openasc.people.models import Person
from openasc.planning.models import Review, ReviewStatus
from openasc.services.models import Service


def _active_relationships(now):
    return CareRelationship.objects.filter(access.active_at(now))


def _annotate(qs: QuerySet, today: dt.date) -> QuerySet:
    """What a worker needs to see at a glance for each person on a list."""
    next_review = (
        Review.objects.filter(person=OuterRef("pk"), status=ReviewStatus.SCHEDULED)
        .order_by("due_on")
        .values("due_on")[:1]
    )
    open_assessment = (
        Assessment.objects.filter(
            person=OuterRef("pk"),
            status__in=[AssessmentStatus.IN_PROGRESS, AssessmentStatus.AWAITING_SIGN_OFF],
        )
        .order_by("started_on")
        .values("status")[:1]
    )
    open_request = (
        SupportRequest.objects.filter(person=OuterRef("pk"), status=RequestStatus.OPEN)
        .order_by("received_on")
        .values("received_on")[:1]
    )
    live_services = Service.objects.filter(person=OuterRef("pk"), start_on__lte=today).filter(
        Q(end_on__isnull=True) | Q(end_on__gte=today)
    )
    return qs.annotate(
        next_review_due=Subquery(next_review),
        open_assessment_status=Subquery(open_assessment),
        open_request_since=Subquery(open_request),
        has_live_services=Exists(live_services),
    )


@dataclass
class CaseloadRow:
    person: Person
    next_review_due: dt.date | None
    review_overdue: bool
    open_assessment: str
    waiting_since: dt.date | None
    has_services: bool


def _rows(people, today) -> list[CaseloadRow]:
    labels = dict(AssessmentStatus.choices)
    return [
        CaseloadRow(
            person=p,
            next_review_due=p.next_review_due,
            review_overdue=bool(p.next_review_due and p.next_review_due < today),
            open_assessment=labels.get(p.open_assessment_status, "") if p.open_assessment_status else "",
            waiting_since=p.open_request_since,
            has_services=p.has_live_services,
        )
        for p in people
    ]


def my_caseload(*, user: User, today: dt.date | None = None) -> list[CaseloadRow]:
    """People allocated to this worker by name, soonest review first."""
    today = today or timezone.localdate()
    now = timezone.now()
    ids = (
        _active_relationships(now)
        .filter(user=user, kind=RelationshipKind.ALLOCATED_WORKER)
        .values("person_id")
    )
    people = access.people_visible_to(user, Person.objects.filter(pk__in=ids, merged_into__isnull=True))
    people = _annotate(
        people.only(
            "id", "la_person_id", "first_name", "last_name", "date_of_birth", "date_of_death", "nhs_number"
        ),
        today,
    ).order_by("last_name", "first_name", "pk")
    rows = _rows(people, today)
    audit.record(
        actor=user,
        action=AuditAction.VIEW,
        basis="Own caseload",
        details={"list": "my caseload", "people": len(rows)},
    )
    rows.sort(key=lambda r: (r.next_review_due is None, r.next_review_due or today))
    return rows


@dataclass
class TeamSummary:
    team: Team
    allocated: int
    unallocated_waiting: int
    assessments_awaiting_sign_off: int
    overdue_reviews: int
    oldest_wait_days: int | None


def manager_view(*, user: User, today: dt.date | None = None) -> list[TeamSummary]:
    """For each of the manager's teams: allocations, sign-offs waiting, overdue reviews and the longest wait."""
    if not access.has(user, access.Capability.ALLOCATE):
        raise PermissionError("Only managers can see the team overview.")
    today = today or timezone.localdate()
    now = timezone.now()
    summaries = []
    for team in user.teams.order_by("name"):
        team_people = (
            _active_relationships(now)
            .filter(team=team, kind=RelationshipKind.ALLOCATED_TEAM)
            .values("person_id")
        )
        worker_people = (
            _active_relationships(now).filter(kind=RelationshipKind.ALLOCATED_WORKER).values("person_id")
        )
        waiting = SupportRequest.objects.filter(team=team, status=RequestStatus.OPEN)
        # Routed to the team for assessment, reablement or support planning in the last year, and nobody named yet.
        unallocated = SupportRequest.objects.filter(
            team=team,
            decision__in=["assessment", "short_term_support", "support_planning"],
            received_on__gte=today - dt.timedelta(days=365),
        ).exclude(person_id__in=worker_people)
        oldest = waiting.order_by("received_on").values_list("received_on", flat=True).first()
        stats = Person.objects.filter(pk__in=team_people).aggregate(n=Count("pk"))
        summaries.append(
            TeamSummary(
                team=team,
                allocated=stats["n"],
                unallocated_waiting=unallocated.values("person_id").distinct().count(),
                assessments_awaiting_sign_off=Assessment.objects.filter(
                    status=AssessmentStatus.AWAITING_SIGN_OFF, person_id__in=team_people
                ).count(),
                overdue_reviews=Review.objects.filter(
                    status=ReviewStatus.SCHEDULED, due_on__lt=today, person_id__in=team_people
                ).count(),
                oldest_wait_days=(today - oldest).days if oldest else None,
            )
        )
    audit.record(
        actor=user, action=AuditAction.VIEW, basis="Team management", details={"list": "manager view"}
    )
    return summaries


CASELOAD_PAGE = 100


@dataclass
class CaseloadPage:
    """One page of a caseload, soonest review first, with figures for the whole list."""

    rows: list[CaseloadRow]
    page: object  # django.core.paginator.Page
    total: int
    overdue: int


def team_caseload(
    *,
    user: User,
    team_id: int,
    today: dt.date | None = None,
    page: int | str = 1,
    per_page: int = CASELOAD_PAGE,
) -> CaseloadPage:
    """Everyone allocated to one of the user's teams, soonest review first (no review scheduled last), a page at a
    time: the whole list is counted (and its overdue reviews), one page is read."""
    from django.core.paginator import Paginator
    from django.db.models import F

    today = today or timezone.localdate()
    team = user.teams.filter(pk=team_id).first()
    if team is None:
        raise PermissionError("You can only see the caseload of your own teams.")
    now = timezone.now()
    ids = (
        _active_relationships(now).filter(team=team, kind=RelationshipKind.ALLOCATED_TEAM).values("person_id")
    )
    people = access.people_visible_to(user, Person.objects.filter(pk__in=ids, merged_into__isnull=True))
    people = _annotate(
        people.only(
            "id", "la_person_id", "first_name", "last_name", "date_of_birth", "date_of_death", "nhs_number"
        ),
        today,
    ).order_by(F("next_review_due").asc(nulls_last=True), "last_name", "first_name", "pk")
    paginator = Paginator(people, per_page)
    current = paginator.get_page(page)
    rows = _rows(current.object_list, today)
    overdue = (
        access.people_visible_to(user, Person.objects.filter(pk__in=ids, merged_into__isnull=True))
        .filter(
            Exists(
                Review.objects.filter(person=OuterRef("pk"), status=ReviewStatus.SCHEDULED, due_on__lt=today)
            )
        )
        .count()
    )
    audit.record(
        actor=user,
        action=AuditAction.VIEW,
        basis=f"Team: {team.name}"[:64],
        details={
            "list": "team caseload",
            "team": team.pk,
            "page": current.number,
            "people": len(rows),
            "of": paginator.count,
        },
    )
    return CaseloadPage(rows=rows, page=current, total=paginator.count, overdue=overdue)


# --- Home page: each role's key figures ---------------------------------------------------------------------------


@dataclass
class Figure:
    label: str
    value: str
    href: str = ""
    hint: str = ""


def caseload_size(*, user: User) -> int:
    """How many people are allocated to this worker by name now (a count: it names no one)."""
    return (
        _active_relationships(timezone.now())
        .filter(user=user, kind=RelationshipKind.ALLOCATED_WORKER)
        .values("person_id")
        .distinct()
        .count()
    )


def returns_status() -> dict:
    """For the analyst's home page: the last CLD import and the population figures behind ASCOF (no personal data)."""
    from openasc.reporting.models import ImportRun, PopulationEstimate

    last = ImportRun.objects.order_by("-started_at", "-pk").first()
    latest_year = PopulationEstimate.objects.order_by("-year").values_list("year", flat=True).first()
    return {"last_import": last, "population_year": latest_year}
