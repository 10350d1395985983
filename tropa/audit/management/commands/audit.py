"""``tropa audit verify``: check the hash chain; exit 1 naming the first bad entry."""

from __future__ import annotations

import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from tropa.audit.services import verify_chain


class Command(BaseCommand):
    help = "Verify the audit log's hash chain."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("verify", help="verify the hash chain")

    def handle(self, *args: Any, **options: Any) -> None:
        count, problem = verify_chain()
        if problem is None:
            self.stdout.write(f"audit chain intact: {count} entries")
            return
        self.stderr.write(
            f"audit chain BROKEN at entry #{problem.seq}: {problem.reason} "
            f"({count} entries before it verified)"
        )
        sys.exit(1)
