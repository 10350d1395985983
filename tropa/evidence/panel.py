"""The evidence panel on the case page and its entries in the case timeline."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _

from tropa.accounts.permissions import Cap, can
from tropa.cases.models import Case
from tropa.cases.registry import TimelineEntry

from .models import DerivedKind, EvidenceItem, ExportRequest, ExportStatus


def panel_context(request: HttpRequest, case: Case) -> dict[str, Any] | None:
    if not can(request.user, Cap.VIEW_EVIDENCE):
        return None
    items = (
        EvidenceItem.objects.filter(case=case).prefetch_related("derived").order_by("-created_at")
    )
    rows = [(item, {d.kind for d in item.derived.all()} & {DerivedKind.STRIPPED}) for item in items]
    exports = ExportRequest.objects.filter(case=case).exclude(
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
            text=_("Evidence added (%(type)s)") % {"type": item.mime},
        )
        for item in EvidenceItem.objects.filter(case=case).only("created_at", "mime")
    ]
