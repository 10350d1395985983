"""Re-chaining an existing audit log under the audit key (migration 0003).

Installations from before the keyed chain hold entries hashed with plain SHA-256. The
migration checks that old chain first (an already broken chain is not laundered into a valid
keyed one: the migration stops and names the entry), then computes every entry's hash again
with the key, with the append-only triggers lifted for exactly this transaction and put back
before it commits. A last entry, ``audit.chain_keyed``, records how many entries were
re-chained.

It refuses to run a second time: if the audit key already exists, or signed checkpoints are
already held, the database was keyed before, and an unkeyed chain in it now is the work of
someone who rewrote it (re-chaining would bless the rewrite).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.utils import timezone

from tropa.lib import crypto
from tropa.lib.hashchain import Digest, Link, keyed_digest, link_hash, walk

from .actions import Action
from .services import CHAIN_CONTEXT, GENESIS, hashed_fields

AUDIT_MAC = "audit-mac"  # tropa.crypto.server.AUDIT_MAC, without importing live models
BATCH = 2000


class RechainRefused(RuntimeError):
    pass


def _triggers(connection: Any, enable: bool) -> None:
    from importlib import import_module

    append_only = import_module("tropa.audit.migrations.0002_append_only")
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            verb = "ENABLE" if enable else "DISABLE"
            for name in ("audit_entry_no_update", "audit_entry_no_truncate"):
                cursor.execute(f"ALTER TABLE audit_auditentry {verb} TRIGGER {name}")
        else:
            for statement in append_only.SQLITE if enable else append_only.SQLITE_REVERSE:
                cursor.execute(statement)


def _walk(entry_model: Any, head_model: Any, digest: Digest) -> tuple[int, str]:
    entries = entry_model.objects.order_by("seq").iterator(chunk_size=BATCH)
    links = (Link(e.seq, e.prev_hash, e.hash, hashed_fields(e)) for e in entries)
    result = walk(links, GENESIS, digest)
    head = head_model.objects.filter(id=1).first()
    problem = result.problem
    if (
        problem is None
        and head is not None
        and (head.seq, head.hash)
        != (
            result.count,
            result.last_hash,
        )
    ):
        problem_text = f"entry #{result.count + 1}: entries removed from the end of the log"
        raise RechainRefused(_refusal(problem_text))
    if problem is not None:
        raise RechainRefused(_refusal(f"entry #{problem.seq}: {problem.reason}"))
    return result.count, result.last_hash


def _refusal(what: str) -> str:
    return (
        f"the audit chain is already broken at {what}. It is not re-chained under the new "
        "audit key, which would make the damage verify. Keep a copy of the database, find out "
        "what happened, and ask the developers how to proceed."
    )


def _rehash(entry_model: Any, head_model: Any, digest: Digest) -> None:
    prev, last_seq = GENESIS, 0
    while True:
        batch = list(entry_model.objects.filter(seq__gt=last_seq).order_by("seq")[:BATCH])
        if not batch:
            break
        for entry in batch:
            entry.prev_hash = prev
            entry.hash = digest(prev, hashed_fields(entry))
            prev, last_seq = entry.hash, entry.seq
        entry_model.objects.bulk_update(batch, ["prev_hash", "hash"])
    head_model.objects.update_or_create(id=1, defaults={"seq": last_seq, "hash": prev})


def _append(entry_model: Any, head_model: Any, digest: Digest, action: str, **detail: Any) -> None:
    head = head_model.objects.get(id=1)
    entry = entry_model(
        seq=head.seq + 1,
        at=timezone.now().replace(microsecond=0),
        actor_code="",
        actor_name="",
        organization_code="",
        action=str(action),
        object_type="",
        object_code="",
        detail=detail,
        prev_hash=head.hash,
    )
    entry.hash = digest(entry.prev_hash, hashed_fields(entry))
    entry.save(force_insert=True)
    head.seq, head.hash = entry.seq, entry.hash
    head.save(update_fields=["seq", "hash"])


def _mac_digest(wrapped: str, master: Any) -> Digest:
    from tropa.crypto.server import associated_data

    key = crypto.unwrap_prf(wrapped, master, associated_data(AUDIT_MAC))
    return keyed_digest(lambda data: bytes(key.compute(CHAIN_CONTEXT + data, 32)))


def _master() -> Any:
    return crypto.load_or_create_master(settings.KEYSET_FILE)


def rechain_keyed(entry_model: Any, head_model: Any, key_model: Any, connection: Any) -> int:
    """Check the plain chain and hash it again under a new audit key; the entries re-chained."""
    if not entry_model.objects.exists():
        return 0
    if key_model.objects.filter(purpose=AUDIT_MAC).exists():
        raise RechainRefused(
            "the audit key exists already, so this log was keyed before; an unkeyed chain "
            "in it now means it was rewritten. Run 'tropa audit verify --checkpoint' with "
            "your latest checkpoint and investigate; nothing was changed."
        )
    directory = settings.TROPA_AUDIT_CHECKPOINT_DIR
    if directory.exists() and any(directory.glob("audit-*.json")):
        raise RechainRefused(
            f"signed audit checkpoints exist in {directory}, so this log was keyed before; "
            "an unkeyed chain in it now means it was rewritten. Nothing was changed. (If you "
            "rolled the migration back yourself, move those checkpoints elsewhere first.)"
        )
    count, _ = _walk(entry_model, head_model, link_hash)
    from tropa.crypto.server import new_wrapped

    wrapped = new_wrapped(AUDIT_MAC)
    key_model.objects.create(purpose=AUDIT_MAC, wrapped=wrapped)
    digest = _mac_digest(wrapped, _master())
    _triggers(connection, enable=False)
    _rehash(entry_model, head_model, digest)
    _triggers(connection, enable=True)
    _append(entry_model, head_model, digest, Action.AUDIT_CHAIN_KEYED, entries=count)
    return count


def rechain_plain(entry_model: Any, head_model: Any, key_model: Any, connection: Any) -> int:
    """The way back: check the keyed chain, hash it with plain SHA-256, drop the audit key."""
    row = key_model.objects.filter(purpose=AUDIT_MAC).first()
    if row is None:
        return 0
    if entry_model.objects.exists():
        digest = _mac_digest(row.wrapped, _master())
        count, _ = _walk(entry_model, head_model, digest)
        _triggers(connection, enable=False)
        _rehash(entry_model, head_model, link_hash)
        _triggers(connection, enable=True)
    else:
        count = 0
    row.delete()
    return count
