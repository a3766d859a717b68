"""Reads for staff administration, always for an administrator (anyone else is refused).

What an administration page or `openasc users list` shows is audited by `record_view` (who looked at which accounts,
teams or tokens, and why). These are staff, not people in care, so the events name no person."""

from __future__ import annotations

from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils import timezone

from openasc.core import audit
from openasc.core.models import ApiToken, AuditAction, Role, Team, User
from openasc.staff.services import require_administrator

BASIS = "staff administration"


def record_view(*, user: User, purpose: str, obj=None, details: dict | None = None) -> None:
    """Audit that an administrator saw a staff administration page (a list, an account, a team, tokens)."""
    require_administrator(user)
    audit.record(
        actor=user,
        action=AuditAction.VIEW,
        obj=obj,
        basis=BASIS,
        details={"purpose": purpose, **(details or {})},
    )


STATUS_CHOICES = (("active", "Active"), ("deactivated", "Deactivated"), ("locked", "Locked out"))


def staff_list(*, user: User, role: str = "", team: str = "", status: str = "") -> QuerySet:
    """Staff accounts (not system accounts), filtered by role code, team code and active, deactivated or locked."""
    require_administrator(user)
    qs = (
        User.objects.exclude(role=Role.SYSTEM)
        .prefetch_related(Prefetch("teams", queryset=Team.objects.order_by("name")))
        .order_by("last_name", "first_name", "username")
    )
    if role:
        qs = qs.filter(role=role)
    if team:
        qs = qs.filter(teams__code=team)
    if status == "active":
        qs = qs.filter(is_active=True)
    elif status == "deactivated":
        qs = qs.filter(is_active=False)
    elif status == "locked":
        qs = qs.filter(locked_until__gt=timezone.now())
    return qs.distinct()


def account_get(*, user: User, account_id: int) -> User:
    """One account (staff or system); User.DoesNotExist if there is none."""
    require_administrator(user)
    return User.objects.prefetch_related("teams").get(pk=account_id)


def account_by_username(*, user: User, username: str) -> User:
    require_administrator(user)
    return User.objects.get(username__iexact=(username or "").strip())


def team_list(*, user: User, open_only: bool = False, keep: list[int] = ()) -> QuerySet:
    """Every team with its active members; `open_only` leaves out closed teams except those in `keep` (the teams an
    account is in already, offered on its form)."""
    require_administrator(user)
    qs = Team.objects.annotate(member_count=Count("members", filter=Q(members__is_active=True)))
    if open_only:
        qs = qs.filter(Q(closed_at__isnull=True) | Q(pk__in=list(keep)))
    return qs.order_by("name")


def team_get(*, user: User, team_id: int) -> Team:
    require_administrator(user)
    return Team.objects.get(pk=team_id)


def team_by_code_or_name(*, user: User, value: str) -> Team:
    """A team by its code or (ignoring case) its name, as typed on the command line."""
    require_administrator(user)
    value = (value or "").strip()
    team = Team.objects.filter(code=value).first() or Team.objects.filter(name__iexact=value).first()
    if team is None:
        raise Team.DoesNotExist(f"There is no team with the code or name {value!r}")
    return team


def system_accounts(*, user: User) -> QuerySet:
    require_administrator(user)
    now = timezone.now()
    live = Q(api_tokens__revoked_at__isnull=True) & (
        Q(api_tokens__expires_at__isnull=True) | Q(api_tokens__expires_at__gt=now)
    )
    return (
        User.objects.filter(role=Role.SYSTEM)
        .annotate(live_tokens=Count("api_tokens", filter=live))
        .order_by("username")
    )


def token_list(*, user: User) -> QuerySet:
    """Every token, newest first, with its account (only the prefix of a token is ever shown)."""
    require_administrator(user)
    return ApiToken.objects.select_related("user").order_by("-created_at", "-pk")


def token_get(*, user: User, token_id: int) -> ApiToken:
    require_administrator(user)
    return ApiToken.objects.select_related("user").get(pk=token_id)


def token_status(token: ApiToken) -> str:
    if token.revoked_at:
        return "Revoked"
    if token.expires_at and token.expires_at <= timezone.now():
        return "Expired"
    return "Active"


def administrators_left(*, user: User) -> int:
    require_administrator(user)
    return User.objects.filter(role=Role.ADMINISTRATOR, is_active=True).count()
