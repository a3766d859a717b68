"""Reads at the front door, always for a given user, through the access rules, audited.

A request passed to a team is itself a working relationship: members of that team see the person on their
waiting lists, open the request and can allocate them, before anyone is allocated (restricted records excepted).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.conf import settings
from django.core.paginator import Page, Paginator
from django.db.models import BooleanField, Exists, ExpressionWrapper, OuterRef, Q, QuerySet
from django.utils import timezone

from openasc.core import access, audit
from openasc.core.models import AuditAction, CareRelationship, RelationshipKind, Role, Team, User
from openasc.frontdoor.models import (
    ROUTED_DECISIONS,
    RequestStatus,
    SupportRequest,
    TriageDecision,
    Urgency,
)
from openasc.frontdoor.services import (
    ALLOCATABLE_ROLES,
    ALLOCATION_KINDS,
    assessed_since_request,
    has_worker_now,
)
from openasc.people.models import Person

PAGE_SIZE = 25


def _team_ids(user: User) -> list[int]:
    return list(user.teams.values_list("id", flat=True))


def person_for_request(
    *, user: User, person_id: int, purpose: str = "front door"
) -> tuple[Person, access.OpenedRecord]:
    """The person a request is being recorded for, and their record as opened (raises AccessDenied, audited)."""
    person = Person.objects.get(pk=person_id)
    return person, access.open_record(user, person, purpose)


def request_get(
    *, user: User, request_id: int, purpose: str = "view request"
) -> tuple[SupportRequest, access.OpenedRecord]:
    """One request with its person, team and status history, and the person's record as opened (audited with its
    basis): the record is what the front door's write services take."""
    request = SupportRequest.objects.select_related("person", "team", "created_by", "triaged_by").get(
        pk=request_id
    )
    return request, access.open_record(user, request.person, purpose)


def request_history(*, request: SupportRequest) -> list:
    """The status rows of a request the caller has already opened through `request_get`."""
    return list(request.status_changes.select_related("changed_by").order_by("changed_at", "pk"))


def requests_for_person(*, person: Person) -> list[SupportRequest]:
    """A person's requests, newest first; the caller has already opened the person's record."""
    return list(
        SupportRequest.objects.filter(person=person).select_related("team").order_by("-received_on", "-pk")
    )


@dataclass
class AllocationContext:
    person: Person
    record: access.OpenedRecord
    allocations: list[CareRelationship]
    waiting_requests: list[SupportRequest]


def allocation_context(*, user: User, person_id: int) -> AllocationContext:
    """Everything the allocation page needs: the person, current allocations and the requests they wait on."""
    person = Person.objects.get(pk=person_id)
    record = access.open_record(user, person, "allocation")
    now = timezone.now()
    allocations = list(
        CareRelationship.objects.filter(access.active_at(now), person=person, kind__in=ALLOCATION_KINDS)
        .select_related("user", "team")
        .order_by("kind", "starts_at")
    )
    waiting = list(
        SupportRequest.objects.filter(person=person, status=RequestStatus.ROUTED)
        .select_related("team")
        .order_by("received_on")
    )
    return AllocationContext(person=person, record=record, allocations=allocations, waiting_requests=waiting)


def allocation_get(
    *, user: User, person_id: int, relationship_id: int
) -> tuple[CareRelationship, access.OpenedRecord]:
    """An active allocation of a person the user may open (for ending it), with the record as opened."""
    person = Person.objects.get(pk=person_id)
    record = access.open_record(user, person, "end allocation")
    return CareRelationship.objects.select_related("user", "team").get(
        pk=relationship_id, person=person, kind__in=ALLOCATION_KINDS
    ), record


def team_choices() -> list[tuple[int, str]]:
    """Council teams that can take requests and allocations (NHS partner teams get access by sharing basis; a closed
    team takes no one new)."""
    return list(
        Team.objects.filter(is_nhs_partner=False, closed_at__isnull=True)
        .order_by("name")
        .values_list("id", "name")
    )


