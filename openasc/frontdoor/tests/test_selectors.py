import datetime as dt

import pytest
from django.db import connection
from django.utils import timezone

from openasc.assessments.tests.factories import AssessmentFactory
from openasc.core import audit, timeline
from openasc.core.errors import AccessDenied, ValidationFailed
from openasc.core.models import AuditEvent, RelationshipKind, Restriction
from openasc.core.tests.factories import CareRelationshipFactory, opened
from openasc.frontdoor import selectors, services
from openasc.frontdoor.models import SupportRequest
from openasc.frontdoor.tests.factories import SupportRequestFactory, concluded, routed
from openasc.people.tests.factories import PersonFactory

TODAY = timezone.localdate()


def people_on(user, list_name, **kwargs):
    lists = selectors.waiting_lists(user=user, list_name=list_name, **kwargs)
    return [row.person for row in lists.rows]


# --- waiting for triage ---------------------------------------------------------------------------------------


def test_triage_list_holds_open_requests_only(staff, teams):
    waiting = SupportRequestFactory()
    routed(teams.north)
    concluded()
    assert people_on(staff.front_door, "triage") == [waiting.person]


def test_a_request_leaves_the_triage_list_when_triaged(staff, teams):
    req = SupportRequestFactory()
    assert people_on(staff.front_door, "triage") == [req.person]
    services.request_triage(
        record=opened(staff.front_door, req.person),
        request=req,
        decision="information_and_advice",
        information_given="Leaflet",
    )
    assert people_on(staff.front_door, "triage") == []


def test_triage_list_for_a_team_shows_people_already_allocated_to_it(staff, teams):
    north_person, south_person = PersonFactory(), PersonFactory()
    CareRelationshipFactory(
        person=north_person, kind=RelationshipKind.ALLOCATED_TEAM, user=None, team=teams.north
    )
    CareRelationshipFactory(
        person=south_person, kind=RelationshipKind.ALLOCATED_TEAM, user=None, team=teams.south
    )
    SupportRequestFactory(person=north_person)
    SupportRequestFactory(person=south_person)
    assert people_on(staff.front_door, "triage", team_ids=[teams.north.pk]) == [north_person]
    assert set(people_on(staff.front_door, "triage")) == {north_person, south_person}  # front door: all teams


# --- waiting for allocation -----------------------------------------------------------------------------------


def test_allocation_list_routed_without_an_allocated_worker(staff, teams):
    waiting = routed(teams.north, decision="short_term_support")
    allocated = routed(teams.north, decision="support_planning")
    CareRelationshipFactory(person=allocated.person, user=staff.social_worker)
    assert people_on(staff.team_manager, "allocation") == [waiting.person]


def test_allocation_list_team_allocation_alone_is_not_enough(staff, teams):
    req = routed(teams.north)
    CareRelationshipFactory(
        person=req.person, kind=RelationshipKind.ALLOCATED_TEAM, user=None, team=teams.north
    )
    assert people_on(staff.team_manager, "allocation") == [req.person]


def test_allocation_list_ended_or_future_worker_allocations_do_not_count(staff, teams):
    ended, future = routed(teams.north), routed(teams.north)
    now = timezone.now()
    CareRelationshipFactory(
        person=ended.person,
        user=staff.social_worker,
        starts_at=now - dt.timedelta(days=9),
        ends_at=now - dt.timedelta(days=1),
    )
    CareRelationshipFactory(
        person=future.person, user=staff.social_worker, starts_at=now + dt.timedelta(days=1)
    )
    assert set(people_on(staff.team_manager, "allocation")) == {ended.person, future.person}


def test_allocation_takes_a_person_off_the_allocation_list(staff, teams):
    req = routed(teams.north)
    services.allocation_create(record=opened(staff.team_manager, req.person), worker=staff.social_worker)
    assert people_on(staff.team_manager, "allocation") == []


def test_allocation_list_excludes_concluded_and_open_requests(staff, teams):
    concluded(decision="safeguarding")
    SupportRequestFactory()
    assert people_on(staff.front_door, "allocation") == []


