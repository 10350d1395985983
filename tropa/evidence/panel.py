"""The evidence panel on the case page and its entries in the case timeline."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from tropa.accounts.permissions import Cap, can, staff_user
from tropa.cases.access import scope_to_visible_cases
from tropa.cases.models import Case
from tropa.cases.registry import TimelineEntry

from .models import DerivedKind, EvidenceItem, ExportRequest, ExportStatus
from .naming import kind_in_words


def panel_context(request: HttpRequest, case: Case) -> dict[str, Any] | None:
    if not can(request.user, Cap.VIEW_EVIDENCE):
        return None
    from .services import summarize  # loaded when a case page is shown, not at start-up

    items = (
        EvidenceItem.objects.filter(organization=case.organization_id, case=case)
        .prefetch_related("derived")
        .order_by("-created_at")
    )
    rows = [
        (summary, any(d.kind == DerivedKind.STRIPPED for d in summary.item.derived.all()))
        for summary in summarize(items)
    ]
    exports = ExportRequest.objects.filter(organization=case.organization_id, case=case).exclude(
        status__in=[ExportStatus.EXPIRED, ExportStatus.REFUSED]
    )
    return {
        "case": case,
        "rows": rows,
        "exports": exports.select_related("requested_by"),
        "may_add": can(request.user, Cap.ADD_EVIDENCE),
    }


def timeline(request: HttpRequest, case: Case) -> list[TimelineEntry]:
    if not can(request.user, Cap.VIEW_EVIDENCE):
        return []
    return [
        TimelineEntry(
            at=item.created_at,
            kind="evidence",
            text=_("Evidence added (%(type)s)") % {"type": kind_in_words(item.mime)},
        )
        for item in EvidenceItem.objects.filter(organization=case.organization_id, case=case).only(
            "created_at", "mime"
        )
    ]


def dashboard_context(request: HttpRequest) -> dict[str, Any] | None:
    """Exports that wait for this user's approval (a second person must decide, R18)."""
    user = staff_user(request)
    if not can(user, Cap.APPROVE_EXPORT):
        return None
    waiting = (
        scope_to_visible_cases(
            user,
            ExportRequest.objects.unscoped().filter(  # scoped by the next call
                status=ExportStatus.PENDING, expires_at__gt=timezone.now()
            ),
        )
        .exclude(requested_by=user)
        .select_related("case__person", "requested_by")
        .order_by("requested_at")
    )
    exports = list(waiting[:20])
    return {"exports": exports} if exports else None