def worker_choices(*, user: User) -> list[tuple[int, str]]:
    """Practitioners who can be allocated: members of the user's teams (everyone if the user has none)."""
    qs = User.objects.filter(is_active=True, role__in=list(ALLOCATABLE_ROLES))
    team_ids = _team_ids(user)
    if team_ids:
        qs = qs.filter(teams__in=team_ids).distinct()
    users = list(qs.order_by("last_name", "first_name", "username"))
    caseloads = caseload_sizes([u.pk for u in users])
    return [
        (u.pk, f"{u.display_name} ({u.get_role_display()}), {_people(caseloads.get(u.pk, 0))} allocated")
        for u in users
    ]


def _people(n: int) -> str:
    return f"{n} {'person' if n == 1 else 'people'}"


def caseload_sizes(user_ids: list[int]) -> dict[int, int]:
    """How many people each worker is allocated to now: so that a manager allocating sees who has room. A count of a
    colleague's caseload, naming no one."""
    from django.db.models import Count

    rows = (
        CareRelationship.objects.filter(
            access.active_at(timezone.now()), kind=RelationshipKind.ALLOCATED_WORKER, user_id__in=user_ids
        )
        .values("user_id")
        .annotate(n=Count("person_id", distinct=True))
    )
    return {r["user_id"]: r["n"] for r in rows}


# ---- waiting lists -------------------------------------------------------------------------------------------

LIST_TITLES = {
    "triage": "Waiting for triage",
    "allocation": "Waiting for allocation",
    "assessment": "Waiting for an assessment",
}
SORTS = {"longest": "Longest wait first", "shortest": "Shortest wait first", "urgency": "Most urgent first"}


@dataclass
class WaitingRow:
    request: SupportRequest
    person: Person
    waited_days: int
    team: Team | None
    breached: bool = False
    target_days: int | None = None


def urgency_target_days() -> dict[str, int]:
    """The most days a request of each urgency may wait: the council's own targets (set on the worktray's targets
    page), else the defaults in settings.OPENASC_URGENCY_TARGET_DAYS."""
    from openasc.worktray.models import UrgencyTarget

    return {
        **settings.OPENASC_URGENCY_TARGET_DAYS,
        **dict(UrgencyTarget.objects.values_list("urgency", "days")),
    }


def is_breached(
    urgency: str, received_on: dt.date, today: dt.date, targets: dict[str, int] | None = None
) -> bool:
    """A request has breached its target when it has waited more days than its urgency allows (on the last day
    of the target it has not): an urgent request (1 day) received on Monday breaches on Wednesday. Pass `targets`
    (urgency_target_days) when asking of many requests."""
    days = (targets if targets is not None else urgency_target_days()).get(urgency)
    return days is not None and (today - received_on).days > days


def breached_condition(today: dt.date | None = None) -> Q:
    """`is_breached` as a condition on requests (waited more than the target: received before today - target)."""
    today = today or timezone.localdate()
    condition = Q(pk__in=[])
    for urgency, days in urgency_target_days().items():
        condition |= Q(urgency=urgency, received_on__lt=today - dt.timedelta(days=days))
    return condition


def waiting_condition() -> Q:
    """A request still on one of the waiting lists (any team): the lists' own rules, for the worktray's breaches."""
    conditions = _waiting_conditions([])
    return Q(status__in=[RequestStatus.OPEN, RequestStatus.ROUTED], waiting_ended_on__isnull=True) & (
        conditions["triage"] | conditions["allocation"] | conditions["assessment"]
    )


@dataclass
class WaitingLists:
    """One page of one waiting list, with the size of every list, for the waiting page and dashboards."""

    list_name: str
    title: str
    counts: dict[str, int]
    rows: list[WaitingRow]
    page: Page
    team_ids: list[int]
    sort: str
    all_teams: bool = False
    breached: dict[str, int] = field(default_factory=dict)  # past their urgency's target, on each list
    titles: dict[str, str] = field(default_factory=lambda: dict(LIST_TITLES))


