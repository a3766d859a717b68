"""Removing a team: deleted when nobody is in it and nothing names it, otherwise closed (not offered for allocation or
membership, still in the history); the page and `openasc teams` say which applies and why. Each change audited."""

from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from openasc.core.errors import ValidationFailed
from openasc.core.models import AuditAction, AuditEvent, RelationshipKind, Role, Team
from openasc.core.tests.factories import CareRelationshipFactory, TeamFactory, UserFactory
from openasc.staff import services


def team_events(team_pk: int) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(object_type="core.team", object_id=str(team_pk)).order_by("pk"))


@pytest.fixture
def empty(db):
    return TeamFactory(code="made-by-mistake", name="Made by mistake")


def test_an_empty_team_that_nothing_names_can_be_deleted_and_the_deletion_is_audited(staff, empty):
    removal = services.team_removal(actor=staff.administrator, team=empty)
    assert removal.can_delete and removal.reasons() == []
    pk = empty.pk
    services.team_delete(actor=staff.administrator, team=empty)
    assert not Team.objects.filter(pk=pk).exists()
    (event,) = team_events(pk)
    assert (
        event.action == AuditAction.DELETE and event.actor == staff.administrator and event.person_id is None
    )
    assert event.details["team"]["code"] == "made-by-mistake"


def test_one_member_is_enough_to_keep_it_and_only_closing_is_offered(staff, empty):
    UserFactory(username="kim", teams=[empty], is_active=False)  # even a deactivated member is history
    removal = services.team_removal(actor=staff.administrator, team=empty)
    assert not removal.can_delete and removal.reasons() == ["1 account is in the team"]
    with pytest.raises(ValidationFailed) as exc:
        services.team_delete(actor=staff.administrator, team=empty)
    assert exc.value.errors == {
        "team": "Made by mistake cannot be deleted because 1 account is in the team: close it instead"
    }
    assert Team.objects.filter(pk=empty.pk).exists() and team_events(empty.pk) == []


def test_an_ended_allocation_is_history_and_a_current_one_is_counted(staff, empty):
    now = timezone.now()
    CareRelationshipFactory(
        team=empty,
        user=None,
        kind=RelationshipKind.ALLOCATED_TEAM,
        starts_at=now - dt.timedelta(days=30),
        ends_at=now - dt.timedelta(days=1),
    )
    removal = services.team_removal(actor=staff.administrator, team=empty)
    assert (removal.active_allocations, removal.past_allocations, removal.can_delete) == (0, 1, False)
    assert removal.reasons() == ["the record's history names the team (1 past allocation)"]
    CareRelationshipFactory(team=empty, user=None, kind=RelationshipKind.ALLOCATED_TEAM)
    CareRelationshipFactory(team=empty, user=None, kind=RelationshipKind.ALLOCATED_TEAM)
    removal = services.team_removal(actor=staff.administrator, team=empty)
    assert removal.active_allocations == 2 and "2 people are allocated to the team now" in removal.reasons()


def test_closing_keeps_the_team_and_its_members_and_is_audited_and_reopening_undoes_it(staff, teams):
    north = teams.north
    services.team_close(actor=staff.administrator, team=north)
    north.refresh_from_db()
    assert north.closed_at is not None
    assert staff.social_worker.teams.filter(pk=north.pk).exists()  # members stay until they are moved
    event = team_events(north.pk)[-1]
    assert event.action == AuditAction.UPDATE and event.details["changes"]["closed_at"]["old"] is None
    assert event.details["members"] == north.members.count()
    with pytest.raises(ValidationFailed) as exc:
        services.team_close(actor=staff.administrator, team=north)
    assert "has been closed since" in exc.value.errors["team"]
    services.team_reopen(actor=staff.administrator, team=north)
    north.refresh_from_db()
    assert (
        north.closed_at is None and team_events(north.pk)[-1].details["changes"]["closed_at"]["new"] is None
    )
    with pytest.raises(ValidationFailed):
        services.team_reopen(actor=staff.administrator, team=north)


def test_nobody_joins_a_closed_team_but_its_members_may_stay(staff, teams):
    services.team_close(actor=staff.administrator, team=teams.north)
    teams.north.refresh_from_db()
    with pytest.raises(ValidationFailed) as exc:
        services.user_create(actor=staff.administrator, username="new", role=Role.BROKER, teams=[teams.north])
    assert exc.value.errors == {"teams": "Locality team north is closed: choose an open team"}
    with pytest.raises(ValidationFailed):
        services.user_change(
            actor=staff.administrator, user=UserFactory(username="pat", role=Role.BROKER), teams=[teams.north]
        )
    # a member of the closed team can be changed and stay in it
    services.user_change(
        actor=staff.administrator, user=staff.social_worker, teams=[teams.north, teams.south]
    )
    assert set(staff.social_worker.teams.values_list("code", flat=True)) == {
        "locality-north",
        "locality-south",
    }


def test_only_administrators_remove_teams(staff, empty):
    for call in (services.team_delete, services.team_close, services.team_removal):
        with pytest.raises(PermissionError):
            call(actor=staff.team_manager, team=empty)
    assert Team.objects.filter(pk=empty.pk, closed_at__isnull=True).exists()


