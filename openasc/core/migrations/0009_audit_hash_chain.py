"""The audit trail's hash chain and, on PostgreSQL, the refusal of back-dated events (ADR 0008).

Adds prev_hash and row_hash and fills them for the events already there, in id order. On SQLite adding the fields
rebuilds the table, which drops its triggers: the no-update trigger of migration 0002 is put back. On PostgreSQL the
append-only trigger is switched off only while the existing rows are given their hashes (inside this migration's
transaction), and a trigger is added that refuses an occurred_at far from the time of the insert for every role but
the table's owner."""

from importlib import import_module

from django.db import migrations, models

audit_trigger = import_module("openasc.core.migrations.0002_reference_codes_and_audit_trigger")

# The tolerance allows for the application server's clock against the database's and for rows computed at the start
# of a long import but written at its end (the lower bound is the transaction's start).
PG_INSERT_FUNCTION = """
CREATE OR REPLACE FUNCTION openasc_audit_insert_time() RETURNS trigger AS $$
BEGIN
    IF NEW.occurred_at < transaction_timestamp() - interval '5 minutes'
       OR NEW.occurred_at > clock_timestamp() + interval '5 minutes' THEN
        -- the owner (and superusers) may write history with its own times: the demo and bench builds
        IF NOT pg_has_role((SELECT relowner FROM pg_class WHERE oid = TG_RELID), 'MEMBER') THEN
            RAISE EXCEPTION USING
                MESSAGE = 'core_auditevent: occurred_at ' || NEW.occurred_at
                          || ' is not the time of the insert (' || clock_timestamp() || ')',
                ERRCODE = 'insufficient_privilege';
        END IF;
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;
"""
PG_INSERT_TRIGGER = """
CREATE TRIGGER core_auditevent_insert_time
BEFORE INSERT ON core_auditevent
FOR EACH ROW EXECUTE FUNCTION openasc_audit_insert_time();
"""

BATCH = 20000


def fill_chain(apps, schema_editor):
    from openasc.core.audit import GENESIS, hash_row

    AuditEvent = apps.get_model("core", "AuditEvent")
    db = schema_editor.connection.alias
    pg = schema_editor.connection.vendor == "postgresql"
    fields = (
        "id",
        "occurred_at",
        "actor_id",
        "on_behalf_of_id",
        "action",
        "person_id",
        "object_type",
        "object_id",
        "basis",
        "reason",
        "request_id",
        "details",
    )
    with schema_editor.connection.cursor() as cursor:
        if pg:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute("ALTER TABLE core_auditevent DISABLE TRIGGER core_auditevent_append_only")
        prev, last = GENESIS, 0
        while True:
            rows = list(
                AuditEvent.objects.using(db).filter(id__gt=last).order_by("id").values_list(*fields)[:BATCH]
            )
            if not rows:
                break
            updates = []
            for row in rows:
                h = hash_row(row, prev)
                updates.append((prev, h, row[0]))
                prev, last = h, row[0]
            cursor.executemany(
                "UPDATE core_auditevent SET prev_hash = %s, row_hash = %s WHERE id = %s", updates
            )
        if pg:
            cursor.execute("ALTER TABLE core_auditevent ENABLE TRIGGER core_auditevent_append_only")


def drop_sqlite_trigger(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        schema_editor.execute("DROP TRIGGER IF EXISTS core_auditevent_no_update;")


def restore_sqlite_trigger(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        schema_editor.execute(audit_trigger.SQLITE_TRIGGER)


def add_insert_trigger(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(PG_INSERT_FUNCTION)
        schema_editor.execute("DROP TRIGGER IF EXISTS core_auditevent_insert_time ON core_auditevent;")
        schema_editor.execute(PG_INSERT_TRIGGER)


def drop_insert_trigger(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP TRIGGER IF EXISTS core_auditevent_insert_time ON core_auditevent;")
        schema_editor.execute("DROP FUNCTION IF EXISTS openasc_audit_insert_time();")


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0008_sign_in_attempts"),
    ]

    operations = [
        # reversed, operations run backwards: each RunPython's second function undoes its first
        migrations.RunPython(drop_sqlite_trigger, restore_sqlite_trigger),
        migrations.AddField(
            model_name="auditevent",
            name="prev_hash",
            field=models.CharField(blank=True, default="", max_length=64),
        ),
        migrations.AddField(
            model_name="auditevent",
            name="row_hash",
            field=models.CharField(blank=True, default="", max_length=64),
        ),
        migrations.RunPython(fill_chain, migrations.RunPython.noop),
        migrations.RunPython(restore_sqlite_trigger, drop_sqlite_trigger),
        migrations.RunPython(add_insert_trigger, drop_insert_trigger),
    ]
