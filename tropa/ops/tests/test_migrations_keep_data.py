"""R22: data made at an earlier schema survives every migration since, row for row.

``fixtures/schema_fixture.sqlite3`` is a small database made by ``fixtures/make_schema_fixture.py``
at the schema of a release. The test migrates a copy to the latest schema and compares, per
table, the SHA-256 of every row (the columns the fixture had), then checks the audit chain and
that the sealed identity still opens with the fixture's keyset. Every new migration is
therefore run over real rows in the suite; docs/operations.md says when to re-make the fixture.
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection

from tropa.ops.tests.fixtures.digests import digest

FIXTURES = Path(__file__).parent / "fixtures"


def _tropa(args: list[str], data: Path, keyset: Path) -> str:
    env = {k: v for k, v in os.environ.items() if k != "TROPA_DATABASE_URL"}
    env.update(
        DJANGO_SETTINGS_MODULE="tropa.settings",
        TROPA_DATA_DIR=str(data),
        TROPA_KEYSET_FILE=str(keyset),
    )
    done = subprocess.run(
        [sys.executable, "-m", "tropa.cli", *args],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout


def test_the_fixture_migrates_to_the_latest_schema_with_rows_unchanged(tmp_path: Path) -> None:
    if connection.vendor != "sqlite":
        pytest.skip("the fixture is a SQLite database; the SQLite run covers it")
    data = tmp_path / "data"
    data.mkdir(mode=0o700)
    keyset = tmp_path / "fixture.keyset.json"
    shutil.copyfile(FIXTURES / "schema_fixture.keyset.json", keyset)
    keyset.chmod(0o600)
    shutil.copyfile(FIXTURES / "schema_fixture.sqlite3", data / "tropa.sqlite3")

    _tropa(["migrate", "--no-input", "-v0"], data, keyset)

    expected = json.loads((FIXTURES / "schema_fixture.json").read_text())
    db = sqlite3.connect(data / "tropa.sqlite3")
    changed = {
        table: (want["rows"], digest(db, table, want["columns"]))
        for table, want in expected.items()
        if digest(db, table, want["columns"]) != {"rows": want["rows"], "sha256": want["sha256"]}
    }
    db.close()
    assert not changed, f"rows changed by a migration: {sorted(changed)}"
    assert "audit chain intact" in _tropa(["audit", "verify"], data, keyset)
    assert "Funker" in _tropa(["cases", "list"], data, keyset)
