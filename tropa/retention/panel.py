"""The case page's "Dual control and erasure" panel."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from tropa.accounts.models import Role
from tropa.accounts.permissions import Cap, can, staff_user
from tropa.cases.models import Case

from . import dual_control
from .erasure import erasure_refusal
from .models import Erasure, Kind, Request, Status


def panel_context(request: HttpRequest, case: Case) -> dict[str, Any] | None:
    user = staff_user(request)
    if not can(user, Cap.VIEW_IDENTITY):
        return None
    erasure = Erasure.all_organizations.filter(case=case).first()
    dual = dual_control.policy_of(case.organization_id).dual_control
    coordinator = user.role == Role.COORDINATOR
    mine = Request.objects.filter(organization=case.organization_id, case=case, requested_by=user)
    return {
        "case": case,
        "erasure": erasure,
        "dual": dual,
        "coordinator": coordinator,
        "usable": dual_control.usable_reveal(user, case) if dual else None,
        "waiting": mine.filter(kind=Kind.REVEAL, status=Status.PENDING).first(),
        "erase_waiting": Request.objects.filter(
            organization=case.organization_id, case=case, kind=Kind.ERASE, status=Status.PENDING
        ).first(),
        "may_ask_erasure": coordinator and erasure is None and erasure_refusal(case) is None,
    }
