import datetime as dt

import pytest
from django.utils import timezone

from openasc.core.errors import ValidationFailed
from openasc.core.models import AuditEvent, CareRelationship, RelationshipKind, Role
from openasc.core.tests.factories import UserFactory, opened
from openasc.frontdoor import services
from openasc.frontdoor.models import RequestStatus, SupportRequest, SupportRequestStatus, TriageDecision
from openasc.frontdoor.tests.factories import SupportRequestFactory
from openasc.people.tests.factories import PersonFactory

TODAY = timezone.localdate()


def record(actor, person, **overrides):
    data = {
        "received_on": TODAY - dt.timedelta(days=2),
        "route_of_access": "Discharge from hospital",
        "contact_by": "family",
        "contact_name": "June Marsh",
        "contact_phone": "01632 960123",
        "what_matters": "  Getting home to my cat  ",
        "reason": "Fall at home",
        "urgency": "soon",
        "client_type": "Service user",
    }
    data.update(overrides)
    return services.request_record(record=opened(actor, person), **data)


def test_record_saves_the_request_its_first_status_and_an_audit_event(staff):
    person = PersonFactory()
    req = record(staff.front_door, person)
    req.refresh_from_db()
    assert (req.status, req.what_matters, req.urgency, req.route_of_access) == (
        RequestStatus.OPEN,
        "Getting home to my cat",
        "soon",
        "Discharge from hospital",
    )
    assert req.created_by == staff.front_door and req.decision == "" and req.concluded_on is None
    [row] = req.status_changes.all()
    assert (row.status, row.changed_by, row.note) == ("open", staff.front_door, "Request received")
    event = AuditEvent.objects.get(object_type="frontdoor.supportrequest", object_id=str(req.pk))
    assert (event.action, event.person_id, event.details["route_of_access"]) == (
        "create",
        person.pk,
        "Discharge from hospital",
    )


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"received_on": None}, "received_on", "Enter the date the request was received"),
        (
            {"received_on": TODAY + dt.timedelta(days=1)},
            "received_on",
            "The date received must be today or in the past",
        ),
        ({"route_of_access": "Walked in"}, "route_of_access", "Select the route of access from the list"),
        ({"route_of_access": ""}, "route_of_access", "Select the route of access from the list"),
        ({"contact_by": "neighbour"}, "contact_by", "Select who made contact"),
        ({"contact_name": " "}, "contact_name", "Enter the name of the person who made contact"),
        ({"what_matters": "   "}, "what_matters", "Enter what matters to the person, in their words"),
        ({"urgency": "whenever"}, "urgency", "Select how urgent the request is"),
        (
            {"client_type": "Unpaid carer known by association"},
            "client_type",
            "Select whether the request is for a service user or an unpaid carer",
        ),
        (
            {"client_type": "Carer"},
            "client_type",
            "Select whether the request is for a service user or an unpaid carer",
        ),
    ],
)
def test_record_rejects_bad_input_with_field_messages_and_saves_nothing(staff, overrides, field, message):
    with pytest.raises(ValidationFailed) as exc:
        record(staff.front_door, PersonFactory(), **overrides)
    assert exc.value.errors[field] == message
    assert not SupportRequest.objects.exists() and not SupportRequestStatus.objects.exists()


def test_self_referral_needs_no_contact_name_and_carers_can_ask_for_themselves(staff):
    req = record(
        staff.front_door, PersonFactory(), contact_by="self", contact_name="", client_type="Unpaid carer"
    )
    assert (req.contact_by, req.client_type) == ("self", "Unpaid carer")


def test_roles_that_cannot_create_people_cannot_record_requests(staff):
    with pytest.raises(PermissionError):
        record(staff.performance_analyst, PersonFactory())
    assert not SupportRequest.objects.exists()


def triage(actor, req, **kwargs):
    return services.request_triage(record=opened(actor, req.person), request=req, **kwargs)


