"""`openasc users`, `teams` and `tokens`: the same services as the pages, as a named administrator."""

from __future__ import annotations

import os
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from django.contrib.auth import authenticate
from django.core.management import call_command
from django.core.management.base import CommandError

from openasc.core.models import ApiToken, AuditEvent, Role, Team, User
from openasc.core.services import api_token_user
from openasc.core.tests.factories import UserFactory
from openasc.staff import services

PASSWORD = "plum-orchard-lantern"


def run(*args, stdin: str | None = None) -> str:
    out = StringIO()
    kwargs = {"stdout": out, "stderr": StringIO()}
    if stdin is not None:
        kwargs["stdin"] = StringIO(stdin)
    call_command(*args, **kwargs)
    return out.getvalue()


def fails(*args, stdin: str | None = None) -> CommandError:
    with pytest.raises(CommandError) as exc:
        run(*args, stdin=stdin)
    return exc.value


# --- the first administrator ----------------------------------------------------------------------------------------


def test_a_fresh_install_gets_its_first_administrator_without_as(db):
    out = run(
        "users",
        "add",
        "ada",
        "--role",
        "administrator",
        "--password-stdin",
        "--first-name",
        "Ada",
        stdin=PASSWORD + "\n",
    )
    ada = User.objects.get(username="ada")
    assert "first account" in out and ada.role == Role.ADMINISTRATOR
    assert authenticate(username="ada", password=PASSWORD) == ada  # the line ending is not part of it
    event = AuditEvent.objects.get(object_type="core.user", object_id=str(ada.pk))
    assert event.actor == ada and event.reason == services.FIRST_ADMINISTRATOR_EVENT


def test_the_first_account_must_be_an_administrator(db):
    exc = fails("users", "add", "sam", "--role", "social_worker")
    assert "first one must be an administrator" in str(exc) and exc.returncode == 2
    assert not User.objects.exists()


def test_once_there_are_accounts_as_is_required(db):
    UserFactory(username="ada", role=Role.ADMINISTRATOR)
    exc = fails("users", "add", "sam", "--role", "social_worker")
    assert "--as USERNAME" in str(exc)
    assert "not an administrator" in str(
        fails(
            "users",
            "add",
            "sam",
            "--role",
            "broker",
            "--as",
            UserFactory(username="mgr", role=Role.TEAM_MANAGER).username,
        )
    )
    assert "no active account" in str(fails("users", "add", "sam", "--role", "broker", "--as", "nobody"))
    assert not User.objects.filter(username="sam").exists()


# --- users --------------------------------------------------------------------------------------------------------


@pytest.fixture
def ada(db):
    return UserFactory(username="ada", role=Role.ADMINISTRATOR)


def test_add_a_social_worker_in_two_teams(ada):
    run("teams", "add", "Locality north", "--as", "ada")
    run("teams", "add", "Hospital discharge", "--code", "hospital", "--as", "ada")
    out = run(
        "users",
        "add",
        "sam",
        "--role",
        "social_worker",
        "--team",
        "locality-north",
        "--team",
        "Hospital discharge",
        "--as",
        "ada",
    )
    sam = User.objects.get(username="sam")
    assert sorted(t.code for t in sam.teams.all()) == ["hospital", "locality-north"]
    assert "No password is set" in out and "openasc users password sam" in out
    assert not sam.has_usable_password()
    event = AuditEvent.objects.filter(object_type="core.user", object_id=str(sam.pk)).get()
    assert event.actor == ada and event.details["via"].startswith("command line")


def test_the_as_administrator_comes_from_openasc_as(ada, monkeypatch):
    monkeypatch.setenv("OPENASC_AS", "ada")
    # the default is read when the parser is built, i.e. per call
    run("users", "add", "priya", "--role", "broker")
    assert User.objects.filter(username="priya").exists()


@pytest.mark.parametrize(
    "args, names",
    [
        (["users", "add", "sam", "--role", "wizard"], "--role: 'wizard' is not a role"),
        (["users", "add", "sam", "--role", "broker", "--team", "nowhere"], "--team: there is no team"),
        (["users", "add", "two words", "--role", "broker"], "USERNAME: The username can only contain"),
        (
            ["users", "add", "sam", "--role", "broker", "--first-name", "x" * 151],
            "--first-name: The first name must",
        ),
    ],
)
def test_bad_input_names_the_argument_and_writes_nothing(ada, args, names):
    exc = fails(*args, "--as", "ada")
    assert names in str(exc) and exc.returncode == 2
    assert User.objects.count() == 1


