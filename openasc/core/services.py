"""Writes owned by core: care relationships, restrictions, break-glass, sign-in, tokens, drafts."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import ipaddress
import logging
import secrets

from django.conf import settings
from django.contrib.auth import authenticate
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from openasc.core import access, audit
from openasc.core.errors import ValidationFailed
from openasc.core.models import (
    ApiToken,
    AuditAction,
    AuditEvent,
    BreakGlassAccess,
    BreakGlassReason,
    BreakGlassReview,
    CareRelationship,
    FormDraft,
    RelationshipKind,
    Restriction,
    Role,
    SignInAttempt,
    Team,
    User,
)

logger = logging.getLogger(__name__)


@transaction.atomic
def care_relationship_create(
    *,
    actor: User,
    person,
    kind: str,
    user: User | None = None,
    team: Team | None = None,
    starts_at: dt.datetime | None = None,
    ends_at: dt.datetime | None = None,
    basis: str = "",
    automatic: str = "",
) -> CareRelationship:
    """Allocate a worker or team, record an NHS sharing basis or grant time-limited access.

    `automatic` names a product rule that makes the relationship as a consequence of other work, which the
    actor may do without being a manager: "triage" (passing a request to a team allocates the person to it)
    and "creator" (whoever creates a record gets a time-limited grant to it)."""
    errors: dict[str, str] = {}
    if kind not in RelationshipKind.values:
        errors["kind"] = "Select the kind of relationship"
    if (user is None) == (team is None):
        errors["user"] = "Choose either a member of staff or a team"
    if kind == RelationshipKind.GRANT and ends_at is None:
        errors["ends_at"] = "A grant of access must have an end date"
    if kind == RelationshipKind.NHS_SHARING and not basis.strip():
        errors["basis"] = "Record the information-sharing basis for the NHS partner"
    if team is not None and team.closed_at is not None:
        errors["team"] = f"{team.name} is closed: choose an open team"
    if team is not None and team.is_nhs_partner and kind != RelationshipKind.NHS_SHARING:
        errors["team"] = "An NHS partner team can only be given access through a recorded sharing basis"
    if user is not None and user.role == Role.NHS_PARTNER and kind != RelationshipKind.NHS_SHARING:
        errors["user"] = "An NHS partner can only be given access through a recorded sharing basis"
    starts_at = starts_at or timezone.now()
    if ends_at is not None and ends_at <= starts_at:
        errors["ends_at"] = "The end must be after the start"
    by_rule = (automatic == "triage" and kind == RelationshipKind.ALLOCATED_TEAM) or (
        automatic == "creator" and kind == RelationshipKind.GRANT and user is not None and user.pk == actor.pk
    )
    if (
        kind in (RelationshipKind.ALLOCATED_WORKER, RelationshipKind.ALLOCATED_TEAM, RelationshipKind.GRANT)
        and not by_rule
        and not access.has(actor, access.Capability.ALLOCATE)
        and actor.role != Role.SYSTEM
    ):
        errors["kind"] = "Your role cannot allocate people or grant access"
    if errors:
        raise ValidationFailed(errors)
    rel = CareRelationship.objects.create(
        person=person,
        kind=kind,
        user=user,
        team=team,
        starts_at=starts_at,
        ends_at=ends_at,
        basis=basis.strip(),
        created_by=actor,
    )
    audit.record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=rel,
        details={
            "kind": kind,
            "user": user.pk if user else None,
            "team": team.pk if team else None,
            "ends_at": ends_at.isoformat() if ends_at else None,
        },
    )
    return rel


@transaction.atomic
def care_relationship_end(
    *, actor: User, relationship: CareRelationship, ends_at: dt.datetime | None = None
) -> None:
    relationship.ends_at = ends_at or timezone.now()
    relationship.save(update_fields=["ends_at"])
    audit.record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=relationship,
        details={"ends_at": relationship.ends_at.isoformat()},
    )


@transaction.atomic
def restriction_set(
    *,
    actor: User,
    person,
    reason: str,
    review_on: dt.date,
    allowed_roles: list[str] = (),
    allowed_users: list[User] = (),
) -> Restriction:
    """Restrict a record (e.g. a member of staff who is a client): team and role-wide access stop."""
    from openasc.core.selectors import restriction_for

    restriction_for(user=actor, person=person)  # who may change it; a refusal is audited
    errors = {}
    if not reason.strip():
        errors["reason"] = "Enter why the record is restricted"
    if review_on <= timezone.localdate():
        errors["review_on"] = "The review date must be in the future"
    bad_roles = [r for r in allowed_roles if r not in Role.values]
    if bad_roles:
        errors["allowed_roles"] = f"Unknown role: {', '.join(bad_roles)}"
    if errors:
        raise ValidationFailed(errors)
    restriction, _ = Restriction.objects.update_or_create(
        person=person,
        defaults={
            "reason": reason.strip(),
            "review_on": review_on,
            "created_by": actor,
            "allowed_roles": Restriction.encode_roles(list(allowed_roles)),
            "lifted_at": None,
        },
    )
    restriction.allowed_users.set(allowed_users)
    audit.record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=restriction,
        reason=reason,
        details={
            "allowed_roles": list(allowed_roles),
            "allowed_users": [u.pk for u in allowed_users],
            "review_on": review_on.isoformat(),
        },
    )
    return restriction


@transaction.atomic
def restriction_lift(*, actor: User, restriction: Restriction, reason: str) -> Restriction:
    """End a restriction (for example when the member of staff leaves): team access applies again."""
    from openasc.core.selectors import require_may_change_restriction

    require_may_change_restriction(actor, restriction.person, restriction, purpose="lift restriction")
    if not reason.strip():
        raise ValidationFailed({"reason": "Enter why the restriction is being lifted"})
    restriction.lifted_at = timezone.now()
    restriction.save(update_fields=["lifted_at"])
    audit.record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=restriction,
        reason=reason.strip(),
        details={"lifted": True},
    )
    return restriction


@transaction.atomic
def break_glass_start(*, actor: User, person, reason_code: str, reason_text: str = "") -> BreakGlassAccess:
    """Emergency access: a coded reason, a time limit, and a place in a manager's review queue."""
    if not access.has(actor, access.Capability.BREAK_GLASS):
        raise PermissionError("Your role cannot use break-glass access.")
    errors = {}
    if reason_code not in BreakGlassReason.values:
        errors["reason_code"] = "Select why you need access"
    if reason_code == BreakGlassReason.OTHER and not reason_text.strip():
        errors["reason_text"] = "Explain why you need access"
    if errors:
        raise ValidationFailed(errors)
    decision = access.explain(actor, person)
    now = timezone.now()
    grant = BreakGlassAccess.objects.create(
        user=actor,
        person=person,
        reason_code=reason_code,
        reason_text=reason_text.strip(),
        started_at=now,
        expires_at=now + dt.timedelta(minutes=settings.OPENASC_BREAK_GLASS_MINUTES),
        was_restricted=decision.restricted,
    )
    audit.record(
        actor=actor,
        action=AuditAction.BREAK_GLASS_START,
        obj=grant,
        person_id=person.pk,
        basis="Break-glass",
        reason=f"{grant.get_reason_code_display()}: {grant.reason_text}".strip(": "),
        details={"expires_at": grant.expires_at.isoformat(), "restricted": decision.restricted},
    )
    return grant