@pytest.mark.parametrize(
    ("decision", "extra", "outcome", "status", "concludes"),
    [
        (
            "information_and_advice",
            {"information_given": "Age UK leaflet"},
            "NFA: Information and advice or signposting",
            "concluded",
            True,
        ),
        (
            "signposting",
            {"information_given": "Men's Shed on Tuesday"},
            "NFA: Information and advice or signposting",
            "concluded",
            True,
        ),
        ("safeguarding", {}, "NFA: Referral to other service within the local authority", "concluded", True),
        (
            "no_further_action",
            {"nfa_outcome": "NFA: Support declined", "outcome_reason": "Does not want help"},
            "NFA: Support declined",
            "concluded",
            True,
        ),
        ("short_term_support", {"team": "north"}, "Progress to reablement/ST-Max", "routed", False),
        ("assessment", {"team": "north"}, "Progress to assessment, review or reassessment", "routed", False),
        ("support_planning", {"team": "north"}, "Progress to support planning or services", "routed", False),
    ],
)
def test_each_decision_sets_the_cld_outcome_and_status(
    staff, teams, decision, extra, outcome, status, concludes
):
    if "team" in extra:
        extra = {**extra, "team": teams.north}
    req = SupportRequestFactory()
    triaged_on = TODAY - dt.timedelta(days=1)
    done = triage(staff.front_door, req, decision=decision, triaged_on=triaged_on, **extra)
    done.refresh_from_db()
    assert (done.decision, done.outcome, done.status) == (decision, outcome, status)
    assert done.concluded_on == (triaged_on if concludes else None)
    assert done.triaged_on == triaged_on and done.triaged_by == staff.front_door
    assert done.team == (None if concludes else teams.north)
    assert [r.status for r in done.status_changes.all()] == [status]
    event = AuditEvent.objects.get(
        object_type="frontdoor.supportrequest", object_id=str(req.pk), action="update"
    )
    assert (event.details["decision"], event.details["outcome"], event.person_id) == (
        decision,
        outcome,
        req.person_id,
    )


def test_triage_date_defaults_to_today(staff, teams):
    done = triage(staff.front_door, SupportRequestFactory(), decision="safeguarding")
    assert done.triaged_on == TODAY == done.concluded_on


@pytest.mark.parametrize(
    ("kwargs", "errors"),
    [
        ({"decision": ""}, {"decision": "Select what happens next"}),
        ({"decision": "maybe"}, {"decision": "Select what happens next"}),
        (
            {"decision": "no_further_action"},
            {
                "nfa_outcome": "Select why no further action is needed",
                "outcome_reason": "Explain why no further action is needed",
            },
        ),
        (
            {
                "decision": "no_further_action",
                "nfa_outcome": "Progress to reablement/ST-Max",
                "outcome_reason": "x",
            },
            {"nfa_outcome": "Select why no further action is needed"},
        ),
        (
            {"decision": "information_and_advice"},
            {"information_given": "Enter the information and advice given"},
        ),
        (
            {"decision": "signposting", "information_given": " "},
            {"information_given": "Enter the community service the person was signposted to"},
        ),
        ({"decision": "assessment"}, {"team": "Select the team to pass the request to"}),
        (
            {"decision": "support_planning", "team": "nhs"},
            {"team": "Choose a council team: an NHS partner team cannot take a request"},
        ),
        (
            {"decision": "safeguarding", "triaged_on": TODAY + dt.timedelta(days=1)},
            {"triaged_on": "The triage date must be today or in the past"},
        ),
    ],
)
def test_triage_rejects_bad_input_and_changes_nothing(staff, teams, kwargs, errors):
    if isinstance(kwargs.get("team"), str):
        kwargs = {**kwargs, "team": getattr(teams, kwargs["team"])}
    req = SupportRequestFactory()
    with pytest.raises(ValidationFailed) as exc:
        triage(staff.front_door, req, **kwargs)
    assert exc.value.errors == errors
    req.refresh_from_db()
    assert (req.status, req.decision, req.outcome) == ("open", "", "")
    assert not req.status_changes.exists()


def test_triage_date_cannot_be_before_the_request(staff):
    req = SupportRequestFactory(received_on=dt.date(2026, 3, 5))
    with pytest.raises(ValidationFailed) as exc:
        triage(staff.front_door, req, decision="safeguarding", triaged_on=dt.date(2026, 3, 4))
    assert exc.value.errors == {
        "triaged_on": "The triage date must be the same as or after the date received (5 March 2026)"
    }


