"""The audit trail's integrity (ADR 0008): the hash chain on both databases, and on PostgreSQL the app role that can
only append to it."""

import itertools
import uuid
from io import StringIO

import psycopg
import pytest
from django.core.management import call_command
from django.db import connection, transaction

from openasc.core import audit
from openasc.core.models import AuditEvent

postgresql_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="database roles and privileges exist only on PostgreSQL"
)


def verify() -> tuple[int, str]:
    out = StringIO()
    try:
        call_command("audit", "verify", stdout=out)
    except SystemExit as exc:
        return exc.code, out.getvalue()
    return 0, out.getvalue()


def make_events(staff, n=5):
    for i in range(n):
        audit.record(
            actor=staff.social_worker,
            action="view",
            person_id=100 + i,
            reason=f"visit {i}",
            details={"n": i, "ratio": 1.0, "name": "Zoë", "when": [2024, 4, 1]},
        )
    audit.record_many(
        actor=staff.team_manager,
        action="search",
        objs=[staff.social_worker, staff.broker],
        basis="Search results",
        details={"q": "smith"},
    )
    return list(AuditEvent.objects.order_by("id"))


def tamper(sql: str, params=()) -> None:
    """Change the table behind the application's back: with the append-only triggers out of the way."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("DROP TRIGGER IF EXISTS core_auditevent_no_update")
        else:  # as the superuser the tests connect as (the deferred foreign-key checks run first)
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute("ALTER TABLE core_auditevent DISABLE TRIGGER ALL")
        cursor.execute(sql, params)
        if connection.vendor != "sqlite":
            cursor.execute("ALTER TABLE core_auditevent ENABLE TRIGGER ALL")


def test_events_are_chained_in_id_order(staff):
    events = make_events(staff)
    assert len(events) == 7
    assert events[0].prev_hash == audit.GENESIS or AuditEvent.objects.filter(pk__lt=events[0].pk).exists()
    for before, after in itertools.pairwise(events):
        assert after.prev_hash == before.row_hash
        assert after.row_hash == audit.hash_row(
            {f: getattr(after, f) for f in audit.CHAINED_FIELDS}, after.prev_hash
        )


def test_a_clean_chain_verifies(staff):
    make_events(staff)
    code, out = verify()
    assert code == 0, out
    assert out.startswith(f"{AuditEvent.objects.count()} events, chain intact (head ")


def test_an_empty_trail_verifies(db):
    assert verify() == (0, "0 events, chain intact\n")


def test_an_event_changed_behind_the_apps_back_is_detected(staff):
    events = make_events(staff)
    target = events[3]
    tamper("UPDATE core_auditevent SET reason = 'nothing to see' WHERE id = %s", [target.pk])
    code, out = verify()
    assert code == 1
    assert f"BROKEN at event {target.pk} " in out and "row_hash does not match its fields" in out


def test_a_changed_time_is_detected(staff):
    events = make_events(staff)
    target = events[2]
    tamper(
        "UPDATE core_auditevent SET occurred_at = %s WHERE id = %s",
        [target.occurred_at.replace(year=2020), target.pk],
    )
    code, out = verify()
    assert code == 1 and f"BROKEN at event {target.pk} " in out


def test_a_deleted_event_in_the_middle_is_detected(staff):
    events = make_events(staff)
    tamper("DELETE FROM core_auditevent WHERE id = %s", [events[3].pk])
    code, out = verify()
    assert code == 1
    assert f"BROKEN at event {events[4].pk} " in out and "prev_hash does not match" in out


def test_a_deleted_first_event_is_detected(staff):
    events = make_events(staff)
    tamper("DELETE FROM core_auditevent WHERE id = %s", [events[0].pk])
    code, out = verify()
    assert code == 1 and f"BROKEN at event {events[1].pk} " in out


def test_an_event_inserted_with_a_forged_hash_is_detected(staff):
    events = make_events(staff)
    # a forger who links their row to the real head but cannot make its row_hash fit its fields
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO core_auditevent (occurred_at, actor_id, action, person_id, object_type, object_id, "
            "basis, reason, request_id, details, prev_hash, row_hash) "
            "VALUES (%s, %s, 'view', 999, '', '', '', 'forged', '', '{}', %s, %s)",
            [events[-1].occurred_at, staff.social_worker.pk, events[-1].row_hash, events[-1].row_hash],
        )
    forged = AuditEvent.objects.get(reason="forged")
    code, out = verify()
    assert code == 1
    assert f"BROKEN at event {forged.pk} " in out and "row_hash does not match" in out


def test_an_event_with_a_hash_of_a_forged_chain_is_detected(staff):
    """A row whose hash is right for its fields but chained from a hash that is not its predecessor's."""
    events = make_events(staff)
    values = {f: getattr(events[-1], f) for f in audit.CHAINED_FIELDS}
    values.update(id=events[-1].pk + 1, reason="forged")
    fake_prev = "1" * 64
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO core_auditevent (id, occurred_at, actor_id, on_behalf_of_id, action, person_id, object_type, "
            "object_id, basis, reason, request_id, details, prev_hash, row_hash) "
            "VALUES (%s, %s, %s, NULL, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)",
            [
                values["id"],
                values["occurred_at"],
                values["actor_id"],
                values["action"],
                values["person_id"],
                values["object_type"],
                values["object_id"],
                values["basis"],
                values["reason"],
                values["request_id"],
                audit.json.dumps(values["details"]),
                fake_prev,
                audit.hash_row(values, fake_prev),
            ],
        )
    code, out = verify()
    assert code == 1
    assert f"BROKEN at event {values['id']} " in out and "prev_hash does not match" in out