@transaction.atomic
def break_glass_end(*, actor: User, grant: BreakGlassAccess) -> BreakGlassAccess:
    if grant.user_id != actor.pk:
        raise PermissionError("Only the person who started break-glass access can end it.")
    if grant.ended_at is None:
        grant.ended_at = min(timezone.now(), grant.expires_at)
        grant.save(update_fields=["ended_at"])
        audit.record(
            actor=actor,
            action=AuditAction.BREAK_GLASS_END,
            obj=grant,
            person_id=grant.person_id,
            basis="Break-glass",
        )
    return grant


@transaction.atomic
def break_glass_review(
    *, actor: User, grant: BreakGlassAccess, outcome: str, note: str = ""
) -> BreakGlassAccess:
    """A manager or information governance confirms the access was appropriate, or refers it."""
    if not access.has(actor, access.Capability.REVIEW_BREAK_GLASS):
        raise PermissionError("Only managers and information governance can review break-glass access.")
    if grant.user_id == actor.pk:
        raise ValidationFailed({"outcome": "You cannot review your own break-glass access"})
    if grant.reviewed_at is not None:
        raise ValidationFailed({"outcome": "This access has already been reviewed"})
    errors = {}
    if outcome not in BreakGlassReview.values:
        errors["outcome"] = "Select whether the access was appropriate"
    if outcome == BreakGlassReview.INAPPROPRIATE and not note.strip():
        errors["note"] = "Explain why the access was not appropriate"
    if errors:
        raise ValidationFailed(errors)
    grant.reviewed_by = actor
    grant.reviewed_at = timezone.now()
    grant.review_outcome = outcome
    grant.review_note = note.strip()
    grant.save(update_fields=["reviewed_by", "reviewed_at", "review_outcome", "review_note"])
    audit.record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=grant,
        person_id=grant.person_id,
        details={"review_outcome": outcome},
    )
    return grant


