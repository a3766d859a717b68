"""Temporary passwords: what an administrator gives out must be replaced by the member of staff before anything else.

The flag (User.must_change_password) is set by the staff pages and by the command line's generated passwords, and by
--password-stdin only with --temporary; the middleware sends every page to the change-password page until it is
cleared; API tokens are unaffected."""

from __future__ import annotations

from io import StringIO

import pytest
from django.contrib.auth import authenticate
from django.core.management import call_command
from django.core.management.base import CommandError

from openasc.core import services as core_services
from openasc.core.models import AuditAction, AuditEvent, Role, User
from openasc.core.tests.factories import UserFactory
from openasc.staff import services

OLD = "correct-horse-battery"  # every factory user's password
NEW = "quince-meadow-harbour-71"
CHANGE = "/staff/password"


def events_for(user: User, action: str | None = None) -> list[AuditEvent]:
    qs = AuditEvent.objects.filter(object_type="core.user", object_id=str(user.pk)).order_by("pk")
    return list(qs.filter(action=action) if action else qs)


@pytest.fixture
def flagged(db):
    """A social worker an administrator has just given the temporary password OLD."""
    user = UserFactory(username="sam", first_name="Sam", last_name="Worthing", role=Role.SOCIAL_WORKER)
    User.objects.filter(pk=user.pk).update(must_change_password=True)
    user.refresh_from_db()
    return user


def change(client, current=OLD, new=NEW, confirm=None, next_url=""):
    data = {
        "current_password": current,
        "new_password": new,
        "confirm_password": new if confirm is None else confirm,
    }
    if next_url:
        data["next"] = next_url
    return client.post(CHANGE, data)


# --- the services ---------------------------------------------------------------------------------------------------


def test_a_temporary_password_from_an_administrator_sets_the_flag_and_the_audit_says_so(staff):
    sam = services.user_create(
        actor=staff.administrator, username="sam", role=Role.BROKER, password=NEW, temporary=True
    )
    assert sam.must_change_password
    assert events_for(sam)[-1].details["password"] == "temporary (must be changed at the next sign-in)"
    kept = services.user_create(actor=staff.administrator, username="kim", role=Role.BROKER, password=NEW)
    assert not kept.must_change_password and events_for(kept)[-1].details["password"] == "set"
    # no password at all: nothing to change (they cannot sign in until one is set)
    none = services.user_create(actor=staff.administrator, username="lee", role=Role.BROKER, temporary=True)
    assert not none.must_change_password and not none.has_usable_password()


def test_a_reset_is_temporary_when_asked_and_a_kept_password_clears_the_flag(staff):
    worker = staff.social_worker
    services.user_password_set(actor=staff.administrator, user=worker, temporary=True)
    worker.refresh_from_db()
    assert worker.must_change_password
    event = events_for(worker)[-1]
    assert event.details["temporary"] is True
    assert event.details["changes"] == {"must_change_password": {"old": False, "new": True}}
    services.user_password_set(actor=staff.administrator, user=worker, password=NEW)
    worker.refresh_from_db()
    assert not worker.must_change_password
    assert events_for(worker)[-1].details["changes"] == {"must_change_password": {"old": True, "new": False}}


def test_changing_your_own_password_clears_the_flag_and_is_audited_as_you(flagged):
    services.own_password_change(user=flagged, current_password=OLD, new_password=NEW, confirm_password=NEW)
    flagged.refresh_from_db()
    assert not flagged.must_change_password
    assert (
        authenticate(username="sam", password=NEW) == flagged
        and authenticate(username="sam", password=OLD) is None
    )
    event = events_for(flagged, AuditAction.UPDATE)[-1]
    assert event.actor == flagged and event.person_id is None
    assert event.details == {
        "password": "changed by the account holder",
        "changes": {"must_change_password": {"old": True, "new": False}},
    }
    assert NEW not in str(event.details) and OLD not in str(event.details)


@pytest.mark.parametrize(
    "current, new, confirm, errors",
    [
        ("", NEW, NEW, {"current_password": "Enter your current password"}),
        (
            "not-my-password",
            NEW,
            NEW,
            {"current_password": "The current password is not right: enter the one you signed in with"},
        ),
        (
            OLD,
            "short",
            "short",
            {"new_password": "This password is too short. It must contain at least 12 characters."},
        ),
        (OLD, OLD, OLD, {"new_password": "Enter a new password that is different from the current one"}),
        (
            OLD,
            NEW,
            NEW + "x",
            {"confirm_password": "The passwords do not match: type the new password again"},
        ),
        (OLD, "", "", {"new_password": "Enter a new password"}),
    ],
)
def test_each_problem_names_its_field_and_nothing_changes(flagged, current, new, confirm, errors):
    with pytest.raises(services.ValidationFailed) as exc:
        services.own_password_change(
            user=flagged, current_password=current, new_password=new, confirm_password=confirm
        )
    assert exc.value.errors == errors
    flagged.refresh_from_db()
    assert flagged.must_change_password and flagged.check_password(OLD)


