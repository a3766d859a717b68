"""`openasc teams`: add, list, close, reopen and delete teams, through openasc.staff.services as the administrator
named by --as."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from openasc.core.errors import ValidationFailed
from openasc.core.models import Team
from openasc.staff import cli, selectors, services

FIELD_NAMES = {"name": "NAME", "code": "--code", "organisation": "--organisation", "team": "NAME"}


class Command(BaseCommand):
    help = (
        "Teams: `teams add NAME [--code CODE] [--organisation ORG] [--nhs-partner]`, `teams list`, "
        "`teams close NAME`, `teams reopen NAME`, `teams delete NAME`; as --as ADMIN."
    )

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
        listing = sub.add_parser(
            "list", help="every team, with its code, active members and whether it is closed"
        )
        cli.add_as_argument(listing)
        for name, what in (
            (
                "close",
                "close a team: no longer offered for allocation or membership, still named in the history "
                "(its members and the people allocated to it now stay until they are moved)",
            ),
            ("reopen", "open a closed team again"),
            (
                "delete",
                "delete a team that nobody is in and nothing names (otherwise it says why, and to close it)",
            ),
        ):
            one = sub.add_parser(name, help=what, description=what[0].upper() + what[1:] + ".")
            one.add_argument("name", help="the team's code or name")
            cli.add_as_argument(one)

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
        if subcommand in ("close", "reopen", "delete"):
            self._one(admin, subcommand, options["name"])
            return
        teams = list(selectors.team_list(user=admin))
        selectors.record_view(
            user=admin, purpose="list of teams", details={"via": cli.via(), "shown": len(teams)}
        )
        if not teams:
            self.stdout.write("No teams yet: `openasc teams add NAME` creates one.")
            return
        header = ("CODE", "NAME", "MEMBERS", "NHS PARTNER", "STATUS")
        rows = [
            (
                t.code,
                t.name,
                str(t.member_count),
                "yes" if t.is_nhs_partner else "no",
                "closed" if t.closed_at else "open",
            )
            for t in teams
        ]
        widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]
        for row in [header, *rows]:
            self.stdout.write("  ".join(v.ljust(w) for v, w in zip(row, widths, strict=True)).rstrip())

    def _one(self, admin, subcommand: str, value: str) -> None:
        try:
            team = selectors.team_by_code_or_name(user=admin, value=value)
        except Team.DoesNotExist:
            raise CommandError(
                f"NAME: there is no team with the code or name {value!r} (see `openasc teams list`)",
                returncode=cli.BAD_INPUT,
            ) from None
        try:
            if subcommand == "close":
                services.team_close(actor=admin, team=team, via=cli.via())
                removal = services.team_removal(actor=admin, team=team)
                self.stdout.write(
                    f"Closed {team.name}: it is no longer offered for allocation or membership. "
                    f"{removal.members:,} member(s) and {removal.active_allocations:,} current allocation(s) "
                    "stay until they are moved."
                )
            elif subcommand == "reopen":
                services.team_reopen(actor=admin, team=team, via=cli.via())
                self.stdout.write(f"Reopened {team.name}.")
            else:
                name = team.name
                services.team_delete(actor=admin, team=team, via=cli.via())
                self.stdout.write(f"Deleted {name}.")
        except ValidationFailed as exc:
            raise cli.bad_input(exc, FIELD_NAMES) from None
