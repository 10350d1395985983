"""Writing and verifying the audit chain."""

from __future__ import annotations

from datetime import UTC
from typing import Any

from django.db import models, transaction
from django.utils import timezone

from tropa.lib.hashchain import ChainProblem, Link, link_hash, walk

from .models import AuditEntry, AuditHead

GENESIS = "0" * 64


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
        entry.hash = link_hash(entry.prev_hash, _hashed_fields(entry))
        entry.save(force_insert=True)
        head.seq, head.hash = entry.seq, entry.hash
        head.save(update_fields=["seq", "hash"])
    return entry


def verify_chain() -> tuple[int, ChainProblem | None]:
    """Walk the chain; return how many entries were checked and the first problem found."""
    entries = AuditEntry.objects.order_by("seq").iterator(chunk_size=2000)
    result = walk((Link(e.seq, e.prev_hash, e.hash, _hashed_fields(e)) for e in entries), GENESIS)
    if result.problem is not None:
        return result.count, result.problem
    head = AuditHead.objects.filter(id=1).first()
    if head is not None and (head.seq != result.count or head.hash != result.last_hash):
        problem = ChainProblem(result.count + 1, "entries removed from the end of the log")
        return result.count, problem
    return result.count, None