def test_a_wrong_current_password_is_audited_and_after_the_limit_not_even_checked(flagged, settings):
    settings.OPENASC_LOCKOUT_ATTEMPTS = 3
    for _ in range(2):
        with pytest.raises(services.ValidationFailed):
            services.own_password_change(
                user=flagged, current_password="guess", new_password=NEW, confirm_password=NEW
            )
    refused = events_for(flagged, AuditAction.ACCESS_REFUSED)
    assert len(refused) == 2 and refused[0].details["purpose"] == "change own password"
    # two wrong, under the limit of three: the right one still works
    services.own_password_change(user=flagged, current_password=OLD, new_password=NEW, confirm_password=NEW)
    flagged.refresh_from_db()
    assert not flagged.must_change_password
    # a third wrong one reaches the limit: now even the right password is refused without being checked
    with pytest.raises(services.ValidationFailed):
        services.own_password_change(
            user=flagged, current_password="guess", new_password=OLD + "!", confirm_password=OLD + "!"
        )
    with pytest.raises(services.ValidationFailed) as exc:
        services.own_password_change(
            user=flagged,
            current_password=NEW,
            new_password="another-long-password-9",
            confirm_password="another-long-password-9",
        )
    assert "wrong too many times" in exc.value.errors["current_password"]
    flagged.refresh_from_db()
    assert flagged.check_password(NEW)


def test_a_system_account_has_no_password_to_change(staff):
    with pytest.raises(PermissionError):
        services.own_password_change(
            user=staff.system, current_password="x", new_password=NEW, confirm_password=NEW
        )


# --- the middleware and the page ------------------------------------------------------------------------------------


def test_every_page_goes_to_the_change_password_page_until_it_is_done(client, flagged):
    client.force_login(flagged)
    response = client.get("/people/?q=smith")
    assert response.status_code == 302 and response["Location"] == f"{CHANGE}?next=/people/%3Fq%3Dsmith"
    assert client.post("/people/new", {"first_name": "A"})["Location"] == CHANGE  # a POST does nothing
    htmx = client.get("/my/caseload", headers={"HX-Request": "true"})
    assert htmx.status_code == 204 and htmx["HX-Redirect"].startswith(CHANGE)
    assert client.get("/staff/").status_code == 302
    page = client.get(CHANGE)
    assert page.status_code == 200 and "Choose your own password" in page.content.decode()
    assert "Temporary password" in page.content.decode()
    # signing out still works
    assert client.get("/sign-out").status_code == 200


def test_someone_without_the_flag_is_not_sent_there(client, staff):
    client.force_login(staff.social_worker)
    assert client.get("/people/").status_code == 200
    page = client.get(CHANGE)  # any member of staff may change their own password
    assert page.status_code == 200 and "Change your password" in page.content.decode()


def test_the_page_changes_it_keeps_the_session_and_goes_on_to_where_they_were_going(client, flagged):
    client.force_login(flagged)
    wrong = change(client, current="nope")
    html = wrong.content.decode()
    assert wrong.status_code == 400 and 'href="#current_password"' in html and "is not right" in html
    assert NEW not in html and "nope" not in html  # passwords are never written back into the page
    done = change(client, next_url="/people/")
    assert done.status_code == 302 and done["Location"] == "/people/"
    assert client.get("/people/").status_code == 200  # still signed in, no longer sent away
    flagged.refresh_from_db()
    assert not flagged.must_change_password and flagged.check_password(NEW)


def test_next_cannot_send_them_to_another_site(client, flagged):
    client.force_login(flagged)
    done = change(client, next_url="https://evil.example/")
    assert done.status_code == 302 and done["Location"] == "/"


def test_the_api_refuses_the_session_but_tokens_are_unaffected(client, flagged, staff):
    client.force_login(flagged)
    refused = client.get("/api/people?q=smith")
    assert refused.status_code == 403 and "Set your own password first" in refused.json()["detail"]
    plain = core_services.api_token_create(actor=staff.administrator, user=staff.system, name="feed", days=30)
    # the same browser sending a token: the token authenticates the request, never the flagged session
    with_token = client.get("/api/people?q=smith", headers={"Authorization": f"Bearer {plain}"})
    assert with_token.status_code == 200
    bad_token = client.get("/api/people?q=smith", headers={"Authorization": "Bearer oasc_not-a-token"})
    assert bad_token.status_code == 401
    client.logout()
    assert client.get("/api/people?q=smith", headers={"Authorization": f"Bearer {plain}"}).status_code == 200


