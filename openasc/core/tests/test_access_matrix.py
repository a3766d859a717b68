"""The permission matrix: every role × every kind of relationship × every action.

For each cell the expected answer is written out, and the queryset filter used by lists and searches
(`people_visible_to`) must agree with the single-record check (`explain`) used when a record is opened.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from openasc.core import access, services
from openasc.core.errors import AccessDenied
from openasc.core.models import BreakGlassAccess, RelationshipKind, Restriction, Role
from openasc.core.tests.factories import CareRelationshipFactory
from openasc.people import selectors
from openasc.people.models import Person
from openasc.people.tests.factories import PersonFactory

ROLES = [r for r in Role if r != Role.SYSTEM]

# How the user is connected to the person.
RELATIONSHIPS = [
    "none",
    "allocated_worker",
    "allocated_team",
    "safeguarding_enquiry",
    "nhs_sharing",
    "grant_active",
    "grant_expired",
    "relationship_ended",
    "break_glass_active",
    "break_glass_expired",
]

ROLE_WIDE_VIEW = {Role.FRONT_DOOR}
VIEW_BY_RELATIONSHIP = {
    "allocated_worker",
    "allocated_team",
    "safeguarding_enquiry",
    "nhs_sharing",
    "grant_active",
    "break_glass_active",
}


def expected_view(role: Role, relationship: str, restricted: bool, in_a_team: bool) -> bool:
    if relationship in {
        "allocated_worker",
        "safeguarding_enquiry",
        "nhs_sharing",
        "grant_active",
        "break_glass_active",
    }:
        return True  # held by the user by name: survives a restriction
    if restricted:
        return False  # team and role-wide access stop at a restriction (no roles named on it here)
    return (relationship == "allocated_team" and in_a_team) or role in ROLE_WIDE_VIEW


def connect(user, person, relationship: str, teams) -> None:
    now = timezone.now()
    if relationship == "allocated_worker":
        CareRelationshipFactory(person=person, user=user, kind=RelationshipKind.ALLOCATED_WORKER)
    elif relationship == "allocated_team":
        team = teams.nhs if user.role == Role.NHS_PARTNER else teams.north
        kind = RelationshipKind.NHS_SHARING if team.is_nhs_partner else RelationshipKind.ALLOCATED_TEAM
        CareRelationshipFactory(person=person, user=None, team=team, kind=kind, basis="Direct care")
    elif relationship == "safeguarding_enquiry":
        CareRelationshipFactory(person=person, user=user, kind=RelationshipKind.SAFEGUARDING_ENQUIRY)
    elif relationship == "nhs_sharing":
        CareRelationshipFactory(
            person=person, user=user, kind=RelationshipKind.NHS_SHARING, basis="Direct care"
        )
    elif relationship == "grant_active":
        CareRelationshipFactory(
            person=person, user=user, kind=RelationshipKind.GRANT, ends_at=now + dt.timedelta(days=1)
        )
    elif relationship == "grant_expired":
        CareRelationshipFactory(
            person=person,
            user=user,
            kind=RelationshipKind.GRANT,
            starts_at=now - dt.timedelta(days=3),
            ends_at=now - dt.timedelta(days=1),
        )
    elif relationship == "relationship_ended":
        CareRelationshipFactory(
            person=person,
            user=user,
            kind=RelationshipKind.ALLOCATED_WORKER,
            starts_at=now - dt.timedelta(days=30),
            ends_at=now - dt.timedelta(days=1),
        )
    elif relationship in ("break_glass_active", "break_glass_expired"):
        started = now - (
            dt.timedelta(minutes=5) if relationship == "break_glass_active" else dt.timedelta(hours=3)
        )
        BreakGlassAccess.objects.create(
            user=user,
            person=person,
            reason_code="out_of_hours",
            started_at=started,
            expires_at=started + dt.timedelta(hours=1),
        )


@pytest.mark.no_audit_safety_net
@pytest.mark.parametrize("restricted", [False, True], ids=["open-record", "restricted-record"])
@pytest.mark.parametrize("relationship", RELATIONSHIPS)
@pytest.mark.parametrize("role", ROLES, ids=[r.value for r in ROLES])
def test_view_matrix(staff, teams, role, relationship, restricted):
    user = getattr(staff, role.value)
    person = PersonFactory()
    other = PersonFactory()  # never connected: must never be visible except role-wide
    connect(user, person, relationship, teams)
    if restricted:
        Restriction.objects.create(
            person=person,
            reason="Staff member",
            review_on=dt.date.today() + dt.timedelta(90),
            created_by=staff.system,
        )
    want = expected_view(role, relationship, restricted, in_a_team=user.teams.exists())

    decision = access.explain(user, person)
    visible = set(access.people_visible_to(user, Person.objects.all()).values_list("pk", flat=True))
    assert decision.allowed is want, decision
    assert (person.pk in visible) is want
    assert (other.pk in visible) is (role in ROLE_WIDE_VIEW)
    if not want:
        assert decision.explanation
        assert decision.break_glass_possible is access.has(user, access.Capability.BREAK_GLASS)
        with pytest.raises(AccessDenied):
            selectors.person_get(user=user, person_id=person.pk)
    else:
        assert decision.basis


@pytest.mark.no_audit_safety_net
@pytest.mark.parametrize("role", ROLES, ids=[r.value for r in ROLES])
def test_restriction_keeps_named_roles_and_users(staff, teams, role):
    user = getattr(staff, role.value)
    person = PersonFactory()
    connect(user, person, "allocated_team", teams)
    restriction = Restriction.objects.create(
        person=person,
        reason="Staff member",
        review_on=dt.date.today() + dt.timedelta(90),
        created_by=staff.system,
        allowed_roles=Restriction.encode_roles([Role.SAFEGUARDING_LEAD]),
    )
    in_team = user.teams.exists()  # the administrator is in no team, so has no access to keep
    assert access.explain(user, person).allowed is (in_team and role == Role.SAFEGUARDING_LEAD)
    restriction.allowed_users.add(user)
    assert access.explain(user, person).allowed is in_team
    assert access.people_visible_to(user, Person.objects.filter(pk=person.pk)).exists() is in_team


# Capabilities per role: the action half of the matrix.
CAPABILITY_MATRIX = {
    access.Capability.SEARCH_ALL: {
        Role.FRONT_DOOR,
        Role.TEAM_MANAGER,
        Role.SAFEGUARDING_LEAD,
        Role.INFORMATION_GOVERNANCE,
    },
    access.Capability.CREATE_PERSON: {
        Role.FRONT_DOOR,
        Role.SOCIAL_WORKER,
        Role.OCCUPATIONAL_THERAPIST,
        Role.TEAM_MANAGER,
        Role.SAFEGUARDING_LEAD,
    },
    access.Capability.EDIT_PERSON: {
        Role.FRONT_DOOR,
        Role.SOCIAL_WORKER,
        Role.OCCUPATIONAL_THERAPIST,
        Role.TEAM_MANAGER,
        Role.SAFEGUARDING_LEAD,
        Role.FINANCE_OFFICER,
    },
    access.Capability.MERGE: {Role.FRONT_DOOR, Role.TEAM_MANAGER},
    access.Capability.BREAK_GLASS: {
        Role.FRONT_DOOR,
        Role.SOCIAL_WORKER,
        Role.OCCUPATIONAL_THERAPIST,
        Role.TEAM_MANAGER,
        Role.BROKER,
        Role.FINANCE_OFFICER,
        Role.SAFEGUARDING_LEAD,
        Role.NHS_PARTNER,
    },
    access.Capability.REVIEW_BREAK_GLASS: {Role.TEAM_MANAGER, Role.INFORMATION_GOVERNANCE},
    access.Capability.VIEW_ACCESS_LOG: {Role.TEAM_MANAGER, Role.INFORMATION_GOVERNANCE},
    access.Capability.ALLOCATE: {Role.TEAM_MANAGER, Role.SAFEGUARDING_LEAD},
    access.Capability.TRIAGE: {
        Role.FRONT_DOOR,
        Role.SOCIAL_WORKER,
        Role.TEAM_MANAGER,
        Role.SAFEGUARDING_LEAD,
    },
    access.Capability.BE_ALLOCATED: {
        Role.FRONT_DOOR,
        Role.SOCIAL_WORKER,
        Role.OCCUPATIONAL_THERAPIST,
        Role.TEAM_MANAGER,
        Role.SAFEGUARDING_LEAD,
    },
    access.Capability.ASSESS: {
        Role.SOCIAL_WORKER,
        Role.OCCUPATIONAL_THERAPIST,
        Role.TEAM_MANAGER,
        Role.SAFEGUARDING_LEAD,
    },
    access.Capability.SIGN_OFF: {Role.TEAM_MANAGER},
    access.Capability.PLAN: {Role.SOCIAL_WORKER, Role.OCCUPATIONAL_THERAPIST, Role.TEAM_MANAGER},
    access.Capability.ARRANGE_SERVICES: {
        Role.SOCIAL_WORKER,
        Role.OCCUPATIONAL_THERAPIST,
        Role.TEAM_MANAGER,
        Role.BROKER,
    },
    access.Capability.IMPORT_CLD: {Role.PERFORMANCE_ANALYST, Role.ADMINISTRATOR},
    access.Capability.SET_POPULATION: {Role.PERFORMANCE_ANALYST, Role.ADMINISTRATOR},
    access.Capability.SEE_RETURNS: {Role.PERFORMANCE_ANALYST, Role.TEAM_MANAGER, Role.INFORMATION_GOVERNANCE},
    access.Capability.WRITE_NOTES: {
        Role.FRONT_DOOR,
        Role.SOCIAL_WORKER,
        Role.OCCUPATIONAL_THERAPIST,
        Role.TEAM_MANAGER,
        Role.BROKER,
        Role.FINANCE_OFFICER,
        Role.SAFEGUARDING_LEAD,
    },
    access.Capability.MANAGE_STAFF: {Role.ADMINISTRATOR},
}


@pytest.mark.parametrize("capability", list(CAPABILITY_MATRIX))
@pytest.mark.parametrize("role", ROLES, ids=[r.value for r in ROLES])
def test_capability_matrix(staff, role, capability):
    assert access.has(getattr(staff, role.value), capability) is (role in CAPABILITY_MATRIX[capability])


# The staff administration pages (openasc.staff), each needing MANAGE_STAFF: {name: path given the fixtures}.
STAFF_PAGES = {
    "staff list": lambda s, t, token: "/staff/",
    "add staff": lambda s, t, token: "/staff/add",
    "an account": lambda s, t, token: f"/staff/{s.broker.pk}/",
    "change an account": lambda s, t, token: f"/staff/{s.broker.pk}/change",
    "reset a password": lambda s, t, token: f"/staff/{s.broker.pk}/password",
    "deactivate": lambda s, t, token: f"/staff/{s.broker.pk}/deactivate",
    "teams": lambda s, t, token: "/staff/teams/",
    "add a team": lambda s, t, token: "/staff/teams/add",
    "change a team": lambda s, t, token: f"/staff/teams/{t.south.pk}/change",
    "remove a team": lambda s, t, token: f"/staff/teams/{t.south.pk}/remove",
    "system accounts": lambda s, t, token: "/staff/system-accounts/",
    "add a system account": lambda s, t, token: "/staff/system-accounts/add",
    "tokens": lambda s, t, token: "/staff/tokens/",
    "issue a token": lambda s, t, token: "/staff/tokens/issue",
    "revoke a token": lambda s, t, token: f"/staff/tokens/{token.pk}/revoke",
}
# Writes that a role without MANAGE_STAFF tries by posting straight to the page: {name: (path, form data)}.
STAFF_WRITES = {
    "deactivate": (lambda s, t: f"/staff/{s.broker.pk}/deactivate", {}),
    "reset a password": (lambda s, t: f"/staff/{s.broker.pk}/password", {"how": "generate"}),
    "close a team": (lambda s, t: f"/staff/teams/{t.south.pk}/remove", {"how": "close"}),
    "add a team": (lambda s, t: "/staff/teams/add", {"name": "Shadow team", "is_nhs_partner": "no"}),
}


@pytest.mark.parametrize("role", ROLES, ids=[r.value for r in ROLES])
def test_staff_administration_pages_need_manage_staff_and_each_refusal_is_audited(client, staff, teams, role):
    from openasc.core.models import ApiToken, AuditAction, AuditEvent, Team

    user = getattr(staff, role.value)
    allowed = role in CAPABILITY_MATRIX[access.Capability.MANAGE_STAFF]
    with audit_exempt():
        token = ApiToken.objects.create(user=staff.system, name="feed", digest="d" * 64, prefix="oasc_ddd")
    client.force_login(user)
    for name, path_for in STAFF_PAGES.items():
        path = path_for(staff, teams, token)
        before = AuditEvent.objects.filter(actor=user, action=AuditAction.ACCESS_REFUSED).count()
        response = client.get(path)
        refusals = AuditEvent.objects.filter(actor=user, action=AuditAction.ACCESS_REFUSED).order_by("pk")
        if allowed:
            assert response.status_code == 200, name
            assert refusals.count() == before, name
        else:
            assert response.status_code == 403, name
            assert refusals.count() == before + 1, name
            assert refusals.last().details["path"] == path and refusals.last().person_id is None
    if allowed:
        return
    password = staff.broker.password
    for name, (path_for, data) in STAFF_WRITES.items():
        assert client.post(path_for(staff, teams), data).status_code == 403, name
    staff.broker.refresh_from_db()
    teams.south.refresh_from_db()
    assert (
        staff.broker.is_active and staff.broker.password == password and not staff.broker.must_change_password
    )
    assert teams.south.closed_at is None and not Team.objects.filter(name="Shadow team").exists()


def audit_exempt():
    from openasc.core import audit

    return audit.exempt_from_safety_net()


@pytest.mark.parametrize("role", ROLES, ids=[r.value for r in ROLES])
def test_every_member_of_staff_may_change_their_own_password(client, staff, role):
    client.force_login(getattr(staff, role.value))
    assert client.get("/staff/password").status_code == 200


# The case-note pages (openasc.casenotes) for a person allocated to the north team (an NHS partner: through its
# team's sharing basis), by role: (notes list, a note, a sensitive note by a north social worker, add a note, add an
# addendum). 302 is the break-glass page; 403 the refusal (a sensitive note: "You cannot read this note").
NOTE_PAGES_WITH_TEAM = {
    Role.FRONT_DOOR: (200, 200, 200, 200, 200),
    Role.SOCIAL_WORKER: (200, 200, 200, 200, 200),
    Role.OCCUPATIONAL_THERAPIST: (200, 200, 200, 200, 200),
    Role.TEAM_MANAGER: (200, 200, 200, 200, 200),
    Role.BROKER: (200, 200, 200, 200, 200),
    Role.FINANCE_OFFICER: (200, 200, 200, 200, 200),
    Role.SAFEGUARDING_LEAD: (200, 200, 200, 200, 200),
    Role.PERFORMANCE_ANALYST: (200, 200, 200, 403, 403),  # reads on the team basis, writes no notes
    Role.NHS_PARTNER: (200, 200, 403, 403, 403),  # not in the author's team nor a named role
    Role.INFORMATION_GOVERNANCE: (200, 200, 200, 403, 403),
    Role.ADMINISTRATOR: (403, 403, 403, 403, 403),  # in no team: no basis, and no break-glass
}
# The same pages with no relationship: only the front door opens anyone's record.
NOTE_PAGES_WITHOUT = {
    Role.FRONT_DOOR: (200, 200, 200, 200, 200),
    Role.SOCIAL_WORKER: (302, 403, 403, 302, 403),
    Role.OCCUPATIONAL_THERAPIST: (302, 403, 403, 302, 403),
    Role.TEAM_MANAGER: (302, 403, 403, 302, 403),
    Role.BROKER: (302, 403, 403, 302, 403),
    Role.FINANCE_OFFICER: (302, 403, 403, 302, 403),
    Role.SAFEGUARDING_LEAD: (302, 403, 403, 302, 403),
    Role.PERFORMANCE_ANALYST: (403, 403, 403, 403, 403),
    Role.NHS_PARTNER: (302, 403, 403, 403, 403),
    Role.INFORMATION_GOVERNANCE: (403, 403, 403, 403, 403),
    Role.ADMINISTRATOR: (403, 403, 403, 403, 403),
}


@pytest.mark.parametrize("relationship", ["allocated_team", "none"])
@pytest.mark.parametrize("role", ROLES, ids=[r.value for r in ROLES])
def test_case_note_pages_for_every_role(client, staff, teams, role, relationship):
    from openasc.casenotes.tests.factories import CaseNoteFactory

    user = getattr(staff, role.value)
    person = PersonFactory()
    if relationship != "none":
        connect(user, person, relationship, teams)
    note = CaseNoteFactory(
        person=person, author=staff.social_worker, subject="Plain words", body="Plain body"
    )
    secret = CaseNoteFactory(
        person=person, author=staff.social_worker, sensitive=True, subject="Secret words", body="Secret body"
    )
    client.force_login(user)
    paths = (
        f"/notes/people/{person.pk}",
        f"/notes/{note.pk}",
        f"/notes/{secret.pk}",
        f"/notes/people/{person.pk}/new",
        f"/notes/{note.pk}/addendum",
    )
    want = (NOTE_PAGES_WITH_TEAM if relationship != "none" else NOTE_PAGES_WITHOUT)[role]
    got = tuple(client.get(path).status_code for path in paths)
    assert got == want
    for path in paths:
        assert "Secret" not in client.get(path).content.decode() or want[2] == 200, path


@pytest.mark.parametrize("role", ROLES, ids=[r.value for r in ROLES])
def test_search_shows_unconnected_people_only_to_search_everyone_roles(staff, role):
    user = getattr(staff, role.value)
    stranger = PersonFactory(first_name="Winifred", last_name="Oddington")
    results = selectors.person_search(user=user, query="Winifred Oddington")
    found = [h for h in results.hits if h.person.pk == stranger.pk]
    if access.has(user, access.Capability.SEARCH_ALL):
        assert len(found) == 1
        assert found[0].can_open is access.has(user, access.Capability.VIEW_ALL)
    else:
        assert found == []
        # An exact identifier finds nothing either: a role that cannot search everyone learns nobody's identity,
        # not even that a record exists (finding 1 of the access issue: LA ids are sequential).
        for exact in (stranger.nhs_number, stranger.la_person_id):
            by_identifier = selectors.person_search(user=user, query=exact)
            assert by_identifier.hits == [] and by_identifier.limited_to_own


def test_break_glass_gives_time_limited_access_and_reaches_the_review_queue(staff):
    from openasc.core import selectors as core_selectors

    person = PersonFactory()
    worker = staff.social_worker
    assert not access.explain(worker, person).allowed
    grant = services.break_glass_start(
        actor=worker, person=person, reason_code="urgent_safeguarding", reason_text="Police welfare call"
    )
    assert access.explain(worker, person).basis == "Break-glass"
    assert grant.expires_at - grant.started_at == dt.timedelta(minutes=60)
    assert list(core_selectors.break_glass_review_queue(user=staff.team_manager)) == [grant]
    assert list(core_selectors.break_glass_review_queue(user=staff.information_governance)) == [grant]
    assert list(core_selectors.break_glass_review_queue(user=worker)) == []
    services.break_glass_end(actor=worker, grant=grant)
    assert not access.explain(worker, person).allowed
    services.break_glass_review(actor=staff.team_manager, grant=grant, outcome="appropriate")
    assert list(core_selectors.break_glass_review_queue(user=staff.team_manager)) == []


def test_break_glass_needs_a_coded_reason_and_text_for_other(staff):
    from openasc.core.errors import ValidationFailed

    person = PersonFactory()
    with pytest.raises(ValidationFailed) as exc:
        services.break_glass_start(actor=staff.social_worker, person=person, reason_code="because")
    assert exc.value.errors == {"reason_code": "Select why you need access"}
    with pytest.raises(ValidationFailed) as exc:
        services.break_glass_start(
            actor=staff.social_worker, person=person, reason_code="other", reason_text=" "
        )
    assert exc.value.errors == {"reason_text": "Explain why you need access"}
    with pytest.raises(PermissionError):
        services.break_glass_start(
            actor=staff.performance_analyst, person=person, reason_code="other", reason_text="curious"
        )
    assert not BreakGlassAccess.objects.exists()


def test_a_manager_cannot_review_their_own_break_glass(staff):
    from openasc.core.errors import ValidationFailed

    grant = services.break_glass_start(
        actor=staff.team_manager, person=PersonFactory(), reason_code="out_of_hours"
    )
    with pytest.raises(ValidationFailed):
        services.break_glass_review(actor=staff.team_manager, grant=grant, outcome="appropriate")
    with pytest.raises(ValidationFailed) as exc:
        services.break_glass_review(actor=staff.information_governance, grant=grant, outcome="inappropriate")
    assert "note" in exc.value.errors


def test_nhs_partners_only_get_access_through_a_recorded_sharing_basis(staff, teams):
    from openasc.core.errors import ValidationFailed

    person = PersonFactory()
    with pytest.raises(ValidationFailed) as exc:
        services.care_relationship_create(
            actor=staff.team_manager, person=person, kind="allocated_team", team=teams.nhs
        )
    assert "team" in exc.value.errors
    with pytest.raises(ValidationFailed) as exc:
        services.care_relationship_create(
            actor=staff.team_manager, person=person, kind="nhs_sharing", user=staff.nhs_partner
        )
    assert exc.value.errors == {"basis": "Record the information-sharing basis for the NHS partner"}
    services.care_relationship_create(
        actor=staff.team_manager,
        person=person,
        kind="nhs_sharing",
        user=staff.nhs_partner,
        basis="Direct care: discharge planning",
    )
    assert access.explain(staff.nhs_partner, person).allowed


# --- What each role learns about a person it has no relationship with (ADR 0009) ----------------------------------


@pytest.mark.parametrize("role", ROLES, ids=lambda r: r.value)
def test_what_each_role_learns_about_a_stranger(client, staff, role):
    from openasc.core import audit
    from openasc.people import services as people_services

    user = getattr(staff, role.value)
    stranger = PersonFactory(
        first_name="Theodora", last_name="Kettlewell", nhs_number="9434765919", la_person_id="P0000777"
    )
    search_all = access.has(user, access.Capability.SEARCH_ALL)
    # Search by exact person id.
    hits = selectors.person_search(user=user, query="P0000777").hits
    assert [h.person.last_name for h in hits] == (["Kettlewell"] if search_all else [])
    # The duplicate warning.
    if access.has(user, access.Capability.CREATE_PERSON):
        with pytest.raises(people_services.PossibleDuplicate) as warned:
            people_services.person_create(
                actor=user, data={"first_name": "A", "last_name": "B", "nhs_number": "9434765919"}
            )
        assert [c.pk for c in warned.value.candidates] == ([stranger.pk] if search_all else [])
    else:
        with pytest.raises(PermissionError):
            people_services.person_create(actor=user, data={"first_name": "A", "last_name": "B"})
    # The emergency-access page.
    client.force_login(user)
    page = client.get(f"/people/{stranger.pk}/break-glass")
    if access.has(user, access.Capability.VIEW_ALL):
        assert page.status_code == 302  # opens the record directly
    elif access.has(user, access.Capability.BREAK_GLASS):
        assert page.status_code == 200
        assert ("Kettlewell" in page.content.decode()) is search_all
    else:
        assert page.status_code == 403 and "Kettlewell" not in page.content.decode()
    # Who has looked at the record, and lifting its restriction: information governance only, without a relationship.
    log = client.get(f"/people/{stranger.pk}/access-log")
    assert log.status_code == (200 if role == Role.INFORMATION_GOVERNANCE else 403)
    with audit.exempt_from_safety_net():
        restriction = Restriction.objects.create(
            person=stranger,
            reason="Staff",
            review_on=dt.date(2031, 1, 1),
            created_by=staff.information_governance,
        )
    lifted = client.post(f"/people/{stranger.pk}/restriction", {"reason": "Try"})
    restriction.refresh_from_db()
    assert (restriction.lifted_at is not None) is (role == Role.INFORMATION_GOVERNANCE), lifted.status_code
