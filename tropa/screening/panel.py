"""The screening panel on the case page: when the man was last screened, and the hits."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from tropa.accounts.permissions import Cap, can
from tropa.cases.models import Case

from . import services
from .models import ScreeningHit


def case_panel(request: HttpRequest, case: Case) -> dict[str, Any] | None:
    if not can(request.user, Cap.SCREEN):
        return None
    # No names here, neither his nor the list's: they are on the hit page, after a reveal.
    hits = ScreeningHit.objects.for_organization(case.organization).filter(person=case.person)
    return {
        "case": case,
        "last_run": services.last_run(case),
        "lists": services.visible_lists(case.organization)
        .filter(versions__isnull=False)
        .distinct()
        .count(),
        "hits": services.hit_rows(hits),
        "may_review": can(request.user, Cap.REVIEW_SCREENING),
    }
