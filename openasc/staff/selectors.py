"""Reads for staff administration, always for an administrator (anyone else is refused)."""

from __future__ import annotations

from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils import timezone

from openasc.core.models import ApiToken, Role, Team, User
from openasc.staff.services import require_administrator

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


def team_list(*, user: User) -> QuerySet:
    require_administrator(user)
    return Team.objects.annotate(member_count=Count("members", filter=Q(members__is_active=True))).order_by(
        "name"
    )


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
