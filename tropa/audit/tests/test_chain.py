"""The audit log is append-only and hash-chained (R10)."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.management import call_command
from django.db import DatabaseError, connection, transaction

from tropa.audit.models import AuditEntry
from tropa.audit.services import log_action, verify_chain


def _raw_update(sql: str, params: list[Any]) -> None:
    """Change the table behind the application's back, as an intruder with SQL would."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("ALTER TABLE audit_auditentry DISABLE TRIGGER USER")
            cursor.execute(sql, params)
            cursor.execute("ALTER TABLE audit_auditentry ENABLE TRIGGER USER")
        else:
            cursor.execute("DROP TRIGGER audit_entry_no_update")
            cursor.execute("DROP TRIGGER audit_entry_no_delete")
            cursor.execute(sql, params)


@pytest.fixture
def chain(coordinator: Any, canary_case: Any) -> int:
    count, problem = verify_chain()
    assert problem is None
    return count


def test_every_write_of_the_case_desk_is_logged_without_values(chain: int) -> None:
    actions = set(AuditEntry.objects.values_list("action", flat=True))
    assert {
        "case.created",
        "identity.created",
        "note.added",
        "alert.raised",
        "alert.item_done",
        "support.recorded",
        "family_member.added",
    } <= actions
    dumped = "".join(str(e.detail) + e.object_type + e.action for e in AuditEntry.objects.all())
    assert "Канарейкин" not in dumped and "Funker" not in dumped


def test_it_refuses_updates_and_deletes_in_the_database(chain: int) -> None:
    entry = AuditEntry.objects.first()
    assert entry is not None
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEntry.objects.filter(pk=entry.pk).update(action="nothing.happened")
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEntry.objects.filter(pk=entry.pk).delete()
    with pytest.raises(RuntimeError):
        entry.save()


def test_it_detects_an_edited_entry(chain: int) -> None:
    _raw_update("UPDATE audit_auditentry SET action = %s WHERE seq = %s", ["x.y", 3])
    count, problem = verify_chain()
    assert problem is not None and problem.seq == 3 and "altered" in problem.reason
    assert count == 2


def test_it_detects_a_removed_entry(chain: int) -> None:
    _raw_update("DELETE FROM audit_auditentry WHERE seq = %s", [4])
    _, problem = verify_chain()
    assert problem is not None and problem.seq == 4


def test_it_detects_entries_cut_from_the_end(chain: int) -> None:
    _raw_update("DELETE FROM audit_auditentry WHERE seq = %s", [chain])
    _, problem = verify_chain()
    assert problem is not None and "end" in problem.reason


def test_the_command_names_the_first_bad_entry(chain: int, capsys: Any) -> None:
    call_command("audit", "verify")
    assert f"{chain} entries" in capsys.readouterr().out
    _raw_update("UPDATE audit_auditentry SET detail = %s WHERE seq = %s", ['{"a": 1}', 5])
    with pytest.raises(SystemExit) as exit_info:
        call_command("audit", "verify")
    assert exit_info.value.code == 1
    assert "#5" in capsys.readouterr().err


def test_the_command_names_an_entry_whose_stored_prev_hash_was_changed(
    chain: int, capsys: Any
) -> None:
    """Only the stored ``prev_hash`` of #4 changes: its own hash still checks out (it is
    computed from the hash before it), so only the link check can find it."""
    _raw_update("UPDATE audit_auditentry SET prev_hash = %s WHERE seq = %s", ["0" * 64, 4])
    _, problem = verify_chain()
    assert problem is not None and problem.seq == 4 and "link" in problem.reason
    with pytest.raises(SystemExit) as exit_info:
        call_command("audit", "verify")
    assert exit_info.value.code == 1
    err = capsys.readouterr().err
    assert "#4" in err and "does not link to the entry before it" in err


def test_it_chains_entries_in_order(db: Any) -> None:
    first = log_action(None, "auth.login_failed")
    second = log_action(None, "auth.login_failed")
    assert second.seq == first.seq + 1 and second.prev_hash == first.hash