class SignInRefused(Exception):
    def __init__(self, message: str, locked: bool = False):
        super().__init__(message)
        self.locked = locked


# The only answer a failed sign-in ever gives: the same for an unknown username, a wrong password, a locked account
# and a throttled client, so that nobody can find out which usernames exist (ADR 0006).
GENERIC_SIGN_IN_ERROR = "Enter a correct username and password"


def sign_in_client_key(request) -> str:
    """The address a sign-in came from: REMOTE_ADDR, or X-Forwarded-For as written by our trusted proxies.

    With `OPENASC_TRUSTED_PROXY_COUNT = n` the client is the n-th address from the right of X-Forwarded-For (the
    one our outermost proxy saw); anything further left was written by the client and is ignored. An IPv6
    client is keyed by its /64 network, which one household or server is usually given whole."""
    address = request.META.get("REMOTE_ADDR", "") or ""
    trusted = settings.OPENASC_TRUSTED_PROXY_COUNT
    if trusted > 0:
        forwarded = [p.strip() for p in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if p.strip()]
        if len(forwarded) >= trusted:
            address = forwarded[-trusted]
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return "unknown"
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:
            return str(ip.ipv4_mapped)
        return str(ipaddress.ip_network(f"{ip}/64", strict=False))
    return str(ip)


def _username_key(username: str) -> str:
    """A keyed hash of the username as typed (case-insensitive): never the username itself."""
    return hmac.new(settings.SECRET_KEY.encode(), username.casefold().encode(), hashlib.sha256).hexdigest()


def _record_sign_in_failure(
    *, client: str, username_key: str, user: User | None, now: dt.datetime, throttled: bool, locked: bool
) -> None:
    """Keep the failure (for every username, known or not), prune old ones, and audit it for a known account."""
    with transaction.atomic():
        SignInAttempt.objects.create(
            client_key=client, username_key=username_key, attempted_at=now, throttled=throttled
        )
        SignInAttempt.objects.filter(
            attempted_at__lt=now - dt.timedelta(days=settings.OPENASC_SIGN_IN_ATTEMPT_DAYS)
        ).delete()
        # Counted for unknown usernames too, so that the work done does not depend on whether the account exists.
        everywhere = SignInAttempt.objects.filter(
            username_key=username_key,
            cleared=False,
            attempted_at__gte=now - dt.timedelta(minutes=settings.OPENASC_LOCKOUT_MINUTES),
        ).count()
        if user is None:
            return
        User.objects.filter(pk=user.pk).update(failed_sign_ins=F("failed_sign_ins") + 1)
        if (
            not (user.locked_until and user.locked_until > now)
            and everywhere >= settings.OPENASC_LOCKOUT_ACCOUNT_ATTEMPTS
        ):
            # Many clients guessing one account: lock it everywhere for a while.
            user.locked_until = now + dt.timedelta(minutes=settings.OPENASC_LOCKOUT_MINUTES)
            User.objects.filter(pk=user.pk).update(locked_until=user.locked_until)
            logger.warning("Sign-in: account %s locked after failures from many clients", user.pk)
        if user.is_active:
            audit.record(
                actor=user,
                action=AuditAction.SIGN_IN_FAILED,
                details={
                    "locked": locked or bool(user.locked_until and user.locked_until > now),
                    "throttled": throttled,
                    "client": client,
                },
            )


