"""Writes owned by core: care relationships, restrictions, break-glass, sign-in, tokens, drafts."""

from __future__ import annotations

import datetime as dt
import hashlib
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
    BreakGlassAccess,
    BreakGlassReason,
    BreakGlassReview,
    CareRelationship,
    FormDraft,
    RelationshipKind,
    Restriction,
    Role,
    Team,
    User,
)


@transaction.atomic
def care_relationship_create(*, actor: User, person, kind: str, user: User | None = None, team: Team | None = None,
                             starts_at: dt.datetime | None = None, ends_at: dt.datetime | None = None,
                             basis: str = "", automatic: str = "") -> CareRelationship:
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
    if team is not None and team.is_nhs_partner and kind != RelationshipKind.NHS_SHARING:
        errors["team"] = "An NHS partner team can only be given access through a recorded sharing basis"
    if user is not None and user.role == Role.NHS_PARTNER and kind != RelationshipKind.NHS_SHARING:
        errors["user"] = "An NHS partner can only be given access through a recorded sharing basis"
    starts_at = starts_at or timezone.now()
    if ends_at is not None and ends_at <= starts_at:
        errors["ends_at"] = "The end must be after the start"
    by_rule = (automatic == "triage" and kind == RelationshipKind.ALLOCATED_TEAM) or (
        automatic == "creator" and kind == RelationshipKind.GRANT and user is not None and user.pk == actor.pk)
    if kind in (RelationshipKind.ALLOCATED_WORKER, RelationshipKind.ALLOCATED_TEAM, RelationshipKind.GRANT) \
            and not by_rule and not access.has(actor, access.Capability.ALLOCATE) and actor.role != Role.SYSTEM:
        errors["kind"] = "Your role cannot allocate people or grant access"
    if errors:
        raise ValidationFailed(errors)
    rel = CareRelationship.objects.create(person=person, kind=kind, user=user, team=team, starts_at=starts_at,
                                          ends_at=ends_at, basis=basis.strip(), created_by=actor)
    audit.record(actor=actor, action=AuditAction.CREATE, obj=rel,
                 details={"kind": kind, "user": user.pk if user else None, "team": team.pk if team else None,
                          "ends_at": ends_at.isoformat() if ends_at else None})
    return rel


@transaction.atomic
def care_relationship_end(*, actor: User, relationship: CareRelationship, ends_at: dt.datetime | None = None) -> None:
    relationship.ends_at = ends_at or timezone.now()
    relationship.save(update_fields=["ends_at"])
    audit.record(actor=actor, action=AuditAction.UPDATE, obj=relationship,
                 details={"ends_at": relationship.ends_at.isoformat()})


@transaction.atomic
def restriction_set(*, actor: User, person, reason: str, review_on: dt.date, allowed_roles: list[str] = (),
                    allowed_users: list[User] = ()) -> Restriction:
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
        person=person, defaults={"reason": reason.strip(), "review_on": review_on, "created_by": actor,
                                 "allowed_roles": Restriction.encode_roles(list(allowed_roles)), "lifted_at": None})
    restriction.allowed_users.set(allowed_users)
    audit.record(actor=actor, action=AuditAction.CREATE, obj=restriction, reason=reason,
                 details={"allowed_roles": list(allowed_roles), "allowed_users": [u.pk for u in allowed_users],
                          "review_on": review_on.isoformat()})
    return restriction


@transaction.atomic
def restriction_lift(*, actor: User, restriction: Restriction, reason: str) -> Restriction:
    """End a restriction (for example when the member of staff leaves): team access applies again."""
    from openasc.core.selectors import RESTRICTION_REFUSED, may_change_restriction

    if not may_change_restriction(actor, restriction.person, restriction):
        access.refuse(actor, person_id=restriction.person_id, purpose="lift restriction",
                      explanation=RESTRICTION_REFUSED)
        raise PermissionError(RESTRICTION_REFUSED)
    if not reason.strip():
        raise ValidationFailed({"reason": "Enter why the restriction is being lifted"})
    restriction.lifted_at = timezone.now()
    restriction.save(update_fields=["lifted_at"])
    audit.record(actor=actor, action=AuditAction.UPDATE, obj=restriction, reason=reason.strip(),
                 details={"lifted": True})
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
        user=actor, person=person, reason_code=reason_code, reason_text=reason_text.strip(), started_at=now,
        expires_at=now + dt.timedelta(minutes=settings.OPENASC_BREAK_GLASS_MINUTES),
        was_restricted=decision.restricted,
    )
    audit.record(actor=actor, action=AuditAction.BREAK_GLASS_START, obj=grant, person_id=person.pk,
                 basis="Break-glass", reason=f"{grant.get_reason_code_display()}: {grant.reason_text}".strip(": "),
                 details={"expires_at": grant.expires_at.isoformat(), "restricted": decision.restricted})
    return grant


