"""Every migration that loads reference data is reloaded after a transactional test (openasc/conftest.py), so tests
pass in any order on several workers; a migration whose RunPython only adds triggers or fills a new column is named
here as not loading data. A new data migration fails this test until it is in one list or the other."""

from __future__ import annotations

import importlib
from pathlib import Path

import pytest
from django.db import migrations

from openasc.conftest import REFERENCE_LOADERS, reload_reference_data

ROOT = Path(__file__).resolve().parents[2]
NOT_DATA = {
    "openasc.core.migrations.0002_reference_codes_and_audit_trigger": "its triggers (the codes are a loader)",
    "openasc.core.migrations.0006_actor_index_covered_by_actor_time": "restores the SQLite audit trigger",
    "openasc.core.migrations.0009_audit_hash_chain": "fills the hash chain of events the flush removed anyway",
}


def _run_python_modules() -> set[str]:
    found = set()
    for path in ROOT.glob("*/migrations/0*.py"):
        module = importlib.import_module(f"openasc.{path.parent.parent.name}.migrations.{path.stem}")
        if any(isinstance(op, migrations.RunPython) for op in module.Migration.operations):
            found.add(module.__name__)
    return found


def test_every_data_migration_is_reloaded_or_named_as_not_loading_data():
    loaders = {m for m, _ in REFERENCE_LOADERS}
    assert _run_python_modules() - loaders - set(NOT_DATA) == set()
    for module, name in REFERENCE_LOADERS:
        assert callable(getattr(importlib.import_module(module), name)), (module, name)


@pytest.mark.django_db(transaction=True)
def test_reloading_gives_back_what_the_migrations_loaded():
    from openasc.core.models import ReferenceCode
    from openasc.planning.models import ResourceAllocationBand
    from openasc.reporting.models import PopulationEstimate
    from openasc.safeguarding.models import LocalSourceType

    models = (ReferenceCode, ResourceAllocationBand, PopulationEstimate, LocalSourceType)
    before = {m: m.objects.count() for m in models}
    assert all(before.values())
    for m in models:
        m.objects.all().delete()
    reload_reference_data()
    assert {m: m.objects.count() for m in models} == before