def sign_in_check(*, request, username: str, password: str) -> User:
    """Authenticate, throttled per client and locked per account; never says whether the username exists.

    - A client (address) with `OPENASC_SIGN_IN_CLIENT_ATTEMPTS` failures in the last
      `OPENASC_SIGN_IN_CLIENT_WINDOW_MINUTES` is refused for every account without a password check.
    - An account with `OPENASC_LOCKOUT_ATTEMPTS` failures from one client in the last `OPENASC_LOCKOUT_MINUTES` is
      locked for that client only, so an attacker elsewhere cannot lock a worker out of their own computer;
      `OPENASC_LOCKOUT_ACCOUNT_ATTEMPTS` failures from anywhere lock it everywhere (`User.locked_until`).
    - Every refusal is the same message, and every attempt that is not throttled checks or hashes the password
      once, so an unknown username, a wrong password and a locked account look and take the same."""
    username = (username or "").strip()
    now = timezone.now()
    client = sign_in_client_key(request)
    ukey = _username_key(username)
    user = User.objects.filter(username__iexact=username).first() if username else None
    client_failures = SignInAttempt.objects.filter(
        client_key=client,
        attempted_at__gte=now - dt.timedelta(minutes=settings.OPENASC_SIGN_IN_CLIENT_WINDOW_MINUTES),
    ).count()
    if client_failures >= settings.OPENASC_SIGN_IN_CLIENT_ATTEMPTS:
        _record_sign_in_failure(
            client=client, username_key=ukey, user=user, now=now, throttled=True, locked=False
        )
        raise SignInRefused(GENERIC_SIGN_IN_ERROR, locked=True)
    # Asked for every username, known or not, so that the work done is the same.
    account_failures = SignInAttempt.objects.filter(
        client_key=client,
        username_key=ukey,
        cleared=False,
        attempted_at__gte=now - dt.timedelta(minutes=settings.OPENASC_LOCKOUT_MINUTES),
    ).count()
    locked = account_failures >= settings.OPENASC_LOCKOUT_ATTEMPTS or bool(
        user is not None and user.locked_until and user.locked_until > now
    )
    # ModelBackend checks the password of a known user and hashes it for an unknown one: one hash either way,
    # also when the account is locked (the result is then ignored).
    authenticated = authenticate(request, username=user.username if user else username, password=password)
    if authenticated is None or authenticated.role == Role.SYSTEM or locked:
        _record_sign_in_failure(
            client=client, username_key=ukey, user=user, now=now, throttled=False, locked=locked
        )
        if client_failures + 1 == settings.OPENASC_SIGN_IN_CLIENT_ATTEMPTS:
            logger.warning("Sign-in: client %s throttled after %s failures", client, client_failures + 1)
        raise SignInRefused(GENERIC_SIGN_IN_ERROR, locked=locked)
    SignInAttempt.objects.filter(client_key=client, username_key=ukey, cleared=False).update(cleared=True)
    if authenticated.failed_sign_ins or authenticated.locked_until:
        User.objects.filter(pk=authenticated.pk).update(failed_sign_ins=0, locked_until=None)
    return authenticated


@transaction.atomic
def sign_in_unlock(*, actor: User, user: User) -> None:
    """An administrator lets a locked account sign in again, from every client."""
    if actor.role != Role.ADMINISTRATOR and not actor.is_superuser:
        raise PermissionError("Only an administrator can unlock an account.")
    User.objects.filter(pk=user.pk).update(failed_sign_ins=0, locked_until=None)
    user.failed_sign_ins, user.locked_until = 0, None
    SignInAttempt.objects.filter(username_key=_username_key(user.username), cleared=False).update(
        cleared=True
    )
    audit.record(actor=actor, action=AuditAction.UPDATE, obj=user, details={"unlocked": True})


