"""Signed checkpoints of the audit head: written safely, refused when tampered with."""

from __future__ import annotations

import json
import stat
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.core.management import CommandError, call_command

from tropa.audit.models import AuditHead
from tropa.audit.services import log_action
from tropa.audit.tasks import daily_checkpoint_task

from . import attacker


@pytest.fixture
def logged(db: Any) -> int:
    for n in range(5):
        log_action(None, "auth.login_failed", number=n)
    return 5


@pytest.fixture
def checkpoint(logged: int, tmp_path: Path) -> Path:
    out = tmp_path / "checkpoint.json"
    call_command("audit", "checkpoint", "--out", str(out))
    return out


def _verify(capsys: Any, *args: str) -> tuple[int, str]:
    try:
        call_command("audit", "verify", *args)
        code = 0
    except SystemExit as exit_info:
        code = int(exit_info.code or 0)
    captured = capsys.readouterr()
    return code, captured.out + captured.err


def test_a_checkpoint_holds_the_head_and_is_private(checkpoint: Path, capsys: Any) -> None:
    data = json.loads(checkpoint.read_text())
    head = AuditHead.objects.get(id=1)
    assert data["seq"] == head.seq == 5 and data["hash"] == head.hash
    assert data["at"].endswith("+00:00") and data["signature"]
    assert stat.S_IMODE(checkpoint.stat().st_mode) == 0o600
    call_command("audit", "pubkey")
    assert data["public_key"] in capsys.readouterr().out


def test_a_checkpoint_is_never_overwritten(checkpoint: Path) -> None:
    before = checkpoint.read_bytes()
    log_action(None, "auth.login_failed")
    with pytest.raises(CommandError, match="exists"):
        call_command("audit", "checkpoint", "--out", str(checkpoint))
    assert checkpoint.read_bytes() == before


@pytest.mark.parametrize(
    ("field", "value"), [("seq", 3), ("hash", "0" * 64), ("at", "2020-01-01T00:00:00+00:00")]
)
def test_a_tampered_checkpoint_is_refused(
    checkpoint: Path, capsys: Any, field: str, value: Any
) -> None:
    data = json.loads(checkpoint.read_text())
    data[field] = value
    checkpoint.write_text(json.dumps(data))
    code, output = _verify(capsys, "--checkpoint", str(checkpoint))
    assert code == 1 and "signature does not verify" in output


def test_a_checkpoint_signed_by_another_key_is_refused(checkpoint: Path, capsys: Any) -> None:
    data = json.loads(checkpoint.read_text())
    other = Ed25519PrivateKey.generate()
    data["public_key"] = other.public_key().public_bytes_raw().hex()
    checkpoint.write_text(json.dumps(data))
    code, output = _verify(capsys, "--checkpoint", str(checkpoint))
    assert code == 1 and "not signed by this server's audit key" in output


def test_a_checkpoint_verifies_against_the_key_the_operator_kept(
    checkpoint: Path, capsys: Any
) -> None:
    public = json.loads(checkpoint.read_text())["public_key"]
    code, _ = _verify(capsys, "--checkpoint", str(checkpoint), "--public-key", public)
    assert code == 0
    other = Ed25519PrivateKey.generate().public_key().public_bytes_raw().hex()
    code, output = _verify(capsys, "--checkpoint", str(checkpoint), "--public-key", other)
    assert code == 1 and "not signed by the given public key" in output


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("not json at all", "not JSON"),
        ("[1, 2]", "not a Tropa audit checkpoint"),
        ('{"format": "tropa.audit.checkpoint/1", "seq": "five"}', "seq"),
    ],
)
def test_a_malformed_checkpoint_gets_a_clear_message(
    logged: int, tmp_path: Path, content: str, message: str
) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text(content)
    with pytest.raises(CommandError, match=message):
        call_command("audit", "verify", "--checkpoint", str(bad))


def test_a_missing_checkpoint_file_gets_a_clear_message(logged: int, tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="cannot be read"):
        call_command("audit", "verify", "--checkpoint", str(tmp_path / "nope.json"))


def test_the_daily_task_writes_a_checkpoint_that_verifies(
    logged: int, tmp_path: Path, settings: Any, capsys: Any
) -> None:
    settings.TROPA_AUDIT_CHECKPOINT_DIR = tmp_path / "checkpoints"
    result = daily_checkpoint_task.enqueue()
    assert result.return_value["seq"] == logged
    files = sorted((tmp_path / "checkpoints").iterdir())
    assert len(files) == 1
    assert stat.S_IMODE(files[0].stat().st_mode) == 0o600
    assert stat.S_IMODE((tmp_path / "checkpoints").stat().st_mode) == 0o700
    code, output = _verify(capsys, "--checkpoint", str(files[0]))
    assert code == 0, output
    # The next day's run adds a file and leaves the first one as it was.
    first = files[0].read_bytes()
    log_action(None, "auth.login_failed")
    daily_checkpoint_task.enqueue()
    files = sorted((tmp_path / "checkpoints").iterdir())
    assert len(files) == 2 and files[0].read_bytes() == first


def test_the_schedule_command_queues_the_daily_checkpoint(
    logged: int, tmp_path: Path, settings: Any
) -> None:
    settings.TROPA_AUDIT_CHECKPOINT_DIR = tmp_path / "checkpoints"
    call_command("audit", "schedule")  # the immediate backend of the tests runs it at once
    assert len(list((tmp_path / "checkpoints").iterdir())) == 1


def test_the_daily_task_signs_no_broken_chain(logged: int, tmp_path: Path, settings: Any) -> None:
    settings.TROPA_AUDIT_CHECKPOINT_DIR = tmp_path / "checkpoints"
    daily_checkpoint_task.enqueue()
    attacker.cut_tail(2)
    log_action(None, "auth.login_failed")
    result = daily_checkpoint_task.enqueue()
    assert result.return_value["written"] is False
    assert "shorter" in result.return_value["problem"]
    assert len(list((tmp_path / "checkpoints").iterdir())) == 1


def test_a_checkpoint_of_a_broken_chain_is_refused(logged: int, tmp_path: Path) -> None:
    attacker.delete_and_recompute(2)
    with pytest.raises(CommandError, match="BROKEN at entry #2"):
        call_command("audit", "checkpoint", "--out", str(tmp_path / "cp.json"))
    assert not (tmp_path / "cp.json").exists()


def test_an_unwritable_checkpoint_dir_is_reported(
    logged: int, tmp_path: Path, settings: Any
) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a directory")
    settings.TROPA_AUDIT_CHECKPOINT_DIR = blocker / "checkpoints"
    result = daily_checkpoint_task.enqueue()
    assert result.return_value["written"] is False
    assert "cannot create" in result.return_value["problem"]
