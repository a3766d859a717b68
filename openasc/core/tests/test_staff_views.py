"""Staff administration pages: administrators only, errors linked to their fields, secrets shown once."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from openasc.core.models import ApiToken, AuditAction, AuditEvent, Role, Team, User
from openasc.core.services import api_token_user

PAGES = [
    "/staff/",
    "/staff/add",
    "/staff/teams/",
    "/staff/teams/add",
    "/staff/system-accounts/",
    "/staff/system-accounts/add",
    "/staff/tokens/",
    "/staff/tokens/issue",
]


@pytest.fixture
def admin_client(client, staff):
    client.force_login(staff.administrator)
    return client


@pytest.mark.parametrize("path", PAGES)
def test_administrators_see_every_page(admin_client, path):
    response = admin_client.get(path)
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]


@pytest.mark.parametrize("role", [Role.TEAM_MANAGER, Role.INFORMATION_GOVERNANCE, Role.SOCIAL_WORKER])
def test_everyone_else_is_refused_and_the_refusal_audited(client, staff, role):
    user = getattr(staff, role.value)
    client.force_login(user)
    for path in [*PAGES, f"/staff/{staff.broker.pk}/", f"/staff/{staff.broker.pk}/deactivate"]:
        assert client.get(path).status_code == 403, path
    response = client.post(f"/staff/{staff.broker.pk}/deactivate")
    assert response.status_code == 403 and User.objects.get(pk=staff.broker.pk).is_active
    assert AuditEvent.objects.filter(actor=user, action=AuditAction.ACCESS_REFUSED).count() == len(PAGES) + 3


def test_the_navigation_links_staff_for_administrators_only(client, staff):
    client.force_login(staff.administrator)
    assert 'href="/staff/"' in client.get("/staff/teams/").content.decode()
    client.force_login(staff.team_manager)
    assert 'href="/staff/"' not in client.get("/people/").content.decode()


def test_signed_out_goes_to_sign_in(client, db):
    response = client.get("/staff/")
    assert response.status_code == 302 and "/sign-in" in response["Location"]


def test_create_shows_the_password_once(admin_client, teams):
    response = admin_client.post(
        "/staff/add",
        {
            "username": "priya",
            "first_name": "Priya",
            "last_name": "Shah",
            "role": "social_worker",
            "teams": [str(teams.north.pk)],
        },
    )
    assert response.status_code == 200
    page = response.content.decode()
    priya = User.objects.get(username="priya")
    assert [t.code for t in priya.teams.all()] == ["locality-north"]
    start = page.index('id="secret">') + len('id="secret">')
    plain = page[start : page.index("</code>", start)]
    assert priya.check_password(plain)
    # the account's page does not show it again
    assert plain not in admin_client.get(f"/staff/{priya.pk}/").content.decode()


def test_create_errors_link_to_their_fields_and_keep_what_was_typed(admin_client, staff):
    response = admin_client.post(
        "/staff/add",
        {"username": "SOCIAL_WORKER", "first_name": "Nul\x00", "role": "nhs_partner", "teams": []},
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert 'href="#username"' in page and "already an account called" in page
    assert 'href="#first_name"' in page and "NUL" in page
    assert User.objects.filter(username__iexact="social_worker").count() == 1
    missing = admin_client.post("/staff/add", {"username": "", "role": ""}).content.decode()
    assert 'href="#username"' in missing and 'href="#role"' in missing and "Select a role" in missing


def test_an_nhs_partner_in_a_council_team_is_refused_on_the_teams_field(admin_client, teams):
    response = admin_client.post(
        "/staff/add", {"username": "nurse", "role": "nhs_partner", "teams": [str(teams.north.pk)]}
    )
    assert response.status_code == 400 and 'href="#teams"' in response.content.decode()
    assert not User.objects.filter(username="nurse").exists()


def test_change_role_and_teams(admin_client, staff, teams):
    worker = staff.social_worker
    response = admin_client.post(
        f"/staff/{worker.pk}/change",
        {
            "first_name": worker.first_name,
            "last_name": worker.last_name,
            "job_title": "",
            "email": "",
            "role": "team_manager",
            "teams": [str(teams.south.pk)],
        },
    )
    assert response.status_code == 302
    worker.refresh_from_db()
    assert worker.role == "team_manager" and [t.code for t in worker.teams.all()] == ["locality-south"]


def test_the_last_administrator_is_told_why_they_cannot_step_down(admin_client, staff):
    admin = staff.administrator
    response = admin_client.post(
        f"/staff/{admin.pk}/change",
        {"role": "broker", "first_name": "", "last_name": "", "job_title": "", "email": ""},
    )
    assert response.status_code == 400 and "only active administrator" in response.content.decode()
    response = admin_client.post(f"/staff/{admin.pk}/deactivate")
    assert response.status_code == 400 and "only active administrator" in response.content.decode()
    assert User.objects.get(pk=admin.pk).role == Role.ADMINISTRATOR


def test_deactivate_asks_first_then_deactivates(admin_client, staff):
    worker = staff.social_worker
    confirm = admin_client.get(f"/staff/{worker.pk}/deactivate")
    assert "Are you sure" in confirm.content.decode() and User.objects.get(pk=worker.pk).is_active
    assert admin_client.post(f"/staff/{worker.pk}/deactivate").status_code == 302
    assert not User.objects.get(pk=worker.pk).is_active
    assert admin_client.post(f"/staff/{worker.pk}/reactivate").status_code == 302
    assert User.objects.get(pk=worker.pk).is_active


def test_reset_password_generated_or_given(admin_client, staff):
    worker = staff.broker
    response = admin_client.post(f"/staff/{worker.pk}/password", {"how": "generate"})
    page = response.content.decode()
    start = page.index('id="secret">') + len('id="secret">')
    assert User.objects.get(pk=worker.pk).check_password(page[start : page.index("</code>", start)])
    weak = admin_client.post(f"/staff/{worker.pk}/password", {"how": "given", "password": "short"})
    assert weak.status_code == 400 and 'href="#password"' in weak.content.decode()
    empty = admin_client.post(f"/staff/{worker.pk}/password", {"how": "given", "password": ""})
    assert empty.status_code == 400 and "Enter the new password" in empty.content.decode()
    ok = admin_client.post(
        f"/staff/{worker.pk}/password", {"how": "given", "password": "plum-orchard-lantern"}
    )
    assert ok.status_code == 302 and User.objects.get(pk=worker.pk).check_password("plum-orchard-lantern")


def test_unlock_from_the_page(admin_client, staff):
    worker = staff.front_door
    User.objects.filter(pk=worker.pk).update(locked_until=timezone.now() + dt.timedelta(minutes=5))
    assert "Unlock account" in admin_client.get(f"/staff/{worker.pk}/").content.decode()
    admin_client.post(f"/staff/{worker.pk}/unlock")
    assert User.objects.get(pk=worker.pk).locked_until is None


def test_filter_the_staff_list(admin_client, staff):
    page = admin_client.get("/staff/?role=broker").content.decode()
    assert f"/staff/{staff.broker.pk}/" in page and f"/staff/{staff.social_worker.pk}/" not in page
    assert f"/staff/{staff.system.pk}/" not in admin_client.get("/staff/").content.decode()


def test_teams_create_and_change(admin_client):
    assert (
        admin_client.post(
            "/staff/teams/add", {"name": "Night duty", "organisation": "", "is_nhs_partner": "no"}
        ).status_code
        == 302
    )
    team = Team.objects.get(code="night-duty")
    bad = admin_client.post("/staff/teams/add", {"name": "night duty", "is_nhs_partner": "no"})
    assert bad.status_code == 400 and 'href="#name"' in bad.content.decode()
    admin_client.post(f"/staff/teams/{team.pk}/change", {"name": "Night duty team", "is_nhs_partner": "no"})
    assert Team.objects.get(pk=team.pk).name == "Night duty team"


def test_issue_a_token_shown_once_then_revoke_with_confirmation(admin_client, staff):
    response = admin_client.post(
        "/staff/tokens/issue", {"user": str(staff.system.pk), "name": "Finance feed", "days": "90"}
    )
    page = response.content.decode()
    start = page.index('id="secret">') + len('id="secret">')
    plain = page[start : page.index("</code>", start)]
    assert api_token_user(plain) == staff.system
    token = ApiToken.objects.get()
    listing = admin_client.get("/staff/tokens/").content.decode()
    assert plain not in listing and token.prefix in listing and "Finance feed" in listing
    confirm = admin_client.get(f"/staff/tokens/{token.pk}/revoke").content.decode()
    assert "Are you sure" in confirm and api_token_user(plain) is not None
    admin_client.post(f"/staff/tokens/{token.pk}/revoke")
    assert api_token_user(plain) is None


def test_token_form_errors(admin_client, staff):
    response = admin_client.post(
        "/staff/tokens/issue", {"user": str(staff.social_worker.pk), "name": "", "days": "0"}
    )
    page = response.content.decode()
    assert response.status_code == 400
    assert 'href="#user"' in page and 'href="#name"' in page and 'href="#days"' in page
    assert not ApiToken.objects.exists()


def test_create_a_system_account(admin_client):
    assert (
        admin_client.post(
            "/staff/system-accounts/add", {"username": "case-feed", "description": "Case feed"}
        ).status_code
        == 302
    )
    robot = User.objects.get(username="case-feed")
    assert robot.role == Role.SYSTEM and not robot.has_usable_password()


@pytest.mark.parametrize("change", ["deactivate", "password"])
def test_a_deactivation_or_a_password_reset_ends_the_accounts_sessions(client, staff, change):
    from django.test import Client

    worker = staff.social_worker
    client.force_login(worker)
    assert client.get("/people/").status_code == 200
    admin = Client()
    admin.force_login(staff.administrator)
    if change == "deactivate":
        admin.post(f"/staff/{worker.pk}/deactivate")
    else:
        admin.post(f"/staff/{worker.pk}/password", {"how": "generate"})
    response = client.get("/people/")
    assert response.status_code == 302 and "/sign-in" in response["Location"]
