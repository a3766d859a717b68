"""`openasc backup PATH`: a consistent copy of the whole database while the server runs (ADR 0011)."""

from django.core.management.base import BaseCommand, CommandError

from openasc.core import audit, backup
from openasc.core.models import AuditAction, User


def system_account(username: str) -> User | None:
    return User.objects.filter(username=username, is_active=True).first()


class Command(BaseCommand):
    help = (
        "Back up the whole database to PATH: SQLite with its online backup API, PostgreSQL with pg_dump -Fc "
        "(as DATABASE_OWNER_URL when set). PATH is replaced only when the copy is complete."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", metavar="PATH", help="the backup file to write")
        parser.add_argument(
            "--as-user", default="system", help="the account the backup is audited against (default system)"
        )

    def handle(self, *args, path, as_user, **options):
        actor = system_account(as_user) if backup.in_use() else None
        if actor is not None:
            # Before the copy, so that the backup holds the record of its own making.
            audit.record(
                actor=actor,
                action=AuditAction.EXPORT,
                basis="backup",
                details={"backup": str(path), "database": backup.vendor()},
            )
        try:
            result = backup.backup(path)
        except backup.BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            f"Backed up the {result.vendor} database to {result.path}: {result.tables} tables, "
            f"{result.rows:,} rows, {result.audit_events:,} audit events."
        )
        if actor is None:
            self.stdout.write(f"(Not audited: no active account {as_user!r}; --as-user names one.)")
