"""The (actor, occurred_at) index answers lookups by actor: the actor's own index goes.

On SQLite, Django alters a field by rebuilding the table, which drops its triggers: the append-only trigger of
migration 0002 is put back (on PostgreSQL the index is dropped in place and the trigger stays)."""

from importlib import import_module

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

audit_trigger = import_module("openasc.core.migrations.0002_reference_codes_and_audit_trigger")


def restore_sqlite_trigger(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        schema_editor.execute(audit_trigger.SQLITE_TRIGGER)


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0005_care_relationship_worker_index"),
    ]

    operations = [
        # reversed, operations run backwards: this one then puts the trigger back after the table is rebuilt again
        migrations.RunPython(migrations.RunPython.noop, restore_sqlite_trigger),
        migrations.AlterField(
            model_name="auditevent",
            name="actor",
            field=models.ForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
        migrations.RunPython(restore_sqlite_trigger, migrations.RunPython.noop),
    ]
