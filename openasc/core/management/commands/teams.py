"""`openasc teams`: add and list teams, through openasc.staff.services as the administrator named by --as."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from openasc.core.errors import ValidationFailed
from openasc.staff import cli, selectors, services

FIELD_NAMES = {"name": "NAME", "code": "--code", "organisation": "--organisation"}


class Command(BaseCommand):
    help = "Teams: `teams add NAME [--code CODE] [--organisation ORG] [--nhs-partner]`, `teams list`; as --as ADMIN."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="subcommand", required=True)
        add = sub.add_parser("add", help="create a team")
        add.add_argument("name")
        add.add_argument("--code", default="", help="short code used by --team (default: made from the name)")
        add.add_argument("--organisation", default="", help="for a partner team, such as an NHS trust")
        add.add_argument(
            "--nhs-partner",
            action="store_true",
            help="an NHS partner team (opens records only through a recorded sharing basis)",
        )
        cli.add_as_argument(add)
        listing = sub.add_parser("list", help="every team, with its code and active members")
        cli.add_as_argument(listing)

    def handle(self, *args, subcommand, **options):
        admin = cli.actor(options["as_user"])
        if subcommand == "add":
            try:
                team = services.team_create(
                    actor=admin,
                    name=options["name"],
                    code=options["code"],
                    organisation=options["organisation"],
                    is_nhs_partner=options["nhs_partner"],
                    via=cli.via(),
                )
            except ValidationFailed as exc:
                raise cli.bad_input(exc, FIELD_NAMES) from None
            kind = "NHS partner team" if team.is_nhs_partner else "team"
            self.stdout.write(f"Created {kind} {team.name} (code {team.code}).")
            return
        teams = list(selectors.team_list(user=admin))
        if not teams:
            self.stdout.write("No teams yet: `openasc teams add NAME` creates one.")
            return
        header = ("CODE", "NAME", "MEMBERS", "NHS PARTNER")
        rows = [(t.code, t.name, str(t.member_count), "yes" if t.is_nhs_partner else "no") for t in teams]
        widths = [max(len(r[i]) for r in [header, *rows]) for i in range(4)]
        for row in [header, *rows]:
            self.stdout.write("  ".join(v.ljust(w) for v, w in zip(row, widths, strict=True)).rstrip())
