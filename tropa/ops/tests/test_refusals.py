"""A backup that is not what it should be is refused, and nothing is half-restored."""

from __future__ import annotations

import io
import tarfile
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pyrage
import pytest
from django.conf import settings
from django.core.management import call_command
from django.test import Client
from freezegun import freeze_time
from pyrage import x25519

from tropa.accounts.models import User
from tropa.audit.models import AuditEntry
from tropa.crypto.fields import master_aead
from tropa.ops import backup, restore, services, tasks
from tropa.ops.errors import BackupError


@pytest.fixture
def key() -> x25519.Identity:
    return x25519.Identity.generate()


@pytest.fixture
def evidence_dir(settings: Any, tmp_path: Path) -> Path:
    root = tmp_path / "evidence"
    settings.TROPA_EVIDENCE_DIR = root
    (root / "ab").mkdir(parents=True)
    (root / "ab" / ("ab" + "0" * 30)).write_bytes(b"ciphertext of a blob")
    (root / "tmp").mkdir()
    (root / "tmp" / "unfinished.tmp").write_bytes(b"an upload that never finished")
    return root


@pytest.fixture
def made(committed_db: None, evidence_dir: Path, key: x25519.Identity, tmp_path: Path) -> Path:
    master_aead()  # the keyset a restore needs (made on first use)
    out = tmp_path / "made.age"
    with out.open("wb") as handle:
        backup.write_backup(handle, str(key.to_public()))
    return out


def _names(path: Path, key: x25519.Identity) -> list[str]:
    plain = pyrage.decrypt(path.read_bytes(), [key])
    with tarfile.open(fileobj=io.BytesIO(plain)) as tar:
        return tar.getnames()


def _refused(source: Path, identity: str, target: Path, message: str) -> None:
    with pytest.raises(BackupError, match=message):
        restore.restore(source, identity, target, keyset=Path(settings.KEYSET_FILE))
    assert not target.exists()
    assert not list(target.parent.glob(f".{target.name}.restore-*"))
    with pytest.raises(BackupError, match=message), source.open("rb") as handle:
        backup.read_backup(handle, identity, lambda name: None)


def test_a_backup_holds_the_database_the_blobs_and_a_manifest_last(
    made: Path, key: x25519.Identity
) -> None:
    names = _names(made, key)
    assert names == [
        backup.DB_SQLITE
        if "sqlite" in settings.DATABASES["default"]["ENGINE"]
        else backup.DB_POSTGRES,
        "evidence/ab/ab" + "0" * 30,
        "manifest.json",
    ]
    with made.open("rb") as handle:
        summary = backup.read_backup(handle, str(key), lambda name: None)
    assert summary.files == 2


