"""``tropa cases list [--org NAME]``: case codes with pseudonym and stage (an audited read)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from tropa.accounts.cli import find_organization
from tropa.audit.actions import Action
from tropa.audit.services import log_action
from tropa.cases.models import Case


class Command(BaseCommand):
    help = "List cases by code, pseudonym and stage."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        listing = sub.add_parser("list", help="list cases")
        listing.add_argument("--org", help="only this organization (exact name)")

    def handle(self, *args: Any, **options: Any) -> None:
        # The shell reads across organizations on purpose (--org narrows it).
        cases = (
            Case.objects.unscoped()
            .select_related("person", "organization")
            .order_by("organization__name", "person__pseudonym")
        )
        organization = find_organization(options["org"]) if options["org"] else None
        if organization is not None:
            cases = cases.filter(organization=organization)
        rows = list(cases)
        log_action(None, Action.CASES_LISTED_FROM_SHELL, organization=organization, count=len(rows))
        for case in rows:
            self.stdout.write(
                f"{case.code}  {case.person.pseudonym:<24} {case.stage:<11} "
                f"{case.organization.name}"
            )
