"""Abandoned drafts: a half-finished interview nobody touched for N days is deleted.

N is ``TROPA_INTAKE_DRAFT_DAYS`` (default 30). The daily task (``tropa intake schedule``,
queued by ``tropa run``) and ``tropa intake sweep`` both call ``sweep_drafts``; each
organization's deletion is one transaction with one audit entry holding the count.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from tropa.accounts.models import Organization, User
from tropa.audit.actions import Action
from tropa.audit.services import log_action

from ..models import Status, Submission
from .common import IntakeError


def sweep_drafts(
    *, actor: User | None = None, days: int | None = None, now: datetime | None = None
) -> int:
    """Delete every draft untouched for ``days``; returns how many were deleted."""
    days = int(settings.TROPA_INTAKE_DRAFT_DAYS) if days is None else days
    if days < 1:
        raise IntakeError(_("Drafts are kept at least one day."))
    cutoff = (now or timezone.now()) - timedelta(days=days)
    stale = Submission.objects.unscoped().filter(
        Q(touched_at__lt=cutoff) | Q(touched_at__isnull=True, started_at__lt=cutoff),
        status=Status.DRAFT,
    )
    total = 0
    org_ids = set(stale.values_list("organization_id", flat=True))
    for organization in Organization.objects.filter(pk__in=org_ids).order_by("pk"):
        with transaction.atomic():
            _all, by_model = stale.filter(organization=organization).delete()
            count = by_model.get(Submission._meta.label, 0)
            if count:
                log_action(
                    actor,
                    Action.INTAKE_DRAFTS_SWEPT,
                    organization=organization,
                    count=count,
                    days=days,
                )
            total += count
    return total
