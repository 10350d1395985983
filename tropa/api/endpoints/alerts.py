"""Alerts: the open ones of the cases you see (raising one is ``POST /cases/{code}/alerts``)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Router

from tropa.cases.access import scope_to_visible_cases
from tropa.cases.models import Alert

from .. import schemas as s
from ..api import need
from ..scopes import Scope
from .common import ERRORS, alert_out

router = Router(tags=["alerts"])
MAX = 200


@router.get("", response={200: list[s.AlertOut], **ERRORS}, url_name="alert_list")
def alert_list(request: HttpRequest) -> list[dict[str, Any]]:
    """Open alerts, newest first (at most 200)."""
    user = need(request, Scope.CASES_READ)
    alerts = scope_to_visible_cases(user, Alert.objects.filter(resolved_at__isnull=True))
    return [alert_out(a) for a in alerts.select_related("case").order_by("-raised_at")[:MAX]]
