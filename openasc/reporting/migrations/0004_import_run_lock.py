"""Imports one at a time: the running import's process, host and heartbeat, why a run failed, and the lock row."""

from django.db import migrations, models


def lock_row(apps, schema_editor):
    apps.get_model("reporting", "ImportLock").objects.get_or_create(pk=1)


class Migration(migrations.Migration):
    dependencies = [
        ("reporting", "0003_imported_event_fewer_indexes"),
    ]

    operations = [
        migrations.AddField(
            model_name="importrun",
            name="pid",
            field=models.PositiveIntegerField(
                blank=True, help_text="The process running the import", null=True
            ),
        ),
        migrations.AddField(
            model_name="importrun",
            name="host",
            field=models.CharField(blank=True, help_text="The machine the process runs on", max_length=255),
        ),
        migrations.AddField(
            model_name="importrun",
            name="heartbeat_at",
            field=models.DateTimeField(
                blank=True, help_text="When the run last showed it was alive", null=True
            ),
        ),
        migrations.AddField(
            model_name="importrun",
            name="failure",
            field=models.TextField(blank=True, help_text="Why a failed run failed"),
        ),
        migrations.CreateModel(
            name="ImportLock",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("taken_at", models.DateTimeField(blank=True, null=True)),
            ],
        ),
        migrations.RunPython(lock_row, migrations.RunPython.noop),
    ]
