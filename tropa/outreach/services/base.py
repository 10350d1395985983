"""What every outreach service shares: its error, and the statistics' version bump."""

from __future__ import annotations

from django.db.models import F

from tropa.core.errors import ServiceError

from ..models import (
    StatsVersion,
)


class OutreachError(ServiceError):
    """A request that cannot be carried out; the message is shown to the user."""


def statistics_changed(organization_id: int) -> None:
    """Invalidate cached statistics of the organization (inside the write's transaction)."""
    updated = StatsVersion.objects.filter(organization_id=organization_id).update(
        version=F("version") + 1
    )
    if not updated:
        StatsVersion.objects.get_or_create(organization_id=organization_id)
