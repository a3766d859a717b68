"""The demo builds its teams and accounts through the staff services, so each one is in the audit trail."""

from __future__ import annotations

import json
from io import StringIO

import pytest
from django.contrib.auth import authenticate
from django.core.management import call_command

from openasc.core.models import AuditAction, AuditEvent, Role, Team, User
from openasc.core.tests.factories import UserFactory
from openasc.demo.build import DEMO_STAFF, TEAMS, Builder, demo_password


@pytest.mark.no_audit_safety_net
def test_the_demo_accounts_are_created_and_audited_by_its_administrator(transactional_db):
    call_command(
        "demo",
        "--people",
        "30",
        "--seed",
        "4",
        "--reset",
        "--no-history",
        stdout=StringIO(),
        stderr=StringIO(),
    )
    admin = User.objects.get(username="admin")
    first = AuditEvent.objects.get(
        object_type="core.user", object_id=str(admin.pk), action=AuditAction.CREATE
    )
    assert first.actor == admin and first.reason == "first administrator created by the demo build"
    for username, role, team_codes, first_name, _ in DEMO_STAFF:
        user = User.objects.get(username=username)
        assert (user.role, user.first_name) == (role, first_name)
        assert sorted(t.code for t in user.teams.all()) == sorted(team_codes)
        assert authenticate(username=username, password=demo_password(username, 4)) == user
        events = AuditEvent.objects.filter(object_type="core.user", object_id=str(user.pk), actor=admin)
        assert events.filter(action=AuditAction.UPDATE, details__password="given").exists()
        assert demo_password(username, 4) not in json.dumps(list(events.values_list("details", flat=True)))
    system = User.objects.get(username="system")
    assert (
        system.role == Role.SYSTEM
        and not system.has_usable_password()
        and system.display_name == "OpenASC system"
    )
    assert Team.objects.count() == len(TEAMS)
    assert AuditEvent.objects.filter(
        object_type="core.team", action=AuditAction.CREATE, actor=admin
    ).count() == len(TEAMS)
    workers = User.objects.filter(username__startswith="worker")
    assert workers.count() == 60 and not any(w.has_usable_password() for w in workers)
    assert all(w.teams.count() == 1 for w in workers)


def test_the_demo_needs_an_administrator_when_there_are_accounts_already(db):
    UserFactory(username="someone", role=Role.SOCIAL_WORKER)
    with pytest.raises(RuntimeError, match="no active administrator"):
        Builder(seed=1, people=1).build_staff()
    assert not Team.objects.exists()


def test_the_demo_uses_an_existing_administrator(db):
    ops = UserFactory(username="ops", role=Role.ADMINISTRATOR)
    Builder(seed=2, people=1).build_staff()
    sam = User.objects.get(username="socialworker")
    assert (
        AuditEvent.objects.get(
            object_type="core.user", object_id=str(sam.pk), action=AuditAction.CREATE
        ).actor
        == ops
    )
