"""`openasc migrate`: Django's migrate, run as the owner when DATABASE_OWNER_URL is set (ADR 0008), which then
grants the application's role (DATABASE_URL) its rights, including on tables the migrations just made."""

from django.core.management.base import CommandError
from django.core.management.commands.migrate import Command as MigrateCommand
from django.db import connections

from openasc.core import dbroles


class Command(MigrateCommand):
    help = (
        MigrateCommand.help + " With DATABASE_OWNER_URL set (PostgreSQL), runs as that owner and grants the "
        "application's role (DATABASE_URL) its rights."
    )

    def handle(self, *args, **options):
        alias = options.get("database") or "default"
        if alias != "default" or dbroles.owner_settings() is None:
            return super().handle(*args, **options)
        with dbroles.as_owner(alias) as app_role:
            super().handle(*args, **options)
            if app_role and app_role != dbroles.owner_settings().get("USER"):
                try:
                    with connections[alias].cursor() as cursor:
                        dbroles.grant_app_role(cursor, app_role)
                except dbroles.RoleError as exc:
                    raise CommandError(str(exc)) from exc
                if options.get("verbosity", 1) >= 1:
                    self.stdout.write(
                        f"Granted {app_role} its rights (append and read only on the audit trail)."
                    )
