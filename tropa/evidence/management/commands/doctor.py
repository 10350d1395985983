"""``tropa doctor``: what this machine offers Tropa, and what is missing."""

from __future__ import annotations

import os
import shutil
import sys
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser

from tropa.evidence import tools
from tropa.evidence.storage import get_storage


class Command(BaseCommand):
    help = "List the system tools and facilities Tropa uses, and what is missing."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--strict", action="store_true", help="exit 1 if anything is missing")

    def handle(self, *args: Any, **options: Any) -> None:
        missing = 0
        self.stdout.write("Tools for evidence files:")
        for name, tool in tools.TOOLS.items():
            version = tools.version(name)
            if version:
                self.stdout.write(f"  ok       {version:<28} {tool.purpose}")
            else:
                missing += 1
                self.stdout.write(
                    f"  MISSING  {name:<28} {tool.purpose}: not available; install the Debian "
                    f"package '{tool.package}'. Uploads still work without it."
                )
        ram = tools.mat2_usable(0)
        self.stdout.write(
            "  ok       private tmpfs for mat2 (a mount namespace of its own)"
            if ram
            else "  MISSING  private tmpfs for mat2 (unshare --mount; user namespaces may be "
            "disabled): stripped photos and documents fall back to exiftool"
        )
        missing += not ram
        root = get_storage().root  # type: ignore[attr-defined]
        root.mkdir(parents=True, exist_ok=True, mode=0o700)
        free = shutil.disk_usage(root).free
        writable = os.access(root, os.W_OK)
        self.stdout.write(
            f"Evidence storage: {root} ({'writable' if writable else 'NOT WRITABLE'}, "
            f"{free / 1024**3:.1f} GB free)"
        )
        missing += not writable
        keyset = settings.KEYSET_FILE
        self.stdout.write(f"Master keyset: {'present' if keyset.exists() else 'not created yet'}")
        if options["strict"] and missing:
            sys.exit(1)
