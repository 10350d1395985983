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
    later = _fill_later_apps(data, keyset, tmp_path / "later_apps.sqlite3")

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
    # The later apps' rows, against the database they were made in.
    made = sqlite3.connect(later)
    for table in LATER_APPS:
        columns = [r[1] for r in made.execute(f'PRAGMA table_info("{table}")')]
        if _kept(made, table, columns) != _kept(db, table, columns):
            changed.append(table)
    made.close()
    db.close()
    assert not changed, f"rows changed by a migration: {changed}"
    assert "audit chain intact" in _tropa(["audit", "verify"], data, keyset)
    assert "Funker" in _tropa(["cases", "list"], data, keyset)
    # What was re-sealed on purpose still opens, every row of it.
    fixture = str(FIXTURES / "schema_fixture.sqlite3")
    sources = {table: str(later) for table in LATER_APPS}
    script = (
        f"RESEALED = {_resealed_literal()}\nFIXTURE = {fixture!r}\nSOURCES = {sources!r}\n"
        f"{_OPEN_RESEALED}"
    )
    output = _tropa(["shell", "-v0", "-c", script], data, keyset)
    opened = json.loads(output.splitlines()[-1])
    assert opened == {label: [n, n] for label, (n, _m) in opened.items()}
    assert opened["cases.Identity"][0] > 0
    assert set(opened) >= {"testimony.TestimonyVersion", "evidence.EvidenceItem"}
    # One submission of a case (re-sealed under its key) and one without (the organization's).
    assert opened["intake.Submission"] == [2, 2]
    assert opened["intake.Message"] == [2, 2]
    assert opened["intake.HeldAttachment"] == [1, 1]
    assert opened["sharing.Receipt"] == [1, 1]


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
    # intake 0003 and sharing 0003; these apps came after the fixture (LATER_APPS).
    "intake_submission": {"sealed_answers"},
    "intake_message": {"sealed"},
    "intake_heldattachment": {"sealed"},
    "sharing_receipt": {"sealed"},
}

# Apps younger than the fixture, and the migration before the one that re-seals their data:
# the test migrates the fixture that far, fills their sealed tables the way the code of that
# schema did (under the organization's key), and keeps a copy to compare with.
LATER_APPS = ("intake_submission", "intake_message", "intake_heldattachment", "sharing_receipt")
BEFORE_RESEALING = (
    ("intake", "0002_drafts_touched_invitation_pages"),
    ("sharing", "0002_copy_code_chosen_at_acceptance"),
)


def _fill_later_apps(data: Path, keyset: Path, copy: Path) -> Path:
    fixture = _fixture()
    apps = {app for (app,) in fixture.execute("SELECT app FROM django_migrations")}
    fixture.close()
    # A fixture re-made at a later schema has these apps: fill them in make_schema_fixture.py
    # then, and drop them here (migrating back to BEFORE_RESEALING would undo migrations).
    assert not apps & {app for app, _ in BEFORE_RESEALING}, "the fixture has these apps now"
    for app, migration in BEFORE_RESEALING:
        _tropa(["migrate", "--no-input", "-v0", app, migration], data, keyset)
    _tropa(["shell", "-v0", "-c", _FILL_LATER_APPS], data, keyset)
    db = sqlite3.connect(data / "tropa.sqlite3")
    db.execute("VACUUM INTO ?", [str(copy)])
    db.close()
    return copy


# Runs at the schema of BEFORE_RESEALING, with its historical models (not today's).
_FILL_LATER_APPS = """
import json, secrets, uuid
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone
from tropa.crypto import fields
models = MigrationExecutor(connection)._create_project_state(with_applied_migrations=True).apps
case = models.get_model("cases", "Case")._base_manager.get(person__pseudonym="Funker")
org, now = case.organization_id, timezone.now()

def create(label, **values):
    model = models.get_model(*label.split("."))
    pk = uuid.uuid4()
    for column in [c for c in values if c.startswith("sealed")]:
        plain = json.dumps(values[column], ensure_ascii=False, separators=(",", ":")).encode()
        ad = f"{model._meta.db_table}.{column}.{pk}".encode()
        values[column] = bytes(fields._org_aead(org).encrypt(plain, ad))
    return model._base_manager.create(id=pk, organization_id=org, **values)

for status, of_case in (("accepted", case), ("new", None)):
    submission = create(
        "intake.Submission", source="public", language="ru", definition_version="1",
        sealed_answers={"surname": "Фикстуров", "status": status}, status=status,
        codename_index=secrets.token_hex(32), codename_hash=secrets.token_hex(32),
        started_at=now, case=of_case,
    )
    create(
        "intake.Message", submission=submission, direction="from_person",
        sealed={"text": status}, created_at=now,
    )
create(
    "intake.HeldAttachment", submission=submission, sealed={"name": "scan.pdf"}, size=3,
    received_at=now,
)
# A referral this organization received (to itself: the fixture has one), accepted as Funker.
referral = create(
    "sharing.Referral", mode="share", sealed={"note": "x"}, created_at=now, case=case,
    receiver_id=org,
)
create("sharing.Receipt", referral=referral, sealed={"note": "consent"}, created_at=now, case=case)
"""

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
    source = SOURCES.get(model._meta.db_table)
    before = sqlite3.connect(f"file:{source}?mode=ro", uri=True) if source else fixture
    old = {str(r[0]).replace("-", ""): r[1:] for r in before.execute(
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
            try:
                ok = ok and fields.unseal(row, column, now) == json.loads(plain)
            except Exception:
                ok = False
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