def test_a_weak_password_from_stdin_is_refused(ada):
    exc = fails("users", "add", "sam", "--role", "broker", "--password-stdin", "--as", "ada", stdin="short\n")
    assert "password: This password is too short" in str(exc)
    assert not User.objects.filter(username="sam").exists()
    assert "nothing was read" in str(
        fails("users", "add", "sam", "--role", "broker", "--password-stdin", "--as", "ada", stdin="")
    )


def test_a_system_account_from_the_command_line(ada):
    out = run(
        "users", "add", "finance-feed", "--role", "system", "--job-title", "Finance system", "--as", "ada"
    )
    assert "tokens issue finance-feed" in out
    assert User.objects.get(username="finance-feed").role == Role.SYSTEM
    assert "no teams and no password" in str(
        fails(
            "users",
            "add",
            "feed2",
            "--role",
            "system",
            "--password-stdin",
            "--as",
            "ada",
            stdin=PASSWORD + "\n",
        )
    )


def test_list_deactivate_reactivate(ada):
    run("users", "add", "sam", "--role", "social_worker", "--as", "ada")
    listing = run("users", "list", "--as", "ada")
    assert "sam" in listing and "Social worker" in listing and "USERNAME" in listing
    assert "Deactivated sam" in run("users", "deactivate", "sam", "--as", "ada")
    assert not User.objects.get(username="sam").is_active
    assert "sam" in run("users", "list", "--status", "deactivated", "--as", "ada")
    assert "sam" not in run("users", "list", "--status", "active", "--as", "ada")
    assert "already deactivated" in str(fails("users", "deactivate", "sam", "--as", "ada"))
    run("users", "reactivate", "sam", "--as", "ada")
    assert User.objects.get(username="sam").is_active
    assert "there is no account called 'ghost'" in str(fails("users", "deactivate", "ghost", "--as", "ada"))


def test_change_role_and_teams(ada):
    run("teams", "add", "Locality north", "--as", "ada")
    run("teams", "add", "Locality south", "--as", "ada")
    run("users", "add", "sam", "--role", "social_worker", "--team", "locality-north", "--as", "ada")
    out = run("users", "change", "sam", "--role", "team_manager", "--team", "locality-south", "--as", "ada")
    sam = User.objects.get(username="sam")
    assert sam.role == Role.TEAM_MANAGER and [t.code for t in sam.teams.all()] == ["locality-south"]
    assert "Team manager, Locality south" in out
    event = AuditEvent.objects.filter(object_type="core.user", object_id=str(sam.pk)).last()
    assert event.details["changes"]["teams"] == {"old": ["locality-north"], "new": ["locality-south"]}
    run("users", "change", "sam", "--role", "broker", "--as", "ada")  # teams left as they are
    assert [t.code for t in User.objects.get(username="sam").teams.all()] == ["locality-south"]
    run("users", "change", "sam", "--no-teams", "--as", "ada")
    assert not User.objects.get(username="sam").teams.exists()
    assert "Say what to change" in str(fails("users", "change", "sam", "--as", "ada"))
    assert "--role: 'boss' is not a role" in str(
        fails("users", "change", "sam", "--role", "boss", "--as", "ada")
    )
    assert "only active administrator" in str(
        fails("users", "change", "ada", "--role", "broker", "--as", "ada")
    )


def test_the_last_administrator_cannot_deactivate_themselves(ada):
    exc = fails("users", "deactivate", "ada", "--as", "ada")
    assert "only active administrator" in str(exc)
    assert User.objects.get(username="ada").is_active


def test_password_reset_generated_printed_once_or_from_stdin(ada):
    run("users", "add", "sam", "--role", "social_worker", "--as", "ada")
    out = run("users", "password", "sam", "--as", "ada")
    plain = out.strip().splitlines()[-1]
    assert authenticate(username="sam", password=plain) is not None
    assert "Password set" in run(
        "users", "password", "sam", "--password-stdin", "--as", "ada", stdin=PASSWORD + "\r\n"
    )
    assert authenticate(username="sam", password=PASSWORD) is not None
    assert plain not in str(list(AuditEvent.objects.values_list("details", flat=True)))


