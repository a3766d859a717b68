"""Helpers for engine tests: build small CLD tables from dicts (no Django)."""

from __future__ import annotations

import datetime as dt

import duckdb
import pytest

from openasc.reporting.engine.schema import ALL_COLUMNS, create_table_sql

DEFAULTS = {
    "Reporting_Period_Start_Date": dt.date(2024, 4, 1),
    "Reporting_Period_End_Date": dt.date(2025, 3, 31),
    "Client_Type": "Service user",
    "Gender": "Female",
    "Date_of_Birth": dt.date(1940, 6, 15),
}

_ALIASES = {
    "person": "LA_Person_Unique_Identifier",
    "type": "Event_Type",
    "start": "Event_Start_Date",
    "end": "Event_End_Date",
    "outcome": "Event_Outcome",
    "service": "Service_Type",
    "component": "Service_Component",
    "dob": "Date_of_Birth",
    "dod": "Date_of_Death",
    "rps": "Reporting_Period_Start_Date",
    "rpe": "Reporting_Period_End_Date",
    "accom": "Accommodation_Status",
    "psr": "Primary_Support_Reason",
    "dm": "Delivery_Mechanism",
    "client": "Client_Type",
}

DB_COLS = [c[1] for c in ALL_COLUMNS]


def _value(v):
    if isinstance(v, str) and len(v) == 10 and v[4] == "-" and v[7] == "-":
        try:
            return dt.date.fromisoformat(v)
        except ValueError:
            return v
    return v


def make_rows(rows: list[dict]) -> list[dict]:
    out = []
    for r in rows:
        rec = dict(DEFAULTS)
        for k, v in r.items():
            rec[_ALIASES.get(k, k)] = _value(v)
        out.append(rec)
    return out


def cld_con(rows: list[dict], table: str = "cld_input") -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    con.execute(create_table_sql(table))
    recs = make_rows(rows)
    if recs:
        placeholders = ", ".join("?" for _ in DB_COLS)
        con.executemany(
            f'INSERT INTO "{table}" VALUES ({placeholders})', [[r.get(c) for c in DB_COLS] for r in recs]
        )
    return con


@pytest.fixture
def build():
    return cld_con


@pytest.fixture(autouse=True)
def audit_safety_net():
    """Engine tests touch no Django models: override the suite-wide audit fixture (which imports
    Django models) so these tests also run with ``-p no:django``."""
    yield []


def pytest_ignore_collect(collection_path, config):
    """With ``-p no:django`` only the engine tests (``test_engine_*.py``) can run: skip collecting
    the Django tests that live in this folder instead of failing the whole run.  With the Django
    plugin active nothing is skipped."""
    if config.pluginmanager.hasplugin("django"):
        return None
    name = collection_path.name
    if name.startswith("test_") and name.endswith(".py") and not name.startswith("test_engine_"):
        return True
    return None
