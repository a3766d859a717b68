"""Fixtures for the whole suite: a user per role, and the audit safety net."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from django.db.models.signals import post_delete, post_save


@pytest.fixture
def teams(db):
    from openasc.core.tests.factories import TeamFactory

    return SimpleNamespace(
        north=TeamFactory(code="locality-north", name="Locality team north"),
        south=TeamFactory(code="locality-south", name="Locality team south"),
        nhs=TeamFactory(code="nhs-icb", name="NHS integrated care team", is_nhs_partner=True),
    )


@pytest.fixture
def staff(db, teams):
    """One user for every role, in the north locality team unless the role is a partner or a system."""
    from openasc.core.models import Role
    from openasc.core.tests.factories import UserFactory

    made = {}
    for role in Role:
        team_list = [teams.nhs] if role == Role.NHS_PARTNER else ([] if role in (Role.SYSTEM, Role.ADMINISTRATOR)
                                                                  else [teams.north])
        made[role.value] = UserFactory(username=role.value, role=role, teams=team_list)
    return SimpleNamespace(**made)


@pytest.fixture(autouse=True)
def audit_safety_net(request):
    """Fail any test that saves or deletes personal data without writing an audit event for it."""
    from openasc.core import audit
    from openasc.core.models import AuditEvent

    names = set(request.fixturenames)
    uses_db = bool(names & {"db", "transactional_db", "live_server", "staff", "teams", "client"}) or \
        request.node.get_closest_marker("django_db") is not None
    if "no_audit_safety_net" in request.keywords or not uses_db:
        yield
        return
    # Set the database up inside this fixture so that it is torn down after the check below.
    request.getfixturevalue("transactional_db" if names & {"transactional_db", "live_server"} else "db")
    touched: list[tuple[str, str]] = []

    def remember(sender, instance, **kwargs):
        if sender in audit.SENSITIVE_MODELS and not audit.is_exempt():
            touched.append((sender._meta.label_lower, str(instance.pk)))

    post_save.connect(remember, weak=False, dispatch_uid="audit-safety-net-save")
    post_delete.connect(remember, weak=False, dispatch_uid="audit-safety-net-delete")
    try:
        yield touched
    finally:
        post_save.disconnect(dispatch_uid="audit-safety-net-save")
        post_delete.disconnect(dispatch_uid="audit-safety-net-delete")
    if not touched:
        return
    missing = [
        (label, pk) for label, pk in dict.fromkeys(touched)
        if not AuditEvent.objects.filter(object_type=label, object_id=pk).exists()
    ]
    assert not missing, f"Personal data saved without an audit event: {missing}"
