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
    import csv

    from openasc.core.codes import REFERENCE_FILE, REFERENCE_VERSION

    ReferenceCode = apps.get_model("core", "ReferenceCode")
    with REFERENCE_FILE.open(newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    objs = []
    for row in rows:
        for release in (["R1", "R2"] if row["release"] == "R1+R2" else [row["release"]]):
            objs.append(ReferenceCode(
                list_name=row["list_name"], release=release, value=row["value"], order=int(row["order"]),
                source=row["source"], note=row["note"], is_confirmed=row["confirmed"] == "yes",
                version=REFERENCE_VERSION,
            ))
    ReferenceCode.objects.bulk_create(objs, ignore_conflicts=True)


class Migration(migrations.Migration):
    dependencies = [("core", "0001_initial")]

    operations = [
        migrations.RunPython(load_codes, migrations.RunPython.noop),
        migrations.RunPython(add_trigger, drop_trigger),
    ]
