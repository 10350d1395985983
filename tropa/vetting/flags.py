"""What later apps (pathways) read of a vetting, without importing its services."""

from __future__ import annotations

from tropa.cases.models import Case

from .models import Vetting, VettingState


def vetting_decision(case: Case) -> str | None:
    """The outcome code of the case's decision in effect (``recommend``, ``not_recommend``,
    ``defer``), or None when the case has no decided vetting."""
    outcome: str | None = (
        Vetting.objects.filter(
            organization=case.organization_id, case=case, state=VettingState.DECIDED
        )
        .values_list("outcome", flat=True)
        .first()
    )
    return outcome or None