# --- administrators issue temporary passwords ----------------------------------------------------------------------


def test_an_account_created_or_reset_on_the_staff_pages_has_a_temporary_password(client, staff):
    client.force_login(staff.administrator)
    created = client.post("/staff/add", {"username": "sam", "role": "broker", "first_name": "Sam"})
    assert created.status_code == 200 and "must choose a password of their own" in created.content.decode()
    assert User.objects.get(username="sam").must_change_password
    worker = staff.social_worker
    reset = client.post(f"/staff/{worker.pk}/password", {"how": "given", "password": NEW})
    assert reset.status_code == 302
    worker.refresh_from_db()
    assert worker.must_change_password and worker.check_password(NEW)
    detail = client.get(f"/staff/{worker.pk}/").content.decode()
    assert "Temporary: they must choose their own when they next sign in" in detail
    listing = client.get("/staff/?role=social_worker").content.decode()
    assert "Temporary password" in listing
    assert "temporary password" in run("users", "list", "--role", "social_worker", "--as", "administrator")
    assert "temporary password" not in run("users", "list", "--role", "team_manager", "--as", "administrator")


# --- the command line -----------------------------------------------------------------------------------------------


def run(*args, stdin: str | None = None) -> str:
    out = StringIO()
    kwargs = {"stdout": out, "stderr": StringIO()}
    if stdin is not None:
        kwargs["stdin"] = StringIO(stdin)
    call_command(*args, **kwargs)
    return out.getvalue()


def test_users_add_with_a_generated_password_prints_a_temporary_one(staff):
    out = run("users", "add", "sam", "--role", "broker", "--generate-password", "--as", "administrator")
    plain = out.strip().splitlines()[-1]
    sam = User.objects.get(username="sam")
    assert sam.must_change_password and sam.check_password(plain) and "must choose their own" in out


def test_a_password_from_stdin_is_kept_unless_temporary_is_given(staff):
    run(
        "users",
        "add",
        "kim",
        "--role",
        "broker",
        "--password-stdin",
        "--as",
        "administrator",
        stdin=NEW + "\n",
    )
    assert not User.objects.get(username="kim").must_change_password
    out = run(
        "users",
        "add",
        "lee",
        "--role",
        "broker",
        "--password-stdin",
        "--temporary",
        "--as",
        "administrator",
        stdin=NEW + "\n",
    )
    assert User.objects.get(username="lee").must_change_password and "temporary" in out
    with pytest.raises(CommandError) as exc:
        run("users", "add", "max", "--role", "broker", "--temporary", "--as", "administrator")
    assert "--temporary: give it with --password-stdin" in str(exc.value)
    assert not User.objects.filter(username="max").exists()


def test_users_password_generated_is_temporary_and_from_stdin_only_with_temporary(staff):
    worker = staff.social_worker
    out = run("users", "password", worker.username, "--as", "administrator")
    worker.refresh_from_db()
    assert worker.must_change_password and worker.check_password(out.strip().splitlines()[-1])
    run("users", "password", worker.username, "--password-stdin", "--as", "administrator", stdin=NEW + "\n")
    worker.refresh_from_db()
    assert not worker.must_change_password
    run(
        "users",
        "password",
        worker.username,
        "--password-stdin",
        "--temporary",
        "--as",
        "administrator",
        stdin=NEW + "\n",
    )
    worker.refresh_from_db()
    assert worker.must_change_password


def test_the_first_administrator_keeps_a_password_from_stdin(db):
    run("users", "add", "ada", "--role", "administrator", "--password-stdin", stdin=NEW + "\n")
    assert not User.objects.get(username="ada").must_change_password


def test_a_first_administrator_with_a_generated_password_must_change_it(db):
    out = run("users", "add", "ada", "--role", "administrator", "--generate-password")
    ada = User.objects.get(username="ada")
    assert ada.must_change_password and ada.check_password(out.strip().splitlines()[-1])
    event = AuditEvent.objects.get(object_type="core.user", object_id=str(ada.pk))
    assert event.details["password"] == "temporary (must be changed at the next sign-in)"


def test_the_help_explains_temporary_passwords(capsys):
    from openasc.cli import main

    with pytest.raises(SystemExit):
        main(["users", "add", "--help"])
    text = " ".join(capsys.readouterr().out.split())
    assert "--generate-password" in text and "--temporary" in text
    assert "is theirs to keep, unless --temporary is given too" in text
