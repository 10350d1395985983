"""Seal and open values of a model row with its organization's data key.

Associated data binds every ciphertext to its table, column and row, so that a ciphertext
moved to another row or column fails to decrypt instead of showing the wrong person's data.
"""

from __future__ import annotations

import json
from functools import lru_cache
from typing import Any

from django.conf import settings
from django.db import models, transaction
from tink import aead, prf

from tropa.lib import crypto

from .models import OrganizationKeys


class DecryptionError(Exception):
    """A ciphertext did not open: wrong key, wrong row, or tampered."""


@lru_cache(maxsize=1)
def master_aead() -> aead.Aead:
    """The master AEAD, for wrapping keysets; never use it on data directly."""
    return crypto.load_or_create_master(settings.KEYSET_FILE)


def _org_ad(org_id: int, purpose: str) -> bytes:
    return f"tropa.organization.{org_id}.{purpose}".encode()


@lru_cache(maxsize=256)
def _org_aead(org_id: int) -> aead.Aead:
    keys = OrganizationKeys.objects.get(organization_id=org_id)
    return crypto.unwrap_aead(keys.wrapped_aead, master_aead(), _org_ad(org_id, "aead"))


@lru_cache(maxsize=256)
def _org_prf(org_id: int) -> prf.Prf:
    keys = OrganizationKeys.objects.get(organization_id=org_id)
    return crypto.unwrap_prf(keys.wrapped_prf, master_aead(), _org_ad(org_id, "prf"))


def forget_cached_keys() -> None:
    """Drop unwrapped keys from memory (tests, key rotation)."""
    master_aead.cache_clear()
    _org_aead.cache_clear()
    _org_prf.cache_clear()
    from .server import forget  # server.py builds on this module

    forget()


def create_organization_keys(org_id: int) -> OrganizationKeys:
    master = master_aead()
    with transaction.atomic():
        return OrganizationKeys.objects.create(
            organization_id=org_id,
            wrapped_aead=crypto.new_wrapped_aead_keyset(master, _org_ad(org_id, "aead")),
            wrapped_prf=crypto.new_wrapped_prf_keyset(master, _org_ad(org_id, "prf")),
        )


def _row_ad(instance: models.Model, column: str) -> bytes:
    return f"{instance._meta.db_table}.{column}.{instance.pk}".encode()


def _org_id_of(instance: models.Model) -> int:
    org_id = getattr(instance, "organization_id", None)
    if org_id is None:
        raise ValueError(f"{type(instance).__name__} has no organization to encrypt for")
    return int(org_id)


def seal(instance: models.Model, column: str, value: Any) -> bytes:
    """Encrypt a JSON-serialisable ``value`` for ``instance.column``.

    The row's primary key must already be set (Tropa's sensitive models use UUID keys
    generated in Python for exactly this reason).
    """
    if instance.pk is None:
        raise ValueError("a row must have its primary key before a value can be sealed")
    plaintext = json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode()
    return bytes(_org_aead(_org_id_of(instance)).encrypt(plaintext, _row_ad(instance, column)))


def unseal(instance: models.Model, column: str, ciphertext: bytes | memoryview | None) -> Any:
    if ciphertext is None or len(ciphertext) == 0:
        return None
    try:
        plaintext = _org_aead(_org_id_of(instance)).decrypt(
            bytes(ciphertext), _row_ad(instance, column)
        )
    except Exception as exc:  # Tink raises TinkError; any failure means "does not open".
        raise DecryptionError(
            f"{type(instance).__name__}.{column} of this row does not decrypt"
        ) from exc
    return json.loads(plaintext)


def blind_index(org_id: int, purpose: str, value: str) -> str:
    """A keyed, deterministic digest for equality search without storing ``value``."""
    data = f"{purpose}\x00{value}".encode()
    return bytes(_org_prf(org_id).compute(data, 32)).hex()