def test_an_event_inserted_without_the_chain_is_detected(staff):
    make_events(staff)
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO core_auditevent (occurred_at, actor_id, action, object_type, object_id, basis, "
            "reason, request_id, details, prev_hash, row_hash) "
            "VALUES (%s, %s, 'view', '', '', '', '', '', '{}', '', '')",
            [AuditEvent.objects.last().occurred_at, staff.social_worker.pk],
        )
        last = AuditEvent.objects.order_by("-id").values_list("id", flat=True).first()
    code, out = verify()
    assert code == 1 and f"BROKEN at event {last} " in out


def test_a_cut_off_end_is_detected_by_an_anchor(staff):
    make_events(staff)
    _, out = verify()
    head = out.split("(head ")[1].rstrip(")\n")
    last_pk = int(head.split(":")[0])
    tamper("DELETE FROM core_auditevent WHERE id = %s", [last_pk])
    assert verify()[0] == 0  # the chain alone cannot see rows cut off its end
    out = StringIO()
    with pytest.raises(SystemExit) as exc:
        call_command("audit", "verify", "--anchor", head, stdout=out)
    assert exc.value.code == 1 and f"BROKEN at event {last_pk}: the anchor expects" in out.getvalue()


def test_bulk_inserted_rows_are_chained(staff):
    make_events(staff, n=2)
    with transaction.atomic():
        ids = audit.insert_rows(
            [
                {
                    "occurred_at": audit.timezone.now(),
                    "actor_id": staff.broker.pk,
                    "action": "create",
                    "person_id": i,
                    "object_type": "people.person",
                    "object_id": str(i),
                    "details": {"what": "bulk", "files": ["a.csv"]},
                }
                for i in range(50)
            ]
        )
    assert len(ids) == 50 and ids == sorted(ids)
    audit.record(actor=staff.broker, action="view", person_id=1)
    code, out = verify()
    assert code == 0, out


def test_verify_walks_in_batches(staff):
    make_events(staff)
    out = StringIO()
    call_command("audit", "verify", "--batch", "2", stdout=out)
    assert "chain intact" in out.getvalue()


# --- PostgreSQL: the application's role ---------------------------------------------------------------------------
@pytest.fixture
def app_role(transactional_db, django_user_model):
    """A fresh application role in the test database, set up by `openasc db` (openasc.core.dbroles)."""
    from openasc.core import dbroles

    name = f"openasc_app_test_{uuid.uuid4().hex[:8]}"
    password = uuid.uuid4().hex
    with connection.cursor() as cursor:
        dbroles.create_app_role(cursor, name, password)
        dbroles.grant_app_role(cursor, name)
    settings = connection.settings_dict
    dsn = psycopg.conninfo.make_conninfo(
        dbname=settings["NAME"],
        user=name,
        password=password,
        host=settings["HOST"] or "127.0.0.1",
        port=str(settings["PORT"] or 5432),
    )
    actor = django_user_model.objects.create(username=f"actor-{name}")
    try:
        yield dsn, actor, name
    finally:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = %s", [name]
            )
            cursor.execute(f'DROP OWNED BY "{name}"')
            cursor.execute(f'DROP ROLE IF EXISTS "{name}"')


