"""What the sharing services share: their error, the clock, and who may do what."""

from __future__ import annotations

from datetime import datetime

from django.utils import timezone

from tropa.accounts.models import Organization, User
from tropa.accounts.permissions import Cap, can
from tropa.core.errors import ServiceError


class SharingError(ServiceError):
    """A referral or a grant that cannot be made or changed as asked."""


def now() -> datetime:
    return timezone.now().replace(microsecond=0)


def require_sharer(actor: User | None, organization: Organization, message: str) -> None:
    """``actor`` is a coordinator (Cap.SHARE_CASES) of ``organization``, or the shell."""
    if actor is None:
        return
    if actor.organization != organization or not can(actor, Cap.SHARE_CASES):
        raise SharingError(message)
