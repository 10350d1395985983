"""``tropa demo``: load the fictional demo organizations and print how to sign in."""

from __future__ import annotations

import os
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from tropa.core.demo import ACCOUNTS, load_demo, newcomer_link
from tropa.core.setup import ensure_ready


def site_address() -> str | None:
    """Where the printed link points: TROPA_SITE_URL, else the address 'tropa run' binds
    (TROPA_BIND, by default 127.0.0.1:8000); None when that is no address a browser opens
    (all interfaces, a Unix socket)."""
    site = str(getattr(settings, "TROPA_SITE_URL", "") or "").rstrip("/")
    if site:
        return site
    bind = os.environ.get("TROPA_BIND", "127.0.0.1:8000")
    host, _, port = bind.rpartition(":")
    anywhere = ("", "0.0.0.0", "[::]", "::")  # noqa: S104 (compared with, never bound)
    if bind.startswith("unix:") or not port.isdigit() or host in anywhere:
        return None
    return f"http://{bind}"


class Command(BaseCommand):
    help = "Load the demo organizations 'Demo Astana' and 'Demo Yerevan' (refused in production)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--code", metavar="USERNAME", help="print the current six-digit code of a demo account"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if settings.PRODUCTION:
            raise CommandError("demo data is refused in production mode (TROPA_PRODUCTION=1)")
        ensure_ready(self.stdout, static=False)
        if options["code"]:
            self._print_code(options["code"])
            return
        rows = load_demo()
        self.stdout.write("Demo loaded: 'Demo Astana' and 'Demo Yerevan' (all people fictional).")
        self.stdout.write(
            "Passwords are new on every run of 'tropa demo'. Add the TOTP secret to "
            "an authenticator app, or print the current code with "
            "'tropa demo --code USERNAME'.\n"
        )
        width = max(len(r[1]) for r in rows)
        for org, username, role, password, secret in rows:
            self.stdout.write(f"  {username:<{width}}  {password}  TOTP {secret}  ({role}, {org})")
        newcomer = newcomer_link()
        if newcomer is not None:
            username, path = newcomer
            site = site_address()
            where = f"{site}{path}" if site else f"{path} on the address where you run tropa"
            self.stdout.write(
                f"\nNot signed in yet: {username} opens {where} to choose a "
                "password and set up the authenticator (the link works once)."
            )

    def _print_code(self, username: str) -> None:
        if username not in {a[1] for a in ACCOUNTS}:
            raise CommandError(f"{username!r} is not a demo account")
        device = TOTPDevice.objects.filter(user__username=username, confirmed=True).first()
        if device is None:
            raise CommandError(f"{username!r} has no authenticator; run 'tropa demo' first")
        code = totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits)
        self.stdout.write(f"{code:0{device.digits}d}")
