"""Load the versioned reference codes; make the audit table append-only in the database itself."""

from django.db import migrations

PG_FUNCTION = """
CREATE OR REPLACE FUNCTION openasc_audit_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION USING
        MESSAGE = 'core_auditevent is append-only: ' || TG_OP || ' is not allowed',
        ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
"""
PG_TRIGGER = """
CREATE TRIGGER core_auditevent_append_only
BEFORE UPDATE OR DELETE ON core_auditevent
FOR EACH ROW EXECUTE FUNCTION openasc_audit_append_only();
"""
# SQLite: updates are refused. Deletes stay possible there because Django's test flush empties tables
# with DELETE on SQLite (PostgreSQL uses TRUNCATE, which row triggers do not see).
SQLITE_TRIGGER = """
CREATE TRIGGER IF NOT EXISTS core_auditevent_no_update
BEFORE UPDATE ON core_auditevent
BEGIN SELECT RAISE(ABORT, 'core_auditevent is append-only: UPDATE is not allowed'); END;
"""


def add_trigger(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(PG_FUNCTION)
        schema_editor.execute(PG_TRIGGER)
    elif schema_editor.connection.vendor == "sqlite":
        schema_editor.execute(SQLITE_TRIGGER)


def drop_trigger(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP TRIGGER IF EXISTS core_auditevent_append_only ON core_auditevent;")
        schema_editor.execute("DROP FUNCTION IF EXISTS openasc_audit_append_only();")
    elif schema_editor.connection.vendor == "sqlite":
        schema_editor.execute("DROP TRIGGER IF EXISTS core_auditevent_no_update;")


def load_codes(apps, schema_editor):
    from openasc.core.codes import bulk_load_rows

    bulk_load_rows(apps.get_model("core", "ReferenceCode"))


class Migration(migrations.Migration):
    dependencies = [("core", "0001_initial")]

    operations = [
        migrations.RunPython(load_codes, migrations.RunPython.noop),
        migrations.RunPython(add_trigger, drop_trigger),
    ]
