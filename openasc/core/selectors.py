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
    return BreakGlassAccess.objects.filter(user=user, person_id=person_id, ended_at__isnull=True,
                                           expires_at__gt=timezone.now()).first()


def restriction_for(*, user: User, person_id: int):
    """The live restriction on a record, for the people who manage restrictions (None if there is none)."""
    from openasc.core.models import Restriction, Role

    if user.role not in (Role.INFORMATION_GOVERNANCE, Role.TEAM_MANAGER):
        raise PermissionError("Only information governance or a team manager can manage restrictions.")
    return Restriction.objects.filter(person_id=person_id, lifted_at__isnull=True).first()