@transaction.atomic
def break_glass_end(*, actor: User, grant: BreakGlassAccess) -> BreakGlassAccess:
    if grant.user_id != actor.pk:
        raise PermissionError("Only the person who started break-glass access can end it.")
    if grant.ended_at is None:
        grant.ended_at = min(timezone.now(), grant.expires_at)
        grant.save(update_fields=["ended_at"])
        audit.record(actor=actor, action=AuditAction.BREAK_GLASS_END, obj=grant, person_id=grant.person_id,
                     basis="Break-glass")
    return grant


@transaction.atomic
def break_glass_review(*, actor: User, grant: BreakGlassAccess, outcome: str, note: str = "") -> BreakGlassAccess:
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
    audit.record(actor=actor, action=AuditAction.UPDATE, obj=grant, person_id=grant.person_id,
                 details={"review_outcome": outcome})
    return grant


class SignInRefused(Exception):
    def __init__(self, message: str, locked: bool = False):
        super().__init__(message)
        self.locked = locked


GENERIC_SIGN_IN_ERROR = "Enter a correct username and password"


def sign_in_check(*, request, username: str, password: str) -> User:
    """Authenticate with lockout after repeated failures; never says whether the username exists."""
    username = (username or "").strip()
    user = User.objects.filter(username__iexact=username).first() if username else None
    now = timezone.now()
    if user is not None and user.locked_until and user.locked_until > now:
        raise SignInRefused(
            f"Your account is locked after {settings.OPENASC_LOCKOUT_ATTEMPTS} failed attempts. "
            f"Try again after {timezone.localtime(user.locked_until):%H:%M} or ask an administrator to unlock it.",
            locked=True)
    authenticated = authenticate(request, username=user.username if user else username, password=password)
    if authenticated is None or authenticated.role == Role.SYSTEM:
        if user is not None:
            with transaction.atomic():
                User.objects.filter(pk=user.pk).update(failed_sign_ins=F("failed_sign_ins") + 1)
                user.refresh_from_db(fields=["failed_sign_ins"])
                if user.failed_sign_ins >= settings.OPENASC_LOCKOUT_ATTEMPTS:
                    user.locked_until = now + dt.timedelta(minutes=settings.OPENASC_LOCKOUT_MINUTES)
                    user.failed_sign_ins = 0
                    user.save(update_fields=["locked_until", "failed_sign_ins"])
                if user.is_active:
                    audit.record(actor=user, action=AuditAction.SIGN_IN_FAILED,
                                 details={"locked": user.locked_until is not None and user.locked_until > now})
            if user.locked_until and user.locked_until > now:
                raise SignInRefused(
                    f"Your account is locked after {settings.OPENASC_LOCKOUT_ATTEMPTS} failed attempts. "
                    f"Try again after {timezone.localtime(user.locked_until):%H:%M} or ask an administrator "
                    "to unlock it.", locked=True)
        raise SignInRefused(GENERIC_SIGN_IN_ERROR)
    if authenticated.failed_sign_ins or authenticated.locked_until:
        User.objects.filter(pk=authenticated.pk).update(failed_sign_ins=0, locked_until=None)
    return authenticated


def api_token_create(*, actor: User, user: User, name: str, days: int | None = 365) -> str:
    """Issue a token for a system account; the plain token is shown once and never stored."""
    if actor.role not in (Role.ADMINISTRATOR, Role.SYSTEM) and not actor.is_superuser:
        raise PermissionError("Only an administrator can issue API tokens.")
    if user.role != Role.SYSTEM:
        raise ValidationFailed({"user": "API tokens are only for system accounts"})
    plain = "oasc_" + secrets.token_urlsafe(32)
    ApiToken.objects.create(
        user=user, name=name, digest=hashlib.sha256(plain.encode()).hexdigest(), prefix=plain[5:13],
        expires_at=timezone.now() + dt.timedelta(days=days) if days else None,
    )
    return plain


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


def form_draft_save(*, user: User, path: str, data: dict) -> FormDraft:
    """Keep what a worker has typed, so that a timeout, a closed tab or a lost connection loses nothing."""
    clean = {str(k)[:100]: v if isinstance(v, str) else [str(x) for x in v][:50]
             for k, v in data.items() if k != "csrfmiddlewaretoken" and isinstance(v, str | list)}
    if len(str(clean)) > MAX_DRAFT_BYTES:
        raise ValidationFailed({"draft": "This form is too large to save as a draft"})
    draft, _ = FormDraft.objects.update_or_create(user=user, path=path[:300], defaults={"data": clean})
    return draft


def form_draft_get(*, user: User, path: str) -> dict | None:
    draft = FormDraft.objects.filter(user=user, path=path[:300]).first()
    return draft.data if draft else None


def form_draft_discard(*, user: User, path: str) -> None:
    FormDraft.objects.filter(user=user, path=path[:300]).delete()
