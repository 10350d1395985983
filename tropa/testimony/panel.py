"""The testimony panel on the case page: interviews, consent, flag, corroborations."""

from __future__ import annotations

from typing import Any

from django.db.models import Q
from django.http import HttpRequest

from tropa.accounts.permissions import Cap, can
from tropa.cases.models import Case

from .access import FLAGGED_READERS
from .flags import flag_of
from .models import Corroboration, CorroborationStatus, Testimony, Witness


def panel_context(request: HttpRequest, case: Case) -> dict[str, Any] | None:
    """One query for a case without testimony; the same rule as ``access``: a flagged
    witness's panel is shown to lawyers and verifiers only."""
    if not can(request.user, Cap.VIEW_TESTIMONY):
        return None
    witness = Witness.objects.filter(organization=case.organization_id, case=case).first()
    flag = flag_of(witness)
    if flag is not None and getattr(request.user, "role", None) not in FLAGGED_READERS:
        return None
    context: dict[str, Any] = {
        "case": case,
        "testimonies": [],
        "consent": {},
        "flag": flag,
        "confirmed": 0,
        "suggested": 0,
        "may_write": can(request.user, Cap.WRITE_TESTIMONY),
    }
    if witness is None:  # nothing recorded yet
        return context
    from .services import consent_now

    pairs = Corroboration.objects.filter(organization=case.organization_id).filter(
        Q(event_a__case=case) | Q(event_b__case=case)
    )
    statuses = list(pairs.values_list("status", flat=True))
    context.update(
        testimonies=list(Testimony.objects.filter(organization=case.organization_id, case=case)),
        consent=consent_now(witness),
        confirmed=statuses.count(CorroborationStatus.CONFIRMED),
        suggested=statuses.count(CorroborationStatus.SUGGESTED),
    )
    return context
