"""Writes for staff administration: staff and system accounts, teams, passwords, API tokens.

Every function is keyword-only, runs in one transaction, refuses anyone without Capability.MANAGE_STAFF, checks
every field before anything is written (all the problems at once, each naming its field) and writes one audit
event with the old and new values. Passwords and tokens are never in an audit event, only that one was set.

The writes without an administrator are `first_administrator_create` (on an install with no accounts at all, the
first administrator is created from the command line and is the actor of its own audit event) and
`own_password_change` (a member of staff replacing their own password, such as the temporary one an administrator
gave them: until they do, `must_change_password` sends every page to the change-password page,
openasc/staff/middleware.py).
"""

from __future__ import annotations

import datetime as dt
import secrets
import string
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import ProtectedError, RestrictedError
from django.db.models.deletion import Collector
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
        "must_change_password": user.must_change_password,
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


def _check_open_teams(teams: list[Team], current: list[Team], errors: dict[str, str]) -> None:
    """Nobody joins a closed team (those already in it may stay, as its history shows)."""
    kept = {t.pk for t in current}
    closed = [t.name for t in teams if t.closed_at is not None and t.pk not in kept]
    if closed:
        errors["teams"] = (
            f"{', '.join(closed)} {'is' if len(closed) == 1 else 'are'} closed: choose an open team"
        )


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
    list(obj._meta.model.objects.select_for_update().filter(pk=obj.pk).values_list("pk", flat=True))
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
    temporary: bool = False,
    how: str = FIRST_ADMINISTRATOR_EVENT,
) -> User:
    """The first account of a fresh install: an administrator, allowed only while there are no accounts at all.

    Its own audit event says so ("first administrator created from the command line"). A `temporary` password must
    be replaced at the first sign-in."""
    if User.objects.exists():
        raise PermissionError("There are accounts already: an administrator must create new ones (--as).")
    errors: dict[str, str] = {}
    username = _clean_username(username, errors)
    fields = _clean_person_fields({"first_name": first_name, "last_name": last_name, "email": email}, errors)
    user = User(
        username=username,
        role=Role.ADMINISTRATOR,
        must_change_password=bool(temporary and password is not None),
        **fields,
    )
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
            "password": _password_word(password, temporary),
        },
    )
    return user


