"""``tropa deploy render --host NAME [--onion] --out DIR``: systemd units, nginx, torrc."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from tropa.ops import deploy
from tropa.ops.errors import BackupError


class Command(BaseCommand):
    help = "Write the files of a real installation (see docs/operations.md)."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        render = sub.add_parser("render", help="write systemd units, nginx site, torrc")
        render.add_argument("--host", required=True, help="the public host name (TLS)")
        render.add_argument("--onion", action="store_true", help="also an onion service")
        render.add_argument("--onion-host", default="", help="its .onion name, once tor made it")
        render.add_argument("--out", required=True)
        render.add_argument("--tropa", default=deploy.Deployment.tropa, help="the tropa binary")
        render.add_argument("--data-dir", default=deploy.Deployment.data_dir)
        render.add_argument("--key-dir", default=deploy.Deployment.key_dir)
        render.add_argument("--backup-dir", default=deploy.Deployment.backup_dir)
        render.add_argument("--tls-cert", default="")
        render.add_argument("--tls-key", default="")
        render.add_argument("--postgres", action="store_true", help="PostgreSQL on this host")

    def handle(self, *args: Any, **options: Any) -> None:
        deployment = deploy.Deployment(
            host=options["host"].lower(),
            onion=options["onion"],
            onion_host=options["onion_host"].lower(),
            tropa=options["tropa"],
            data_dir=options["data_dir"],
            key_dir=options["key_dir"],
            backup_dir=options["backup_dir"],
            tls_cert=options["tls_cert"],
            tls_key=options["tls_key"],
            postgres=options["postgres"],
        )
        try:
            written = deploy.write(deployment, Path(options["out"]))
        except BackupError as exc:
            raise CommandError(str(exc)) from None
        for path in written:
            self.stdout.write(f"wrote {path}")
