"""The ``tropa`` command.

``tropa screen`` and ``tropa stay`` run without Django or a database; every other sub-command is
a Django management command (``tropa run``, ``tropa demo``, ``tropa cases list``, ``tropa audit
verify``, ``tropa migrate``...).
"""

from __future__ import annotations

import os
import sys


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    # Everything Tropa writes (database, keys, logs) is for its own user only.
    os.umask(0o077)
    if args and args[0] == "screen":
        from tropa.lib.screening.cli import main as screen

        return screen(args[1:])
    if args and args[0] == "stay":
        from tropa.lib.stay.cli import main as stay

        return stay(args[1:])
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tropa.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["tropa", *args])
    return 0


if __name__ == "__main__":
    sys.exit(main())
