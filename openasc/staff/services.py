"""Writes for staff administration: staff and system accounts, teams, passwords, API tokens.

Every function is keyword-only, runs in one transaction, refuses anyone without Capability.MANAGE_STAFF, checks
every field before anything is written (all the problems at once, each naming its field) and writes one audit
event with the old and new values. Passwords and tokens are never in an audit event, only that one was set.

The one write without an administrator is `first_administrator_create`: on an install with no accounts at all, the
first administrator is created from the command line and is the actor of its own audit event.
"""

from __future__ import annotations

import secrets
import string

from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from openasc.core import access, audit
from openasc.core import services as core_services
from openasc.core.errors import ValidationFailed
from openasc.core.models import ApiToken, AuditAction, CareRelationship, Role, Team, User
from openasc.core.validation import check_text, model_max_length

FIRST_ADMINISTRATOR_EVENT = "first administrator created from the command line"
NOT_ADMINISTRATOR = "Only an administrator can manage staff, teams and API tokens."
# Roles a member of staff can hold; a system account is made with system_account_create, never by a role change.
STAFF_ROLES = tuple(r for r in Role if r != Role.SYSTEM)
TOKEN_MAX_DAYS = 3650
_USERNAME = "^[A-Za-z0-9.@+_-]+$"


def require_administrator(actor: User) -> None:
    if not access.has(actor, access.Capability.MANAGE_STAFF):
        raise PermissionError(NOT_ADMINISTRATOR)


def _team_codes(teams) -> list[str]:
    return sorted(t.code for t in teams)


def _snapshot(user: User) -> dict:
    """What an audit event says about an account (no password, no token)."""
    return {
        "username": user.username,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "email": user.email,
        "job_title": user.job_title,
        "role": user.role,
        "teams": _team_codes(user.teams.all()) if user.pk else [],
        "is_active": user.is_active,
    }


def _changes(old: dict, new: dict) -> dict:
    return {k: {"old": old[k], "new": new[k]} for k in new if old.get(k) != new[k]}


def _clean_person_fields(data: dict, errors: dict[str, str]) -> dict:
    """First and last name, email and job title: normalised text within the model's lengths."""
    clean = dict(data)
    for name, label in (
        ("first_name", "first name"),
        ("last_name", "last name"),
        ("job_title", "job title"),
        ("email", "email address"),
    ):
        if name in clean:
            check_text(clean, errors, name, label=label, max_length=model_max_length("core.User", name))
    if clean.get("email") and "email" not in errors:
        try:
            validate_email(clean["email"])
        except ValidationError:
            errors["email"] = "Enter an email address in the correct format, like name@example.com"
    return clean


def _clean_username(value, errors: dict[str, str], *, exclude: int | None = None) -> str:
    import re

    clean = {"username": value}
    check_text(
        clean, errors, "username", label="username", max_length=model_max_length("core.User", "username")
    )
    if "username" in errors:
        return ""
    username = clean["username"]
    if not username:
        errors["username"] = "Enter a username"
    elif not re.match(_USERNAME, username):
        errors["username"] = "The username can only contain letters, digits and . @ + - _ (no spaces)"
    elif User.objects.filter(username__iexact=username).exclude(pk=exclude).exists():
        # Sign-in ignores case, so 'Sam' and 'sam' would be one account at the sign-in page.
        errors["username"] = f"There is already an account called {username!r}: choose another username"
    return username


def _check_role_and_teams(role: str, teams: list[Team], errors: dict[str, str]) -> None:
    if role not in [r.value for r in STAFF_ROLES]:
        errors["role"] = "Select a role from the list"
        return
    if role == Role.NHS_PARTNER:
        council = [t.name for t in teams if not t.is_nhs_partner]
        if council:
            # A council team's allocations would give the partner access without a recorded sharing basis.
            errors["teams"] = f"An NHS partner can only be in NHS partner teams, not {', '.join(council)}"


def _password_errors(password: str, user: User) -> str | None:
    if not isinstance(password, str) or not password:
        return "Enter a password"
    if "\x00" in password or any(ord(ch) < 32 for ch in password):
        return "The password cannot contain a NUL, a tab, a new line or another control character"
    try:
        password_validation.validate_password(password, user)
    except ValidationError as exc:
        return " ".join(exc.messages)
    return None


def generate_password() -> str:
    """A password to read out or type once: four groups of five letters and digits (about 119 bits)."""
    alphabet = "".join(ch for ch in string.ascii_lowercase + string.digits if ch not in "lo01")
    return "-".join("".join(secrets.choice(alphabet) for _ in range(5)) for _ in range(4))


