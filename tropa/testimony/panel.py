"""The testimony panel on the case page: interviews, consent, flag, corroborations."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from tropa.accounts.permissions import Cap, can
from tropa.cases.models import Case

from .access import may_see_case_testimony
from .models import Testimony, Witness


def panel_context(request: HttpRequest, case: Case) -> dict[str, Any] | None:
    if not may_see_case_testimony(request.user, case):
        return None
    from . import services
    from .flags import flag_of
    from .models import Corroboration, CorroborationStatus, Event

    witness = Witness.objects.filter(organization=case.organization_id, case=case).first()
    events = Event.objects.filter(organization=case.organization_id, case=case)
    confirmed = Corroboration.objects.filter(
        organization=case.organization_id, status=CorroborationStatus.CONFIRMED
    )
    suggested = Corroboration.objects.filter(
        organization=case.organization_id, status=CorroborationStatus.SUGGESTED
    )
    return {
        "case": case,
        "testimonies": Testimony.objects.filter(organization=case.organization_id, case=case),
        "consent": services.consent_now(witness),
        "flag": flag_of(witness),
        "confirmed": (
            confirmed.filter(event_a__in=events) | confirmed.filter(event_b__in=events)
        ).count(),
        "suggested": (
            suggested.filter(event_a__in=events) | suggested.filter(event_b__in=events)
        ).count(),
        "may_write": can(request.user, Cap.WRITE_TESTIMONY),
    }