def test_a_request_is_triaged_once(staff, teams):
    req = SupportRequestFactory()
    triage(staff.front_door, req, decision="assessment", team=teams.north)
    with pytest.raises(ValidationFailed) as exc:
        triage(staff.front_door, req, decision="safeguarding")
    assert exc.value.errors == {
        "decision": "This request is passed to a team: it cannot be triaged (only a request "
        "that is waiting for triage can be). From here it can only be: mark as "
        "recorded in error."
    }
    # Nothing written but the refusal, audited against the person with what was attempted.
    assert list(req.status_changes.values_list("status", flat=True)) == ["routed"]
    refusal = AuditEvent.objects.get(action="access_refused", person_id=req.person_id)
    assert refusal.details["purpose"] == "request: conclude" and refusal.actor == staff.front_door
    assert SupportRequest.objects.get().decision == "assessment"


def test_information_given_is_kept_only_for_information_decisions(staff):
    done = triage(
        staff.front_door, SupportRequestFactory(), decision="safeguarding", information_given="stray"
    )
    assert done.information_given == ""


@pytest.mark.parametrize(
    ("role", "allowed"),
    [
        (Role.FRONT_DOOR, True),
        (Role.TEAM_MANAGER, True),
        (Role.SOCIAL_WORKER, True),
        (Role.SAFEGUARDING_LEAD, True),
        (Role.OCCUPATIONAL_THERAPIST, False),
        (Role.BROKER, False),
        (Role.FINANCE_OFFICER, False),
        (Role.PERFORMANCE_ANALYST, False),
        (Role.NHS_PARTNER, False),
        (Role.ADMINISTRATOR, False),
        (Role.SYSTEM, False),
    ],
)
def test_triage_role_check(staff, role, allowed):
    user = getattr(staff, role.value)
    req = SupportRequestFactory()
    assert services.can_triage(user) is allowed
    if allowed:
        assert triage(user, req, decision="safeguarding").status == "concluded"
    else:
        with pytest.raises(PermissionError):
            triage(user, req, decision="safeguarding")
        req.refresh_from_db()
        assert req.status == "open"


def test_inactive_users_cannot_triage(staff):
    user = UserFactory(username="left", role=Role.FRONT_DOOR, is_active=False)
    assert services.can_triage(user) is False


def test_allocation_creates_team_and_worker_relationships_with_audit(staff, teams):
    person = PersonFactory()
    made = services.allocation_create(
        record=opened(staff.team_manager, person), team=teams.north, worker=staff.social_worker
    )
    assert [(r.kind, r.team, r.user) for r in made] == [
        (RelationshipKind.ALLOCATED_TEAM, teams.north, None),
        (RelationshipKind.ALLOCATED_WORKER, None, staff.social_worker),
    ]
    assert all(r.created_by == staff.team_manager and r.ends_at is None for r in made)
    audited = set(
        AuditEvent.objects.filter(object_type="core.carerelationship", action="create").values_list(
            "object_id", flat=True
        )
    )
    assert audited == {str(r.pk) for r in made}


def test_triage_to_a_team_allocates_the_team_and_a_worker_can_follow(staff, teams):
    person = PersonFactory()
    request = services.request_record(
        record=opened(staff.front_door, person),
        received_on=TODAY,
        route_of_access="Prison",
        contact_by="self",
        what_matters="Help at home",
    )
    services.request_triage(
        record=opened(staff.front_door, request.person),
        request=request,
        decision="assessment",
        team=teams.north,
    )
    [team_rel] = CareRelationship.objects.filter(person=person)
    assert (team_rel.kind, team_rel.team, team_rel.created_by) == (
        RelationshipKind.ALLOCATED_TEAM,
        teams.north,
        staff.front_door,
    )
    made = services.allocation_create(
        record=opened(staff.team_manager, person), team=teams.north, worker=staff.social_worker
    )
    assert [(r.kind, r.user) for r in made] == [(RelationshipKind.ALLOCATED_WORKER, staff.social_worker)]
    with pytest.raises(ValidationFailed) as exc:
        services.allocation_create(record=opened(staff.team_manager, person), team=teams.north)
    assert "already allocated to Locality team north" in exc.value.errors["team"]


