"""Existing installations: the migration re-chains an unkeyed log under the audit key."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from django.db import DatabaseError, connection, transaction

from tropa.audit import rechain
from tropa.audit.models import AuditEntry, AuditHead
from tropa.audit.services import hashed_fields, log_action, verify_chain
from tropa.crypto.models import ServerKey
from tropa.lib.hashchain import Link, link_hash, walk

from . import attacker


def _as_before_the_key(count: int) -> list[tuple[str, dict[str, Any]]]:
    """A log as an older release left it: plain SHA-256, no audit key, triggers in place."""
    for n in range(count):
        log_action(None, "auth.login_failed", number=n)
    rechain._triggers(connection, enable=False)
    prev = "0" * 64
    for row in AuditEntry.objects.order_by("seq"):
        new = attacker.plain_hash(prev, row)
        attacker.execute(
            "UPDATE audit_auditentry SET prev_hash = %s, hash = %s WHERE seq = %s",
            [prev, new, row.seq],
        )
        prev = new
    attacker.set_head(count, prev)
    rechain._triggers(connection, enable=True)
    ServerKey.objects.filter(purpose="audit-mac").delete()
    return [(e.action, e.detail) for e in AuditEntry.objects.order_by("seq")]


def _plain_walk() -> Any:
    links = (Link(e.seq, e.prev_hash, e.hash, hashed_fields(e)) for e in AuditEntry.objects.all())
    return walk(links, "0" * 64, link_hash)


def test_an_unkeyed_log_is_rechained_and_stays_append_only(db: Any) -> None:
    before = _as_before_the_key(7)
    assert _plain_walk().problem is None
    assert verify_chain()[1] is not None  # the keyed check does not accept it as it is
    assert rechain.rechain_keyed(AuditEntry, AuditHead, ServerKey, connection) == 7
    assert verify_chain() == (8, None)
    entries = list(AuditEntry.objects.order_by("seq"))
    assert [(e.action, e.detail) for e in entries[:7]] == before
    assert entries[7].action == "audit.chain_keyed" and entries[7].detail == {"entries": 7}
    assert AuditHead.objects.get(id=1).seq == 8
    assert _plain_walk().problem is not None  # no longer plain SHA-256
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEntry.objects.filter(seq=1).update(action="nothing.happened")
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEntry.objects.filter(seq=1).delete()
    # New entries continue the keyed chain.
    log_action(None, "auth.login_failed")
    assert verify_chain() == (9, None)


def test_a_broken_old_chain_is_not_laundered(db: Any) -> None:
    _as_before_the_key(5)
    rechain._triggers(connection, enable=False)
    attacker.execute("UPDATE audit_auditentry SET action = %s WHERE seq = %s", ["x.y", 3])
    rechain._triggers(connection, enable=True)
    hashes = list(AuditEntry.objects.values_list("hash", flat=True))
    with pytest.raises(rechain.RechainRefused, match="broken at entry #3"):
        rechain.rechain_keyed(AuditEntry, AuditHead, ServerKey, connection)
    assert list(AuditEntry.objects.values_list("hash", flat=True)) == hashes
    assert not ServerKey.objects.filter(purpose="audit-mac").exists()


def test_it_refuses_to_rechain_a_log_that_was_keyed_before(db: Any) -> None:
    """The downgrade: an intruder writes a plain chain into a keyed installation and hopes
    that the next 'tropa migrate' blesses it."""
    _as_before_the_key(3)
    ServerKey.objects.create(purpose="audit-mac", wrapped="left from the keyed chain")
    with pytest.raises(rechain.RechainRefused, match="keyed before"):
        rechain.rechain_keyed(AuditEntry, AuditHead, ServerKey, connection)


def test_it_refuses_when_checkpoints_are_held(db: Any, settings: Any, tmp_path: Path) -> None:
    _as_before_the_key(3)
    settings.TROPA_AUDIT_CHECKPOINT_DIR = tmp_path
    (tmp_path / "audit-20261201T000000Z-3.json").write_text("{}")
    with pytest.raises(rechain.RechainRefused, match="checkpoints exist"):
        rechain.rechain_keyed(AuditEntry, AuditHead, ServerKey, connection)


def test_rolling_back_gives_a_plain_chain_again(db: Any) -> None:
    _as_before_the_key(4)
    rechain.rechain_keyed(AuditEntry, AuditHead, ServerKey, connection)
    assert rechain.rechain_plain(AuditEntry, AuditHead, ServerKey, connection) == 5
    assert _plain_walk().problem is None and _plain_walk().count == 5
    assert not ServerKey.objects.filter(purpose="audit-mac").exists()


def test_tropa_migrate_rechains_an_older_database(tmp_path: Path) -> None:
    """The real upgrade on a SQLite data dir: migrate to the old schema, write a plain chain
    the way the old code did, then 'tropa migrate' and 'tropa audit verify'."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("TROPA_")}
    env |= {"TROPA_DATA_DIR": str(tmp_path / "data"), "DJANGO_SETTINGS_MODULE": "tropa.settings"}
    tropa = [sys.executable, "-m", "tropa.cli"]

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([*tropa, *args], env=env, capture_output=True, text=True, timeout=300)

    assert run("migrate", "audit", "0002", "-v0").returncode == 0
    db_file = tmp_path / "data" / "tropa.sqlite3"
    with sqlite3.connect(db_file) as con:
        prev = "0" * 64
        for seq in range(1, 4):
            row = {
                "seq": seq,
                "at": f"2026-11-2{seq}T10:00:00+00:00",
                "actor_code": "",
                "actor_name": "",
                "organization_code": "",
                "action": "identity.revealed",
                "object_type": "cases.person",
                "object_code": f"code-{seq}",
                "detail": {"purpose": "view"},
            }
            new = link_hash(prev, row)
            con.execute(
                "INSERT INTO audit_auditentry (seq, at, actor_code, actor_name,"
                " organization_code, action, object_type, object_code, detail, prev_hash, hash)"
                " VALUES (?, ?, '', '', '', ?, ?, ?, ?, ?, ?)",
                [
                    seq,
                    row["at"].replace("T", " ").replace("+00:00", ""),
                    row["action"],
                    row["object_type"],
                    row["object_code"],
                    json.dumps(row["detail"]),
                    prev,
                    new,
                ],
            )
            prev = new
        con.execute("INSERT INTO audit_audithead (id, seq, hash) VALUES (1, 3, ?)", [prev])
    migrate = run("migrate", "-v0")
    assert migrate.returncode == 0, migrate.stderr
    verify = run("audit", "verify")
    assert verify.returncode == 0, verify.stderr
    assert "4 entries" in verify.stdout
    with sqlite3.connect(db_file) as con, pytest.raises(sqlite3.DatabaseError, match="append"):
        con.execute("DELETE FROM audit_auditentry WHERE seq = 2")
