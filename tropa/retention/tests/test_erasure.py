"""R7: an erased case's identity cannot be read from the live database, nor from a copy of
the database and of the evidence blobs taken before the erasure, opened with today's keys.

The copy is taken here row by row (every sealed table of the case, raw bytes) and by copying
the evidence directory; the real ``tropa backup`` command will replace it.
"""

from __future__ import annotations

import io
import shutil
import uuid
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.db import connection

from conftest import CANARY
from tropa.accounts.models import User
from tropa.audit.models import AuditEntry
from tropa.cases import services as cases
from tropa.cases.models import Case, Identity, Note, Stage
from tropa.crypto import fields, keystore
from tropa.evidence import services as evidence
from tropa.evidence import vault
from tropa.evidence.models import CaseKey
from tropa.evidence.storage import LocalStorage
from tropa.evidence.tests.test_verify import record
from tropa.retention.erasure import RetentionError, erase_case
from tropa.retention.models import Erasure, Trigger

SEALED_TABLES = {
    "cases_identity": ("id", "organization_id", "person_id", "sealed"),
    "cases_note": ("id", "organization_id", "case_id", "sealed"),
    "evidence_casekey": ("id", "organization_id", "case_id", "wrapped"),
}


def copy_of_database() -> dict[str, list[tuple[Any, ...]]]:
    """Every row of the sealed tables as stored: what a backup holds."""
    copy = {}
    with connection.cursor() as cursor:
        for table, columns in SEALED_TABLES.items():
            cursor.execute(f"select {', '.join(columns)} from {table}")  # noqa: S608
            copy[table] = [tuple(row) for row in cursor.fetchall()]
    return copy


def same(a: Any, b: Any) -> bool:
    return uuid.UUID(str(a)) == uuid.UUID(str(b))


def _close(case: Case, coordinator: User) -> None:
    cases.move_stage(actor=coordinator, case=case, to_stage=Stage.PROTECTED)


def _identity_from_copy(row: tuple[Any, ...]) -> Identity:
    return Identity(
        id=uuid.UUID(str(row[0])), organization_id=row[1], person_id=uuid.UUID(str(row[2]))
    )


@pytest.mark.django_db(transaction=False)
def test_an_erased_identity_opens_neither_live_nor_from_an_older_copy(
    canary_case: Case, coordinator: User, tmp_path: Path
) -> None:
    item = evidence.add_evidence(
        actor=coordinator,
        case=canary_case,
        source=io.BytesIO(CANARY.encode() * 1000),
        record=record(),
    )
    _close(canary_case, coordinator)
    database = copy_of_database()
    blobs = tmp_path / "evidence-copy"
    shutil.copytree(settings.TROPA_EVIDENCE_DIR, blobs)
    [old_identity] = [r for r in database["cases_identity"] if same(r[2], canary_case.person_id)]
    # The copy opens with today's keys before the erasure: the test can fail.
    assert (
        fields.unseal(_identity_from_copy(old_identity), "sealed", old_identity[3])["surname"]
        == CANARY
    )
    wrapped_before = keystore.get(str(canary_case.person_id))
    assert wrapped_before

    erase_case(actor=coordinator, case=canary_case, trigger=Trigger.DECISION)
    fields.forget_cached_keys()  # a fresh process, as a restore would be

    # The live database: no identity, no notes, no evidence key; the rest emptied.
    assert not Identity.objects.filter(person=canary_case.person).exists()
    assert not Note.objects.filter(case=canary_case).exists()
    assert not CaseKey.objects.filter(case=canary_case).exists()
    assert all(m.sealed == b"" for m in canary_case.family.all())
    assert cases.reveal_identity(actor=coordinator, person=canary_case.person) == {}
    # The copy, opened with today's master keyset and key store: nothing opens.
    with pytest.raises(fields.KeyErased):
        fields.unseal(_identity_from_copy(old_identity), "sealed", old_identity[3])
    for row in database["cases_note"]:
        if same(row[2], canary_case.pk):
            with pytest.raises(fields.KeyErased):
                fields.unseal(
                    Note(
                        id=uuid.UUID(str(row[0])),
                        organization_id=row[1],
                        case_id=uuid.UUID(str(row[2])),
                    ),
                    "sealed",
                    row[3],
                )
    # Its evidence key row put back, the copied blob still does not decrypt.
    [key_row] = [r for r in database["evidence_casekey"] if same(r[2], canary_case.pk)]
    CaseKey.objects.create(
        id=uuid.UUID(str(key_row[0])),
        organization_id=key_row[1],
        case_id=canary_case.pk,
        wrapped=key_row[3],
    )
    with pytest.raises(vault.KeyErased):
        vault.read_all(LocalStorage(blobs), vault.case_key(canary_case), item.blob)
    # The key store keeps a tombstone, and not the key's bytes (secure_delete and VACUUM).
    assert keystore.is_erased(str(canary_case.person_id))
    assert wrapped_before.encode()[:64] not in keystore.path().read_bytes()
    # Nothing new can be sealed for him under a fresh key.
    with pytest.raises(fields.KeyErased):
        cases.add_note(actor=coordinator, case=canary_case, text="again")
    # The pseudonym and the case's anonymous facts stay.
    canary_case.refresh_from_db()
    assert canary_case.person.pseudonym == "Funker" and canary_case.stage == Stage.PROTECTED
    assert canary_case.support.get().kind == "lodging"


def test_the_erasure_is_audited_without_what_was_erased(
    canary_case: Case, coordinator: User
) -> None:
    _close(canary_case, coordinator)
    erasure = erase_case(actor=coordinator, case=canary_case, trigger=Trigger.DECISION)
    entry = AuditEntry.objects.get(action="case.erased")
    assert entry.object_code == str(canary_case.code)
    assert entry.detail == {"trigger": "decision", "rule": ""}
    assert Erasure.objects.filter(organization=canary_case.organization).get() == erasure


def test_an_open_case_or_an_erased_one_is_not_erased(canary_case: Case, coordinator: User) -> None:
    with pytest.raises(RetentionError, match="protected or closed"):
        erase_case(actor=coordinator, case=canary_case, trigger=Trigger.DECISION)
    assert Identity.objects.filter(person=canary_case.person).exists()
    assert not keystore.is_erased(str(canary_case.person_id))
    _close(canary_case, coordinator)
    erase_case(actor=coordinator, case=canary_case, trigger=Trigger.DECISION)
    with pytest.raises(RetentionError, match="already"):
        erase_case(actor=coordinator, case=canary_case, trigger=Trigger.DECISION)


def test_case_data_is_sealed_under_the_case_key_not_the_organization_key(
    canary_case: Case,
) -> None:
    identity = Identity.objects.get(person=canary_case.person)
    with pytest.raises(Exception):  # noqa: B017 - Tink's error: the org key does not open it
        fields._org_aead(canary_case.organization_id).decrypt(
            bytes(identity.sealed), f"cases_identity.sealed.{identity.pk}".encode()
        )
    assert fields.unseal(identity, "sealed", identity.sealed)["surname"] == CANARY
