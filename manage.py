#!/usr/bin/env python
"""Django's command-line utility for Zargar.

`migrate` runs as the owner account of DATABASE_URL; every other command as the runtime role.
"""
import os
import sys

OWNER_COMMANDS = {"migrate", "createcachetable", "sqlflush", "flush"}


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zargar.settings")
    if len(sys.argv) > 1 and sys.argv[1] in OWNER_COMMANDS:
        os.environ["ZARGAR_DB_AS_OWNER"] = "1"
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