def test_wrong_key_truncated_or_altered_is_refused_and_nothing_restored(
    made: Path, key: x25519.Identity, tmp_path: Path
) -> None:
    target = tmp_path / "restored"
    other = x25519.Identity.generate()
    _refused(made, str(other), target, "not encrypted to this identity")
    data = made.read_bytes()
    truncated = tmp_path / "truncated.age"
    truncated.write_bytes(data[: len(data) // 2])
    _refused(truncated, str(key), target, "truncated or altered")
    altered = tmp_path / "altered.age"
    flipped = bytearray(data)
    flipped[len(data) // 2] ^= 0x01
    altered.write_bytes(bytes(flipped))
    _refused(altered, str(key), target, "truncated or altered")
    plain = tmp_path / "plain.tar"
    plain.write_bytes(b"\0" * 1024)
    _refused(plain, str(key), target, "not an age-encrypted")
    _refused(made, "not a key", target, "not an age identity")


def test_a_manifest_that_does_not_match_is_refused(
    committed_db: None, evidence_dir: Path, key: x25519.Identity, tmp_path: Path
) -> None:
    # A backup re-encrypted by someone holding the public key: age is intact, a blob is not.
    out = tmp_path / "made.age"
    with out.open("wb") as handle:
        backup.write_backup(handle, str(key.to_public()))
    plain = pyrage.decrypt(out.read_bytes(), [key])
    changed = plain.replace(b"ciphertext of a blob", b"ciphertext of a bloB")
    forged = tmp_path / "forged.age"
    forged.write_bytes(pyrage.encrypt(changed, [key.to_public()]))
    _refused(forged, str(key), tmp_path / "restored", "do not match their recorded SHA-256")


def test_a_target_that_is_not_empty_is_refused(
    made: Path, key: x25519.Identity, tmp_path: Path
) -> None:
    target = tmp_path / "in-use"
    target.mkdir()
    (target / "tropa.sqlite3").write_bytes(b"someone's live database")
    with pytest.raises(BackupError, match="not empty"):
        restore.restore(made, str(key), target, keyset=Path(settings.KEYSET_FILE))
    assert (target / "tropa.sqlite3").read_bytes() == b"someone's live database"
    with pytest.raises(BackupError, match="master keyset"):
        restore.restore(made, str(key), tmp_path / "new", keyset=tmp_path / "no.keyset")


def test_the_keyset_and_the_key_store_are_never_in_a_backup(
    committed_db: None, settings: Any, evidence_dir: Path, key: x25519.Identity, tmp_path: Path
) -> None:
    # Even where an operator put them under the evidence directory.
    settings.KEYSET_FILE = evidence_dir / "master.keyset.json"
    settings.KEYSET_FILE.write_text('{"primaryKeyId": 1}')
    settings.KEYSTORE_DIR = evidence_dir / "keys"
    (settings.KEYSTORE_DIR / "cd").mkdir(parents=True)
    (settings.KEYSTORE_DIR / "cd" / "case-key").write_bytes(b"per-case key")
    out = tmp_path / "made.age"
    with out.open("wb") as handle:
        backup.write_backup(handle, str(key.to_public()))
    names = _names(out, key)
    assert "evidence/ab/ab" + "0" * 30 in names
    assert not [n for n in names if "keyset" in n or "keys" in n or "tmp" in n]


def test_the_daily_backup_keeps_the_newest_n(
    committed_db: None, settings: Any, evidence_dir: Path, key: x25519.Identity, tmp_path: Path
) -> None:
    directory = tmp_path / "backups"
    settings.TROPA_BACKUP_DIR = str(directory)
    settings.TROPA_BACKUP_RECIPIENT = str(key.to_public())
    settings.TROPA_BACKUP_KEEP = 2
    directory.mkdir()
    (directory / "notes.txt").write_text("the operator's own file")
    start = datetime(2026, 12, 1, 3, 0, tzinfo=UTC)
    for day in range(3):
        services.backup_to_directory(now=start + timedelta(days=day))
    kept = sorted(p.name for p in directory.iterdir())
    assert kept == [
        "notes.txt",
        "tropa-backup-20261202T030000Z.age",
        "tropa-backup-20261203T030000Z.age",
    ]
    # The worker's task (the immediate backend in tests runs it once, not again a day later).
    assert tasks.daily_backup_task.enqueue().return_value.startswith("tropa-backup-")
    assert AuditEntry.objects.filter(action="backup.created").count() == 4


def test_schedule_says_when_backups_are_not_configured(db: Any, settings: Any) -> None:
    settings.TROPA_BACKUP_DIR = ""
    out = io.StringIO()
    call_command("backup", "schedule", stdout=out)
    assert "not scheduled" in out.getvalue()


def test_the_restored_database_records_where_it_came_from(db: Any) -> None:
    services.record_restore("2026-12-01T03:00:00+00:00")
    entry = AuditEntry.objects.get(action="backup.restored")
    assert entry.detail == {"backup_created_at": "2026-12-01T03:00:00+00:00"}
    assert entry.organization_code == ""


def test_the_admin_sees_when_the_servers_last_backup_succeeded(
    committed_db: None,
    admin_user: User,
    signed_in: Callable[[User], Client],
    evidence_dir: Path,
    key: x25519.Identity,
    tmp_path: Path,
) -> None:
    client = signed_in(admin_user)
    page = client.get("/accounts/organization/").content.decode()
    assert "No backup of this server has succeeded yet" in page
    out = tmp_path / "secret-place" / "made.age"
    out.parent.mkdir()
    services.create_backup_file(out, str(key.to_public()))
    page = client.get("/accounts/organization/").content.decode()
    assert "Last successful backup:" in page
    assert 'role="alert"' not in page.split("server-backup-title")[1]
    assert "secret-place" not in page and "made.age" not in page
    with freeze_time(datetime.now(UTC) + timedelta(hours=26)):
        page = signed_in(admin_user).get("/accounts/organization/").content.decode()
    assert "more than 25 hours old" in page
