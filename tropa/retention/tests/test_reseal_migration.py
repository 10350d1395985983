"""The data migration moves existing case data from the organization key to case keys."""

from __future__ import annotations

import importlib
import io
import json
from pathlib import Path
from typing import Any

from django.apps import apps
from django.db import connection

from conftest import CANARY
from tropa.accounts.models import Organization, User
from tropa.cases.models import Case, Identity, Note
from tropa.crypto import fields
from tropa.evidence import services as evidence
from tropa.evidence import vault
from tropa.evidence.models import CaseKey
from tropa.evidence.storage import get_storage
from tropa.evidence.tests.test_verify import record

from .casework import MIGRATIONS, make_casework, row_of, values_of

migration = importlib.import_module(
    "tropa.retention.migrations.0002_seal_case_data_under_case_keys"
)


def _as_before(row: Identity | Note, value: object) -> bytes:
    """Sealed the way rows were before case keys: under the organization's key."""
    plaintext = json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode()
    ad = fields._row_ad(row, "sealed")
    return bytes(fields._org_aead(row.organization_id).encrypt(plaintext, ad))


def test_existing_rows_are_resealed_under_their_case_key(
    canary_case: Case, coordinator: User
) -> None:
    item = evidence.add_evidence(
        actor=coordinator, case=canary_case, source=io.BytesIO(b"old file" * 100), record=record()
    )
    identity = Identity.objects.get(person=canary_case.person)
    note = Note.objects.filter(case=canary_case).first()
    assert note is not None
    Identity.objects.filter(pk=identity.pk).update(sealed=_as_before(identity, {"surname": CANARY}))
    Note.objects.filter(pk=note.pk).update(sealed=_as_before(note, "old note"))
    key = CaseKey.objects.get(case=canary_case)
    handle = vault._JSON.parse_encrypted(
        key.wrapped,
        fields.case_key_aead(canary_case.organization_id, str(canary_case.person_id)),
        vault._key_ad(canary_case),
    )
    CaseKey.objects.filter(pk=key.pk).update(
        wrapped=vault._JSON.serialize_encrypted(
            handle, fields.master_aead(), vault._key_ad(canary_case)
        )
    )

    migration.reseal(apps, None)
    migration.reseal(apps, None)  # twice: a value already under its case key stays

    identity.refresh_from_db()
    note.refresh_from_db()
    assert fields.unseal(identity, "sealed", identity.sealed) == {"surname": CANARY}
    assert fields.unseal(note, "sealed", note.sealed) == "old note"
    assert fields.reseal(identity, "sealed") is False  # it no longer opens with the org key
    data = vault.read_all(get_storage(), vault.case_key(canary_case), item.blob)
    assert data == b"old file" * 100
    # Destroying the case key now kills what the migration moved.
    fields.destroy_case_key(canary_case.organization_id, str(canary_case.person_id))
    fields.forget_cached_keys()
    try:
        fields.unseal(identity, "sealed", identity.sealed)
    except fields.KeyErased:
        pass
    else:
        raise AssertionError("the re-sealed identity opened after its key was destroyed")


def test_each_apps_migration_reseals_its_case_rows_to_the_same_plaintext(
    astana: Organization, coordinator: User, verifier: User, tmp_path: Path
) -> None:
    """Testimony, outreach, screening hits, vetting and evidence items: every value put back
    under the organization's key, as before their migrations, opens to the same plaintext
    under the case key after them, and dies with it."""
    work = make_casework(astana, coordinator, verifier, tmp_path)
    plain = {where: _open(where, value) for where, value in values_of(work.case).items()}
    editor = _Editor()
    immutable = importlib.import_module("tropa.testimony.migrations.0002_versions_immutable")
    immutable.backwards(apps, editor)  # the test writes old-style versions directly
    for (label, pk, column), value in plain.items():
        row = row_of(label, pk)
        ad = fields._row_ad(row, column)
        old = json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode()
        sealed = fields._org_aead(astana.pk).encrypt(old, ad)
        type(row)._base_manager.filter(pk=pk).update(**{column: sealed})
    immutable.forwards(apps, editor)
    assert not [w for w in plain if _opens_under_case_key(w)]  # the test can fail

    for module in MIGRATIONS.values():
        importlib.import_module(module).reseal(apps, editor)
        importlib.import_module(module).reseal(apps, editor)  # twice changes nothing

    after = values_of(work.case)
    assert {where: _open(where, value) for where, value in after.items()} == plain
    fields.destroy_case_key(astana.pk, str(work.case.person_id))
    fields.forget_cached_keys()
    assert not [w for w in plain if _opens_under_case_key(w)]


