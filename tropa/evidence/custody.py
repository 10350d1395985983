"""Each item's custody log: append-only and hash-chained, one chain per item (E5).

The chain starts from a genesis hash derived from the item code, so an entry cannot be
moved to another item's chain, and every entry's hash covers the previous entry's hash.
"""

from __future__ import annotations

import hashlib
from datetime import UTC
from typing import Any

from django.db import transaction
from django.utils import timezone

from tropa.accounts.models import User
from tropa.lib.hashchain import ChainProblem, Link, link_hash, walk

from .models import CustodyEntry, EvidenceItem


def genesis(item_code: str) -> str:
    return hashlib.sha256(f"tropa.custody.{item_code}".encode()).hexdigest()


def entry_fields(item_code: str, entry: CustodyEntry | dict[str, Any]) -> dict[str, Any]:
    get = entry.get if isinstance(entry, dict) else lambda k: getattr(entry, k)
    at: Any = get("at")
    return {
        "item": item_code,
        "seq": get("seq"),
        "at": at if isinstance(at, str) else at.astimezone(UTC).isoformat(timespec="seconds"),
        "action": get("action"),
        "actor_code": get("actor_code"),
        "actor_name": get("actor_name"),
        "object_sha256": get("object_sha256"),
        "detail": get("detail"),
    }


def append(
    item: EvidenceItem, action: str, actor: User | None, *, object_sha256: str = "", **detail: Any
) -> CustodyEntry:
    """Append an entry to ``item``'s chain; call inside the transaction of what it records."""
    with transaction.atomic():
        # Locking the item row serialises writers of the same chain.
        EvidenceItem.objects.select_for_update().filter(
            organization=item.organization_id, pk=item.pk
        ).values("pk").first()
        last = CustodyEntry.objects.filter(item=item).order_by("-seq").first()
        entry = CustodyEntry(
            item=item,
            seq=(last.seq + 1) if last else 1,
            at=timezone.now().replace(microsecond=0),
            action=action,
            actor_code=str(actor.code) if actor is not None else "",
            actor_name=actor.get_username() if actor is not None else "",
            object_sha256=object_sha256 or item.sha256,
            detail=detail,
            prev_hash=last.hash if last else genesis(str(item.code)),
        )
        entry.hash = link_hash(entry.prev_hash, entry_fields(str(item.code), entry))
        entry.save(force_insert=True)
    return entry


def verify_entries(item_code: str, entries: list[dict[str, Any]]) -> ChainProblem | None:
    """Check a chain given as dicts (from the database or from a bundle's custody.json)."""
    if not entries:
        return ChainProblem(1, "no custody entries")
    links = (Link(e["seq"], e["prev_hash"], e["hash"], entry_fields(item_code, e)) for e in entries)
    return walk(links, genesis(item_code)).problem


def as_dicts(item: EvidenceItem) -> list[dict[str, Any]]:
    return [
        {**entry_fields(str(item.code), e), "prev_hash": e.prev_hash, "hash": e.hash}
        for e in item.custody.order_by("seq")
    ]


def verify_chain(item: EvidenceItem) -> ChainProblem | None:
    problem = verify_entries(str(item.code), as_dicts(item))
    if problem is None and item.custody.order_by("seq").first().object_sha256 != item.sha256:  # type: ignore[union-attr]
        return ChainProblem(1, "ingest hash differs from the item's hash")
    return problem