# --- waiting for an assessment --------------------------------------------------------------------------------


def test_assessment_list_routed_to_assessment_and_not_started(staff, teams):
    waiting = routed(teams.north, decision="assessment")
    routed(teams.north, decision="short_term_support")
    routed(teams.north, decision="support_planning")
    assert people_on(staff.team_manager, "assessment") == [waiting.person]


def test_assessment_started_since_the_request_takes_the_person_off(staff, teams):
    started = routed(teams.north, received_on=TODAY - dt.timedelta(days=5))
    same_day = routed(teams.north, received_on=TODAY - dt.timedelta(days=5))
    earlier = routed(teams.north, received_on=TODAY - dt.timedelta(days=5))
    cancelled = routed(teams.north, received_on=TODAY - dt.timedelta(days=5))
    AssessmentFactory(person=started.person, started_on=TODAY)
    AssessmentFactory(person=same_day.person, started_on=TODAY - dt.timedelta(days=5))
    AssessmentFactory(person=earlier.person, started_on=TODAY - dt.timedelta(days=6))  # before the request
    AssessmentFactory(person=cancelled.person, started_on=TODAY, status="cancelled")
    assert set(people_on(staff.team_manager, "assessment")) == {earlier.person, cancelled.person}


def test_someone_allocated_but_not_assessed_is_still_waiting_for_an_assessment(staff, teams):
    req = routed(teams.north)
    CareRelationshipFactory(person=req.person, user=staff.social_worker)
    assert people_on(staff.social_worker, "assessment") == [req.person]
    assert people_on(staff.social_worker, "allocation") == []


# --- teams, access, counts, order, pages ----------------------------------------------------------------------


def test_default_is_the_users_own_teams_and_all_teams_on_request(staff, teams):
    north, south = routed(teams.north), routed(teams.south)
    assert people_on(staff.team_manager, "allocation") == [north.person]
    assert set(people_on(staff.team_manager, "allocation", team_ids=[])) == {
        north.person
    }  # cannot see south's
    assert people_on(staff.front_door, "allocation", team_ids=[teams.south.pk]) == [south.person]
    assert set(people_on(staff.front_door, "allocation")) == {north.person, south.person}


def test_people_are_listed_only_when_the_user_may_see_them(staff, teams):
    SupportRequestFactory()  # open, nobody's relationship
    mine = SupportRequestFactory()
    CareRelationshipFactory(person=mine.person, user=staff.social_worker)
    assert people_on(staff.social_worker, "triage") == [mine.person]
    assert people_on(staff.broker, "triage") == []


def test_restricted_records_are_not_shown_through_the_team_basis(staff, teams):
    req = routed(teams.north)
    with audit.exempt_from_safety_net():
        Restriction.objects.create(
            person=req.person,
            reason="Member of staff",
            review_on=TODAY + dt.timedelta(days=30),
            created_by=staff.information_governance,
        )
    assert people_on(staff.team_manager, "allocation") == []


def test_counts_order_wait_and_pages(staff, teams):
    for days, urgency in ((3, "routine"), (30, "routine"), (10, "urgent"), (20, "soon")):
        SupportRequestFactory(received_on=TODAY - dt.timedelta(days=days), urgency=urgency)
    routed(teams.north)
    lists = selectors.waiting_lists(user=staff.front_door, list_name="triage", page_size=3)
    assert lists.counts == {"triage": 4, "allocation": 1, "assessment": 1}
    assert [r.waited_days for r in lists.rows] == [30, 20, 10]
    assert (lists.page.number, lists.page.paginator.num_pages) == (1, 2)
    second = selectors.waiting_lists(user=staff.front_door, list_name="triage", page=2, page_size=3)
    assert [r.waited_days for r in second.rows] == [3]
    shortest = selectors.waiting_lists(user=staff.front_door, list_name="triage", sort="shortest")
    # Past their urgency's target first (10 urgent, 20 soon and 30 routine days are; 3 routine days is not)
    assert [r.waited_days for r in shortest.rows] == [10, 20, 30, 3]
    urgent = selectors.waiting_lists(user=staff.front_door, list_name="triage", sort="urgency")
    assert [r.waited_days for r in urgent.rows] == [10, 20, 30, 3]
    event = AuditEvent.objects.filter(action="view", details__list="triage").last()
    assert event.basis == "Waiting list" and len(event.details["people"]) == 4


