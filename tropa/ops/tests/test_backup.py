"""R21: backup → restore into a fresh data dir → migrate → smoke test and per-blob hashes.

Runs on SQLite and, under ``scripts/test-postgres``, on PostgreSQL (pg_dump / pg_restore into
a database made empty for the test). The canary surname must not be in any decrypted file of
the backup, and neither the master keyset nor the key store may be.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import secrets
import subprocess
import sys
import tarfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pyrage
import pytest
from django.conf import settings
from django.db import connection
from django.utils import timezone
from pyrage import x25519

from conftest import CANARY, CANARY_LATIN
from tropa.accounts.models import User
from tropa.audit.models import AuditEntry
from tropa.cases.models import Case
from tropa.evidence import services as evidence
from tropa.evidence.models import EvidenceItem
from tropa.ops import backup, restore, services

pytestmark = pytest.mark.usefixtures("committed_db")


@pytest.fixture
def key() -> x25519.Identity:
    return x25519.Identity.generate()


@pytest.fixture(autouse=True)
def _private_evidence(settings: Any, tmp_path: Path) -> Path:
    settings.TROPA_EVIDENCE_DIR = tmp_path / "evidence"
    return tmp_path / "evidence"


def add_item(case: Case, actor: User, data: bytes, name: str) -> EvidenceItem:
    record = evidence.CollectionRecord(
        method="messenger",
        received_at=timezone.now(),
        source="Funker",
        original_name=name,
        note=f"from {CANARY}'s brother",
        tool="test",
    )
    return evidence.add_evidence(
        actor=actor, case=case, source=io.BytesIO(data), record=record, size_hint=len(data)
    )


def decrypted_members(path: Path, identity: x25519.Identity, into: Path) -> dict[str, bytes]:
    """Decrypt the backup with age itself and unpack it into a private temp dir."""
    plain = into / "backup.tar"
    pyrage.decrypt_file(str(path), str(plain), [identity])
    members: dict[str, bytes] = {}
    with tarfile.open(plain) as tar:
        for member in tar.getmembers():
            handle = tar.extractfile(member)
            assert handle is not None
            members[member.name] = handle.read()
    return members


def _hashes(root: Path) -> dict[str, str]:
    return {
        p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file() and "tmp" not in p.relative_to(root).parts[:1]
    }


@pytest.fixture
def empty_database() -> Iterator[str]:
    """For PostgreSQL: a new empty database on the test server, dropped afterwards."""
    if connection.vendor != "postgresql":
        yield ""
        return
    name = f"tropa_restore_{secrets.token_hex(4)}"
    with connection.cursor() as cursor:
        cursor.execute(f'CREATE DATABASE "{name}"')
    s = connection.settings_dict
    host = s["HOST"] or s.get("OPTIONS", {}).get("host", "")
    auth = s["USER"] + (f":{s['PASSWORD']}" if s.get("PASSWORD") else "")
    if host.startswith("/"):
        yield f"postgres://{auth}@/{name}?host={host}"
    else:
        yield f"postgres://{auth}@{host}:{s.get('PORT') or 5432}/{name}"
    with connection.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _restored_env(data_dir: Path, url: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "TROPA_DATABASE_URL"}
    env.update(
        DJANGO_SETTINGS_MODULE="tropa.settings",
        TROPA_DATA_DIR=str(data_dir),
        TROPA_KEYSET_FILE=str(settings.KEYSET_FILE),
        # The key store is never in a backup: it is restored apart, as the keyset is.
        TROPA_KEYSTORE_DIR=str(settings.KEYSTORE_DIR),
    )
    if url:
        env["TROPA_DATABASE_URL"] = url
    return env


def test_backup_restores_into_a_fresh_data_dir_with_every_blob_intact(
    canary_case: Case, coordinator: User, key: x25519.Identity, tmp_path: Path, empty_database: str
) -> None:
    photo = secrets.token_bytes(300_000)
    item = add_item(canary_case, coordinator, photo, f"{CANARY}.jpg")
    out = tmp_path / "server.age"

    summary = services.create_backup_file(out, str(key.to_public()))

    entry = AuditEntry.objects.filter(action="backup.created").get()
    assert entry.detail == {
        "engine": connection.vendor,
        "files": summary.files,
        "bytes": summary.bytes,
    }
    # The decrypted backup: no canary in any file, no keyset.
    private = tmp_path / "decrypted"
    private.mkdir(mode=0o700)
    members = decrypted_members(out, key, private)
    assert set(members) >= {
        "manifest.json",
        backup.DB_SQLITE if connection.vendor == "sqlite" else backup.DB_POSTGRES,
    }
    keyset = Path(settings.KEYSET_FILE).read_bytes()
    for name, data in members.items():
        assert CANARY.encode() not in data, name
        assert CANARY_LATIN.upper().encode() not in data.upper(), name
        assert keyset not in data, name
    assert not any("keyset" in name for name in members)

    target = tmp_path / "restored"
    restore.restore(
        out, str(key), target, keyset=Path(settings.KEYSET_FILE), database_url=empty_database
    )

    # Every blob byte for byte, and the restored server answers with the case.
    assert _hashes(target / "evidence") == _hashes(tmp_path / "evidence")
    assert item.blob in {p.name for p in (target / "evidence").rglob("*")}
    if connection.vendor == "sqlite":
        assert (target / "tropa.sqlite3").is_file()
    env = _restored_env(target, empty_database)
    listed = subprocess.run(
        [sys.executable, "-m", "tropa.cli", "cases", "list"],
        env=env,
        capture_output=True,
        check=True,
        text=True,
    )
    assert "Funker" in listed.stdout
    verified = subprocess.run(
        [sys.executable, "-m", "tropa.cli", "evidence", "verify"],
        env=env,
        capture_output=True,
        check=True,
        text=True,
    )
    assert f"OK      {item.code}  {item.sha256}" in verified.stdout
    assert not list(tmp_path.glob(".restored.restore-*"))


_READ_IDENTITY = """
from tropa.cases.models import Identity
from tropa.crypto import fields
for row in Identity.objects.filter(person__pseudonym="Funker"):
    try:
        fields.unseal(row, "sealed", row.sealed)
        print("OPENED")
    except fields.KeyErased:
        print("ERASED")
