"""What an intruder who can write the database file (and nothing else) does to the audit log.

Raw SQL only: the triggers are dropped, rows are deleted and renumbered, and the chain is
recomputed with plain SHA-256 exactly as Tropa computed it before the chain was keyed.
"""

from __future__ import annotations

import hashlib
import json
from datetime import UTC
from typing import Any

from django.db import connection

from tropa.audit.models import AuditEntry


def drop_triggers() -> None:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("DROP TRIGGER audit_entry_no_update ON audit_auditentry")
            cursor.execute("DROP TRIGGER audit_entry_no_truncate ON audit_auditentry")
        else:
            cursor.execute("DROP TRIGGER audit_entry_no_update")
            cursor.execute("DROP TRIGGER audit_entry_no_delete")


def plain_hash(prev_hash: str, row: AuditEntry) -> str:
    fields = {
        "seq": row.seq,
        "at": row.at.astimezone(UTC).isoformat(timespec="seconds"),
        "actor_code": row.actor_code,
        "actor_name": row.actor_name,
        "organization_code": row.organization_code,
        "action": row.action,
        "object_type": row.object_type,
        "object_code": row.object_code,
        "detail": row.detail,
    }
    canonical = json.dumps(fields, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(f"{prev_hash}\n{canonical}".encode()).hexdigest()


def execute(sql: str, params: list[Any]) -> None:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def set_head(seq: int, hash_: str) -> None:
    execute("UPDATE audit_audithead SET seq = %s, hash = %s WHERE id = 1", [seq, hash_])


def delete_and_recompute(seq: int, *, from_start: bool = False) -> None:
    """Delete entry ``seq``, close the gap, recompute the hashes, rewind the head.

    By default only the entries from ``seq`` on are recomputed (those before it still verify
    as they are); ``from_start`` recomputes every entry.
    """
    drop_triggers()
    execute("DELETE FROM audit_auditentry WHERE seq = %s", [seq])
    for later in AuditEntry.objects.filter(seq__gt=seq).order_by("seq").values_list("seq"):
        execute("UPDATE audit_auditentry SET seq = %s WHERE seq = %s", [later[0] - 1, later[0]])
    start = 1 if from_start else seq
    before = AuditEntry.objects.filter(seq=start - 1).first()
    prev = before.hash if before is not None else "0" * 64
    last_seq = start - 1
    for row in AuditEntry.objects.filter(seq__gte=start).order_by("seq"):
        new_hash = plain_hash(prev, row)
        execute(
            "UPDATE audit_auditentry SET prev_hash = %s, hash = %s WHERE seq = %s",
            [prev, new_hash, row.seq],
        )
        prev, last_seq = new_hash, row.seq
    set_head(last_seq, prev)


def cut_tail(keep: int) -> None:
    """Delete every entry after ``keep`` and rewind the head to entry ``keep``."""
    drop_triggers()
    execute("DELETE FROM audit_auditentry WHERE seq > %s", [keep])
    set_head(keep, AuditEntry.objects.get(seq=keep).hash)