@pytest.mark.parametrize(
    ("kwargs", "errors"),
    [
        ({}, {"team": "Select a team or a worker, or both"}),
        (
            {"team": "nhs"},
            {"team": "Choose a council team: NHS partner teams are given access through a sharing basis"},
        ),
        ({"worker": "broker"}, {"worker": "Choose a practitioner or manager who can work with the person"}),
        (
            {"worker": "nhs_partner"},
            {"worker": "Choose a practitioner or manager who can work with the person"},
        ),
    ],
)
def test_allocation_rejects_bad_input(staff, teams, kwargs, errors):
    resolved = {}
    if "team" in kwargs:
        resolved["team"] = getattr(teams, kwargs["team"])
    if "worker" in kwargs:
        resolved["worker"] = getattr(staff, kwargs["worker"])
    with pytest.raises(ValidationFailed) as exc:
        services.allocation_create(record=opened(staff.team_manager, PersonFactory()), **resolved)
    assert exc.value.errors == errors
    assert not CareRelationship.objects.exclude(kind=RelationshipKind.GRANT).exists()  # only the test's grant


def test_allocating_the_same_worker_or_team_twice_is_refused(staff, teams):
    person = PersonFactory(first_name="Ivy", last_name="Lane")
    services.allocation_create(
        record=opened(staff.team_manager, person), team=teams.north, worker=staff.social_worker
    )
    with pytest.raises(ValidationFailed) as exc:
        services.allocation_create(
            record=opened(staff.team_manager, person), team=teams.north, worker=staff.social_worker
        )
    assert exc.value.errors == {
        "team": "Ivy Lane is already allocated to Locality team north",
        "worker": f"{staff.social_worker.display_name} is already allocated to this person",
    }


def test_only_allocating_roles_allocate_and_end(staff, teams):
    person = PersonFactory()
    with pytest.raises(PermissionError):
        services.allocation_create(record=opened(staff.social_worker, person), worker=staff.social_worker)
    [rel] = services.allocation_create(
        record=opened(staff.safeguarding_lead, person), worker=staff.social_worker
    )
    with pytest.raises(PermissionError):
        services.allocation_end(record=opened(staff.front_door, rel.person), relationship=rel)


def test_ending_an_allocation_sets_its_end_and_audits(staff, teams):
    [rel] = services.allocation_create(
        record=opened(staff.team_manager, PersonFactory()), worker=staff.social_worker
    )
    services.allocation_end(record=opened(staff.team_manager, rel.person), relationship=rel)
    rel.refresh_from_db()
    assert rel.ends_at is not None and rel.ends_at <= timezone.now()
    assert AuditEvent.objects.filter(
        object_type="core.carerelationship", object_id=str(rel.pk), action="update"
    ).exists()
    with pytest.raises(ValidationFailed) as exc:
        services.allocation_end(record=opened(staff.team_manager, rel.person), relationship=rel)
    assert exc.value.errors == {"relationship": "This allocation has already ended"}


def test_status_rows_follow_the_request_through_triage(staff, teams):
    req = record(staff.front_door, PersonFactory())
    triage(staff.team_manager, req, decision=TriageDecision.SUPPORT_PLANNING, team=teams.south)
    rows = list(req.status_changes.values_list("status", "changed_by__username", "note"))
    assert rows == [
        ("open", "front_door", "Request received"),
        ("routed", "team_manager", "Support planning or services: passed to Locality team south"),
    ]


def test_a_concluded_request_cannot_be_marked_recorded_in_error(staff):
    from openasc.frontdoor.tests.factories import concluded

    req = concluded()
    with pytest.raises(ValidationFailed) as exc:
        services.request_cancel(record=opened(staff.front_door, req.person), request=req, reason="Duplicate")
    assert exc.value.errors == {
        "reason": "This request is concluded: it cannot be marked as recorded in error (only "
        "a request that is waiting for triage or passed to a team can be). "
        "Nothing more can be done to it."
    }
    req.refresh_from_db()
    assert req.status == "concluded"
    assert (
        AuditEvent.objects.filter(
            action="access_refused", person_id=req.person_id, details__purpose="request: cancel"
        ).count()
        == 1
    )
    req.refresh_from_db()
    assert req.status == "concluded"


