"""Keyset pages of the intake queue and of the invitation list, behind a signed cursor
(``tropa.cases.listing``'s way).

The queue is ordered by (submitted_at, id) descending, which the ``intake_queue`` indexes
serve; a page never counts rows it skips, so page 1,000 costs what page 1 costs.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.core import signing
from django.db.models import Q, QuerySet

from .models import Invitation, Submission

PAGE_SIZE = 50
_SALT = "tropa.intake.queue"
_INVITATION_SALT = "tropa.intake.invitations"


@dataclass
class QueuePage:
    rows: list[Any]
    next: str | None
    first: bool


def page_of(rows: QuerySet[Submission], token: str | None) -> QueuePage:
    """A page of the queue, newest sent first."""
    return _keyset(rows, token, "submitted_at", _SALT)


def invitations_page_of(rows: QuerySet[Invitation], token: str | None) -> QueuePage:
    """A page of the invitation list, newest first (served by its organization index)."""
    return _keyset(rows, token, "created_at", _INVITATION_SALT)


def _keyset(rows: QuerySet[Any], token: str | None, field: str, salt: str) -> QueuePage:
    cursor: Any = None
    if token:
        try:
            cursor = signing.loads(token, salt=salt)
        except signing.BadSignature:
            cursor = None
    if cursor:
        at = datetime.fromisoformat(cursor["t"])
        older = Q(**{f"{field}__lt": at}) | Q(**{field: at, "id__lt": cursor["i"]})
        rows = rows.filter(older)
    found = list(rows.order_by(f"-{field}", "-id")[: PAGE_SIZE + 1])
    more = len(found) > PAGE_SIZE
    found = found[:PAGE_SIZE]
    following = None
    last_at = getattr(found[-1], field) if found else None
    if more and last_at is not None:
        following = signing.dumps({"t": last_at.isoformat(), "i": str(found[-1].id)}, salt=salt)
    return QueuePage(rows=found, next=following, first=cursor is None)
