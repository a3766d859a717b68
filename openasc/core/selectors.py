"""Reads owned by core: break-glass review queue and a user's active grants."""

from __future__ import annotations

from django.db.models import QuerySet
from django.utils import timezone

from openasc.core import access
from openasc.core.models import BreakGlassAccess, User


def break_glass_review_queue(*, user: User) -> QuerySet:
    """Unreviewed break-glass accesses a manager (their teams) or information governance (all) must review."""
    if not access.has(user, access.Capability.REVIEW_BREAK_GLASS):
        return BreakGlassAccess.objects.none()
    qs = BreakGlassAccess.objects.filter(reviewed_at__isnull=True).exclude(user=user)
    if user.role != "information_governance":
        qs = qs.filter(user__teams__in=user.teams.all()).distinct()
    return qs.select_related("user", "person").order_by("started_at")


def break_glass_get_for_review(*, user: User, grant_id: int) -> BreakGlassAccess:
    return break_glass_review_queue(user=user).get(pk=grant_id)


def active_break_glass(*, user: User, person_id: int) -> BreakGlassAccess | None:
    return BreakGlassAccess.objects.filter(
        user=user, person_id=person_id, ended_at__isnull=True, expires_at__gt=timezone.now()
    ).first()


def may_change_restriction(user: User, person, restriction) -> bool:
    """Information governance always; otherwise a lift or change needs a role or user named on the restriction,
    and restricting a record needs a team manager who may open it (a working relationship, not the role alone)."""
    from openasc.core.models import Role

    if not (user and user.is_authenticated and user.is_active):
        return False
    if user.role in (Role.INFORMATION_GOVERNANCE, Role.SYSTEM):
        return True
    if restriction is not None:
        return (
            user.role in restriction.allowed_role_list
            or restriction.allowed_users.filter(pk=user.pk).exists()
        )
    return user.role == Role.TEAM_MANAGER and access.explain(user, person).allowed


RESTRICTION_REFUSED = (
    "Only information governance, or the roles and staff named on a restriction, can change it. "
    "A team manager can restrict a record they work with."
)


def restriction_for(*, user: User, person):
    """The live restriction on a record (None if there is none), for those who may change it (PermissionError
    otherwise, audited against the person)."""
    from openasc.core.models import Restriction

    current = Restriction.objects.filter(person=person, lifted_at__isnull=True).first()
    require_may_change_restriction(user, person, current, purpose="restriction")
    return current


def require_may_change_restriction(user: User, person, restriction, *, purpose: str) -> None:
    """Raise PermissionError (the refusal audited against the person) unless `user` may change the restriction."""
    if not may_change_restriction(user, person, restriction):
        access.refuse(user, person_id=person.pk, purpose=purpose, explanation=RESTRICTION_REFUSED)
        raise PermissionError(RESTRICTION_REFUSED)


def break_glass_events(*, user: User, grant: BreakGlassAccess) -> list:
    """What the grant's holder opened or did on the record while the grant was in force (for its review)."""
    from openasc.core.models import AuditEvent

    if not access.has(user, access.Capability.REVIEW_BREAK_GLASS):
        return []
    until = grant.ended_at or grant.expires_at
    return list(
        AuditEvent.objects.filter(
            actor_id=grant.user_id,
            person_id=grant.person_id,
            occurred_at__gte=grant.started_at,
            occurred_at__lte=until,
        ).order_by("occurred_at", "pk")[:500]
    )
