"""Every change to the models has its migration (a missing one would differ between SQLite and PostgreSQL)."""

from io import StringIO

from django.core.management import call_command


def test_no_model_change_is_missing_a_migration(db):
    out = StringIO()
    try:
        call_command("makemigrations", "--check", "--dry-run", stdout=out, stderr=out)
    except SystemExit as exc:  # --check exits non-zero when a migration is missing
        raise AssertionError(f"Missing migrations:\n{out.getvalue()}") from exc
