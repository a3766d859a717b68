"""What the `openasc users`, `teams` and `tokens` commands share: who is acting, and errors as one line each.

The commands act as the administrator named by `--as USERNAME` (or the OPENASC_AS environment variable), so that
the audit trail names a person, with the operating-system user added to every event's details. The one exception
is a fresh install with no accounts at all, whose first administrator is created by `openasc users add` without
`--as` (staff.services.first_administrator_create).
"""

from __future__ import annotations

import getpass
import os

from django.core.management.base import CommandError

from openasc.core import access
from openasc.core.errors import ValidationFailed
from openasc.core.models import User

BAD_INPUT = 2  # exit code for input the services refuse, as argparse uses for bad arguments


def add_as_argument(parser) -> None:
    parser.add_argument(
        "--as",
        dest="as_user",
        metavar="ADMIN",
        default=os.environ.get("OPENASC_AS", ""),
        help="the administrator doing this, written to the audit trail (default: $OPENASC_AS)",
    )


def via() -> str:
    try:
        who = getpass.getuser()
    except (KeyError, OSError):  # no name for this uid (in a container): still say who
        who = f"uid {os.getuid()}" if hasattr(os, "getuid") else "unknown"
    return f"command line (operating-system user {who})"


def actor(as_user: str) -> User:
    """The active administrator named by --as, or a one-line error saying what to do."""
    if not as_user:
        raise CommandError(
            "Say which administrator is doing this: --as USERNAME (or set OPENASC_AS). On a fresh "
            "install, create the first one with `openasc users add USERNAME --role administrator "
            "--password-stdin`."
        )
    user = User.objects.filter(username__iexact=as_user.strip()).first()
    if user is None or not user.is_active:
        raise CommandError(f"--as {as_user}: there is no active account with that username")
    if not access.has(user, access.Capability.MANAGE_STAFF):
        raise CommandError(
            f"--as {as_user}: {user.username} is not an administrator "
            f"({user.get_role_display()}); only administrators manage staff, teams and tokens"
        )
    return user


def bad_input(exc: ValidationFailed, names: dict[str, str]) -> CommandError:
    """A service's field errors as lines naming the command-line argument each one is about."""
    lines = [f"{names.get(field, field)}: {message}" for field, message in exc.errors.items()]
    return CommandError("\n".join(lines), returncode=BAD_INPUT)


def read_password(stdin) -> str:
    """One line from standard input, without its line ending (nothing else is stripped)."""
    line = stdin.readline()
    if not line:
        raise CommandError("--password-stdin: nothing was read from standard input", returncode=BAD_INPUT)
    return line.removesuffix("\n").removesuffix("\r")