def test_counts_and_pages_for_one_team_leave_out_other_teams(staff, teams):
    north_person = PersonFactory()
    CareRelationshipFactory(
        person=north_person, kind=RelationshipKind.ALLOCATED_TEAM, user=None, team=teams.north
    )
    SupportRequestFactory(person=north_person)  # waiting for triage, already known to north
    SupportRequestFactory()  # waiting for triage, not known to north
    north = [
        routed(teams.north, received_on=TODAY - dt.timedelta(days=d), urgency=u)
        for d, u in ((5, "routine"), (9, "urgent"), (2, "soon"))
    ]
    routed(teams.south)
    lists = selectors.waiting_lists(
        user=staff.front_door, team_ids=[teams.north.pk], list_name="allocation", sort="urgency", page_size=2
    )
    assert lists.counts == {"triage": 1, "allocation": 3, "assessment": 3}
    assert [(r.person, r.team) for r in lists.rows] == [
        (north[1].person, teams.north),
        (north[2].person, teams.north),
    ]
    second = selectors.waiting_lists(
        user=staff.front_door,
        team_ids=[teams.north.pk],
        list_name="allocation",
        sort="urgency",
        page=2,
        page_size=2,
    )
    assert [r.request for r in second.rows] == [north[0]] and second.page.paginator.num_pages == 2


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's JIT compiler")
def test_postgresql_does_not_jit_compile_the_waiting_lists(db):
    """The planner's estimates for the access rules' subqueries set off the JIT compiler: 0.6 s for a 30 ms count."""
    with connection.cursor() as cur:
        cur.execute("SHOW jit")
        assert cur.fetchone()[0] == "off"


def test_unknown_list_or_sort_fall_back_to_defaults(staff):
    lists = selectors.waiting_lists(user=staff.front_door, list_name="nonsense", sort="nonsense")
    assert (lists.list_name, lists.sort) == ("triage", "longest")


def test_queries_do_not_grow_with_the_number_waiting(staff, teams):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    counts = []
    selectors.waiting_lists(
        user=staff.team_manager, list_name="assessment"
    )  # the user's teams, looked up once
    for waiting in (40, 80):
        while SupportRequest.objects.count() < waiting:
            routed(teams.north)
        with CaptureQueriesContext(connection) as queries:
            lists = selectors.waiting_lists(user=staff.team_manager, list_name="assessment")
        assert len(lists.rows) == 25 and lists.counts["assessment"] == waiting
        counts.append(len(queries))
    # The same number for twice as many people waiting; 8 for the list, and the audit event's chained insert
    # (ADR 0008: the chain's lock and last hash) a few more.
    assert counts[0] == counts[1] <= 12, counts


# --- opening a request ----------------------------------------------------------------------------------------


def test_request_get_needs_a_basis_and_audits_it(staff, teams):
    req = SupportRequestFactory()
    with pytest.raises(AccessDenied):
        selectors.request_get(user=staff.social_worker, request_id=req.pk)
    found, record = selectors.request_get(user=staff.front_door, request_id=req.pk)
    assert found == req and record.basis == "Role: Front door officer"
    assert (record.person, record.user) == (req.person, staff.front_door)
    assert AuditEvent.objects.filter(action="view", person_id=req.person_id, basis=record.basis).exists()


def test_a_request_passed_to_a_team_is_a_basis_for_its_members(staff, teams):
    req = routed(teams.north)  # triage allocates the person to the team
    _, record = selectors.request_get(user=staff.social_worker, request_id=req.pk)
    assert record.basis == "Team: Locality team north"
    south_worker = type(staff.social_worker).objects.create(username="south-sw", role="social_worker")
    south_worker.teams.set([teams.south])
    with pytest.raises(AccessDenied):
        selectors.request_get(user=south_worker, request_id=req.pk)