def _last_administrator_check(user: User, *, losing: bool, field: str) -> None:
    """Refuse a change that leaves no active administrator (locking the active administrators' rows first)."""
    if not losing:
        return
    admins = list(
        User.objects.select_for_update()
        .filter(role=Role.ADMINISTRATOR, is_active=True)
        .values_list("pk", flat=True)
    )
    if not [pk for pk in admins if pk != user.pk]:
        raise ValidationFailed(
            {field: "This is the only active administrator: make someone else an administrator first"}
        )


def _lock(obj) -> None:
    """Lock the row for the rest of the transaction and read it again, so that the checks see what is stored."""
    list(type(obj).objects.select_for_update().filter(pk=obj.pk).values_list("pk", flat=True))
    obj.refresh_from_db()


# --- accounts ------------------------------------------------------------------------------------------------------


@transaction.atomic
def first_administrator_create(
    *,
    username: str,
    first_name: str = "",
    last_name: str = "",
    email: str = "",
    password: str | None = None,
    how: str = FIRST_ADMINISTRATOR_EVENT,
) -> User:
    """The first account of a fresh install: an administrator, allowed only while there are no accounts at all.

    Its own audit event says so ("first administrator created from the command line")."""
    if User.objects.exists():
        raise PermissionError("There are accounts already: an administrator must create new ones (--as).")
    errors: dict[str, str] = {}
    username = _clean_username(username, errors)
    fields = _clean_person_fields({"first_name": first_name, "last_name": last_name, "email": email}, errors)
    user = User(username=username, role=Role.ADMINISTRATOR, **fields)
    if password is not None and "username" not in errors:
        problem = _password_errors(password, user)
        if problem:
            errors["password"] = problem
    if errors:
        raise ValidationFailed(errors)
    if password is None:
        user.set_unusable_password()
    else:
        user.set_password(password)
    user.save()
    audit.record(
        actor=user,
        action=AuditAction.CREATE,
        obj=user,
        reason=how,
        details={
            "event": how,
            "account": _snapshot(user),
            "password": "set" if password is not None else "none",
        },
    )
    return user


@transaction.atomic
def user_create(
    *,
    actor: User,
    username: str,
    role: str,
    teams: list[Team] = (),
    first_name: str = "",
    last_name: str = "",
    email: str = "",
    job_title: str = "",
    password: str | None = None,
    check_password_rules: bool = True,
    via: str = "",
) -> User:
    """A member of staff with a role and teams. Without a password the account cannot sign in until one is set.

    `check_password_rules=False` is for the demo builder only, whose published passwords are its usernames with a
    suffix (the similarity rule would refuse them); the audit event says the rules were not checked."""
    require_administrator(actor)
    errors: dict[str, str] = {}
    teams = list(teams)
    username = _clean_username(username, errors)
    fields = _clean_person_fields(
        {"first_name": first_name, "last_name": last_name, "email": email, "job_title": job_title}, errors
    )
    _check_role_and_teams(role, teams, errors)
    user = User(username=username, role=role, **fields)
    if password is not None and check_password_rules and "username" not in errors:
        problem = _password_errors(password, user)
        if problem:
            errors["password"] = problem
    if errors:
        raise ValidationFailed(errors)
    if password is None:
        user.set_unusable_password()
    else:
        user.set_password(password)
    user.save()
    user.teams.set(teams)
    details = {"account": _snapshot(user), "password": "set" if password is not None else "none"}
    if password is not None and not check_password_rules:
        details["password_rules_checked"] = False
    if via:
        details["via"] = via
    audit.record(actor=actor, action=AuditAction.CREATE, obj=user, details=details)
    return user


@transaction.atomic
def system_account_create(*, actor: User, username: str, description: str = "", via: str = "") -> User:
    """An account for another system using the API (it signs in with tokens only, never a password)."""
    require_administrator(actor)
    errors: dict[str, str] = {}
    username = _clean_username(username, errors)
    fields = _clean_person_fields({"job_title": description}, errors)
    if "job_title" in errors:
        errors["description"] = errors.pop("job_title").replace("job title", "description")
    if errors:
        raise ValidationFailed(errors)
    user = User(
        username=username, role=Role.SYSTEM, first_name="", last_name="", job_title=fields["job_title"]
    )
    user.set_unusable_password()
    user.save()
    details = {"account": _snapshot(user)}
    if via:
        details["via"] = via
    audit.record(actor=actor, action=AuditAction.CREATE, obj=user, details=details)
    return user