def _password_word(password: str | None, temporary: bool) -> str:
    """What an audit event says about a password (never the password): none, set, or temporary."""
    if password is None:
        return "none"
    return "temporary (must be changed at the next sign-in)" if temporary else "set"


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
    temporary: bool = False,
    check_password_rules: bool = True,
    via: str = "",
) -> User:
    """A member of staff with a role and teams. Without a password the account cannot sign in until one is set; a
    `temporary` one (what an administrator gives out) must be replaced by the member of staff at the first sign-in.

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
    _check_open_teams(teams, [], errors)
    user = User(
        username=username, role=role, must_change_password=bool(temporary and password is not None), **fields
    )
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
    details = {"account": _snapshot(user), "password": _password_word(password, temporary)}
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
        _check_open_teams(new_teams, list(user.teams.all()), errors)
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
    *,
    actor: User,
    user: User,
    password: str | None = None,
    temporary: bool = False,
    check_password_rules: bool = True,
    via: str = "",
) -> str:
    """Set a staff account's password: the one the administrator gives, or (None) a generated one.

    Returns the password so that it can be shown once; it is never stored in clear or audited. Sessions signed in
    with the old password end (Django checks the session against the password hash). A `temporary` password (what
    the staff pages always give) must be replaced by the member of staff at their next sign-in; a password that is
    not temporary clears that."""
    require_administrator(actor)
    if user.role == Role.SYSTEM:
        raise ValidationFailed({"password": "System accounts use API tokens, not passwords"})
    generated = password is None
    plain = generate_password() if generated else password
    if check_password_rules:
        problem = _password_errors(plain, user)
        if problem:
            raise ValidationFailed({"password": problem})
    old_flag = user.must_change_password
    user.set_password(plain)
    user.must_change_password = bool(temporary)
    user.save(update_fields=["password", "must_change_password"])
    details = {"password": "generated" if generated else "given"}
    if temporary:
        details["temporary"] = True  # the member of staff must choose their own at the next sign-in
    if old_flag != bool(temporary):
        details["changes"] = {"must_change_password": {"old": old_flag, "new": bool(temporary)}}
    if not check_password_rules:
        details["password_rules_checked"] = False
    if via:
        details["via"] = via
    audit.record(actor=actor, action=AuditAction.UPDATE, obj=user, details=details)
    return plain


SELF_SERVICE_PURPOSE = "change own password"
# The change-password form's fields, as the errors name them.
CURRENT, NEW, CONFIRM = "current_password", "new_password", "confirm_password"


def _own_password_failures(user: User) -> int:
    """Wrong current passwords typed on the change-password page in the lockout window (from the audit trail)."""
    from openasc.core.models import AuditAction, AuditEvent

    since = timezone.now() - dt.timedelta(minutes=settings.OPENASC_LOCKOUT_MINUTES)
    return AuditEvent.objects.filter(
        actor=user,
        action=AuditAction.ACCESS_REFUSED,
        occurred_at__gte=since,
        details__purpose=SELF_SERVICE_PURPOSE,
    ).count()


def own_password_change(
    *, user: User, current_password: str, new_password: str, confirm_password: str
) -> None:
    """A member of staff sets their own password, proving they know the current one (the temporary one an
    administrator gave them, or their own). Clears `must_change_password`; the caller keeps the session signed in
    (django.contrib.auth.update_session_auth_hash), while the account's other sessions end.

    A wrong current password is audited as a refusal; after OPENASC_LOCKOUT_ATTEMPTS of them in
    OPENASC_LOCKOUT_MINUTES the page stops checking, so that someone at an unattended screen cannot guess it."""
    if not (user and user.is_authenticated and user.is_active):
        raise PermissionError("Sign in to change your password.")
    if user.role == Role.SYSTEM:
        raise PermissionError("System accounts use API tokens, not passwords.")
    if _own_password_failures(user) >= settings.OPENASC_LOCKOUT_ATTEMPTS:
        raise ValidationFailed(
            {
                CURRENT: "The current password was wrong too many times: wait "
                f"{settings.OPENASC_LOCKOUT_MINUTES} minutes, or ask an administrator to reset your password"
            }
        )
    errors: dict[str, str] = {}
    if not isinstance(current_password, str) or not current_password:
        errors[CURRENT] = "Enter your current password"
    elif not user.check_password(current_password):
        audit.record(
            actor=user,
            action=AuditAction.ACCESS_REFUSED,
            obj=user,
            details={"purpose": SELF_SERVICE_PURPOSE, "reason": "the current password was wrong"},
        )
        errors[CURRENT] = "The current password is not right: enter the one you signed in with"
    problem = _password_errors(new_password, user)
    if problem:
        errors[NEW] = problem.replace("Enter a password", "Enter a new password")
    elif isinstance(current_password, str) and new_password == current_password:
        errors[NEW] = "Enter a new password that is different from the current one"
    if NEW not in errors and confirm_password != new_password:
        errors[CONFIRM] = "The passwords do not match: type the new password again"
    if errors:
        raise ValidationFailed(errors)
    with transaction.atomic():
        _lock(user)
        was = user.must_change_password
        user.set_password(new_password)
        user.must_change_password = False
        user.save(update_fields=["password", "must_change_password"])
        audit.record(
            actor=user,
            action=AuditAction.UPDATE,
            obj=user,
            details={
                "password": "changed by the account holder",
                "changes": {"must_change_password": {"old": was, "new": False}},
            },
        )


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


@dataclass(frozen=True)
class TeamRemoval:
    """Whether a team can be deleted, or only closed, and why: what the page and the command line explain."""

    members: int  # accounts in the team, active or not
    active_allocations: int  # care relationships with the team in force now
    past_allocations: int  # ended or future ones: the record's history names the team
    other_references: int  # anything else that names the team (requests for support passed to it, ...)

    @property
    def can_delete(self) -> bool:
        return not (self.members or self.active_allocations or self.past_allocations or self.other_references)

    def reasons(self) -> list[str]:
        """Why the team cannot be deleted, one sentence each (empty when it can)."""
        out = []
        if self.members:
            out.append(f"{_count(self.members, 'account is', 'accounts are')} in the team")
        if self.active_allocations:
            out.append(
                f"{_count(self.active_allocations, 'person is', 'people are')} allocated to the team now"
            )
        if self.past_allocations:
            out.append(
                f"the record's history names the team ({_count(self.past_allocations, 'past allocation', 'past allocations')})"
            )
        if self.other_references:
            out.append(
                f"{_count(self.other_references, 'other record names', 'other records name')} the team, "
                "such as a request for support passed to it"
            )
        return out


def _count(n: int, one: str, many: str) -> str:
    return f"{n:,} {one if n == 1 else many}"


def team_removal(*, actor: User, team: Team) -> TeamRemoval:
    """What stands in the way of deleting a team (counts only: no one is named). Anything in the database that
    refers to the team counts (found the way a delete would find it), so a deletion never takes a record's history
    with it: a request passed to the team, a task or note shared with it, whichever app keeps it."""
    require_administrator(actor)
    now = timezone.now()
    rels = CareRelationship.objects.filter(team=team)
    active = rels.filter(access.active_at(now)).count()
    past = rels.count() - active
    return TeamRemoval(
        members=team.members.count(),
        active_allocations=active,
        past_allocations=past,
        other_references=_other_references(team),
    )


def _other_references(team: Team) -> int:
    """Rows a delete of the team would refuse for, delete or change, other than its memberships and allocations.

    Django's delete collector looks at every relation to the team before it refuses (PROTECT), so what it gathered
    to delete or change is counted even then."""
    own = (Team, User.teams.through, CareRelationship)
    collector = Collector(using=Team.objects.db, origin=team)
    refused = ()
    try:
        collector.collect([team])
    except ProtectedError as exc:
        refused = exc.protected_objects
    except RestrictedError as exc:
        refused = exc.restricted_objects
    n = sum(1 for o in refused if not isinstance(o, own))
    n += sum(len(objs) for model, objs in collector.data.items() if model not in own)
    n += sum(qs.count() for qs in collector.fast_deletes if qs.model not in own)
    for group in collector.field_updates.values():
        n += sum(len(objs) if isinstance(objs, list | set | tuple) else objs.count() for objs in group)
    return n


@transaction.atomic
def team_delete(*, actor: User, team: Team, via: str = "") -> None:
    """Delete a team that nobody is in and nothing names (a team made by mistake); any other is closed instead."""
    require_administrator(actor)
    _lock(team)
    removal = team_removal(actor=actor, team=team)
    if not removal.can_delete:
        raise ValidationFailed(
            {
                "team": f"{team.name} cannot be deleted because {'; '.join(removal.reasons())}: close it instead"
            }
        )
    details = {"team": _team_snapshot(team)}
    if via:
        details["via"] = via
    audit.record(actor=actor, action=AuditAction.DELETE, obj=team, details=details)
    team.delete()


@transaction.atomic
def team_close(*, actor: User, team: Team, via: str = "") -> Team:
    """Close a team: it is no longer offered for allocation or membership, and stays in the history that names it.
    Its members and the people allocated to it now stay as they are until a manager moves them."""
    require_administrator(actor)
    _lock(team)
    if team.closed_at is not None:
        raise ValidationFailed(
            {"team": f"{team.name} has been closed since {timezone.localtime(team.closed_at):%-d %B %Y}"}
        )
    team.closed_at = timezone.now()
    team.save(update_fields=["closed_at"])
    removal = team_removal(actor=actor, team=team)
    details = {
        "team": _team_snapshot(team),
        "changes": {"closed_at": {"old": None, "new": team.closed_at.isoformat()}},
        "members": removal.members,
        "active_allocations": removal.active_allocations,
    }
    if via:
        details["via"] = via
    audit.record(actor=actor, action=AuditAction.UPDATE, obj=team, details=details)
    return team


@transaction.atomic
def team_reopen(*, actor: User, team: Team, via: str = "") -> Team:
    """Open a closed team again (closing is never the end of its history)."""
    require_administrator(actor)
    _lock(team)
    if team.closed_at is None:
        raise ValidationFailed({"team": f"{team.name} is open"})
    old = team.closed_at
    team.closed_at = None
    team.save(update_fields=["closed_at"])
    details = {"team": _team_snapshot(team), "changes": {"closed_at": {"old": old.isoformat(), "new": None}}}
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