def test_timeline_shows_received_triaged_and_concluded(staff, teams):
    person = PersonFactory()
    first = services.request_record(
        record=opened(staff.front_door, person),
        received_on=TODAY,
        route_of_access="Prison",
        contact_by="self",
        what_matters="Housing on release",
    )
    services.request_triage(
        record=opened(staff.front_door, first.person),
        request=first,
        decision="no_further_action",
        nfa_outcome="NFA: Support declined",
        outcome_reason="Declined",
    )
    second = services.request_record(
        record=opened(staff.front_door, person),
        received_on=TODAY,
        route_of_access="Prison",
        contact_by="self",
        what_matters="Help at home",
    )
    services.request_triage(
        record=opened(staff.team_manager, second.person),
        request=second,
        decision="assessment",
        team=teams.north,
    )
    entries = [e for e in timeline.entries_for(person) if e.kind == "request"]
    titles = [e.title for e in entries]
    assert titles == [
        "Request triaged: Assessment of needs",
        "Request for support received",
        "Request triaged and concluded: No further action",
        "Request for support received",
    ]
    assert entries[0].who == staff.team_manager.display_name
    assert "Passed to Locality team north" in entries[0].detail
    assert entries[2].detail.startswith("NFA: Support declined")


def test_timeline_reads_what_it_shows_in_one_query_per_kind_of_event(
    staff, teams, django_assert_max_num_queries
):
    person = PersonFactory()
    for i in range(4):
        req = services.request_record(
            record=opened(staff.front_door, person),
            received_on=TODAY,
            contact_by="self",
            route_of_access="Prison",
            what_matters=f"Help at home {i}",
        )
        services.request_triage(
            record=opened(staff.team_manager, req.person),
            request=req,
            decision="assessment",
            team=teams.north,
        )
    with django_assert_max_num_queries(len(timeline._providers) + 1):  # + the first status of each plan
        entries = [e for e in timeline.entries_for(person) if e.kind == "request"]
    assert len(entries) == 8 and all(e.who and e.href.startswith("/front-door/requests/") for e in entries)
    assert (
        entries[0].detail == "Progress to assessment, review or reassessment. Passed to Locality team north"
    )


def test_the_allocation_picker_shows_each_workers_caseload_size(staff, teams):
    # A manager allocating sees who has room: current allocations to each worker, counted, naming no one.
    from openasc.core.tests.factories import CareRelationshipFactory
    from openasc.frontdoor import selectors as frontdoor_selectors

    for _ in range(2):
        CareRelationshipFactory(user=staff.social_worker)
    CareRelationshipFactory(user=staff.occupational_therapist)
    CareRelationshipFactory(  # ended yesterday: no longer on the caseload
        user=staff.occupational_therapist,
        starts_at=timezone.now() - dt.timedelta(days=9),
        ends_at=timezone.now() - dt.timedelta(days=1),
    )
    labels = dict(frontdoor_selectors.worker_choices(user=staff.team_manager))
    assert labels[staff.social_worker.pk].endswith(", 2 people allocated")
    assert labels[staff.occupational_therapist.pk].endswith(", 1 person allocated")
    assert labels[staff.team_manager.pk].endswith(", 0 people allocated")


def test_a_closed_team_is_not_offered_and_cannot_be_given_anyone(staff, teams):
    from openasc.core import services as core_services
    from openasc.core.models import RelationshipKind as Kind

    teams.south.closed_at = timezone.now()
    teams.south.save(update_fields=["closed_at"])
    offered = dict(selectors.team_choices())
    assert teams.north.pk in offered and teams.south.pk not in offered
    person = PersonFactory()
    with pytest.raises(ValidationFailed) as exc:
        core_services.care_relationship_create(
            actor=staff.team_manager, person=person, kind=Kind.ALLOCATED_TEAM, team=teams.south
        )
    assert exc.value.errors == {"team": "Locality team south is closed: choose an open team"}
    made = core_services.care_relationship_create(
        actor=staff.team_manager, person=person, kind=Kind.ALLOCATED_TEAM, team=teams.north
    )
    assert made.team == teams.north