@transaction.atomic
def user_change(
    *,
    actor: User,
    user: User,
    role: str | None = None,
    teams: list[Team] | None = None,
    first_name: str | None = None,
    last_name: str | None = None,
    email: str | None = None,
    job_title: str | None = None,
    via: str = "",
) -> User:
    """Change a member of staff's role, teams or details (None leaves a value as it is)."""
    require_administrator(actor)
    _lock(user)
    old = _snapshot(user)
    errors: dict[str, str] = {}
    given = {
        k: v
        for k, v in (
            ("first_name", first_name),
            ("last_name", last_name),
            ("email", email),
            ("job_title", job_title),
        )
        if v is not None
    }
    fields = _clean_person_fields(given, errors)
    new_role = user.role if role is None else role
    new_teams = list(user.teams.all()) if teams is None else list(teams)
    if user.role == Role.SYSTEM:
        if role is not None and role != Role.SYSTEM:
            errors["role"] = "A system account cannot be given a staff role: create a staff account instead"
        if new_teams:
            errors["teams"] = "A system account is not a member of teams"
    elif role == Role.SYSTEM:
        errors["role"] = "A member of staff cannot become a system account: create a system account instead"
    else:
        _check_role_and_teams(new_role, new_teams, errors)
    if errors:
        raise ValidationFailed(errors)
    _last_administrator_check(
        user,
        losing=user.is_active and user.role == Role.ADMINISTRATOR and new_role != Role.ADMINISTRATOR,
        field="role",
    )
    for name, value in fields.items():
        setattr(user, name, value)
    user.role = new_role
    user.save()
    user.teams.set(new_teams)
    changes = _changes(old, _snapshot(user))
    if changes:
        details = {"changes": changes}
        if via:
            details["via"] = via
        audit.record(actor=actor, action=AuditAction.UPDATE, obj=user, details=details)
    return user


@transaction.atomic
def user_deactivate(*, actor: User, user: User, via: str = "") -> User:
    """Stop an account signing in or using its API tokens; its history and audit trail stay as they are."""
    require_administrator(actor)
    _lock(user)
    if not user.is_active:
        raise ValidationFailed({"is_active": f"{user.username} is already deactivated"})
    _last_administrator_check(user, losing=user.role == Role.ADMINISTRATOR, field="is_active")
    user.is_active = False
    user.save(update_fields=["is_active"])
    details = {"changes": {"is_active": {"old": True, "new": False}}}
    if via:
        details["via"] = via
    audit.record(actor=actor, action=AuditAction.UPDATE, obj=user, details=details)
    return user


@transaction.atomic
def user_reactivate(*, actor: User, user: User, via: str = "") -> User:
    require_administrator(actor)
    _lock(user)
    if user.is_active:
        raise ValidationFailed({"is_active": f"{user.username} is already active"})
    user.is_active = True
    user.save(update_fields=["is_active"])
    details = {"changes": {"is_active": {"old": False, "new": True}}}
    if via:
        details["via"] = via
    audit.record(actor=actor, action=AuditAction.UPDATE, obj=user, details=details)
    return user


@transaction.atomic
def user_password_set(
    *, actor: User, user: User, password: str | None = None, check_password_rules: bool = True, via: str = ""
) -> str:
    """Set a staff account's password: the one the administrator gives, or (None) a generated one.

    Returns the password so that it can be shown once; it is never stored in clear or audited. Sessions signed in
    with the old password end (Django checks the session against the password hash)."""
    require_administrator(actor)
    if user.role == Role.SYSTEM:
        raise ValidationFailed({"password": "System accounts use API tokens, not passwords"})
    generated = password is None
    plain = generate_password() if generated else password
    if check_password_rules:
        problem = _password_errors(plain, user)
        if problem:
            raise ValidationFailed({"password": problem})
    user.set_password(plain)
    user.save(update_fields=["password"])
    details = {"password": "generated" if generated else "given"}
    if not check_password_rules:
        details["password_rules_checked"] = False
    if via:
        details["via"] = via
    audit.record(actor=actor, action=AuditAction.UPDATE, obj=user, details=details)
    return plain


def user_unlock(*, actor: User, user: User) -> None:
    """Let a locked-out account sign in again (core's sign_in_unlock, after the administrator check)."""
    require_administrator(actor)
    core_services.sign_in_unlock(actor=actor, user=user)


def is_locked(user: User) -> bool:
    return bool(user.locked_until and user.locked_until > timezone.now())


# --- teams ---------------------------------------------------------------------------------------------------------


def _clean_team(data: dict, errors: dict[str, str], *, exclude: int | None = None) -> dict:
    clean = dict(data)
    check_text(clean, errors, "name", label="team name", max_length=model_max_length("core.Team", "name"))
    check_text(
        clean,
        errors,
        "organisation",
        label="organisation",
        max_length=model_max_length("core.Team", "organisation"),
    )
    if "name" in clean and "name" not in errors:
        if not clean["name"]:
            errors["name"] = "Enter the team's name"
        elif Team.objects.filter(name__iexact=clean["name"]).exclude(pk=exclude).exists():
            errors["name"] = f"There is already a team called {clean['name']!r}"
    if "code" in clean:
        check_text(clean, errors, "code", label="team code", max_length=model_max_length("core.Team", "code"))
        if "code" not in errors:
            code = clean["code"] or slugify(clean.get("name") or "")[:40].strip("-")
            if not code:
                errors.setdefault("name", "Enter a team name with at least one letter or digit")
            elif slugify(code) != code:
                errors["code"] = "The team code can only contain lower-case letters, digits and hyphens"
            elif Team.objects.filter(code=code).exclude(pk=exclude).exists():
                errors["code"] = (
                    f"There is already a team with the code {code!r}: give this team another code"
                )
            clean["code"] = code
    return clean


