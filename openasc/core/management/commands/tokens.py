"""`openasc tokens`: issue, revoke and list API tokens of system accounts, as the administrator named by --as."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from openasc.core.errors import ValidationFailed
from openasc.core.models import ApiToken, User
from openasc.staff import cli, selectors, services

FIELD_NAMES = {"user": "USERNAME", "name": "--name", "days": "--days"}


class Command(BaseCommand):
    help = "API tokens: `tokens issue USERNAME [--days N] [--name NAME]`, `tokens revoke ID`, `tokens list`."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="subcommand", required=True)
        issue = sub.add_parser("issue", help="issue a token for a system account; it is printed once")
        issue.add_argument("username", help="the system account")
        issue.add_argument("--days", type=int, default=365, help="how long it works (1 to 3650, default 365)")
        issue.add_argument(
            "--name", default="", help="what will use it (default: issued from the command line)"
        )
        cli.add_as_argument(issue)
        revoke = sub.add_parser("revoke", help="stop a token working (its ID is in `openasc tokens list`)")
        revoke.add_argument("id", type=int)
        cli.add_as_argument(revoke)
        listing = sub.add_parser(
            "list", help="every token: ID, account, name, prefix, expiry, last used, status"
        )
        cli.add_as_argument(listing)

    def handle(self, *args, subcommand, **options):
        admin = cli.actor(options["as_user"])
        getattr(self, f"do_{subcommand}")(admin, options)

    def do_issue(self, admin, options):
        try:
            account = selectors.account_by_username(user=admin, username=options["username"])
        except User.DoesNotExist:
            raise CommandError(
                f"USERNAME: there is no account called {options['username']!r}", returncode=cli.BAD_INPUT
            ) from None
        name = options["name"] or f"issued from the command line on {timezone.localdate():%-d %B %Y}"
        try:
            token, plain = services.token_issue(actor=admin, user=account, name=name, days=options["days"])
        except ValidationFailed as exc:
            raise cli.bad_input(exc, FIELD_NAMES) from None
        expires = timezone.localtime(token.expires_at)
        self.stderr.write(
            f"Token {token.pk} for {account.username} ({token.name}), works until "
            f"{expires:%-d %B %Y}. It is shown once, below, and not stored:"
        )
        self.stdout.write(plain)

    def do_revoke(self, admin, options):
        try:
            token = selectors.token_get(user=admin, token_id=options["id"])
        except ApiToken.DoesNotExist:
            raise CommandError(
                f"ID: there is no token {options['id']} (see `openasc tokens list`)", returncode=cli.BAD_INPUT
            ) from None
        if token.revoked_at:
            self.stdout.write(f"Token {token.pk} ({token.name}) was already revoked.")
            return
        services.token_revoke(actor=admin, token=token)
        self.stdout.write(
            f"Revoked token {token.pk} ({token.name}, {token.user.username}): it no longer works."
        )

    def do_list(self, admin, options):
        header = ("ID", "ACCOUNT", "NAME", "STARTS", "EXPIRES", "LAST USED", "STATUS")

        def when(value, fmt="%Y-%m-%d"):
            return timezone.localtime(value).strftime(fmt) if value else "-"

        rows = [
            (
                str(t.pk),
                t.user.username,
                t.name,
                t.prefix,
                when(t.expires_at),
                when(t.last_used_at, "%Y-%m-%d %H:%M"),
                selectors.token_status(t).lower(),
            )
            for t in selectors.token_list(user=admin)
        ]
        selectors.record_view(
            user=admin, purpose="list of API tokens", details={"via": cli.via(), "shown": len(rows)}
        )
        if not rows:
            self.stdout.write("No tokens have been issued.")
            return
        widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]
        for row in [header, *rows]:
            self.stdout.write("  ".join(v.ljust(w) for v, w in zip(row, widths, strict=True)).rstrip())
