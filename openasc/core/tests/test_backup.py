"""`openasc backup` / `openasc restore` (ADR 0011): back up, wipe, restore, and find every row again.

Runs on whichever database the suite runs on (SQLite by default, PostgreSQL with DATABASE_URL); the few tests that
only make sense on one of them say so."""

from __future__ import annotations

import sqlite3
import subprocess

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, connection, transaction

from openasc.core import audit, backup
from openasc.core.models import AuditAction, AuditEvent, Role
from openasc.core.tests.factories import CareRelationshipFactory, UserFactory
from openasc.people.models import Person
from openasc.people.tests.factories import PersonFactory

pg_only = pytest.mark.skipif("connection.vendor != 'postgresql'", reason="PostgreSQL only")
sqlite_only = pytest.mark.skipif("connection.vendor != 'sqlite'", reason="SQLite only")


def snapshot() -> dict[str, list[str]]:
    """Every row of every table, as text, in a stable order (not SQLite's planner statistics, sqlite_stat1, which an
    earlier test's ANALYZE leaves behind: statistics, not data, rebuilt by the next ANALYZE)."""
    tables = {}
    with connection.cursor() as cursor:
        for name in connection.introspection.table_names(cursor):
            if name.startswith("sqlite_"):
                continue
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(name)}")
            tables[name] = sorted(repr(row) for row in cursor.fetchall())
    return tables


@pytest.fixture
def council(transactional_db):
    """Accounts, people, a relationship and a chain of audit events."""
    system = UserFactory(username="system", role=Role.SYSTEM)
    worker = UserFactory(username="worker", role=Role.SOCIAL_WORKER)
    people = [PersonFactory(first_name=name) for name in ("Ada", "Bea", "Cyd")]
    CareRelationshipFactory(person=people[0], user=worker, created_by=system)
    for person in people:
        audit.record(actor=system, action=AuditAction.CREATE, obj=person, details={"why": "set-up", "n": 1.0})
    audit.record(actor=worker, action=AuditAction.SEARCH, details={"q": "Ada Lovelace ü"}, reason="a query")
    return people


def wipe() -> None:
    call_command("flush", interactive=False, verbosity=0)
    assert not backup.in_use()
    assert not Person.objects.exists() and not AuditEvent.objects.exists()


def test_back_up_wipe_restore_finds_every_row_and_the_chain(council, tmp_path, capsys):
    path = tmp_path / "council.backup"
    call_command("backup", str(path))
    assert "Backed up the" in capsys.readouterr().out and path.is_file()
    assert not list(tmp_path.glob(".*partial"))
    # the backup audits itself, and the event is in the backup
    made = AuditEvent.objects.get(action=AuditAction.EXPORT, basis="backup")
    before = snapshot()
    assert len(before["people_person"]) == 3 and len(before["core_auditevent"]) == 5

    wipe()
    call_command("restore", str(path))  # an empty database: no --yes needed
    out = capsys.readouterr().out
    assert "5 audit events, chain intact (head " in out and f"head {made.pk}:{made.row_hash}" in out

    after = snapshot()
    assert set(after) == set(before)
    for table, rows in before.items():
        if table != "core_auditevent":
            assert after[table] == rows, table
    # every event is back, and the restore appended one of its own to the chain
    assert set(before["core_auditevent"]) < set(after["core_auditevent"])
    restored = AuditEvent.objects.order_by("-pk").first()
    assert (restored.action, restored.basis, restored.prev_hash) == (
        AuditAction.UPDATE,
        "restore",
        made.row_hash,
    )
    assert restored.details["events_restored"] == 5
    assert backup.verify_audit()[0] == 6
    assert {p.first_name for p in Person.objects.all()} == {"Ada", "Bea", "Cyd"}


