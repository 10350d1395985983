"""The data migration moves existing case data from the organization key to case keys."""

from __future__ import annotations

import importlib
import io
import json

from django.apps import apps

from conftest import CANARY
from tropa.accounts.models import User
from tropa.cases.models import Case, Identity, Note
from tropa.crypto import fields
from tropa.evidence import services as evidence
from tropa.evidence import vault
from tropa.evidence.models import CaseKey
from tropa.evidence.storage import get_storage
from tropa.evidence.tests.test_verify import record

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
