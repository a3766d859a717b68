"""`openasc`: the Django management commands under one friendly entry point."""

import os
import sys


def _measures():
    from openasc.reporting.engine.cli import main

    return main


def _salt():
    from openasc.reporting.engine.cli import salt_main

    return salt_main


# Commands whose --cld route reads a file and nothing else (the same engine entry points the management commands
# hand --cld to: reporting/management/engine_command.py).
FILE_COMMANDS = {"measures": _measures, "salt": _salt}


def main(argv: list[str] | None = None) -> None:
    """Run a management command; `openasc --help` lists them, `openasc CMD --help` explains one."""
    args = list(sys.argv if argv is None else ["openasc", *argv])
    if len(args) > 2 and args[1] in FILE_COMMANDS and "--cld" in args:
        # A CLD file goes straight to the DuckDB engine: no database, so no Django to start (a second saved)
        sys.exit(FILE_COMMANDS[args[1]]()(args[2:]))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "openasc.config.settings")
    # A checkout run from the command line is a development install unless told otherwise.
    os.environ.setdefault("OPENASC_ALLOW_INSECURE_KEY", "1")
    from django.core.management import execute_from_command_line

    if len(args) == 1:
        args.append("help")
    args[0] = "openasc"
    execute_from_command_line(args)


if __name__ == "__main__":
    main()
