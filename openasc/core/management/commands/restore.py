"""`openasc restore PATH [--yes]`: replace the whole database with a backup, then verify the audit chain."""

from django.core.management.base import BaseCommand, CommandError

from openasc.core import audit, backup
from openasc.core.management.commands.backup import system_account
from openasc.core.models import AuditAction


class Command(BaseCommand):
    help = (
        "Restore a backup made by `openasc backup` into the configured database, replacing everything in it "
        "(refused without --yes when it holds accounts, people or audit events). PostgreSQL runs pg_restore "
        "as DATABASE_OWNER_URL when set, in one transaction. Then checks the audit table's triggers and walks "
        "its hash chain as `openasc audit verify` does (exit 1 if broken)."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", metavar="PATH", help="the backup file to restore")
        parser.add_argument("--yes", action="store_true", help="replace a database that is not empty")
        parser.add_argument(
            "--as-user",
            default="system",
            help="the account the restore is audited against, after it (default system)",
        )

    def handle(self, *args, path, yes, as_user, **options):
        try:
            result = backup.restore(path, force=yes)
        except backup.BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            f"Restored {result.path} into the {result.vendor} database: {result.tables} tables, "
            f"{result.rows:,} rows."
        )
        for note in result.notes:
            self.stdout.write(note[0].upper() + note[1:] + ".")
        head = f" (head {result.audit_head})" if result.audit_head else ""
        self.stdout.write(f"{result.audit_events:,} audit events, chain intact{head}.")
        actor = system_account(as_user)
        if actor is not None:
            audit.record(
                actor=actor,
                action=AuditAction.UPDATE,
                basis="restore",
                details={
                    "restored_from": str(path),
                    "events_restored": result.audit_events,
                    "head": result.audit_head,
                },
            )
        else:
            self.stdout.write(f"(Not audited: no active account {as_user!r} in the restored database.)")
