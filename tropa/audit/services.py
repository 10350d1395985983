"""Writing and verifying the audit chain.

Each entry's hash is an HMAC-SHA256 (``tropa.crypto.server.audit_mac``) of the previous hash
and the entry's fields, under a key wrapped by the master keyset. Whoever has only the
database can delete or change entries, but cannot compute hashes that verify. What the key
cannot show, a tail cut off together with the head, signed checkpoints kept elsewhere show
(``tropa.audit.checkpoints``).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC
from typing import Any

from django.db import models, transaction
from django.utils import timezone

from tropa.crypto import server
from tropa.lib.hashchain import ChainProblem, Digest, Link, keyed_digest, walk

from .actions import Action
from .models import AuditEntry, AuditHead

GENESIS = "0" * 64
# Domain separation: the audit key computes nothing but links of this chain.
CHAIN_CONTEXT = b"tropa.audit.chain.v2\n"


def hashed_fields(entry: Any) -> dict[str, Any]:
    """What an entry's hash covers (also used by the migration that keyed the chain)."""
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


def chain_digest() -> Digest:
    mac = server.audit_mac()
    return keyed_digest(lambda data: mac(CHAIN_CONTEXT + data))


def _code_of(obj: Any) -> str:
    code = getattr(obj, "code", None) or getattr(obj, "pk", None)
    return str(code) if code is not None else ""


def log_action(
    actor: Any,
    action: Action | str,
    obj: models.Model | None = None,
    *,
    organization: Any = None,
    **detail: Any,
) -> AuditEntry:
    """Append an entry. Call inside the transaction of the write it records.

    ``detail`` must carry codes, counts or field *names*, never the values of protected data.
    ``action`` is one of ``Action`` (a plain string must be one of its values).
    """
    action = Action(action)  # ValueError for a code that is not in the enum
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
            action=action.value,
            object_type=obj._meta.label_lower if obj is not None else "",
            object_code=_code_of(obj) if obj is not None else "",
            detail=detail,
            prev_hash=head.hash,
        )
        entry.hash = chain_digest()(entry.prev_hash, hashed_fields(entry))
        entry.save(force_insert=True)
        head.seq, head.hash = entry.seq, entry.hash
        head.save(update_fields=["seq", "hash"])
    return entry


@dataclass
class ChainState:
    """The result of a walk: entries verified, the first problem, and the verified head.

    ``head_seq``/``head_hash`` is the head as read before the walk, confirmed by it (what a
    checkpoint may sign). ``hashes`` holds the verified hash of each sequence number asked for.
    """

    count: int
    problem: ChainProblem | None
    head_seq: int = 0
    head_hash: str = GENESIS
    hashes: dict[int, str] = field(default_factory=dict)


def _head() -> tuple[int, str]:
    head = AuditHead.objects.filter(id=1).values_list("seq", "hash").first()
    return (int(head[0]), str(head[1])) if head is not None else (0, GENESIS)


def check_chain(wanted: Iterable[int] = ()) -> ChainState:
    """Walk the whole chain; remember the verified hashes of the ``wanted`` entries.

    The head is read before the walk and again after it, so entries written while the walk
    runs (by other users, the walk takes a while on a large log) are not mistaken for
    tampering: every entry up to the first head must be there and end in its hash, and no
    entry may lie beyond the second.
    """
    wanted = set(wanted)
    head_seq, head_hash = _head()
    state = ChainState(0, None, head_seq, head_hash)
    if head_seq == 0 and not AuditEntry.objects.exists():
        return state  # nothing to check (and no key to make while checking)
    if not server.exists(server.AUDIT_MAC):
        state.problem = ChainProblem(1, "the audit key is missing from the database")
        return state

    def links() -> Iterator[Link]:
        for e in AuditEntry.objects.order_by("seq").iterator(chunk_size=2000):
            if e.seq in wanted or e.seq == head_seq:
                state.hashes[e.seq] = e.hash
            yield Link(e.seq, e.prev_hash, e.hash, hashed_fields(e))

    result = walk(links(), GENESIS, chain_digest())
    state.count = result.count
    # Hashes past the first bad entry are not verified.
    state.hashes = {seq: h for seq, h in state.hashes.items() if seq <= result.count}
    if result.problem is not None:
        state.problem = result.problem
    elif result.count < head_seq:
        state.problem = ChainProblem(result.count + 1, "entries removed from the end of the log")
    elif head_seq > 0 and state.hashes.get(head_seq) != head_hash:
        state.problem = ChainProblem(head_seq, "does not match the head of the log")
    elif result.count > _head()[0]:
        state.problem = ChainProblem(_head()[0] + 1, "entry beyond the head of the log")
    return state


def verify_chain() -> tuple[int, ChainProblem | None]:
    """Walk the chain; return how many entries were checked and the first problem found."""
    state = check_chain()
    return state.count, state.problem
