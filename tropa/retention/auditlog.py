"""The audit log in the browser, for an organization's admins: codes and counts, never values.

Entries of the organization, and of its members (a denial names no organization), filtered by
user, action and date, newest first, paged by the chain's sequence number (keyset, no OFFSET).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db.models import Q
from django.utils import timezone

from tropa.accounts.models import Membership, Organization, User
from tropa.audit.actions import Action
from tropa.audit.models import AuditEntry
from tropa.audit.services import log_action

PAGE = 50


@dataclass(frozen=True)
class Filters:
    user: str = ""  # a member's code
    action: str = ""
    since: date | None = None
    until: date | None = None
    before: int | None = None  # the keyset cursor: entries with a smaller sequence number


@dataclass(frozen=True)
class LogPage:
    entries: list[AuditEntry]
    next_before: int | None


def members(organization: Organization) -> list[tuple[str, str]]:
    rows = Membership.objects.filter(organization=organization).values_list(
        "user__code", "user__username"
    )
    return sorted((str(code), name) for code, name in rows)


def _bound(day: date, end: bool) -> datetime:
    moment = datetime.combine(day + timedelta(days=1) if end else day, time.min)
    return timezone.make_aware(moment)


def read_log(*, actor: User, organization: Organization, filters: Filters) -> LogPage:
    codes = [code for code, _name in members(organization)]
    entries = AuditEntry.objects.filter(
        Q(organization_code=str(organization.code)) | Q(actor_code__in=codes)
    )
    if filters.user in codes:
        entries = entries.filter(actor_code=filters.user)
    if filters.action in {a.value for a in Action}:
        entries = entries.filter(action=filters.action)
    if filters.since:
        entries = entries.filter(at__gte=_bound(filters.since, end=False))
    if filters.until:
        entries = entries.filter(at__lt=_bound(filters.until, end=True))
    if filters.before:
        entries = entries.filter(seq__lt=filters.before)
    rows = list(entries.order_by("-seq")[: PAGE + 1])
    log_action(
        actor,
        Action.AUDIT_LOG_VIEWED,
        organization=organization,
        by_user=filters.user,
        by_action=filters.action,
        shown=min(len(rows), PAGE),
    )
    more = len(rows) > PAGE
    rows = rows[:PAGE]
    return LogPage(entries=rows, next_before=rows[-1].seq if more else None)


def detail_text(detail: dict[str, Any]) -> str:
    """An entry's detail as ``name=value`` pairs: by contract codes, counts, field names."""
    return ", ".join(f"{key}={str(value)[:80]}" for key, value in sorted(detail.items()))