URGENCY_RANK = {Urgency.URGENT: 0, Urgency.SOON: 1, Urgency.ROUTINE: 2}


def default_team_ids(user: User) -> list[int]:
    """The user's own teams; the front door works for the whole council, so for them every team ([])."""
    if user.role in (Role.FRONT_DOOR, Role.SYSTEM):
        return []
    return _team_ids(user)


def _visible(user: User) -> QuerySet:
    """Requests of people the user may see (a request passed to a team allocates the person to that team).

    Requests on a record later merged into another stay listed (nobody silently leaves a waiting list)."""
    # Asked of each request's person id (EXISTS), not as "person in (everyone the user may see)": that set is the
    # whole council for the front door, and SQLite built it person by person before reading any request.
    condition = access.may_open(user, "person_id")
    return SupportRequest.objects.none() if condition is None else SupportRequest.objects.filter(condition)


def _waiting_conditions(team_ids: list[int]) -> dict[str, Q]:
    """The rule for each list, as a condition on a request (so that one query counts all three)."""
    now = timezone.now()
    active = access.active_at(now)
    has_worker = has_worker_now(now)
    assessed = assessed_since_request()
    triage = Q(status=RequestStatus.OPEN)
    routed = Q(status=RequestStatus.ROUTED)
    if team_ids:
        # Two lookups by index (the team's allocations; its members' allocations) rather than one with a join to
        # the members, which PostgreSQL answered by reading every relationship in the council on every page.
        members = list(User.objects.filter(teams__in=team_ids).values_list("pk", flat=True).distinct())
        with_team = Exists(
            CareRelationship.objects.filter(
                active,
                person_id=OuterRef("person_id"),
                kind=RelationshipKind.ALLOCATED_TEAM,
                team_id__in=team_ids,
            )
        )
        with_member = Exists(
            CareRelationship.objects.filter(
                active,
                person_id=OuterRef("person_id"),
                kind=RelationshipKind.ALLOCATED_WORKER,
                user_id__in=members,
            )
        )
        triage &= Q(with_team) | Q(with_member)
        routed &= Q(team_id__in=team_ids)
    return {
        "triage": triage,
        "allocation": (
            routed
            & Q(decision__in=list(ROUTED_DECISIONS))
            & ~Q(has_worker)
            & ~(Q(decision=TriageDecision.ASSESSMENT) & Q(assessed))
        ),
        "assessment": routed & Q(decision=TriageDecision.ASSESSMENT) & ~Q(assessed),
    }


def _waiting_rows(user: User, team_ids: list[int]) -> tuple[list[str], list[tuple]]:
    """(list names, rows of (pk, received_on, urgency, on each list...)) of every waiting request the user may see."""
    conditions = _waiting_conditions(team_ids)
    # A routed request that has stopped waiting (worker allocated, assessment started) is marked so and left out
    # here: without it every request ever passed to a team would be checked against the rules on every page.
    base = _visible(user).filter(
        status__in=[RequestStatus.OPEN, RequestStatus.ROUTED], waiting_ended_on__isnull=True
    )
    if team_ids:
        # Implied by every list's rule; said here so that the database reads the requests open for triage and
        # those passed to these teams through the request_queue index, not every routed request in the council
        # (routed requests stay routed once a team has them, so there are many).
        base = base.filter(Q(status=RequestStatus.OPEN) | Q(team_id__in=team_ids))
    # One pass over the waiting requests: each row says which lists it is on, so the counts, the order and the page
    # come from the same rows (a count query and a page query each read them all, with the access rules, twice).
    names = list(conditions)
    flags = {
        f"on_{n}": ExpressionWrapper(cond, output_field=BooleanField()) for n, cond in conditions.items()
    }
    rows = list(base.annotate(**flags).values_list("pk", "received_on", "urgency", *flags))
    return names, rows


