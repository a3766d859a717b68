"""`openasc db setup`: on PostgreSQL, create or update the application's role, migrate as the owner, grant."""

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connections

from openasc.core import dbroles


class Command(BaseCommand):
    help = (
        "PostgreSQL roles (ADR 0008). `setup`: as the owner (DATABASE_OWNER_URL), create the application's role "
        "named by DATABASE_URL if it is missing, run the migrations, and grant it its rights (append and read "
        "only on the audit trail). Run it again after upgrades, or use `openasc migrate`."
    )

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="subcommand", required=True)
        setup = sub.add_parser("setup", help="create the app role, migrate as owner, grant")
        setup.add_argument("--no-migrate", action="store_true", help="only create the role and grant")

    def handle(self, *args, **options):
        conn = connections["default"]
        if conn.vendor != "postgresql":
            self.stdout.write("SQLite: there are no database roles; nothing to do (see ADR 0008).")
            return
        if dbroles.owner_settings() is None:
            raise CommandError(
                "Set DATABASE_OWNER_URL to the owner of the schema and DATABASE_URL to the "
                "application's role (its user name and password)."
            )
        password = conn.settings_dict.get("PASSWORD") or None  # the application's, from DATABASE_URL
        with dbroles.as_owner() as app_role:
            try:
                with conn.cursor() as cursor:
                    made = dbroles.create_app_role(cursor, app_role, password)
                self.stdout.write(f"{'Created' if made else 'Found'} the application's role {app_role}.")
                if not options["no_migrate"]:
                    call_command("migrate", verbosity=options["verbosity"], interactive=False)
                with conn.cursor() as cursor:
                    dbroles.grant_app_role(cursor, app_role)
            except dbroles.RoleError as exc:
                raise CommandError(str(exc)) from exc
        self.stdout.write(f"Granted {app_role} its rights (append and read only on the audit trail).")