@transaction.atomic
def api_token_create(*, actor: User, user: User, name: str, days: int | None = 365) -> str:
    """Issue a token for a system account; the plain token is shown once and never stored (nor audited)."""
    if actor.role not in (Role.ADMINISTRATOR, Role.SYSTEM) and not actor.is_superuser:
        raise PermissionError("Only an administrator can issue API tokens.")
    if user.role != Role.SYSTEM:
        raise ValidationFailed({"user": "API tokens are only for system accounts"})
    plain = "oasc_" + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user,
        name=name,
        digest=hashlib.sha256(plain.encode()).hexdigest(),
        prefix=plain[5:13],
        expires_at=timezone.now() + dt.timedelta(days=days) if days else None,
    )
    audit.record(actor=actor, action=AuditAction.CREATE, obj=token, details=_token_details(token))
    return plain


@transaction.atomic
def api_token_revoke(*, actor: User, token: ApiToken) -> ApiToken:
    """Stop a token working from now on."""
    if actor.role not in (Role.ADMINISTRATOR, Role.SYSTEM) and not actor.is_superuser:
        raise PermissionError("Only an administrator can revoke API tokens.")
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        audit.record(
            actor=actor,
            action=AuditAction.UPDATE,
            obj=token,
            details={**_token_details(token), "revoked_at": token.revoked_at.isoformat()},
        )
    return token


def _token_details(token: ApiToken) -> dict:
    return {
        "name": token.name,
        "prefix": token.prefix,
        "user": token.user_id,
        "expires_at": token.expires_at.isoformat() if token.expires_at else None,
    }


def api_token_user(plain: str) -> User | None:
    """The active system account a bearer token belongs to, or None."""
    if not plain or not plain.startswith("oasc_"):
        return None
    digest = hashlib.sha256(plain.encode()).hexdigest()
    token = ApiToken.objects.select_related("user").filter(digest=digest, revoked_at__isnull=True).first()
    now = timezone.now()
    if token is None or (token.expires_at and token.expires_at <= now) or not token.user.is_active:
        return None
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user


MAX_DRAFT_BYTES = 200_000


@transaction.atomic
def form_draft_save(*, user: User, path: str, data: dict) -> FormDraft:
    """Keep what a worker has typed, so that a timeout, a closed tab or a lost connection loses nothing.

    Audited without the values (path and field names): when a draft is first saved, then at most once per
    `OPENASC_DRAFT_AUDIT_MINUTES` while it is typed, since it is saved a moment after every change (ADR 0006)."""
    clean = {
        str(k)[:100]: v if isinstance(v, str) else [str(x) for x in v][:50]
        for k, v in data.items()
        if k != "csrfmiddlewaretoken" and isinstance(v, str | list)
    }
    if len(str(clean)) > MAX_DRAFT_BYTES:
        raise ValidationFailed({"draft": "This form is too large to save as a draft"})
    draft, created = FormDraft.objects.update_or_create(user=user, path=path[:300], defaults={"data": clean})
    since = timezone.now() - dt.timedelta(minutes=settings.OPENASC_DRAFT_AUDIT_MINUTES)
    if (
        created
        or not AuditEvent.objects.filter(
            object_type=audit.object_type(FormDraft), object_id=str(draft.pk), occurred_at__gte=since
        ).exists()
    ):
        audit.record(
            actor=user,
            action=AuditAction.CREATE if created else AuditAction.UPDATE,
            obj=draft,
            details={"path": draft.path, "fields": sorted(clean)},
        )
    return draft


def form_draft_get(*, user: User, path: str) -> dict | None:
    draft = FormDraft.objects.filter(user=user, path=path[:300]).first()
    return draft.data if draft else None


@transaction.atomic
def form_draft_discard(*, user: User, path: str) -> None:
    draft = FormDraft.objects.filter(user=user, path=path[:300]).first()
    if draft is None:
        return
    audit.record(
        actor=user,
        action=AuditAction.DELETE,
        obj=draft,
        details={"path": draft.path, "fields": sorted(draft.data) if isinstance(draft.data, dict) else []},
    )
    draft.delete()
