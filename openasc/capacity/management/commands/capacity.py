"""`openasc capacity providers add|list|remove`: the council's advocacy providers (local reference data), as the
administrator named by --as."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from openasc.capacity import reference
from openasc.core.errors import ValidationFailed
from openasc.staff import cli


class Command(BaseCommand):
    help = (
        "The advocacy providers offered for Care Act advocacy and IMCA referrals: `capacity providers add NAME`, "
        "`capacity providers list`, `capacity providers remove NAME`; as --as ADMIN."
    )

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="subject", required=True)
        providers = sub.add_parser("providers", help="the council's advocacy providers")
        what = providers.add_subparsers(dest="subcommand", required=True)
        for name, text in (
            ("add", "add a provider"),
            ("remove", "stop offering a provider for new referrals"),
        ):
            one = what.add_parser(name, help=text)
            one.add_argument("name")
            cli.add_as_argument(one)
        listing = what.add_parser("list", help="the providers offered now")
        cli.add_as_argument(listing)

    def handle(self, *args, subject, subcommand, **options):
        admin = cli.actor(options["as_user"])
        try:
            if subcommand == "add":
                reference.provider_add(actor=admin, name=options["name"])
                self.stdout.write(f"Added {options['name'].strip()}")
            elif subcommand == "remove":
                reference.provider_remove(actor=admin, name=options["name"])
                self.stdout.write(f"Removed {options['name'].strip()} (records that name it keep it)")
            else:
                rows = reference.providers()
                for row in rows:
                    self.stdout.write(row.value)
                if not rows:
                    self.stdout.write(
                        "No advocacy providers yet: add them with `openasc capacity providers add NAME`"
                    )
        except ValidationFailed as exc:
            raise cli.bad_input(exc, {"name": "NAME"}) from None
