"""The screening panel on the case page: when the man was last screened, and the hits."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from tropa.accounts.permissions import Cap, can
from tropa.cases.models import Case

from .models import ScreeningHit


def case_panel(request: HttpRequest, case: Case) -> dict[str, Any] | None:
    if not can(request.user, Cap.SCREEN):
        return None
    # Imported here, not at start-up: the services load the name engine (followthemoney,
    # rigour), which would add seconds to every `tropa` command and worker start.
    from . import services

    hits = ScreeningHit.objects.filter(person=case.person).select_related(
        "entry__watchlist", "entry__removed_in"
    )
    return {
        "case": case,
        "last_run": services.last_run(case),
        "lists": services.visible_lists(case.organization)
        .filter(versions__isnull=False)
        .distinct()
        .count(),
        "hits": [(hit, services.entry_caption(hit.entry)) for hit in hits],
        "may_review": can(request.user, Cap.REVIEW_SCREENING),
    }