def _team_snapshot(team: Team) -> dict:
    return {
        "name": team.name,
        "code": team.code,
        "organisation": team.organisation,
        "is_nhs_partner": team.is_nhs_partner,
    }


@transaction.atomic
def team_create(
    *,
    actor: User,
    name: str,
    code: str = "",
    organisation: str = "",
    is_nhs_partner: bool = False,
    via: str = "",
) -> Team:
    """A team (the code, used on the command line and in URLs, is made from the name unless given)."""
    require_administrator(actor)
    errors: dict[str, str] = {}
    clean = _clean_team({"name": name, "code": code, "organisation": organisation}, errors)
    if errors:
        raise ValidationFailed(errors)
    team = Team.objects.create(
        name=clean["name"],
        code=clean["code"],
        organisation=clean["organisation"],
        is_nhs_partner=bool(is_nhs_partner),
    )
    details = {"team": _team_snapshot(team)}
    if via:
        details["via"] = via
    audit.record(actor=actor, action=AuditAction.CREATE, obj=team, details=details)
    return team


@transaction.atomic
def team_change(
    *,
    actor: User,
    team: Team,
    name: str | None = None,
    organisation: str | None = None,
    is_nhs_partner: bool | None = None,
    via: str = "",
) -> Team:
    """Rename a team or change its organisation; whether it is an NHS partner team only while it has no
    allocations (they were made under the other kind's rules) and, for a council team, no NHS partner members."""
    require_administrator(actor)
    _lock(team)
    old = _team_snapshot(team)
    errors: dict[str, str] = {}
    given = {k: v for k, v in (("name", name), ("organisation", organisation)) if v is not None}
    clean = _clean_team(given, errors, exclude=team.pk)
    if is_nhs_partner is not None and bool(is_nhs_partner) != team.is_nhs_partner:
        if CareRelationship.objects.filter(team=team).exists():
            errors["is_nhs_partner"] = (
                "People have been allocated to this team, so whether it is an NHS partner "
                "team cannot change: create a new team instead"
            )
        elif not is_nhs_partner and team.members.filter(role=Role.NHS_PARTNER).exists():
            errors["is_nhs_partner"] = (
                "NHS partners are members of this team: move them to an NHS partner team first"
            )
    if errors:
        raise ValidationFailed(errors)
    for field, value in clean.items():
        setattr(team, field, value)
    if is_nhs_partner is not None:
        team.is_nhs_partner = bool(is_nhs_partner)
    team.save()
    changes = _changes(old, _team_snapshot(team))
    if changes:
        details = {"changes": changes}
        if via:
            details["via"] = via
        audit.record(actor=actor, action=AuditAction.UPDATE, obj=team, details=details)
    return team


# --- API tokens ----------------------------------------------------------------------------------------------------


def token_issue(*, actor: User, user: User, name: str, days: int = 365) -> tuple[ApiToken, str]:
    """Issue a token for a system account for `days` days; returns the token and its plain text, shown once."""
    require_administrator(actor)
    errors: dict[str, str] = {}
    clean = {"name": name}
    check_text(
        clean, errors, "name", label="token name", max_length=model_max_length("core.ApiToken", "name")
    )
    if "name" not in errors and not clean["name"]:
        errors["name"] = "Enter a name for the token, such as the system that will use it"
    if isinstance(days, bool) or not isinstance(days, int) or not 1 <= days <= TOKEN_MAX_DAYS:
        errors["days"] = f"The token must last a whole number of days from 1 to {TOKEN_MAX_DAYS:,}"
    user.refresh_from_db()
    if user.role != Role.SYSTEM:
        errors["user"] = "API tokens are only for system accounts"
    elif not user.is_active:
        errors["user"] = f"{user.username} is deactivated: reactivate it before issuing a token"
    if errors:
        raise ValidationFailed(errors)
    with transaction.atomic():
        plain = core_services.api_token_create(actor=actor, user=user, name=clean["name"], days=days)
        token = ApiToken.objects.get(digest=_digest(plain))
    return token, plain


def _digest(plain: str) -> str:
    import hashlib

    return hashlib.sha256(plain.encode()).hexdigest()


def token_revoke(*, actor: User, token: ApiToken) -> ApiToken:
    """Stop a token working from now on (revoking a revoked token changes nothing)."""
    require_administrator(actor)
    return core_services.api_token_revoke(actor=actor, token=token)