# --- the page ------------------------------------------------------------------------------------------------------


def test_the_page_offers_delete_for_an_empty_team_and_explains_why_not_otherwise(client, staff, teams, empty):
    client.force_login(staff.administrator)
    page = client.get(f"/staff/teams/{empty.pk}/remove").content.decode()
    assert "so it can be deleted" in page and "Delete team" in page and "Close team" in page
    page = client.get(f"/staff/teams/{teams.north.pk}/remove").content.decode()
    assert "cannot be deleted, because" in page and "Delete team" not in page
    assert "is no longer offered when people are allocated" in page
    members = teams.north.members.count()
    assert f"{members} accounts are in the team" in page
    viewed = AuditEvent.objects.filter(action=AuditAction.VIEW, object_type="core.team").last()
    assert viewed.details["purpose"] == "removing a team" and viewed.person_id is None


def test_posting_delete_for_a_team_in_use_is_refused_on_the_page_and_nothing_changes(client, staff, teams):
    client.force_login(staff.administrator)
    response = client.post(f"/staff/teams/{teams.north.pk}/remove", {"how": "delete"})
    html = response.content.decode()
    assert (
        response.status_code == 400
        and "cannot be deleted because" in html
        and 'href="#remove-buttons"' in html
    )
    assert Team.objects.filter(pk=teams.north.pk, closed_at__isnull=True).exists()
    nothing = client.post(f"/staff/teams/{teams.north.pk}/remove", {"how": "other"})
    assert (
        nothing.status_code == 400
        and "Choose whether to delete or close the team" in nothing.content.decode()
    )


def test_closing_on_the_page_shows_it_closed_and_no_longer_offers_it_for_new_accounts(
    client, staff, teams, empty
):
    client.force_login(staff.administrator)
    response = client.post(f"/staff/teams/{teams.north.pk}/remove", {"how": "close"})
    assert response.status_code == 302 and response["Location"] == "/staff/teams/"
    listing = client.get("/staff/teams/").content.decode()
    assert "Closed" in listing and "Reopen Locality team north" in listing
    form = client.get("/staff/add").content.decode()
    assert "Locality team north" not in form and "Locality team south" in form
    # the change form of a member still shows the team they are in, marked closed
    change = client.get(f"/staff/{staff.social_worker.pk}/change").content.decode()
    assert "Locality team north (closed)" in change
    deleted = client.post(f"/staff/teams/{empty.pk}/remove", {"how": "delete"})
    assert deleted.status_code == 302 and not Team.objects.filter(pk=empty.pk).exists()


def test_the_page_is_refused_to_other_roles_and_the_refusal_audited(client, staff, empty):
    client.force_login(staff.team_manager)
    assert client.get(f"/staff/teams/{empty.pk}/remove").status_code == 403
    assert client.post(f"/staff/teams/{empty.pk}/remove", {"how": "delete"}).status_code == 403
    assert Team.objects.filter(pk=empty.pk).exists()
    assert AuditEvent.objects.filter(actor=staff.team_manager, action=AuditAction.ACCESS_REFUSED).count() == 2


# --- the command line ---------------------------------------------------------------------------------------------


def run(*args) -> str:
    out = StringIO()
    call_command(*args, stdout=out, stderr=StringIO())
    return out.getvalue()


def test_teams_close_reopen_and_delete_from_the_command_line(staff, teams, empty):
    out = run("teams", "close", "Locality team north", "--as", "administrator")
    assert out.startswith("Closed Locality team north: it is no longer offered")
    teams.north.refresh_from_db()
    assert teams.north.closed_at is not None
    assert team_events(teams.north.pk)[-1].details["via"].startswith("command line")
    assert "closed" in run("teams", "list", "--as", "administrator")
    assert (
        run("teams", "reopen", "locality-north", "--as", "administrator") == "Reopened Locality team north.\n"
    )
    with pytest.raises(CommandError) as exc:
        run("teams", "delete", "locality-north", "--as", "administrator")
    assert exc.value.returncode == 2 and "NAME: Locality team north cannot be deleted because" in str(
        exc.value
    )
    assert "close it instead" in str(exc.value)
    assert run("teams", "delete", "made-by-mistake", "--as", "administrator") == "Deleted Made by mistake.\n"
    with pytest.raises(CommandError) as exc:
        run("teams", "close", "no-such-team", "--as", "administrator")
    assert "there is no team with the code or name 'no-such-team'" in str(exc.value)


def test_a_request_passed_to_the_team_keeps_it_from_being_deleted(staff, empty):
    """Whatever else names the team (here a request for support, which the front door keeps) counts too: a delete
    never takes a record's history with it."""
    from openasc.frontdoor.tests.factories import SupportRequestFactory

    SupportRequestFactory(triaged=True, team=empty)
    removal = services.team_removal(actor=staff.administrator, team=empty)
    assert (removal.members, removal.active_allocations, removal.past_allocations) == (0, 0, 0)
    assert removal.other_references == 1 and not removal.can_delete
    assert removal.reasons() == ["1 other record names the team, such as a request for support passed to it"]
    with pytest.raises(ValidationFailed):
        services.team_delete(actor=staff.administrator, team=empty)
    assert Team.objects.filter(pk=empty.pk).exists()
