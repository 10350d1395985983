"""Insider alerts (issue 16, point 5): reading patterns that point to an infiltrator.

Computed from the audit log when an admin opens the Oversight page, never stored: each alert
names the user, what was seen and how often, and links to the audit entries behind it. The
thresholds are settings (``TROPA_INSIDER_*``, ``tropa/settings.py``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tropa.accounts.models import Membership, Organization
from tropa.audit.actions import Action
from tropa.audit.models import AuditEntry
from tropa.cases.models import Case

EXPORTS = (
    Action.EVIDENCE_EXPORT_REQUESTED,
    Action.EVIDENCE_EXPORT_DOWNLOADED,
    Action.OUTREACH_EXPORTED,
    Action.VETTING_DOSSIER_EXPORTED,
    Action.TESTIMONY_EXPORT_REQUESTED,
    Action.TESTIMONY_EXPORT_DOWNLOADED,
)
KINDS = {
    "reveals": _("Many identity reveals in a short time"),
    "unassigned": _("Reading many cases assigned to others"),
    "after_hours": _("Exports outside working hours"),
    "probing": _("Repeated unknown or foreign case codes (probing)"),
}


@dataclass(frozen=True)
class InsiderAlert:
    kind: str
    user: str  # the user name, as the audit log records it
    actor_code: str
    count: int
    action: str
    since: datetime

    @property
    def title(self) -> str:
        return str(KINDS[self.kind])


def _entries(organization: Organization, since: datetime) -> Any:
    """The entries of ``organization``'s members since ``since`` (a denial names no org)."""
    members = Membership.objects.filter(organization=organization).values_list(
        "user__code", flat=True
    )
    return AuditEntry.objects.filter(actor_code__in=[str(c) for c in members], at__gte=since)


def _counted(entries: Any, action: str, threshold: int) -> list[tuple[str, str, int]]:
    rows = (
        entries.filter(action=action)
        .values("actor_code", "actor_name")
        .annotate(n=Count("*"))
        .filter(n__gte=threshold)
        .order_by("-n")
    )
    return [(r["actor_code"], r["actor_name"], r["n"]) for r in rows]


def alerts_for(organization: Organization, now: datetime | None = None) -> list[InsiderAlert]:
    now = now or timezone.now()
    found: list[InsiderAlert] = []
    since = now - timedelta(minutes=settings.TROPA_INSIDER_REVEAL_MINUTES)
    for code, name, n in _counted(
        _entries(organization, since), Action.IDENTITY_REVEALED, settings.TROPA_INSIDER_REVEALS
    ):
        found.append(InsiderAlert("reveals", name, code, n, Action.IDENTITY_REVEALED, since))
    day = now - timedelta(hours=24)
    recent = _entries(organization, day)
    for code, name, n in _counted(recent, Action.ACCESS_DENIED, settings.TROPA_INSIDER_PROBES):
        found.append(InsiderAlert("probing", name, code, n, Action.ACCESS_DENIED, day))
    found += _unassigned(organization, recent, day)
    found += _after_hours(recent, day)
    return found


def _unassigned(organization: Organization, recent: Any, day: datetime) -> list[InsiderAlert]:
    found = []
    for code, name, _n in _counted(recent, Action.CASE_VIEWED, settings.TROPA_INSIDER_UNASSIGNED):
        read = set(
            recent.filter(action=Action.CASE_VIEWED, actor_code=code).values_list(
                "object_code", flat=True
            )
        )
        others = (
            Case.objects.filter(organization=organization, code__in=list(read))
            .exclude(assignee__code=code)
            .count()
        )
        if others >= settings.TROPA_INSIDER_UNASSIGNED:
            found.append(InsiderAlert("unassigned", name, code, others, Action.CASE_VIEWED, day))
    return found


def _after_hours(recent: Any, day: datetime) -> list[InsiderAlert]:
    start, end = settings.TROPA_INSIDER_WORK_HOURS
    late: dict[tuple[str, str, str], int] = {}
    for entry in recent.filter(action__in=EXPORTS).only("actor_code", "actor_name", "at", "action"):
        hour = timezone.localtime(entry.at).hour
        if not start <= hour < end:
            key = (entry.actor_code, entry.actor_name, entry.action)
            late[key] = late.get(key, 0) + 1
    return [
        InsiderAlert("after_hours", name, code, n, action, day)
        for (code, name, action), n in sorted(late.items())
    ]
