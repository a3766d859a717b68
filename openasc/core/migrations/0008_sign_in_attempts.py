# Failed sign-ins for the per-client throttle and per-account lockout (ADR 0006).

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0006_actor_index_covered_by_actor_time"),
    ]

    operations = [
        migrations.CreateModel(
            name="SignInAttempt",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("client_key", models.CharField(max_length=64)),
                ("username_key", models.CharField(max_length=64)),
                ("attempted_at", models.DateTimeField(db_index=True)),
                ("cleared", models.BooleanField(default=False)),
                (
                    "throttled",
                    models.BooleanField(default=False, help_text="Refused without checking the password"),
                ),
            ],
            options={
                "indexes": [
                    models.Index(fields=["client_key", "attempted_at"], name="signin_client_time"),
                    models.Index(fields=["username_key", "attempted_at"], name="signin_username_time"),
                ],
            },
        ),
    ]