def test_the_restored_audit_table_is_append_only_again(council, tmp_path):
    path = tmp_path / "b"
    made = backup.backup(path)
    # the figures are the copy's: every table and row
    tables = snapshot()
    assert (made.tables, made.rows, made.audit_events) == (len(tables), sum(map(len, tables.values())), 4)
    wipe()
    result = backup.restore(path)
    assert result.audit_events == 4 and backup.AUDIT_TRIGGERS[connection.vendor] <= backup.audit_triggers()
    with (
        pytest.raises(DatabaseError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute("UPDATE core_auditevent SET reason = 'rewritten'")
    assert not AuditEvent.objects.filter(reason="rewritten").exists()


def test_restore_over_a_database_in_use_needs_yes(council, tmp_path):
    path = tmp_path / "b"
    backup.backup(path)
    before = snapshot()
    newcomer = PersonFactory(first_name="Dee")
    with audit.exempt_from_safety_net():
        Person.objects.filter(pk=council[1].pk).update(first_name="Changed")
    with pytest.raises(CommandError, match=r"not empty \(.* people_person\).*--yes"):
        call_command("restore", str(path), "--as-user", "nobody")
    assert Person.objects.filter(pk=newcomer.pk).exists()  # nothing changed
    assert Person.objects.get(pk=council[1].pk).first_name == "Changed"

    call_command("restore", str(path), "--yes", "--as-user", "nobody")
    assert snapshot() == before  # the newcomer and the change are gone; nothing else moved
    assert not Person.objects.filter(pk=newcomer.pk).exists()


def test_an_empty_database_restores_without_yes_and_empty_means_no_accounts_people_or_events(
    transactional_db,
):
    assert not backup.in_use()  # only what the migrations load (reference codes, content types)
    UserFactory(username="someone")
    assert backup.in_use()


# --- bad input: a clear error naming PATH, and nothing changed


def test_restore_refuses_a_missing_file(council, tmp_path):
    with pytest.raises(CommandError, match=r"PATH .*nope: no such file"):
        call_command("restore", str(tmp_path / "nope"), "--yes")
    assert Person.objects.count() == 3


def test_restore_refuses_a_file_that_is_not_a_backup(council, tmp_path):
    junk = tmp_path / "notes.txt"
    junk.write_text("not a database\n")
    with pytest.raises(CommandError, match=r"PATH .*notes.txt: not a"):
        call_command("restore", str(junk), "--yes")
    assert Person.objects.count() == 3 and backup.verify_audit()[0] == 4


def test_backup_refuses_a_directory_or_a_missing_folder(council, tmp_path):
    with pytest.raises(CommandError, match="is a directory"):
        call_command("backup", str(tmp_path))
    with pytest.raises(CommandError, match="does not exist"):
        call_command("backup", str(tmp_path / "no" / "such" / "b"))
    assert list(tmp_path.iterdir()) == []


def test_backup_of_an_unused_database_is_not_audited(transactional_db, tmp_path, capsys):
    call_command("backup", str(tmp_path / "b"))
    assert "Not audited" in capsys.readouterr().out and not AuditEvent.objects.exists()


# --- SQLite


@sqlite_only
def test_sqlite_refuses_a_sqlite_file_that_is_not_openasc(council, tmp_path):
    other = tmp_path / "other.sqlite3"
    with sqlite3.connect(other) as db:
        db.execute("CREATE TABLE t (x)")
    with pytest.raises(CommandError, match="not an OpenASC backup"):
        call_command("restore", str(other), "--yes")
    assert Person.objects.count() == 3


@sqlite_only
def test_sqlite_backup_is_one_self_contained_file(council, tmp_path):
    path = tmp_path / "b.sqlite3"
    backup.backup(path)
    with sqlite3.connect(path) as db:
        assert db.execute("PRAGMA journal_mode").fetchone()[0] == "delete"
        assert db.execute("SELECT count(*) FROM people_person").fetchone()[0] == 3
    assert sorted(p.name for p in tmp_path.iterdir()) == ["b.sqlite3"]


@sqlite_only
def test_sqlite_restore_of_a_tampered_backup_is_reported(council, tmp_path):
    path = tmp_path / "b.sqlite3"
    backup.backup(path)
    with sqlite3.connect(path) as db:  # someone with the file rewrites an event, and puts the trigger back
        db.execute("DROP TRIGGER core_auditevent_no_update")
        db.execute(
            "UPDATE core_auditevent SET reason = 'nothing to see' WHERE id = (SELECT min(id) FROM "
            "core_auditevent)"
        )
    with pytest.raises(backup.BackupError, match="lacks its trigger"):
        backup.restore(path, force=True)
    with sqlite3.connect(path) as db:
        db.executescript(
            "CREATE TRIGGER core_auditevent_no_update BEFORE UPDATE ON core_auditevent "
            "BEGIN SELECT RAISE(ABORT, 'append-only'); END;"
        )
    with pytest.raises(CommandError, match=r"audit chain is broken at event .*row_hash does not match"):
        call_command("restore", str(path), "--yes")


# --- PostgreSQL


@pg_only
def test_postgresql_restores_into_a_database_with_no_tables_at_all(council, tmp_path):
    path = tmp_path / "b.dump"
    backup.backup(path)
    before = snapshot()
    with connection.cursor() as cursor:
        cursor.execute("DROP SCHEMA public CASCADE")  # tables, triggers and their functions
        cursor.execute("CREATE SCHEMA public")
    assert backup.table_rows() == {}
    backup.restore(path)
    assert snapshot() == before
    assert backup.audit_triggers() == backup.AUDIT_TRIGGERS["postgresql"]
    with connection.cursor() as cursor:  # the sequence carries on after the restored ids
        cursor.execute("SELECT last_value FROM core_auditevent_id_seq")
        assert cursor.fetchone()[0] == AuditEvent.objects.order_by("-pk").first().pk


@pg_only
def test_postgresql_refuses_a_damaged_dump(council, tmp_path):
    path = tmp_path / "b.dump"
    path.write_bytes(b"PGDMP" + b"\x00" * 64)
    with pytest.raises(CommandError, match="pg_restore cannot read it"):
        call_command("restore", str(path), "--yes")
    assert Person.objects.count() == 3


@pg_only
def test_postgresql_needs_pg_dump_on_path(council, tmp_path, monkeypatch):
    monkeypatch.setattr(backup.shutil, "which", lambda name: None)
    with pytest.raises(
        CommandError, match=r"pg_dump is not on PATH: install the PostgreSQL \d+ client tools"
    ):
        call_command("backup", str(tmp_path / "b.dump"))
    assert list(tmp_path.iterdir()) == []


@pg_only
def test_postgresql_tools_must_match_the_servers_major_version(council, tmp_path, monkeypatch):
    real = subprocess.run

    def old_tools(cmd, **kwargs):
        if cmd[-1] == "--version":
            return subprocess.CompletedProcess(cmd, 0, stdout="pg_dump (PostgreSQL) 9.6.24\n", stderr="")
        return real(cmd, **kwargs)

    monkeypatch.setattr(backup.subprocess, "run", old_tools)
    with pytest.raises(CommandError, match=r"is version 9 but the server is PostgreSQL \d+"):
        call_command("backup", str(tmp_path / "b.dump"))
    assert list(tmp_path.iterdir()) == []


@pg_only
def test_postgresql_restores_as_the_owner_and_grants_the_app_role_again(council, tmp_path, monkeypatch):
    """As in production (ADR 0008): the application connects as its own role, DATABASE_OWNER_URL names the owner."""
    import uuid

    import psycopg

    from openasc.core import dbroles

    name, password = f"openasc_app_test_{uuid.uuid4().hex[:8]}", uuid.uuid4().hex
    with connection.cursor() as cursor:
        dbroles.create_app_role(cursor, name, password)
        dbroles.grant_app_role(cursor, name)
    settings = connection.settings_dict
    owner = {k: settings[k] for k in ("USER", "PASSWORD", "HOST", "PORT")}
    monkeypatch.setattr(dbroles, "owner_settings", lambda: owner)
    path = tmp_path / "b.dump"
    saved = {"USER": settings["USER"], "PASSWORD": settings["PASSWORD"]}
    connection.close()
    settings.update({"USER": name, "PASSWORD": password})
    try:
        backup.backup(path)
        result = backup.restore(path, force=True)
        assert result.notes == [f"granted {name} its rights (append and read only on the audit trail)"]
        assert result.audit_events == 4 and Person.objects.count() == 3  # read as the app role
    finally:
        connection.close()
        settings.update(saved)
    dsn = psycopg.conninfo.make_conninfo(
        dbname=settings["NAME"],
        user=name,
        password=password,
        host=settings["HOST"] or "127.0.0.1",
        port=str(settings["PORT"] or 5432),
    )
    try:
        with psycopg.connect(dsn) as conn:
            assert conn.execute("SELECT count(*) FROM people_person").fetchone()[0] == 3
            conn.execute("UPDATE people_person SET first_name = first_name")  # normal rights on the record
            conn.commit()
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                conn.execute("TRUNCATE core_auditevent")  # only the revoked right stops this (no row trigger)
            conn.rollback()
        with connection.cursor() as cursor:  # the tables belong to the owner, not the app role
            cursor.execute("SELECT DISTINCT tableowner FROM pg_tables WHERE schemaname = 'public'")
            assert [r[0] for r in cursor.fetchall()] == [owner["USER"]]
    finally:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = %s", [name]
            )
            cursor.execute(f'DROP OWNED BY "{name}"')
            cursor.execute(f'DROP ROLE IF EXISTS "{name}"')
