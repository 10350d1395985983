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
    before = _fixture()
    changed = sorted(
        table
        for table, want in expected.items()
        if not _same(_kept(before, table, want["columns"]), _kept(db, table, want["columns"]))
    )
    before.close()
    db.close()
    assert not changed, f"rows changed by a migration: {changed}"
    assert "audit chain intact" in _tropa(["audit", "verify"], data, keyset)
    assert "Funker" in _tropa(["cases", "list"], data, keyset)
    # What was re-sealed on purpose still opens, every row of it.
    fixture = str(FIXTURES / "schema_fixture.sqlite3")
    script = f"RESEALED = {_resealed_literal()}\nFIXTURE = {fixture!r}\n{_OPEN_RESEALED}"
    output = _tropa(["shell", "-v0", "-c", script], data, keyset)
    opened = json.loads(output.splitlines()[-1])
    assert opened == {label: [n, n] for label, (n, _m) in opened.items()}
    assert opened["cases.Identity"][0] > 0
    assert set(opened) >= {"testimony.TestimonyVersion", "evidence.EvidenceItem"}


# Columns a migration rewrites on purpose: their ciphertext changes, their plaintext must not.
# retention 0002 re-seals case data under per-case keys and re-wraps evidence keys with them.
RESEALED = {
    "cases_identity": {"sealed"},
    "cases_note": {"sealed"},
    "cases_need": {"sealed"},
    "cases_support": {"sealed"},
    "cases_familymember": {"sealed"},
    "cases_alert": {"sealed", "sealed_outcome"},
    "evidence_casekey": {"wrapped"},
    # testimony 0003, outreach 0005, screening 0007, vetting 0002, evidence 0012: the rest of
    # a case's sealed data under its case key (the rows' own test: retention/tests).
    "testimony_witness": {"sealed_consent", "sealed_flag"},
    "testimony_testimonyversion": {"sealed"},
    "testimony_event": {"sealed"},
    "testimony_act": {"sealed", "sealed_claimed", "sealed_potential"},
    "testimony_corroboration": {"sealed_basis", "sealed_reason"},
    "testimony_testimonyexport": {"sealed_recipient"},
    "outreach_request": {"sealed", "identity_sealed"},
    "outreach_statuschange": {"sealed"},
    "outreach_attachment": {"sealed"},
    "outreach_importstaging": {"sealed"},
    "screening_screeninghit": {"sealed", "sealed_reason"},
    "vetting_check": {"sealed"},
    "vetting_checkrevision": {"sealed"},
    "vetting_claim": {"sealed"},
    "vetting_decision": {"sealed_reasons", "sealed_reopen_reason"},
    "vetting_signoff": {"sealed_override"},
    "vetting_dossier": {"sealed_recipient"},
    "evidence_evidenceitem": {"sealed_record", "sealed_metadata", "sealed_summary"},
    "evidence_uploadsession": {"sealed_record"},
    "evidence_deletionrequest": {"sealed_reason"},
    "pathways_trip": {"sealed"},  # pathways 0003
    "pathways_deadline": {"sealed"},
}

_OPEN_RESEALED = """
import json, sqlite3
from django.apps import apps
from tropa.crypto import fields
fixture = sqlite3.connect(f"file:{FIXTURE}?mode=ro", uri=True)
out = {}
for model in apps.get_models():
    columns = RESEALED.get(model._meta.db_table, ())
    if not columns or model._meta.db_table == "evidence_casekey":
        continue
    old = {str(r[0]).replace("-", ""): r[1:] for r in fixture.execute(
        f'SELECT id, {", ".join(columns)} FROM "{model._meta.db_table}"')}
    rows, same = 0, 0
    for row in model._base_manager.all():
        rows += 1
        before = old[row.pk.hex]
        ok = True
        for column, was in zip(columns, before):
            now = getattr(row, column)
            if was is None or len(was) == 0:
                ok = ok and (now is None or len(now) == 0)
                continue
            org = fields._org_id_of(row)
            plain = fields._org_aead(org).decrypt(bytes(was), fields._row_ad(row, column))
            ok = ok and fields.unseal(row, column, now) == json.loads(plain)
        same += ok
    out[model._meta.label] = [rows, same]
print(json.dumps(out))
"""


def _resealed_literal() -> str:
    return repr({table: sorted(columns) for table, columns in RESEALED.items()})


def _same(before: object, after: object) -> bool:
    if isinstance(before, set) and isinstance(after, set):
        return before <= after
    return before == after


def _fixture() -> sqlite3.Connection:
    return sqlite3.connect(f"file:{FIXTURES / 'schema_fixture.sqlite3'}?mode=ro", uri=True)


# Tables a migration of a NEW app adds rows to (its models and their permissions): the rows of
# the fixture must all still be there, unchanged.
GROWING = {"auth_permission", "django_content_type"}


def _kept(db: sqlite3.Connection, table: str, columns: list[str]) -> object:
    kept = [c for c in columns if c not in RESEALED.get(table, set())]
    if table not in GROWING:
        return digest(db, table, kept)
    quoted = ", ".join(f'"{c}"' for c in kept)
    return {tuple(r) for r in db.execute(f'SELECT {quoted} FROM "{table}"')}  # noqa: S608
