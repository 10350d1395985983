"""Keyset pages of the intake queue, behind a signed cursor (``tropa.cases.listing``'s way).

The queue is ordered by (submitted_at, id) descending, which the ``intake_queue`` indexes
serve; a page never counts rows it skips, so page 1,000 costs what page 1 costs.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.core import signing
from django.db.models import Q, QuerySet

from .models import Submission

PAGE_SIZE = 50
_SALT = "tropa.intake.queue"


@dataclass
class QueuePage:
    rows: list[Submission]
    next: str | None
    first: bool


def page_of(rows: QuerySet[Submission], token: str | None) -> QueuePage:
    cursor: Any = None
    if token:
        try:
            cursor = signing.loads(token, salt=_SALT)
        except signing.BadSignature:
            cursor = None
    if cursor:
        at = datetime.fromisoformat(cursor["t"])
        rows = rows.filter(Q(submitted_at__lt=at) | Q(submitted_at=at, id__lt=cursor["i"]))
    found = list(rows.order_by("-submitted_at", "-id")[: PAGE_SIZE + 1])
    more = len(found) > PAGE_SIZE
    found = found[:PAGE_SIZE]
    following = None
    last_at = found[-1].submitted_at if found else None
    if more and last_at is not None:
        following = signing.dumps({"t": last_at.isoformat(), "i": str(found[-1].id)}, salt=_SALT)
    return QueuePage(rows=found, next=following, first=cursor is None)
