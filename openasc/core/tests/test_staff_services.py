"""Staff administration services (openasc.staff): who may do it, every rule's boundary, and the audit trail."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.contrib.auth import authenticate
from django.utils import timezone

from openasc.core import access
from openasc.core.errors import ValidationFailed
from openasc.core.models import ApiToken, AuditAction, AuditEvent, Role, Team, User
from openasc.core.services import api_token_user
from openasc.core.tests.factories import CareRelationshipFactory, TeamFactory, UserFactory
from openasc.staff import selectors, services

GOOD_PASSWORD = "plum-orchard-lantern"


def events_for(obj) -> list[AuditEvent]:
    from openasc.core import audit

    return list(
        AuditEvent.objects.filter(object_type=audit.object_type(obj), object_id=str(obj.pk)).order_by("pk")
    )


@pytest.fixture
def admin(staff):
    return staff.administrator


# --- who may ------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", list(Role), ids=[r.value for r in Role])
def test_only_administrators_manage_staff(staff, role):
    user = getattr(staff, role.value)
    assert access.has(user, access.Capability.MANAGE_STAFF) is (role == Role.ADMINISTRATOR)


@pytest.mark.parametrize(
    "call",
    [
        lambda actor, teams: services.user_create(actor=actor, username="newbie", role=Role.SOCIAL_WORKER),
        lambda actor, teams: services.team_create(actor=actor, name="Night team"),
        lambda actor, teams: services.system_account_create(actor=actor, username="finance-feed"),
        lambda actor, teams: services.team_change(actor=actor, team=teams.north, name="Renamed"),
        lambda actor, teams: selectors.staff_list(user=actor),
    ],
    ids=["user_create", "team_create", "system_account_create", "team_change", "staff_list"],
)
@pytest.mark.parametrize("role", [Role.TEAM_MANAGER, Role.INFORMATION_GOVERNANCE, Role.SYSTEM])
def test_everyone_else_is_refused_and_nothing_is_written(staff, teams, role, call):
    actor = getattr(staff, role.value)
    users, team_names, events = (
        User.objects.count(),
        list(Team.objects.values_list("name", flat=True)),
        AuditEvent.objects.count(),
    )
    with pytest.raises(PermissionError, match="Only an administrator"):
        call(actor, teams)
    assert User.objects.count() == users
    assert list(Team.objects.values_list("name", flat=True)) == team_names
    assert AuditEvent.objects.count() == events


def test_a_deactivated_administrator_is_refused(staff):
    former = UserFactory(username="former-admin", role=Role.ADMINISTRATOR, is_active=False)
    with pytest.raises(PermissionError):
        services.user_create(actor=former, username="x1", role=Role.SOCIAL_WORKER)


# --- creating staff -----------------------------------------------------------------------------------------------


def test_create_a_social_worker_audited_without_the_password(admin, teams):
    user = services.user_create(
        actor=admin,
        username="priya",
        role=Role.SOCIAL_WORKER,
        teams=[teams.north],
        first_name="  Priya ",
        last_name="Shah",
        email="priya@example.org",
        password=GOOD_PASSWORD,
    )
    user.refresh_from_db()
    assert (user.first_name, user.role, [t.code for t in user.teams.all()]) == (
        "Priya",
        "social_worker",
        ["locality-north"],
    )
    assert authenticate(username="priya", password=GOOD_PASSWORD) == user
    [event] = events_for(user)
    assert event.action == AuditAction.CREATE and event.actor == admin
    assert event.details["account"]["teams"] == ["locality-north"]
    assert event.details["account"]["role"] == "social_worker"
    assert event.details["password"] == "set"
    assert GOOD_PASSWORD not in json.dumps(event.details) + event.reason


def test_without_a_password_the_account_cannot_sign_in(admin):
    user = services.user_create(actor=admin, username="nopass", role=Role.BROKER)
    assert not user.has_usable_password()
    assert events_for(user)[0].details["password"] == "none"


def test_usernames_are_unique_ignoring_case_because_sign_in_ignores_case(admin):
    services.user_create(actor=admin, username="sam", role=Role.BROKER)
    with pytest.raises(ValidationFailed) as exc:
        services.user_create(actor=admin, username="SAM", role=Role.BROKER)
    assert "already an account called 'SAM'" in exc.value.errors["username"]
    assert services.user_create(actor=admin, username="sam2", role=Role.BROKER).username == "sam2"


@pytest.mark.parametrize(
    "username, problem",
    [
        ("", "Enter a username"),
        ("two words", "only contain letters"),
        ("tab\there", "control character"),
        ("nul\x00", "NUL"),
        ("a" * 151, "150 characters or fewer"),
    ],
)
def test_bad_usernames_are_refused_naming_the_field(admin, username, problem):
    before = User.objects.count()
    with pytest.raises(ValidationFailed) as exc:
        services.user_create(actor=admin, username=username, role=Role.BROKER)
    assert problem in exc.value.errors["username"]
    assert User.objects.count() == before


def test_a_username_of_exactly_150_characters_is_accepted(admin):
    assert len(services.user_create(actor=admin, username="a" * 150, role=Role.BROKER).username) == 150


def test_every_bad_field_is_reported_at_once_and_nothing_is_written(admin):
    before = User.objects.count()
    with pytest.raises(ValidationFailed) as exc:
        services.user_create(
            actor=admin,
            username="ok-name",
            role="wizard",
            first_name="Nul\x00",
            last_name="x" * 151,
            email="not-an-email",
        )
    assert set(exc.value.errors) == {"role", "first_name", "last_name", "email"}
    assert "NUL" in exc.value.errors["first_name"] and "150 characters" in exc.value.errors["last_name"]
    assert User.objects.count() == before


def test_full_width_letters_are_stored_in_their_ordinary_form(admin):
    user = services.user_create(actor=admin, username="ｊｏ", role=Role.BROKER, first_name="Ｊｏ")
    assert (user.username, user.first_name) == ("jo", "Jo")


def test_a_system_account_is_not_a_staff_role(admin):
    with pytest.raises(ValidationFailed) as exc:
        services.user_create(actor=admin, username="robot", role=Role.SYSTEM)
    assert "role" in exc.value.errors


def test_an_nhs_partner_only_in_nhs_partner_teams(admin, teams):
    with pytest.raises(ValidationFailed) as exc:
        services.user_create(
            actor=admin, username="nurse", role=Role.NHS_PARTNER, teams=[teams.nhs, teams.north]
        )
    assert "Locality team north" in exc.value.errors["teams"]
    assert services.user_create(actor=admin, username="nurse", role=Role.NHS_PARTNER, teams=[teams.nhs]).pk


@pytest.mark.parametrize(
    "password, ok",
    [
        ("eleven-char", False),  # 11 characters: one short
        ("twelve-chars", True),  # 12: the minimum
        ("password1234", False),  # a common password
        ("matilda-brown", False),  # too like her name
    ],
)
def test_password_rules_at_their_boundaries(admin, password, ok):
    kwargs = {
        "actor": admin,
        "username": "matilda",
        "role": Role.BROKER,
        "first_name": "Matilda",
        "last_name": "Brown",
        "password": password,
    }
    if ok:
        assert authenticate(username="matilda", password=password) is None
        services.user_create(**kwargs)
        assert authenticate(username="matilda", password=password) is not None
    else:
        with pytest.raises(ValidationFailed) as exc:
            services.user_create(**kwargs)
        assert "password" in exc.value.errors
        assert not User.objects.filter(username="matilda").exists()


# --- the first administrator ----------------------------------------------------------------------------------------


def test_the_first_administrator_of_an_empty_install(db):
    assert not User.objects.exists()
    first = services.first_administrator_create(username="ada", first_name="Ada", password=GOOD_PASSWORD)
    assert first.role == Role.ADMINISTRATOR and authenticate(username="ada", password=GOOD_PASSWORD) == first
    [event] = events_for(first)
    assert event.actor == first and event.reason == "first administrator created from the command line"
    assert event.details["event"] == services.FIRST_ADMINISTRATOR_EVENT
    assert GOOD_PASSWORD not in json.dumps(event.details)


def test_no_first_administrator_once_any_account_exists(db):
    UserFactory(username="someone", role=Role.SOCIAL_WORKER)
    with pytest.raises(PermissionError, match="accounts already"):
        services.first_administrator_create(username="ada", password=GOOD_PASSWORD)
    assert not User.objects.filter(username="ada").exists()


def test_a_bad_first_administrator_writes_nothing(db):
    with pytest.raises(ValidationFailed) as exc:
        services.first_administrator_create(username="ada", password="short")
    assert "password" in exc.value.errors and not User.objects.exists()


# --- changing, deactivating -----------------------------------------------------------------------------------------


def test_change_role_and_teams_audits_old_and_new(admin, staff, teams):
    worker = staff.social_worker
    services.user_change(actor=admin, user=worker, role=Role.TEAM_MANAGER, teams=[teams.north, teams.south])
    worker.refresh_from_db()
    assert worker.role == Role.TEAM_MANAGER
    event = events_for(worker)[-1]
    assert event.action == AuditAction.UPDATE
    assert event.details["changes"] == {
        "role": {"old": "social_worker", "new": "team_manager"},
        "teams": {"old": ["locality-north"], "new": ["locality-north", "locality-south"]},
    }


def test_a_change_that_changes_nothing_writes_no_event(admin, staff):
    before = len(events_for(staff.broker))
    services.user_change(actor=admin, user=staff.broker, role=Role.BROKER)
    assert len(events_for(staff.broker)) == before


def test_the_only_administrator_cannot_demote_or_deactivate_themselves(admin):
    with pytest.raises(ValidationFailed) as exc:
        services.user_change(actor=admin, user=admin, role=Role.SOCIAL_WORKER)
    assert "only active administrator" in exc.value.errors["role"]
    with pytest.raises(ValidationFailed) as exc:
        services.user_deactivate(actor=admin, user=admin)
    assert "only active administrator" in exc.value.errors["is_active"]
    admin.refresh_from_db()
    assert admin.is_active and admin.role == Role.ADMINISTRATOR


def test_with_a_second_administrator_one_can_step_down(admin):
    second = services.user_create(actor=admin, username="second-admin", role=Role.ADMINISTRATOR)
    services.user_change(actor=admin, user=admin, role=Role.PERFORMANCE_ANALYST)
    admin.refresh_from_db()
    assert admin.role == Role.PERFORMANCE_ANALYST
    # ... and now the second is the last one
    with pytest.raises(ValidationFailed):
        services.user_deactivate(actor=second, user=second)


def test_a_deactivated_administrator_does_not_count(admin):
    other = services.user_create(actor=admin, username="other-admin", role=Role.ADMINISTRATOR)
    services.user_deactivate(actor=admin, user=other)
    with pytest.raises(ValidationFailed):
        services.user_deactivate(actor=admin, user=admin)


def test_staff_and_system_accounts_do_not_turn_into_each_other(admin, staff):
    with pytest.raises(ValidationFailed) as exc:
        services.user_change(actor=admin, user=staff.social_worker, role=Role.SYSTEM)
    assert "cannot become a system account" in exc.value.errors["role"]
    with pytest.raises(ValidationFailed) as exc:
        services.user_change(actor=admin, user=staff.system, role=Role.SOCIAL_WORKER)
    assert "system account cannot be given a staff role" in exc.value.errors["role"]


def test_deactivate_stops_sign_in_and_reactivate_restores_it(admin, staff):
    worker = staff.social_worker
    assert authenticate(username=worker.username, password="correct-horse-battery") is not None
    services.user_deactivate(actor=admin, user=worker)
    assert authenticate(username=worker.username, password="correct-horse-battery") is None
    assert events_for(worker)[-1].details["changes"] == {"is_active": {"old": True, "new": False}}
    with pytest.raises(ValidationFailed, match="already deactivated"):
        services.user_deactivate(actor=admin, user=worker)
    services.user_reactivate(actor=admin, user=worker)
    assert authenticate(username=worker.username, password="correct-horse-battery") is not None


def test_deactivating_a_system_account_stops_its_tokens(admin):
    robot = services.system_account_create(actor=admin, username="finance-feed", description="Finance system")
    _, plain = services.token_issue(actor=admin, user=robot, name="nightly")
    assert api_token_user(plain) == robot
    services.user_deactivate(actor=admin, user=robot)
    assert api_token_user(plain) is None


# --- passwords and unlocking ----------------------------------------------------------------------------------------


def test_a_generated_password_is_returned_once_and_never_audited(admin, staff):
    worker = staff.social_worker
    plain = services.user_password_set(actor=admin, user=worker)
    assert len(plain) == 23 and authenticate(username=worker.username, password=plain) is not None
    assert authenticate(username=worker.username, password="correct-horse-battery") is None
    event = events_for(worker)[-1]
    assert event.details == {"password": "generated"} and plain not in json.dumps(event.details)


def test_two_generated_passwords_differ():
    assert services.generate_password() != services.generate_password()


def test_a_given_password_must_pass_the_rules(admin, staff):
    with pytest.raises(ValidationFailed) as exc:
        services.user_password_set(actor=admin, user=staff.broker, password="short")
    assert "at least 12 characters" in exc.value.errors["password"]
    with pytest.raises(ValidationFailed) as exc:
        services.user_password_set(actor=admin, user=staff.broker, password="new\npassword-here")
    assert "control character" in exc.value.errors["password"]
    services.user_password_set(actor=admin, user=staff.broker, password=GOOD_PASSWORD)
    assert events_for(staff.broker)[-1].details == {"password": "given"}


def test_system_accounts_have_no_password(admin, staff):
    with pytest.raises(ValidationFailed, match="API tokens"):
        services.user_password_set(actor=admin, user=staff.system)


def test_unlock_a_locked_account(admin, staff):
    worker = staff.social_worker
    User.objects.filter(pk=worker.pk).update(
        locked_until=timezone.now() + dt.timedelta(minutes=10), failed_sign_ins=9
    )
    worker.refresh_from_db()
    assert services.is_locked(worker)
    with pytest.raises(PermissionError):
        services.user_unlock(actor=staff.team_manager, user=worker)
    services.user_unlock(actor=admin, user=worker)
    worker.refresh_from_db()
    assert not services.is_locked(worker) and worker.failed_sign_ins == 0
    assert events_for(worker)[-1].details == {"unlocked": True}


# --- teams --------------------------------------------------------------------------------------------------------


def test_create_a_team_with_a_code_made_from_its_name(admin):
    team = services.team_create(actor=admin, name="Hospital Discharge (West)", organisation="Northshire")
    assert team.code == "hospital-discharge-west"
    assert events_for(team)[0].details["team"] == {
        "name": "Hospital Discharge (West)",
        "code": "hospital-discharge-west",
        "organisation": "Northshire",
        "is_nhs_partner": False,
    }


def test_team_names_and_codes_are_unique(admin, teams):
    with pytest.raises(ValidationFailed) as exc:
        services.team_create(actor=admin, name="LOCALITY TEAM NORTH")
    assert "already a team called" in exc.value.errors["name"]
    with pytest.raises(ValidationFailed) as exc:
        services.team_create(actor=admin, name="Locality North", code="locality-north")
    assert "code 'locality-north'" in exc.value.errors["code"]
    with pytest.raises(ValidationFailed) as exc:
        services.team_create(actor=admin, name="Shouty", code="NOT A SLUG")
    assert "lower-case" in exc.value.errors["code"]


@pytest.mark.parametrize(
    "name, field", [("", "name"), ("!!!", "name"), ("x" * 121, "name"), ("Tab\tteam", "name")]
)
def test_bad_team_names(admin, name, field):
    before = Team.objects.count()
    with pytest.raises(ValidationFailed) as exc:
        services.team_create(actor=admin, name=name)
    assert field in exc.value.errors and Team.objects.count() == before


def test_a_team_name_of_120_characters_is_accepted(admin):
    assert len(services.team_create(actor=admin, name="x" * 120).name) == 120


def test_rename_a_team_audits_old_and_new(admin, teams):
    services.team_change(actor=admin, team=teams.south, name="Locality team south and coast")
    event = events_for(teams.south)[-1]
    assert event.details["changes"] == {
        "name": {"old": "Locality team south", "new": "Locality team south and coast"}
    }
    # its own name is not a clash
    services.team_change(actor=admin, team=teams.south, name="Locality team south and coast", organisation="")


def test_an_nhs_partner_team_cannot_become_a_council_team_once_used(admin, teams, staff):
    from openasc.core.models import RelationshipKind
    from openasc.people.tests.factories import PersonFactory

    empty = services.team_create(actor=admin, name="Spare")
    services.team_change(actor=admin, team=empty, is_nhs_partner=True)
    assert Team.objects.get(pk=empty.pk).is_nhs_partner
    CareRelationshipFactory(
        person=PersonFactory(),
        kind=RelationshipKind.NHS_SHARING,
        team=teams.nhs,
        user=None,
        basis="Direct care",
    )
    with pytest.raises(ValidationFailed) as exc:
        services.team_change(actor=admin, team=teams.nhs, is_nhs_partner=False)
    assert "cannot change" in exc.value.errors["is_nhs_partner"]


def test_a_team_with_nhs_partners_stays_an_nhs_partner_team(admin, staff, teams):
    with pytest.raises(ValidationFailed) as exc:
        services.team_change(actor=admin, team=teams.nhs, is_nhs_partner=False)
    assert "NHS partners are members" in exc.value.errors["is_nhs_partner"]


# --- API tokens ---------------------------------------------------------------------------------------------------


def test_issue_a_token_shown_once_and_audited_without_it(admin, staff):
    token, plain = services.token_issue(actor=admin, user=staff.system, name="Finance feed", days=30)
    assert api_token_user(plain) == staff.system
    assert token.expires_at.date() == (timezone.now() + dt.timedelta(days=30)).date()
    assert ApiToken.objects.get(pk=token.pk).last_used_at is not None
    [event] = events_for(token)
    assert event.actor == admin and plain not in json.dumps(event.details)
    assert event.details["prefix"] == plain[5:13]


@pytest.mark.parametrize("days, ok", [(0, False), (1, True), (3650, True), (3651, False), (True, False)])
def test_token_lifetime_boundaries(admin, staff, days, ok):
    if ok:
        assert services.token_issue(actor=admin, user=staff.system, name="t", days=days)[0].pk
    else:
        with pytest.raises(ValidationFailed) as exc:
            services.token_issue(actor=admin, user=staff.system, name="t", days=days)
        assert "days" in exc.value.errors and not ApiToken.objects.exists()


def test_tokens_only_for_active_system_accounts_and_with_a_name(admin, staff):
    with pytest.raises(ValidationFailed) as exc:
        services.token_issue(actor=admin, user=staff.social_worker, name="")
    assert set(exc.value.errors) == {"user", "name"}
    robot = services.system_account_create(actor=admin, username="old-feed")
    services.user_deactivate(actor=admin, user=robot)
    with pytest.raises(ValidationFailed, match="deactivated"):
        services.token_issue(actor=admin, user=robot, name="again")
    assert not ApiToken.objects.exists()


def test_revoke_a_token(admin, staff):
    token, plain = services.token_issue(actor=admin, user=staff.system, name="Feed")
    with pytest.raises(PermissionError):
        services.token_revoke(actor=staff.team_manager, token=token)
    assert api_token_user(plain) == staff.system
    services.token_revoke(actor=admin, token=token)
    assert api_token_user(plain) is None
    assert selectors.token_status(ApiToken.objects.get(pk=token.pk)) == "Revoked"
    assert events_for(token)[-1].details["revoked_at"]


def test_system_accounts_have_no_teams_and_no_password(admin):
    robot = services.system_account_create(actor=admin, username="case-feed", description="Case feed")
    assert robot.role == Role.SYSTEM and not robot.has_usable_password()
    assert events_for(robot)[0].details["account"]["role"] == "system"
    with pytest.raises(ValidationFailed) as exc:
        services.user_change(actor=admin, user=robot, teams=[TeamFactory()])
    assert "teams" in exc.value.errors


# --- selectors ----------------------------------------------------------------------------------------------------


def test_staff_list_filters(admin, staff, teams):
    services.user_deactivate(actor=admin, user=staff.broker)
    names = lambda **f: {u.username for u in selectors.staff_list(user=admin, **f)}  # noqa: E731
    assert "system" not in names()
    assert names(role="social_worker") == {"social_worker"}
    assert "nhs_partner" in names(team="nhs-icb") and "social_worker" not in names(team="nhs-icb")
    assert "broker" in names(status="deactivated") and "broker" not in names(status="active")
    User.objects.filter(pk=staff.finance_officer.pk).update(
        locked_until=timezone.now() + dt.timedelta(minutes=5)
    )
    assert names(status="locked") == {"finance_officer"}