def test_a_routed_request_stops_waiting_once_it_has_a_worker_and_an_assessment(staff, teams):
    from openasc.assessments import services as assessment_writes
    from openasc.frontdoor import selectors
    from openasc.frontdoor.tests.factories import routed

    req = routed(teams.north)
    lists = selectors.waiting_lists(user=staff.team_manager, team_ids=[teams.north.pk])
    assert (lists.counts["allocation"], lists.counts["assessment"]) == (1, 1)

    [worker] = services.allocation_create(
        record=opened(staff.team_manager, req.person), team=teams.north, worker=staff.social_worker
    )  # (already with the team: the worker only)
    req.refresh_from_db()
    assert req.waiting_ended_on is None  # still waiting for its assessment
    lists = selectors.waiting_lists(user=staff.team_manager, team_ids=[teams.north.pk])
    assert (lists.counts["allocation"], lists.counts["assessment"]) == (0, 1)

    assessment_writes.assessment_start(record=opened(staff.social_worker, req.person), method="Face to face")
    req.refresh_from_db()
    assert req.waiting_ended_on == timezone.localdate()
    assert AuditEvent.objects.filter(
        object_type="frontdoor.supportrequest", object_id=str(req.pk), details__transition="waiting ended"
    ).exists()

    # the worker moves on: the old request does not come back onto the allocation list
    services.allocation_end(record=opened(staff.team_manager, worker.person), relationship=worker)
    lists = selectors.waiting_lists(user=staff.team_manager, team_ids=[teams.north.pk])
    assert (lists.counts["allocation"], lists.counts["assessment"]) == (0, 0)


def test_front_door_writes_refuse_a_request_or_allocation_of_another_persons_record(staff, teams):
    req = SupportRequestFactory()
    elsewhere = opened(staff.front_door, PersonFactory())
    with pytest.raises(ValidationFailed) as exc:
        services.request_triage(record=elsewhere, request=req, decision="assessment", team=teams.north)
    assert list(exc.value.errors) == ["request"] and "another person's record" in exc.value.errors["request"]
    with pytest.raises(ValidationFailed) as exc:
        services.request_cancel(record=elsewhere, request=req, reason="Duplicate")
    assert list(exc.value.errors) == ["request"]
    req.refresh_from_db()
    assert req.status == RequestStatus.OPEN and not req.status_changes.exists()
    [rel] = services.allocation_create(
        record=opened(staff.team_manager, req.person), worker=staff.social_worker
    )
    with pytest.raises(ValidationFailed) as exc:
        services.allocation_end(record=opened(staff.team_manager, elsewhere.person), relationship=rel)
    assert list(exc.value.errors) == ["relationship"]
    rel.refresh_from_db()
    assert rel.ends_at is None
    with pytest.raises(TypeError, match="open_record"):
        services.request_record(
            record=req.person,
            received_on=TODAY,
            route_of_access="Self-referral",
            contact_by="self",
            what_matters="Home",
        )


def test_each_request_transition_is_attributed_and_audited_with_the_record_basis(staff, teams):
    req = SupportRequestFactory()
    record = opened(staff.front_door, req.person)
    services.request_triage(record=record, request=req, decision="assessment", team=teams.north)
    services.request_cancel(record=opened(staff.team_manager, req.person), request=req, reason="Wrong person")
    assert list(req.status_changes.values_list("status", "changed_by__username")) == [
        ("routed", "front_door"),
        ("cancelled", "team_manager"),
    ]
    events = AuditEvent.objects.filter(
        object_type="frontdoor.supportrequest", object_id=str(req.pk), action="update"
    ).order_by("pk")
    assert [(e.actor.username, e.details["transition"], e.details["status"]) for e in events] == [
        ("front_door", "route", "routed"),
        ("team_manager", "cancel", "cancelled"),
    ]
    assert events[0].basis == record.basis and events[1].reason == "Wrong person"