class _Editor:
    """What the testimony migration needs of a schema editor (SQLite refuses a real one
    inside the test's transaction)."""

    connection = connection

    def execute(self, sql: str) -> None:
        with connection.cursor() as cursor:
            cursor.execute(sql)


def _open(where: tuple[str, str, str], value: bytes) -> object:
    return fields.unseal(row_of(where[0], where[1]), where[2], value)


def _opens_under_case_key(where: tuple[str, str, str]) -> bool:
    row = row_of(where[0], where[1])
    try:
        fields.unseal(row, where[2], getattr(row, where[2]))
    except (fields.KeyErased, fields.DecryptionError):
        return False
    return True


def _back_under_org_key(row: Any, column: str) -> object:
    """Put ``row.column`` back under the organization's key, as before its migration."""
    value = fields.unseal(row, column, getattr(row, column))
    plaintext = json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode()
    sealed = fields._org_aead(row.organization_id).encrypt(plaintext, fields._row_ad(row, column))
    type(row)._base_manager.filter(pk=row.pk).update(**{column: sealed})
    return value


def test_intake_and_receipt_migrations_reseal_rows_that_have_a_case(
    canary_case: Case, astana: Organization, coordinator: User, outsider: User
) -> None:
    from django.utils import timezone

    from tropa.intake import services as intake
    from tropa.intake.models import Message, Submission
    from tropa.sharing import services as sharing
    from tropa.sharing.models import Receipt

    def start(text: str) -> Submission:
        made = intake.create_submission(
            organization=astana, answers={"surname": CANARY}, language="ru"
        ).submission
        intake.send_to_person(actor=coordinator, submission=made, text=text)
        return made

    accepted, waiting = start(f"Вы {CANARY}?"), start("Ждите")
    case = intake.accept(actor=coordinator, submission=accepted, pseudonym="Sokol")
    referral = sharing.refer_case(
        actor=coordinator,
        case=canary_case,
        receiver=outsider.organization,  # type: ignore[arg-type]  # a coordinator has one
        mode="share",
        consent=sharing.Consent(timezone.localdate(), "in_person", "help in Armenia"),
        parts=sharing.Parts(identity=["surname_latin"]),
        note=f"{CANARY} moves on",
    )
    receipt = sharing.accept_referral(actor=outsider, referral=referral)
    rows: list[tuple[Any, str]] = [
        (Submission.objects.unscoped().get(pk=accepted.pk), "sealed_answers"),
        *((m, "sealed") for m in Message.objects.unscoped().filter(submission=accepted)),
        (Receipt.objects.unscoped().get(pk=receipt.pk), "sealed"),
    ]
    plain = [_back_under_org_key(row, column) for row, column in rows]
    fields.forget_cached_keys()
    wheres = [(row._meta.label, str(row.pk), column) for row, column in rows]
    assert not [w for w in wheres if _opens_under_case_key(w)]  # the test can fail

    for module in ("0003_seal_under_case_keys", "0003_receipts_under_case_keys"):
        app = "intake" if "seal_under" in module else "sharing"
        migration = importlib.import_module(f"tropa.{app}.migrations.{module}")
        migration.reseal(apps, None)
        migration.reseal(apps, None)  # twice changes nothing

    assert [_open(w, getattr(row_of(w[0], w[1]), w[2])) for w in wheres] == plain
    waiting_row = Submission.objects.unscoped().get(pk=waiting.pk)
    assert fields.subject_of(waiting_row) is None  # no case yet: the organization's key
    assert intake.read_answers(waiting_row) == {"surname": CANARY}
    for dead in (case, receipt.case):
        fields.destroy_case_key(dead.organization_id, str(dead.person_id))
    fields.forget_cached_keys()
    assert not [w for w in wheres if _opens_under_case_key(w)]
