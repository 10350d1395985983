"""Fixity: re-hashing stored evidence finds a flipped byte, a lost file, an orphan (E2, R6)."""

from __future__ import annotations

import io
import os
from collections.abc import Callable
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse

from tropa.accounts.models import User
from tropa.cases.models import Case
from tropa.evidence import services
from tropa.evidence.models import CustodyAction, EvidenceItem
from tropa.evidence.storage import get_storage
from tropa.evidence.tasks import scheduled_verify_task

from .conftest import record


def _item(case: Case, actor: User, data: bytes = b"x" * 300_000) -> EvidenceItem:
    return services.add_evidence(actor=actor, case=case, source=io.BytesIO(data), record=record())


def _blob_path(root: Path, blob: str) -> Path:
    return root / blob[:2] / blob


def test_it_verifies_intact_evidence(
    canary_case: Case, coordinator: User, capsys: pytest.CaptureFixture[str]
) -> None:
    item = _item(canary_case, coordinator)
    call_command("evidence", "verify", str(canary_case.code))
    out = capsys.readouterr().out
    assert f"OK      {item.code}  {item.sha256}" in out and "1 items checked, 0 failed" in out
    item.refresh_from_db()
    assert item.last_verified_ok is True
    assert item.custody.last().action == CustodyAction.VERIFY  # type: ignore[union-attr]


def test_it_flags_one_flipped_byte_in_storage(
    canary_case: Case,
    coordinator: User,
    _private_storage: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    good, bad = _item(canary_case, coordinator), _item(canary_case, coordinator, b"y" * 5000)
    path = _blob_path(_private_storage, bad.blob)
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0x01
    path.write_bytes(bytes(data))
    with pytest.raises(SystemExit) as exit_:
        call_command("evidence", "verify")
    assert exit_.value.code == 1
    out = capsys.readouterr().out
    assert f"OK      {good.code}" in out
    assert f"FAILED  {bad.code}  original: stored file does not decrypt" in out
    bad.refresh_from_db()
    assert bad.last_verified_ok is False
    assert bad.custody.last().action == CustodyAction.VERIFY_FAILED  # type: ignore[union-attr]


def test_it_flags_a_missing_file_and_a_swapped_file(
    canary_case: Case, coordinator: User, _private_storage: Path
) -> None:
    one, two = _item(canary_case, coordinator, b"one"), _item(canary_case, coordinator, b"two")
    # A blob copied over another does not open: its ciphertext is bound to its own id.
    os.replace(_blob_path(_private_storage, one.blob), _blob_path(_private_storage, two.blob))
    assert services.verify_item(actor=None, item=one).problems == [
        "original: stored file is missing"
    ]
    assert "does not decrypt" in services.verify_item(actor=None, item=two).problems[0]


def test_a_download_of_altered_evidence_is_cut_and_recorded(
    canary_case: Case, coordinator: User, _private_storage: Path
) -> None:
    item = _item(canary_case, coordinator)
    path = _blob_path(_private_storage, item.blob)
    data = bytearray(path.read_bytes())
    data[-100] ^= 0xFF
    path.write_bytes(bytes(data))
    with pytest.raises(Exception, match="does not match"):
        b"".join(services.download(actor=coordinator, item=item))
    assert item.custody.filter(action=CustodyAction.VERIFY_FAILED).exists()


def test_the_scheduled_task_verifies_everything(canary_case: Case, coordinator: User) -> None:
    _item(canary_case, coordinator)
    result = scheduled_verify_task.enqueue()
    assert result.return_value == {"checked": 1, "failed": 0}


def test_the_sweeper_removes_orphans_and_keeps_evidence(
    canary_case: Case, coordinator: User, _private_storage: Path
) -> None:
    item = _item(canary_case, coordinator)
    storage = get_storage()
    orphan = storage.new_id()
    with storage.writer(orphan) as out:
        out.write(b"left behind by a crash between rename and commit")
    temp = _private_storage / "tmp" / "deadbeef.tmp"
    temp.write_bytes(b"a write that died")
    result = services.sweep(older_than=-1)
    assert result.orphans == 2
    assert not _blob_path(_private_storage, orphan).exists() and not temp.exists()
    assert services.verify_item(actor=None, item=item).ok


def test_erasing_the_case_key_makes_its_files_unreadable(
    canary_case: Case,
    coordinator: User,
    verifier: User,
    signed_in: Callable[[User], Client],
    tmp_path: Path,
) -> None:
    from tropa.evidence.models import CaseKey

    item = _item(canary_case, coordinator)
    export = services.request_export(
        actor=coordinator, case=canary_case, selection={str(item.code): "original"}
    )
    services.decide_export(actor=verifier, export=export, approve=True)
    services.build_export(export)
    CaseKey.objects.filter(case=canary_case).delete()
    assert "key was destroyed" in services.verify_item(actor=None, item=item).problems[0]
    # Checking does not quietly make a new key: the erasure stays an erasure.
    assert not CaseKey.objects.filter(case=canary_case).exists()
    # A download says why it cannot be had, and no custody entry claims that it left.
    response = signed_in(coordinator).post(
        reverse("evidence:download", args=[item.code]), follow=True
    )
    assert "encryption key was destroyed" in response.content.decode()
    assert not item.custody.filter(action=CustodyAction.DOWNLOAD).exists()
    # So does the bundle built before the key was destroyed.
    response = signed_in(coordinator).post(
        reverse("evidence:export_download", args=[export.code]), follow=True
    )
    assert "encryption key was destroyed" in response.content.decode()
    assert not item.custody.filter(action=CustodyAction.DOWNLOAD).exists()
    out = tmp_path / "bundle.tar"
    exports = item.custody.filter(action=CustodyAction.EXPORT).count()
    with pytest.raises(CommandError, match="encryption key was destroyed"):
        call_command("bundle", "export", str(canary_case.code), "--out", str(out))
    assert not out.exists()
    assert item.custody.filter(action=CustodyAction.EXPORT).count() == exports
    # Nothing new can be added to the erased case: a fresh key would make the old files
    # look tampered with rather than erased.
    with pytest.raises(services.EvidenceError, match="key was destroyed"):
        _item(canary_case, coordinator)
    assert not CaseKey.objects.filter(case=canary_case).exists()
    assert "key was destroyed" in services.verify_item(actor=None, item=item).problems[0]
