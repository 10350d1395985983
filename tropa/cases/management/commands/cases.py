"""``tropa cases list [--org NAME]``: case codes with pseudonym and stage (an audited read)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from tropa.accounts.models import Organization
from tropa.audit.services import log_action
from tropa.cases.models import Case


class Command(BaseCommand):
    help = "List cases by code, pseudonym and stage."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        listing = sub.add_parser("list", help="list cases")
        listing.add_argument("--org", help="only this organization (exact name)")

    def handle(self, *args: Any, **options: Any) -> None:
        cases = Case.objects.select_related("person", "organization").order_by(
            "organization__name", "person__pseudonym"
        )
        organization = None
        if options["org"]:
            organization = Organization.objects.filter(name=options["org"]).first()
            if organization is None:
                names = ", ".join(Organization.objects.values_list("name", flat=True))
                raise CommandError(
                    f"no organization named {options['org']!r} (there are: {names or 'none'})"
                )
            cases = cases.filter(organization=organization)
        rows = list(cases)
        log_action(None, "cases.listed_from_shell", organization=organization, count=len(rows))
        for case in rows:
            self.stdout.write(
                f"{case.code}  {case.person.pseudonym:<24} {case.stage:<11} "
                f"{case.organization.name}"
            )