def owner_can(sql: str, params=()) -> None:
    """The control: the same statement succeeds for the owner (rolled back), so a refusal below is the role's."""
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
        transaction.set_rollback(True)


FORBIDDEN = [
    ("update", "UPDATE core_auditevent SET reason = 'tampered'"),
    ("delete", "DELETE FROM core_auditevent"),
    ("truncate", "TRUNCATE core_auditevent"),
    ("disable triggers", "ALTER TABLE core_auditevent DISABLE TRIGGER ALL"),
    ("drop the append-only trigger", "DROP TRIGGER core_auditevent_append_only ON core_auditevent"),
    ("drop the insert-time trigger", "DROP TRIGGER core_auditevent_insert_time ON core_auditevent"),
    ("replica mode", "SET session_replication_role = replica"),
    ("setval the id sequence", "SELECT setval(pg_get_serial_sequence('core_auditevent', 'id'), 1)"),
    (
        "create a trigger",
        "CREATE TRIGGER t BEFORE INSERT ON core_auditevent "
        "FOR EACH ROW EXECUTE FUNCTION openasc_audit_append_only()",
    ),
]


@postgresql_only
@pytest.mark.parametrize(("what", "sql"), FORBIDDEN, ids=[w for w, _ in FORBIDDEN])
def test_the_app_role_cannot_rewrite_the_trail(app_role, what, sql):
    dsn, actor, _ = app_role
    # an event to rewrite, written as the app would
    audit.record(actor=actor, action="view", person_id=1)
    if what not in {"update", "delete"}:  # those two the append-only trigger refuses even the owner
        owner_can(sql)
    with psycopg.connect(dsn) as conn, pytest.raises(psycopg.errors.InsufficientPrivilege):
        conn.execute(sql)
    assert AuditEvent.objects.filter(reason="tampered").count() == 0
    assert AuditEvent.objects.count() == 1


@postgresql_only
def test_the_app_role_cannot_back_date_an_event(app_role):
    dsn, actor, _ = app_role
    insert = (
        "INSERT INTO core_auditevent (occurred_at, actor_id, action, object_type, object_id, basis, reason, "
        "request_id, details, prev_hash, row_hash) VALUES (now() - %s::interval, %s, 'view', '', '', '', '', "
        "'', '{}', '', '')"
    )
    owner_can(insert, ["1 day", actor.pk])  # the owner may (the demo and bench write history)
    with psycopg.connect(dsn) as conn:
        with pytest.raises(psycopg.errors.InsufficientPrivilege, match="is not the time of the insert"):
            conn.execute(insert, ["1 day", actor.pk])
        conn.rollback()
        with pytest.raises(psycopg.errors.InsufficientPrivilege, match="is not the time of the insert"):
            conn.execute(insert, ["-1 day", actor.pk])  # nor date one ahead
        conn.rollback()
    assert AuditEvent.objects.count() == 0


@postgresql_only
def test_the_app_role_can_append_and_read(app_role):
    dsn, actor, _ = app_role
    audit.record(actor=actor, action="view", person_id=1)
    with psycopg.connect(dsn) as conn:
        # as audit.record does it: the chain's lock, the head, an id, the insert
        with conn.transaction():
            conn.execute("SELECT pg_advisory_xact_lock(%s)", [audit.CHAIN_LOCK])
            head = conn.execute("SELECT row_hash FROM core_auditevent ORDER BY id DESC LIMIT 1").fetchone()[0]
            pk = conn.execute("SELECT nextval(pg_get_serial_sequence('core_auditevent', 'id'))").fetchone()[0]
            conn.execute(
                "INSERT INTO core_auditevent (id, occurred_at, actor_id, action, person_id, object_type, "
                "object_id, basis, reason, request_id, details, prev_hash, row_hash) "
                "VALUES (%s, now(), %s, 'view', 2, '', '', '', '', '', '{}', %s, '')",
                [pk, actor.pk, head],
            )
        assert conn.execute("SELECT count(*) FROM core_auditevent").fetchone()[0] == 2
        # the rest of the schema as normal: it can change people's records
        conn.execute("UPDATE core_user SET first_name = 'Changed' WHERE id = %s", [actor.pk])
        conn.commit()
        rolsuper, rolcreaterole, rolcreatedb = conn.execute(
            "SELECT rolsuper, rolcreaterole, rolcreatedb FROM pg_roles WHERE rolname = current_user"
        ).fetchone()
        assert not (rolsuper or rolcreaterole or rolcreatedb)
        owned = conn.execute(
            "SELECT count(*) FROM pg_class WHERE relowner = "
            "(SELECT oid FROM pg_roles WHERE rolname = current_user)"
        ).fetchone()[0]
        assert owned == 0


