"""``tropa lists import FILE --name NAME [--org ORG]`` and ``tropa lists show``.

A published list (OpenSanctions' entities.ftm.json or targets.nested.json) is shared by every
organization; with ``--org`` the list is that organization's own, stored encrypted. Importing
a newer file of the same list stores a new version and reports what was added, changed and
removed; a file with bad lines is refused whole.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from tropa.accounts.cli import find_organization
from tropa.screening import services
from tropa.screening.models import ListVersion


class Command(BaseCommand):
    help = "Import and show screening watchlists."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        importing = sub.add_parser(
            "import",
            help="store a list file (FollowTheMoney JSON lines or CSV) as the list's new version",
        )
        importing.add_argument("file", help="entities.ftm.json, targets.nested.json or a .csv")
        importing.add_argument("--name", required=True, help="the list's name, e.g. OpenSanctions")
        importing.add_argument(
            "--org", help="an organization's own list (exact name); default: a published list"
        )
        sub.add_parser("show", help="lists with their current version")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "show":
            self._show()
            return
        organization = find_organization(options["org"]) if options["org"] else None
        try:
            report = services.import_list(
                actor=None, path=options["file"], name=options["name"], organization=organization
            )
        except services.ScreeningError as exc:
            lines = "".join(f"\n  line {e.line}: {e.message}" for e in exc.lines)
            raise CommandError(f"{options['file']}: refused: {exc}{lines}") from exc
        if report.version is None:
            self.stdout.write(
                f"{report.watchlist.name}: unchanged, the file is the current version "
                f"({report.entries} people)"
            )
            return
        self.stdout.write(
            f"{report.watchlist.name}: version {report.version.number} stored, "
            f"{report.entries} people: {report.added} added, {report.changed} changed, "
            f"{report.removed} removed"
        )

    def _show(self) -> None:
        versions = ListVersion.objects.select_related("watchlist__organization").order_by(
            "watchlist__name", "-number"
        )
        seen = set()
        for version in versions:
            if version.watchlist_id in seen:
                continue
            seen.add(version.watchlist_id)
            owner = version.watchlist.organization or "published"
            self.stdout.write(
                f"{version.watchlist.name:<30} v{version.number:<4} {version.entries:>8} people  "
                f"{version.imported_at:%Y-%m-%d %H:%M}  {owner}"
            )
