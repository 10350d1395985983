"""Writing and verifying the audit chain."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC
from typing import Any

from django.db import models, transaction
from django.utils import timezone

from .models import AuditEntry, AuditHead

GENESIS = "0" * 64


def _entry_hash(prev_hash: str, fields: dict[str, Any]) -> str:
    canonical = json.dumps(fields, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(f"{prev_hash}\n{canonical}".encode()).hexdigest()


def _hashed_fields(entry: AuditEntry) -> dict[str, Any]:
    return {
        "seq": entry.seq,
        "at": entry.at.astimezone(UTC).isoformat(timespec="seconds"),
        "actor_code": entry.actor_code,
        "actor_name": entry.actor_name,
        "organization_code": entry.organization_code,
        "action": entry.action,
        "object_type": entry.object_type,
        "object_code": entry.object_code,
        "detail": entry.detail,
    }


def _code_of(obj: Any) -> str:
    code = getattr(obj, "code", None) or getattr(obj, "pk", None)
    return str(code) if code is not None else ""


def log_action(
    actor: Any,
    action: str,
    obj: models.Model | None = None,
    *,
    organization: Any = None,
    **detail: Any,
) -> AuditEntry:
    """Append an entry. Call inside the transaction of the write it records.

    ``detail`` must carry codes, counts or field *names*, never the values of protected data.
    """
    if organization is None and obj is not None:
        organization = getattr(obj, "organization", None)
    is_user = actor is not None and getattr(actor, "is_authenticated", False)
    with transaction.atomic():
        head, _ = AuditHead.objects.select_for_update().get_or_create(id=1)
        entry = AuditEntry(
            seq=head.seq + 1,
            # Coarse timestamps (P4): seconds are enough to reconstruct what happened.
            at=timezone.now().replace(microsecond=0),
            actor_code=str(actor.code) if is_user else "",
            actor_name=actor.get_username() if is_user else "",
            organization_code=_code_of(organization) if organization is not None else "",
            action=action,
            object_type=obj._meta.label_lower if obj is not None else "",
            object_code=_code_of(obj) if obj is not None else "",
            detail=detail,
            prev_hash=head.hash,
        )
        entry.hash = _entry_hash(entry.prev_hash, _hashed_fields(entry))
        entry.save(force_insert=True)
        head.seq, head.hash = entry.seq, entry.hash
        head.save(update_fields=["seq", "hash"])
    return entry


@dataclass(frozen=True)
class ChainProblem:
    seq: int
    reason: str


def _entries() -> Iterator[AuditEntry]:
    return AuditEntry.objects.order_by("seq").iterator(chunk_size=2000)


def verify_chain() -> tuple[int, ChainProblem | None]:
    """Walk the chain; return how many entries were checked and the first problem found."""
    prev_hash, expected_seq, count = GENESIS, 1, 0
    for entry in _entries():
        if entry.seq != expected_seq:
            return count, ChainProblem(expected_seq, "entry missing (sequence gap)")
        if entry.prev_hash != prev_hash:
            return count, ChainProblem(entry.seq, "does not link to the entry before it")
        if _entry_hash(prev_hash, _hashed_fields(entry)) != entry.hash:
            return count, ChainProblem(entry.seq, "content altered (hash mismatch)")
        prev_hash, expected_seq, count = entry.hash, expected_seq + 1, count + 1
    head = AuditHead.objects.filter(id=1).first()
    if head is not None and (head.seq != count or head.hash != prev_hash):
        return count, ChainProblem(count + 1, "entries removed from the end of the log")
    return count, None


def recent_for_object(obj: models.Model, limit: int = 50) -> list[AuditEntry]:
    return list(AuditEntry.objects.filter(object_code=_code_of(obj)).order_by("-seq")[:limit])