@postgresql_only
def test_tables_made_by_later_migrations_are_granted_to_the_app_role(app_role):
    dsn, _, _ = app_role
    with connection.cursor() as cursor:
        cursor.execute("CREATE TABLE openasc_later_table (id bigserial PRIMARY KEY, v text)")
    try:
        with psycopg.connect(dsn) as conn:
            conn.execute("INSERT INTO openasc_later_table (v) VALUES ('x')")
            conn.execute("UPDATE openasc_later_table SET v = 'y'")
            assert conn.execute("SELECT v FROM openasc_later_table").fetchone()[0] == "y"
    finally:
        with connection.cursor() as cursor:
            cursor.execute("DROP TABLE openasc_later_table")


@pytest.mark.skipif(connection.vendor != "sqlite", reason="the SQLite triggers")
def test_sqlite_still_refuses_updates_after_the_chain_migration(staff):
    from django.db import DatabaseError

    event = audit.record(actor=staff.social_worker, action="view")
    with pytest.raises(DatabaseError, match="append-only"), connection.cursor() as cursor:
        cursor.execute("UPDATE core_auditevent SET reason = 'x' WHERE id = %s", [event.pk])


@pytest.mark.parametrize("as_sets", [True, False], ids=["set load", "row by row"])
def test_the_cld_import_keeps_the_chain(staff, tmp_path, monkeypatch, as_sets):
    import datetime as dt

    from openasc.reporting import importer
    from openasc.reporting.engine.synth import write_synthetic_cld
    from openasc.reporting.importer import setload

    audit.record(actor=staff.system, action="view", person_id=1)
    path = tmp_path / "council.csv"
    write_synthetic_cld(path, people=60, seed=3, period_end=dt.date(2025, 3, 31))
    if not as_sets:
        monkeypatch.setattr(setload, "available", lambda: False)
    result = importer.run_import([path], user=staff.system)
    assert result.ok and result.counts["people created"] > 40
    assert (result.plan.staged is None and result.plan.events == {}) == as_sets
    audit.record(actor=staff.system, action="view", person_id=2)
    assert AuditEvent.objects.filter(basis="CLD import").count() >= result.counts["people created"]
    code, out = verify()
    assert code == 0, out
    # a second import of a changed file updates row by row: its update events are chained too
    assert importer.run_import([path], user=staff.system).ok
    code, out = verify()
    assert code == 0, out


@postgresql_only
def test_concurrent_writers_keep_one_chain(transactional_db, django_user_model):
    """Writers on several connections at once: the advisory lock keeps chain order the same as id order."""
    import threading

    from django.db import connections

    actor = django_user_model.objects.create(username="concurrent-actor")
    errors = []

    def write(n):
        try:
            for i in range(15):
                with transaction.atomic():
                    audit.record(actor=actor, action="view", person_id=n * 100 + i)
                    if i % 5 == 0:
                        audit.record_many(actor=actor, action="search", objs=[actor, actor], details={"n": n})
        except Exception as exc:  # reported below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=write, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert AuditEvent.objects.count() == 4 * (15 + 3 * 2)
    code, out = verify()
    assert code == 0, out


@postgresql_only
def test_setup_refuses_an_app_role_that_could_rewrite_the_trail(app_role):
    from openasc.core import dbroles

    _, _, name = app_role
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_user")
        owner = cursor.fetchone()[0]
        with pytest.raises(dbroles.RoleError, match="both"):
            dbroles.grant_app_role(cursor, owner)  # the owner as the application's role
        with pytest.raises(dbroles.RoleError, match="superuser"):
            dbroles.create_app_role(cursor, owner, None)  # the tests' owner is a superuser
        with pytest.raises(dbroles.RoleError, match="no role"):
            dbroles.grant_app_role(cursor, f"{name}_missing")
        dbroles.grant_app_role(cursor, name)  # again: changes nothing, refuses nothing
        cursor.execute(
            f'CREATE TABLE openasc_owned_by_app (id int); ALTER TABLE openasc_owned_by_app OWNER TO "{name}"'
        )
        try:
            with pytest.raises(dbroles.RoleError, match="owns tables"):
                dbroles.grant_app_role(cursor, name)
        finally:
            cursor.execute("DROP TABLE openasc_owned_by_app")
