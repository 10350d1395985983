"""Finding 2 of issue 9: an intruder with only the database cannot rewrite the audit log.

The chain is keyed with a key the database alone does not open, so entries deleted and the
chain recomputed with plain SHA-256 are found; a tail cut with the head rewound is found by
a signed checkpoint kept elsewhere.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command

from tropa.audit.models import AuditEntry
from tropa.audit.services import verify_chain
from tropa.cases import services as cases
from tropa.cases.models import Case

from . import attacker


@pytest.fixture
def revealed(canary_case: Case, coordinator: Any) -> int:
    """A log in which the canary's identity was revealed, then more happened; its seq."""
    cases.reveal_identity(actor=coordinator, person=canary_case.person)
    seq = AuditEntry.objects.get(action="identity.revealed").seq
    cases.add_note(actor=coordinator, case=canary_case, text="after the reveal")
    cases.add_note(actor=coordinator, case=canary_case, text="and once more")
    assert verify_chain()[1] is None
    return seq


def _verify(capsys: Any, *args: str) -> tuple[int, str, str]:
    try:
        call_command("audit", "verify", *args)
        code = 0
    except SystemExit as exit_info:
        code = int(exit_info.code or 0)
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_a_reveal_deleted_and_the_chain_recomputed_is_found(revealed: int, capsys: Any) -> None:
    total = AuditEntry.objects.count()
    attacker.delete_and_recompute(revealed)
    assert not AuditEntry.objects.filter(action="identity.revealed").exists()
    assert AuditEntry.objects.count() == total - 1
    count, problem = verify_chain()
    assert problem is not None and problem.seq == revealed and "altered" in problem.reason
    assert count == revealed - 1
    code, _, err = _verify(capsys)
    assert code == 1 and f"BROKEN at entry #{revealed}" in err


def test_a_chain_recomputed_from_the_start_is_found_at_its_first_entry(
    revealed: int, capsys: Any
) -> None:
    attacker.delete_and_recompute(revealed, from_start=True)
    code, _, err = _verify(capsys)
    assert code == 1 and "BROKEN at entry #1:" in err


def _checkpoint(tmp_path: Path, name: str = "cp.json") -> Path:
    out = tmp_path / name
    call_command("audit", "checkpoint", "--out", str(out))
    return out


def test_a_cut_tail_is_found_only_with_an_earlier_checkpoint(
    revealed: int, tmp_path: Path, capsys: Any
) -> None:
    checkpoint = _checkpoint(tmp_path)
    at_checkpoint = AuditEntry.objects.count()
    capsys.readouterr()
    keep = revealed - 1
    attacker.cut_tail(keep)
    # The database alone cannot tell a rewound head from a short log.
    code, out, _ = _verify(capsys)
    assert code == 0 and f"{keep} entries" in out
    code, _, err = _verify(capsys, "--checkpoint", str(checkpoint))
    assert code == 1
    assert "shorter than the checkpoint" in err
    assert f"#{at_checkpoint}" in err and f"{keep} entries" in err


def test_a_checkpoint_catches_a_recomputed_chain_of_the_same_length(
    revealed: int, tmp_path: Path, capsys: Any, coordinator: Any
) -> None:
    checkpoint = _checkpoint(tmp_path)
    at_checkpoint = AuditEntry.objects.count()
    attacker.delete_and_recompute(revealed)
    # The intruder pads the log back to its old length with a harmless entry.
    from tropa.audit.services import log_action

    log_action(coordinator, "case.viewed")
    code, _, err = _verify(capsys, "--checkpoint", str(checkpoint))
    assert code == 1 and f"#{revealed}" in err
    assert AuditEntry.objects.count() == at_checkpoint


def test_the_checkpoint_verifies_while_the_log_only_grows(
    revealed: int, tmp_path: Path, capsys: Any, coordinator: Any, canary_case: Case
) -> None:
    checkpoint = _checkpoint(tmp_path)
    at_checkpoint = AuditEntry.objects.count()
    cases.add_note(actor=coordinator, case=canary_case, text="later")
    code, out, _ = _verify(capsys, "--checkpoint", str(checkpoint))
    assert code == 0
    assert f"contains checkpoint #{at_checkpoint}" in out


def test_a_deleted_audit_key_is_named(revealed: int, capsys: Any) -> None:
    attacker.execute("DELETE FROM crypto_serverkey WHERE purpose = %s", ["audit-mac"])
    code, _, err = _verify(capsys)
    assert code == 1 and "BROKEN at entry #1: the audit key is missing" in err