"""


def test_r7_a_backup_made_before_an_erasure_restores_without_the_erased_identity(
    canary_case: Case, coordinator: User, key: x25519.Identity, tmp_path: Path, empty_database: str
) -> None:
    """R7 with the real commands: back up, erase the case, restore that older backup with
    today's keyset and key store; the pseudonym is there, the identity and evidence are not."""
    from tropa.cases import services as cases
    from tropa.cases.models import Stage
    from tropa.retention.erasure import Trigger, erase_case

    item = add_item(canary_case, coordinator, secrets.token_bytes(50_000), "photo.jpg")
    cases.move_stage(actor=coordinator, case=canary_case, to_stage=Stage.PROTECTED)
    out = tmp_path / "before-erasure.age"
    services.create_backup_file(out, str(key.to_public()))
    target = tmp_path / "restored"
    env = _restored_env(target, empty_database)

    erase_case(actor=coordinator, case=canary_case, trigger=Trigger.DECISION)
    restore.restore(
        out, str(key), target, keyset=Path(settings.KEYSET_FILE), database_url=empty_database
    )

    def tropa(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "tropa.cli", *args],
            env=env,
            capture_output=True,
            check=False,
            text=True,
        )

    def out(*args: str) -> str:
        done = tropa(*args)
        assert done.returncode == 0, done.stderr[-1500:]
        return done.stdout

    assert "Funker" in out("cases", "list")
    assert out("shell", "-v0", "-c", _READ_IDENTITY).split() == ["ERASED"]
    verified = out("evidence", "verify")
    assert f"ERASED  {item.code}" in verified and "1 items checked, 0 failed" in verified


_READ_CASEWORK = """
import importlib, json
from django.apps import apps
from tropa.crypto import fields
from tropa.retention.tests.casework import MIGRATIONS
person = str(apps.get_model("cases", "Person")._base_manager.get(pseudonym="Grach").pk)
seen = {"opened": [], "erased": 0}
for app, module in MIGRATIONS.items():
    for entry in importlib.import_module(module).SEALED:
        model = apps.get_model(app, entry[0])
        for row in model._base_manager.all():
            if fields.subject_of(row) != person:
                continue
            for column in entry[1]:
                value = getattr(row, column)
                if value is None or len(value) == 0:
                    continue
                try:
                    fields.unseal(row, column, value)
                    seen["opened"].append(f"{model._meta.label}.{column}")
                except fields.KeyErased:
                    seen["erased"] += 1
print(json.dumps(seen))
"""


def test_r7_an_older_backup_opens_none_of_an_erased_cases_testimony_outreach_vetting(
    astana: Any,
    coordinator: User,
    verifier: User,
    key: x25519.Identity,
    tmp_path: Path,
    empty_database: str,
) -> None:
    """R7 with the real commands, for testimony, outreach, screening hits, vetting and
    evidence items: a backup made before the erasure, restored with today's keyset and key
    store, still has their rows (and the pseudonym) but opens none of their values."""
    from tropa.cases import services as cases
    from tropa.cases.models import Stage
    from tropa.retention.erasure import erase_case
    from tropa.retention.models import Trigger
    from tropa.retention.tests.casework import make_casework

    work = make_casework(astana, coordinator, verifier, tmp_path)
    cases.move_stage(actor=coordinator, case=work.case, to_stage=Stage.PROTECTED)
    out = tmp_path / "before-erasure.age"
    services.create_backup_file(out, str(key.to_public()))
    target = tmp_path / "restored"
    env = _restored_env(target, empty_database)
    restore.restore(
        out, str(key), target, keyset=Path(settings.KEYSET_FILE), database_url=empty_database
    )

    def read() -> dict[str, Any]:
        done = subprocess.run(
            [sys.executable, "-m", "tropa.cli", "shell", "-v0", "-c", _READ_CASEWORK],
            env=env,
            capture_output=True,
            check=False,
            text=True,
        )
        assert done.returncode == 0, done.stderr[-1500:]
        return dict(json.loads(done.stdout.splitlines()[-1]))

    opened_before = read()  # the restored backup opens while the case lives: the test can fail
    assert len(opened_before["opened"]) >= 13 and opened_before["erased"] == 0
    erase_case(actor=coordinator, case=work.case, trigger=Trigger.DECISION)
    after = read()
    assert after == {"opened": [], "erased": len(opened_before["opened"])}