def waiting_counts(*, user: User, team_ids: list[int] | None = None) -> tuple[dict[str, int], dict[str, int]]:
    """How many wait on each list, and how many of them are past their urgency's target (counts only, naming no
    one: the same rows and rules as `waiting_lists`, so the figures agree with the lists). Under "any": the
    requests on at least one list (one waiting for allocation and an assessment is on two lists, counted once)."""
    names, rows = _waiting_rows(user, default_team_ids(user) if team_ids is None else team_ids)
    counts, late = dict.fromkeys([*names, "any"], 0), dict.fromkeys([*names, "any"], 0)
    today, targets = timezone.localdate(), urgency_target_days()
    for row in rows:
        breached = is_breached(row[2], row[1], today, targets)
        on = [n for i, n in enumerate(names) if row[3 + i]]
        for n in [*on, "any"] if on else []:
            counts[n] += 1
            late[n] += breached
    return counts, late


def waiting_lists(
    *,
    user: User,
    team_ids: list[int] | None = None,
    list_name: str = "triage",
    page: int | str = 1,
    sort: str = "longest",
    page_size: int = PAGE_SIZE,
) -> WaitingLists:
    """People waiting at the front door: for triage, for allocation, for an assessment; one page of one list.

    `team_ids=None` means the user's own teams (the front door: all teams); `[]` means all teams. For triage, a
    team filter keeps the requests of people already allocated to those teams or to their members (a new request
    has no team yet).
    """
    if list_name not in LIST_TITLES:
        list_name = "triage"
    if sort not in SORTS:
        sort = "longest"
    if team_ids is None:
        team_ids = default_team_ids(user)
    names, rows = _waiting_rows(user, team_ids)
    counts = dict.fromkeys(names, 0)
    breached_counts = dict.fromkeys(names, 0)
    breached = set()
    chosen = []
    at = names.index(list_name) + 3
    today, targets = timezone.localdate(), urgency_target_days()
    for row in rows:
        late = is_breached(row[2], row[1], today, targets)
        if late:
            breached.add(row[0])
        for i, n in enumerate(names):
            if row[3 + i]:
                counts[n] += 1
                breached_counts[n] += late
        if row[at]:
            chosen.append(row)
    if sort == "urgency":
        chosen.sort(key=lambda r: (URGENCY_RANK.get(r[2], 2), r[1], r[0]))
    elif sort == "shortest":
        chosen.sort(key=lambda r: (r[1], r[0]), reverse=True)
    else:
        chosen.sort(key=lambda r: (r[1], r[0]))
    chosen.sort(key=lambda r: r[0] not in breached)  # past their target first, each sort kept within (stable)
    paginator = Paginator([r[0] for r in chosen], page_size)
    page_obj = paginator.get_page(page)
    ids = list(page_obj.object_list)
    by_id = SupportRequest.objects.select_related("person", "team").in_bulk(ids)
    rows = [
        WaitingRow(
            request=r,
            person=r.person,
            waited_days=(today - r.received_on).days,
            team=r.team,
            breached=r.pk in breached,
            target_days=targets.get(r.urgency),
        )
        for r in (by_id[pk] for pk in ids if pk in by_id)
    ]
    audit.record(
        actor=user,
        action=AuditAction.VIEW,
        basis="Waiting list",
        details={
            "list": list_name,
            "teams": team_ids,
            "page": page_obj.number,
            "people": [row.person.pk for row in rows],
        },
    )
    return WaitingLists(
        list_name=list_name,
        title=LIST_TITLES[list_name],
        counts=counts,
        rows=rows,
        page=page_obj,
        team_ids=team_ids,
        sort=sort,
        all_teams=not team_ids,
        breached=breached_counts,
    )


def team_by_id(team_id: int | None) -> Team | None:
    return Team.objects.filter(pk=team_id).first() if team_id else None


def worker_by_id(worker_id: int | None) -> User | None:
    return User.objects.filter(pk=worker_id).first() if worker_id else None


def person_id_of_request(*, request_id: int) -> int:
    """Only the person's id, for the access-denied and break-glass pages (no personal data)."""
    return SupportRequest.objects.values_list("person_id", flat=True).get(pk=request_id)
