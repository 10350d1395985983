"""The case page's panel: every referral, share and advocate grant of the case."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from tropa.accounts.permissions import Cap, can
from tropa.cases.models import Case

from .models import AdvocateGrant, Receipt, Referral
from .services import read_summary


def panel_context(request: HttpRequest, case: Case) -> dict[str, Any] | None:
    user = request.user
    if not can(user, Cap.SHARE_CASES):
        return None
    outgoing = list(
        Referral.objects.filter(organization=case.organization_id, case=case).select_related(
            "receiver", "created_by", "decided_by"
        )
    )
    incoming = (
        Receipt.objects.filter(organization=case.organization_id, case=case)
        .select_related("referral__organization", "referral__decided_by")
        .first()
    )
    grants = [
        (grant, read_summary(grant))
        for grant in AdvocateGrant.objects.filter(
            organization=case.organization_id, case=case
        ).select_related("advocate", "granted_by", "revoked_by")
    ]
    return {"case": case, "outgoing": outgoing, "incoming": incoming, "grants": grants}
