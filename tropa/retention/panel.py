"""The case page's "Dual control and erasure" panel: two queries, three on a closed case."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.utils import timezone

from tropa.accounts.models import Role
from tropa.accounts.permissions import Cap, can, staff_user
from tropa.cases.models import Case

from .erasure import TERMINAL
from .models import Erasure, Kind, Policy, Request, Status


def panel_context(request: HttpRequest, case: Case) -> dict[str, Any] | None:
    user = staff_user(request)
    if not can(user, Cap.VIEW_IDENTITY):
        return None
    dual = bool(
        Policy.objects.filter(organization_id=case.organization_id)
        .values_list("dual_control", flat=True)
        .first()
    )
    live = [Status.PENDING, Status.APPROVED, Status.BREAK_GLASS]
    requests = list(
        Request.objects.filter(organization=case.organization_id, case=case, status__in=live)
        .only("kind", "status", "requested_by_id", "decided_at", "expires_at")
        .order_by("-created_at")[:50]
    )
    window = timezone.now() - timedelta(minutes=settings.TROPA_DUAL_CONTROL_REVEAL_MINUTES)
    reveals = [r for r in requests if r.kind == Kind.REVEAL and r.requested_by_id == user.pk]
    terminal = case.stage in TERMINAL
    erasure = Erasure.all_organizations.filter(case=case).first() if terminal else None
    coordinator = user.role == Role.COORDINATOR
    erase_waiting = next(
        (r for r in requests if r.kind == Kind.ERASE and r.status == Status.PENDING), None
    )
    return {
        "case": case,
        "erasure": erasure,
        "dual": dual,
        "coordinator": coordinator,
        "usable": next(
            (
                r
                for r in reveals
                if r.status != Status.PENDING and r.decided_at and r.decided_at > window
            ),
            None,
        ),
        "waiting": next((r for r in reveals if r.status == Status.PENDING), None),
        "erase_waiting": erase_waiting,
        # Whether another open case of his blocks it is said when asked (erasure_refusal).
        "may_ask_erasure": coordinator and terminal and erasure is None,
    }