def test_unlock(ada):
    import datetime as dt

    from django.utils import timezone

    sam = UserFactory(username="sam", locked_until=timezone.now() + dt.timedelta(minutes=5))
    assert "locked" in run("users", "list", "--status", "locked", "--as", "ada")
    run("users", "unlock", "sam", "--as", "ada")
    sam.refresh_from_db()
    assert sam.locked_until is None


# --- teams and tokens ---------------------------------------------------------------------------------------------


def test_teams_add_and_list(ada):
    assert "Created NHS partner team" in run(
        "teams",
        "add",
        "Community nursing",
        "--nhs-partner",
        "--organisation",
        "NHS Northshire",
        "--as",
        "ada",
    )
    assert Team.objects.get(code="community-nursing").is_nhs_partner
    assert "community-nursing" in run("teams", "list", "--as", "ada")
    exc = fails("teams", "add", "community nursing", "--as", "ada")
    assert "NAME: There is already a team called" in str(exc)
    assert "NAME: Enter the team's name" in str(fails("teams", "add", "  ", "--as", "ada"))


def test_tokens_issue_list_revoke(ada):
    run("users", "add", "feed", "--role", "system", "--as", "ada")
    plain = run("tokens", "issue", "feed", "--days", "30", "--as", "ada").strip()
    assert plain.startswith("oasc_") and api_token_user(plain).username == "feed"
    token = ApiToken.objects.get()
    listing = run("tokens", "list", "--as", "ada")
    assert token.prefix in listing and "active" in listing and plain not in listing
    assert "Revoked token" in run("tokens", "revoke", str(token.pk), "--as", "ada")
    assert api_token_user(plain) is None
    assert "already revoked" in run("tokens", "revoke", str(token.pk), "--as", "ada")
    assert "no token 999" in str(fails("tokens", "revoke", "999", "--as", "ada"))


@pytest.mark.parametrize("days, ok", [("0", False), ("1", True), ("3650", True), ("3651", False)])
def test_token_days_boundaries(ada, days, ok):
    run("users", "add", "feed", "--role", "system", "--as", "ada")
    if ok:
        assert run("tokens", "issue", "feed", "--days", days, "--as", "ada").startswith("oasc_")
    else:
        exc = fails("tokens", "issue", "feed", "--days", days, "--as", "ada")
        assert "--days: The token must last" in str(exc) and not ApiToken.objects.exists()


def test_tokens_only_for_system_accounts(ada):
    exc = fails("tokens", "issue", "ada", "--as", "ada")
    assert "USERNAME: API tokens are only for system accounts" in str(exc)


# --- the real command line on a fresh database ----------------------------------------------------------------------


@pytest.mark.skipif(
    bool(os.environ.get("DATABASE_URL")), reason="a fresh SQLite file; PostgreSQL runs the rest"
)
def test_a_fresh_install_from_the_openasc_command(tmp_path):
    """`openasc cld export` names the command that creates 'system'; `openasc users add` creates the first
    administrator and then the system account, and the export works."""
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'fresh.sqlite3'}", "DEBUG": "1"}
    env.pop("OPENASC_AS", None)
    openasc = [sys.executable, "-c", "from openasc.cli import main; main()"]
    cwd = Path(__file__).resolve().parents[3]

    def cli(*args, stdin=""):
        return subprocess.run(
            [*openasc, *args], input=stdin, capture_output=True, text=True, env=env, cwd=cwd, timeout=300
        )

    assert cli("migrate", "--verbosity", "0").returncode == 0
    export = [*("cld", "export", "--period", "2024-04-01:2025-03-31", "--out", str(tmp_path / "cld.csv"))]
    refused = cli(*export)
    assert refused.returncode != 0
    assert "openasc users add system --role system" in refused.stderr
    first = cli("users", "add", "ada", "--role", "administrator", "--password-stdin", stdin=PASSWORD + "\n")
    assert first.returncode == 0, first.stderr
    second = cli("users", "add", "system", "--role", "system", "--as", "ada")
    assert second.returncode == 0, second.stderr
    done = cli(*export)
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "cld.csv").exists()
