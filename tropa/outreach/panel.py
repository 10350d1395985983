"""The outreach panel on the case page: every request written for this case."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from tropa.accounts.permissions import Cap, can
from tropa.cases.models import Case

from . import services
from .access import visible_requests

SHOWN = 20


def case_panel(request: HttpRequest, case: Case) -> dict[str, Any] | None:
    if not can(request.user, Cap.VIEW_OUTREACH):
        return None
    requests = visible_requests(request.user).filter(case=case)
    shown = list(requests.select_related("institution")[:SHOWN])
    return {
        "case": case,
        "requests": shown,
        "subjects": services.subjects_of(shown),
        "count": requests.count(),
    }
