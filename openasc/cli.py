"""`openasc`: the Django management commands under one friendly entry point."""

import os
import sys


def main(argv: list[str] | None = None) -> None:
    """Run a management command; `openasc --help` lists them, `openasc CMD --help` explains one."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "openasc.config.settings")
    # A checkout run from the command line is a development install unless told otherwise.
    os.environ.setdefault("OPENASC_ALLOW_INSECURE_KEY", "1")
    from django.core.management import execute_from_command_line

    args = list(sys.argv if argv is None else ["openasc", *argv])
    if len(args) == 1:
        args.append("help")
    args[0] = "openasc"
    execute_from_command_line(args)


if __name__ == "__main__":
    main()
