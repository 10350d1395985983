"""Who may reach a vetting, its checks, claims and dossiers.

Another organization's object is a 404, and so is any vetting object for a role that may not
read notes (volunteers): a volunteer must not even learn that a case is being vetted. Within
what a user sees, a missing capability is an audited 403.
"""

from __future__ import annotations

from typing import Any, TypeVar

from django.db import models

from tropa.accounts.permissions import Cap, can
from tropa.cases.access import Viewer, access_case, deny, scope_to_visible_cases
from tropa.cases.models import Case
from tropa.core.access import forbid

from .models import Check, Claim, Dossier, Vetting

M = TypeVar("M", bound=models.Model)


def may_view(user: Viewer) -> bool:
    return can(user, Cap.VIEW_NOTES)


def _find(user: Viewer, items: models.QuerySet[M], case_path: str, code: Any, kind: str) -> M:
    if not may_view(user):
        raise deny(user, code, kind)
    found: M | None = scope_to_visible_cases(user, items.filter(code=code), case_path).first()
    if found is None:
        raise deny(user, code, kind)
    return found


def access_vetting(user: Viewer, code: Any, *, cap: Cap | None = None) -> Vetting:
    vetting: Vetting = _find(
        user,
        Vetting.objects.unscoped().select_related("case__person", "case__assignee", "opened_by"),
        "case",
        code,
        "vetting",
    )
    if cap is not None and not can(user, cap):
        forbid(user, cap, vetting.case)
    return vetting


def access_check(user: Viewer, code: Any, *, cap: Cap | None = None) -> Check:
    check: Check = _find(
        user,
        Check.objects.unscoped().select_related("vetting__case__person", "item"),
        "vetting__case",
        code,
        "vetting_check",
    )
    if cap is not None and not can(user, cap):
        forbid(user, cap, check.vetting.case)
    return check


def access_claim(user: Viewer, code: Any, *, cap: Cap | None = None) -> Claim:
    claim: Claim = _find(
        user,
        Claim.objects.unscoped().select_related("vetting__case__person"),
        "vetting__case",
        code,
        "vetting_claim",
    )
    if cap is not None and not can(user, cap):
        forbid(user, cap, claim.vetting.case)
    return claim


def access_dossier(user: Viewer, code: Any) -> Dossier:
    dossier: Dossier = _find(
        user,
        Dossier.objects.unscoped().select_related(
            "vetting__case__person", "requested_by", "decided_by", "decision"
        ),
        "vetting__case",
        code,
        "vetting_dossier",
    )
    return dossier


def access_case_for_vetting(user: Viewer, code: Any, *, cap: Cap) -> Case:
    """The case a vetting is opened on (404 for volunteers, as for the vetting itself)."""
    if not may_view(user):
        raise deny(user, code, "case")
    return access_case(user, code, cap=cap)
