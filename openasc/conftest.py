"""Fixtures for the whole suite: a user per role, and the audit safety net."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from django.db.models.signals import post_delete, post_save

# The migrations that load reference data, and the function in each that loads it. A transactional test ends by
# emptying every table; the fixture below loads these again after it, so that whichever test a worker runs next
# (make test runs the suite on several workers, in no fixed order) finds the database as the migrations left it.
# test_reference_reload.py checks that every migration with a RunPython is here or named as not loading data.
REFERENCE_LOADERS = (
    ("openasc.core.migrations.0002_reference_codes_and_audit_trigger", "load_codes"),
    ("openasc.core.migrations.0003_more_reference_codes", "load_codes"),
    ("openasc.documents.migrations.0002_standard_letters", "add"),
    ("openasc.planning.migrations.0002_resource_allocation_bands", "load"),
    ("openasc.reporting.migrations.0002_population_estimates", "load_defaults"),
    ("openasc.reporting.migrations.0004_import_run_lock", "lock_row"),
    ("openasc.safeguarding.migrations.0002_local_source_types", "add"),
    ("openasc.finance.migrations.0002_care_categories_and_years", "add"),
    ("openasc.payments.migrations.0002_default_schedules", "add"),
    ("openasc.charging.migrations.0002_national_rates", "load"),
)


def reload_reference_data() -> None:
    import importlib

    from django.apps import apps

    for module, name in REFERENCE_LOADERS:
        getattr(importlib.import_module(module), name)(apps, None)


def pytest_configure(config):
    """A transactional test empties every table when it ends (TransactionTestCase's flush); straight after, the
    migrations' reference data is loaded again, inside that teardown, so no test after it finds it missing."""
    import django.test

    flush = django.test.TransactionTestCase._fixture_teardown
    if getattr(flush, "reloads_reference_data", False):
        return

    def flush_then_reload(self):
        flush(self)
        reload_reference_data()

    flush_then_reload.reloads_reference_data = True
    django.test.TransactionTestCase._fixture_teardown = flush_then_reload


@pytest.fixture(autouse=True)
def fresh_cache():
    """Every test starts with empty caches: a return computed by an earlier test on the same worker (from other
    data) must not be what this one is shown."""
    from django.core.cache import caches

    for cache in caches.all():
        cache.clear()
    yield


@pytest.fixture
def teams(db):
    from openasc.core.tests.factories import TeamFactory

    return SimpleNamespace(
        north=TeamFactory(code="locality-north", name="Locality team north"),
        south=TeamFactory(code="locality-south", name="Locality team south"),
        nhs=TeamFactory(code="nhs-icb", name="NHS integrated care team", is_nhs_partner=True),
        # settings.OPENASC_SAFEGUARDING_TEAM: every safeguarding concern lands in its queue
        safeguarding=TeamFactory(code="safeguarding", name="Safeguarding adults hub"),
    )


@pytest.fixture
def staff(db, teams):
    """One user for every role, in the north locality team unless the role is a partner or a system."""
    from openasc.core.models import Role
    from openasc.core.tests.factories import UserFactory

    made = {}
    for role in Role:
        team_list = (
            [teams.nhs]
            if role == Role.NHS_PARTNER
            else ([] if role in (Role.SYSTEM, Role.ADMINISTRATOR) else [teams.north])
        )
        made[role.value] = UserFactory(username=role.value, role=role, teams=team_list)
    return SimpleNamespace(**made)


# What audits a read, not a change: an event with one of these actions never accounts for a save or a delete.
READ_ACTIONS = frozenset(
    {"view", "search", "export", "disclose", "access_refused", "sign_in", "sign_in_failed", "sign_out"}
)
DELETE_ACTIONS = frozenset({"delete", "merge", "update"})


@pytest.fixture(autouse=True)
def audit_safety_net(request):
    """Fail any test that saves or deletes personal data without writing an audit event for it.

    Each save or delete of a sensitive model must be matched by an event written during this test for that object,
    with the same request id (so an event from another request, or from before the test, does not count) and an
    action that describes a change (a delete: delete, merge or update), not a read. A write inside an
    `audit.bulk()` block is accounted for by the block's summary event; with `summary=False` the caller's own
    per-object events must match as above. `QuerySet.update()` and the other bulk writes send no signals: the
    sensitive managers refuse them outside a block (core.sensitive), so none goes unseen."""
    from openasc.core import audit
    from openasc.core.context import current_request_id
    from openasc.core.models import AuditEvent

    names = set(request.fixturenames)
    uses_db = (
        bool(names & {"db", "transactional_db", "live_server", "staff", "teams", "client"})
        or request.node.get_closest_marker("django_db") is not None
    )
    if "no_audit_safety_net" in request.keywords or not uses_db:
        yield
        return
    # Set the database up inside this fixture so that it is torn down after the check below.
    request.getfixturevalue("transactional_db" if names & {"transactional_db", "live_server"} else "db")
    last = AuditEvent.objects.order_by("-pk").values_list("pk", flat=True).first()
    floor = last or 0
    touched: list[_Write] = []

    def remember(sender, instance, kind):
        if sender not in audit.SENSITIVE_MODELS or audit.is_exempt():
            return
        block = audit.current_bulk()
        if block is not None and block.summary:
            return  # the block writes one event for all its writes when it ends, or rolls them back
        touched.append(_Write(sender._meta.label_lower, str(instance.pk), kind, current_request_id()))

    def saved(sender, instance, **kwargs):
        remember(sender, instance, "save")

    def deleted(sender, instance, **kwargs):
        remember(sender, instance, "delete")

    post_save.connect(saved, weak=False, dispatch_uid="audit-safety-net-save")
    post_delete.connect(deleted, weak=False, dispatch_uid="audit-safety-net-delete")
    try:
        yield touched
    finally:
        post_save.disconnect(dispatch_uid="audit-safety-net-save")
        post_delete.disconnect(dispatch_uid="audit-safety-net-delete")
    if not touched:
        return
    # A write rolled back with its transaction or savepoint (a request that failed half way) changed nothing.
    missing = unaccounted([w.key for w in touched if w.kept()], floor)
    assert not missing, (
        f"Personal data saved without an audit event of that change in that request: {missing}"
    )


class _Write:
    """One save or delete the safety net saw, and whether it was kept: Django drops the on-commit callback of a
    savepoint that rolls back, so a write is kept if its callback ran (committed) or is still waiting to."""

    def __init__(self, label: str, pk: str, kind: str, rid: str):
        from django.db import transaction

        self.key = (label, pk, kind, rid)
        self.committed = False
        self.connection = transaction.get_connection()
        transaction.on_commit(self._commit)

    def _commit(self):
        self.committed = True

    def kept(self) -> bool:
        return self.committed or any(func == self._commit for _, func, _ in self.connection.run_on_commit)


def unaccounted(touched, floor: int) -> list[tuple[str, str, str, str]]:
    """The writes in `touched` that no audit event after id `floor` accounts for (see audit_safety_net)."""
    from openasc.core.models import AuditEvent

    missing = []
    for label, pk, kind, rid in dict.fromkeys(touched):
        events = AuditEvent.objects.filter(pk__gt=floor, object_type=label, object_id=pk, request_id=rid)
        events = (
            events.filter(action__in=DELETE_ACTIONS)
            if kind == "delete"
            else events.exclude(action__in=READ_ACTIONS)
        )
        if not events.exists():
            missing.append((label, pk, kind, rid or "no request"))
    return missing
