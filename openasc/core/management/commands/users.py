"""`openasc users`: add, list, deactivate, reactivate staff and system accounts, set a password, unlock.

Every change goes through openasc.staff.services as the administrator named by --as (see openasc/staff/cli.py);
on a fresh install with no accounts, `openasc users add NAME --role administrator` creates the first one.
"""

from __future__ import annotations

import sys

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from openasc.core.errors import ValidationFailed
from openasc.core.models import Role, Team, User
from openasc.staff import cli, selectors, services

FIELD_NAMES = {
    "username": "USERNAME",
    "role": "--role",
    "teams": "--team",
    "password": "password",
    "first_name": "--first-name",
    "last_name": "--last-name",
    "email": "--email",
    "job_title": "--job-title",
    "description": "--job-title",
    "is_active": "USERNAME",
}
ROLE_CODES = ", ".join(r.value for r in Role)


class Command(BaseCommand):
    help = (
        "Staff and system accounts: `users add USERNAME --role ROLE [--team TEAM]... "
        "[--password-stdin [--temporary] | --generate-password]`, "
        "`users list`, `users change USERNAME [--role ROLE] [--team TEAM]...`, `users deactivate USERNAME`, `users reactivate USERNAME`, `users password USERNAME`, "
        "`users unlock USERNAME`; each as the administrator named by --as."
    )
    stealth_options = ("stdin",)

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="subcommand", required=True)
        add = sub.add_parser(
            "add",
            help="create a member of staff (or, with --role system, a system account)",
            description="Create a member of staff (or, with --role system, a system account). Passwords: "
            "--generate-password prints a temporary password once, and the member of staff must choose their "
            "own at their first sign-in (every page asks for it until they do). A password read with "
            "--password-stdin is theirs to keep, unless --temporary is given too. With neither, the account "
            "cannot sign in until `openasc users password USERNAME` gives it a temporary one. API tokens are "
            "never affected.",
        )
        add.add_argument("username")
        add.add_argument("--role", required=True, help=f"the role's code: {ROLE_CODES}")
        add.add_argument(
            "--team",
            action="append",
            default=[],
            metavar="TEAM",
            help="a team's code or name (repeat for several teams)",
        )
        how = add.add_mutually_exclusive_group()
        how.add_argument(
            "--password-stdin",
            action="store_true",
            help="read the password from one line of standard input; it is the account's own password "
            "unless --temporary is given (without a password option the account has no password until "
            "`openasc users password` sets one)",
        )
        how.add_argument(
            "--generate-password",
            action="store_true",
            help="generate a temporary password and print it once: the member of staff must choose their "
            "own when they first sign in",
        )
        add.add_argument(
            "--temporary",
            action="store_true",
            help="with --password-stdin: the password is temporary, and must be changed at the first sign-in",
        )
        add.add_argument("--first-name", default="")
        add.add_argument("--last-name", default="")
        add.add_argument("--email", default="")
        add.add_argument("--job-title", default="", help="(for a system account: what it is)")
        cli.add_as_argument(add)

        listing = sub.add_parser("list", help="staff accounts, with role, teams and status")
        listing.add_argument("--role", default="", help="only this role (its code)")
        listing.add_argument("--team", default="", help="only members of this team (code or name)")
        listing.add_argument("--status", default="", choices=["", "active", "deactivated", "locked"])
        listing.add_argument("--system", action="store_true", help="list the system accounts instead")
        cli.add_as_argument(listing)

        change = sub.add_parser(
            "change", help="change a member of staff's role or teams (--team replaces them all)"
        )
        change.add_argument("username")
        change.add_argument("--role", default="", help=f"the new role's code: {ROLE_CODES}")
        change.add_argument(
            "--team",
            action="append",
            default=None,
            metavar="TEAM",
            help="a team's code or name; repeat for several; the account's teams become these",
        )
        change.add_argument("--no-teams", action="store_true", help="take them out of every team")
        cli.add_as_argument(change)

        for name, what in (
            ("deactivate", "stop an account signing in or using its tokens"),
            ("reactivate", "let a deactivated account sign in again"),
            ("unlock", "let a locked-out account sign in again"),
        ):
            one = sub.add_parser(name, help=what)
            one.add_argument("username")
            cli.add_as_argument(one)
        password = sub.add_parser(
            "password", help="reset a password: a generated one, printed once, or --password-stdin"
        )
        password.add_argument("username")
        password.add_argument(
            "--password-stdin",
            action="store_true",
            help="read the new password from one line of standard input (not temporary unless --temporary); "
            "without it a temporary password is generated and printed once",
        )
        password.add_argument(
            "--temporary",
            action="store_true",
            help="with --password-stdin: they must choose their own password at their next sign-in",
        )
        cli.add_as_argument(password)

    def handle(self, *args, subcommand, **options):
        self.stdin = options.get("stdin") or sys.stdin
        getattr(self, f"do_{subcommand}")(options)

    # --- helpers
    def _account(self, admin: User, username: str) -> User:
        try:
            return selectors.account_by_username(user=admin, username=username)
        except User.DoesNotExist:
            raise CommandError(f"USERNAME: there is no account called {username!r}") from None

    def _teams(self, admin: User, values: list[str]) -> list[Team]:
        teams, missing = [], []
        for value in values:
            try:
                teams.append(selectors.team_by_code_or_name(user=admin, value=value))
            except Team.DoesNotExist:
                missing.append(value)
        if missing:
            raise CommandError(
                f"--team: there is no team with the code or name {', '.join(map(repr, missing))} "
                "(see `openasc teams list`; `openasc teams add NAME` creates one)",
                returncode=cli.BAD_INPUT,
            )
        return teams

    # --- subcommands
    def do_add(self, options):
        role = options["role"].strip()
        if role not in Role.values:
            raise CommandError(
                f"--role: {role!r} is not a role; use one of {ROLE_CODES}", returncode=cli.BAD_INPUT
            )
        if options["temporary"] and not options["password_stdin"]:
            raise CommandError(
                "--temporary: give it with --password-stdin (a generated password is always temporary)",
                returncode=cli.BAD_INPUT,
            )
        generated = options["generate_password"]
        password = (
            services.generate_password()
            if generated
            else (cli.read_password(self.stdin) if options["password_stdin"] else None)
        )
        temporary = generated or options["temporary"]
        username = options["username"]
        try:
            with transaction.atomic():
                if not User.objects.exists():
                    user = self._first_administrator(role, username, password, temporary, options)
                else:
                    admin = cli.actor(options["as_user"])
                    user = self._add(admin, role, username, password, temporary, options)
        except ValidationFailed as exc:
            raise cli.bad_input(exc, FIELD_NAMES) from None
        except PermissionError as exc:
            raise CommandError(str(exc)) from None
        if user.role == Role.SYSTEM:
            self.stdout.write(
                f"Created system account {user.username} (id {user.pk}). Issue it a token with "
                f"`openasc tokens issue {user.username} --as ADMIN`."
            )
            return
        teams = ", ".join(t.name for t in user.teams.all()) or "no teams"
        self.stdout.write(f"Created {user.username} (id {user.pk}), {user.get_role_display()}, {teams}.")
        if password is None:
            self.stdout.write(
                f"No password is set, so {user.username} cannot sign in yet: set one with "
                f"`openasc users password {user.username} --as ADMIN` or on their page under Staff."
            )
        elif generated:
            self.stdout.write(
                f"Temporary password for {user.username} (shown once, not stored; they must choose their own "
                "when they first sign in):"
            )
            self.stdout.write(password)
        elif temporary:
            self.stdout.write(
                f"The password is temporary: {user.username} must choose their own at first sign-in."
            )

    def _first_administrator(self, role, username, password, temporary, options) -> User:
        if role != Role.ADMINISTRATOR:
            raise CommandError(
                "There are no accounts yet: the first one must be an administrator "
                f"(`openasc users add {username} --role administrator --password-stdin`).",
                returncode=cli.BAD_INPUT,
            )
        if options["team"]:
            raise CommandError(
                "--team: create the teams after the first administrator", returncode=cli.BAD_INPUT
            )
        user = services.first_administrator_create(
            username=username,
            first_name=options["first_name"],
            last_name=options["last_name"],
            email=options["email"],
            password=password,
            temporary=temporary,
        )
        self.stdout.write(
            "This is the first account: an administrator, created from the command line (audited)."
        )
        return user

    def _add(self, admin, role, username, password, temporary, options) -> User:
        if role == Role.SYSTEM:
            if options["team"] or password is not None:
                raise CommandError(
                    "A system account has no teams and no password: it uses API tokens",
                    returncode=cli.BAD_INPUT,
                )
            return services.system_account_create(
                actor=admin, username=username, description=options["job_title"], via=cli.via()
            )
        return services.user_create(
            actor=admin,
            username=username,
            role=role,
            teams=self._teams(admin, options["team"]),
            first_name=options["first_name"],
            last_name=options["last_name"],
            email=options["email"],
            job_title=options["job_title"],
            password=password,
            temporary=temporary,
            via=cli.via(),
        )

    def do_list(self, options):
        admin = cli.actor(options["as_user"])
        if options["system"]:
            rows = [
                (a.username, "System account", a.job_title, "active" if a.is_active else "deactivated")
                for a in selectors.system_accounts(user=admin)
            ]
        else:
            role = options["role"].strip()
            if role and role not in Role.values:
                raise CommandError(
                    f"--role: {role!r} is not a role; use one of {ROLE_CODES}", returncode=cli.BAD_INPUT
                )
            team = self._teams(admin, [options["team"]])[0].code if options["team"] else ""
            rows = []
            for u in selectors.staff_list(user=admin, role=role, team=team, status=options["status"]):
                status = (
                    "deactivated"
                    if not u.is_active
                    else (
                        "locked"
                        if services.is_locked(u)
                        else ("temporary password" if u.must_change_password else "active")
                    )
                )
                rows.append(
                    (u.username, u.get_role_display(), ", ".join(t.code for t in u.teams.all()), status)
                )
        selectors.record_view(
            user=admin,
            purpose="list of system accounts" if options["system"] else "list of staff",
            details={
                "via": cli.via(),
                "filters": {k: options[k] for k in ("role", "team", "status") if options[k]},
                "shown": len(rows),
            },
        )
        if not rows:
            self.stdout.write("No accounts match.")
            return
        header = ("USERNAME", "ROLE", "TEAMS" if not options["system"] else "DESCRIPTION", "STATUS")
        widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(4)]
        for row in [header, *rows]:
            self.stdout.write("  ".join(str(v).ljust(w) for v, w in zip(row, widths, strict=True)).rstrip())

    def _one(self, options, action):
        admin = cli.actor(options["as_user"])
        user = self._account(admin, options["username"])
        try:
            return action(admin, user)
        except ValidationFailed as exc:
            raise cli.bad_input(exc, FIELD_NAMES) from None

    def do_change(self, options):
        role = options["role"].strip() or None
        if role is not None and role not in Role.values:
            raise CommandError(
                f"--role: {role!r} is not a role; use one of {ROLE_CODES}", returncode=cli.BAD_INPUT
            )
        if options["no_teams"] and options["team"]:
            raise CommandError("--no-teams: give either --team or --no-teams", returncode=cli.BAD_INPUT)
        if role is None and options["team"] is None and not options["no_teams"]:
            raise CommandError("Say what to change: --role, --team or --no-teams", returncode=cli.BAD_INPUT)

        def change(admin, user):
            teams = (
                []
                if options["no_teams"]
                else (None if options["team"] is None else self._teams(admin, options["team"]))
            )
            return services.user_change(actor=admin, user=user, role=role, teams=teams, via=cli.via())

        user = self._one(options, change)
        teams = ", ".join(t.name for t in user.teams.all()) or "no teams"
        self.stdout.write(f"{user.username} is now {user.get_role_display()}, {teams}.")

    def do_deactivate(self, options):
        user = self._one(
            options, lambda admin, user: services.user_deactivate(actor=admin, user=user, via=cli.via())
        )
        self.stdout.write(f"Deactivated {user.username}: it can no longer sign in or use its API tokens.")

    def do_reactivate(self, options):
        user = self._one(
            options, lambda admin, user: services.user_reactivate(actor=admin, user=user, via=cli.via())
        )
        self.stdout.write(f"Reactivated {user.username}.")

    def do_unlock(self, options):
        def unlock(admin, user):
            services.user_unlock(actor=admin, user=user)
            return user

        user = self._one(options, unlock)
        self.stdout.write(f"Unlocked {user.username}: it can sign in again.")

    def do_password(self, options):
        if options["temporary"] and not options["password_stdin"]:
            raise CommandError(
                "--temporary: give it with --password-stdin (a generated password is always temporary)",
                returncode=cli.BAD_INPUT,
            )
        given = cli.read_password(self.stdin) if options["password_stdin"] else None
        temporary = given is None or options["temporary"]
        holder = {}

        def set_password(admin, user):
            holder["plain"] = services.user_password_set(
                actor=admin, user=user, password=given, temporary=temporary, via=cli.via()
            )
            return user

        user = self._one(options, set_password)
        if given is not None:
            self.stdout.write(
                f"Password set for {user.username}"
                + (
                    ": it is temporary, and they must choose their own at their next sign-in."
                    if temporary
                    else "."
                )
            )
        else:
            self.stdout.write(
                f"Temporary password for {user.username} (shown once, not stored; they must choose their own "
                "at their next sign-in):"
            )
            self.stdout.write(holder["plain"])
