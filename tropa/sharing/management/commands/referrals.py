"""``tropa referrals list --org ORG``: the organization's referrals, both directions, by state
(codes, organizations, kinds, states and dates; no case content). An audited read."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.db.models import Q

from tropa.accounts.cli import find_organization
from tropa.audit.actions import Action
from tropa.audit.services import log_action
from tropa.sharing.models import Referral


class Command(BaseCommand):
    help = "List an organization's outgoing and incoming referrals."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        listing = sub.add_parser("list", help="outgoing and incoming referrals, with states")
        listing.add_argument("--org", required=True, help="the organization (exact name)")

    def handle(self, *args: Any, **options: Any) -> None:
        organization = find_organization(options["org"])
        # Both directions on purpose: the sender's rows and those addressed to it.
        rows = list(
            Referral.objects.unscoped()
            .filter(Q(organization=organization) | Q(receiver=organization))
            .select_related("organization", "receiver")
            .order_by("-created_at")
        )
        log_action(
            None, Action.REFERRALS_LISTED_FROM_SHELL, organization=organization, count=len(rows)
        )
        for referral in rows:
            outgoing = referral.organization_id == organization.pk
            other = referral.receiver if outgoing else referral.organization
            decided = referral.decided_at.isoformat() if referral.decided_at else "-"
            self.stdout.write(
                f"{referral.code}  {'out' if outgoing else 'in ':<3} {referral.mode:<8} "
                f"{referral.state:<9} {referral.created_at.date().isoformat()}  {decided:<25} "
                f"{'to' if outgoing else 'from'} {other.name}"
            )
