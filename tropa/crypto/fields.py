"""Seal and open values of a model row with its case's or its organization's data key.

Associated data binds every ciphertext to its table, column and row, so that a ciphertext
moved to another row or column fails to decrypt instead of showing the wrong person's data.

A model whose rows belong to a case registers itself (``case_scoped``): its values are then
sealed under the key of the case's person, kept in the key store outside the database
(``keystore.py``), so that destroying that key erases them everywhere, old backups included
(``docs/retention.md``). Every other value is sealed under the organization's key.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from functools import lru_cache
from typing import Any

from django.apps import apps
from django.conf import settings
from django.db import models, transaction
from tink import aead, prf

from tropa.lib import crypto

from . import keystore
from .keystore import KeyErased
from .models import OrganizationKeys

__all__ = [
    "TOMBSTONE",
    "DecryptionError",
    "KeyErased",
    "blind_index",
    "case_scoped",
    "seal",
    "unseal",
]

# What an erasure writes over a case's sealed values: reading it raises KeyErased, as the
# ciphertext it replaced does in an older backup (never a valid Tink ciphertext).
TOMBSTONE = b"erased"


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
    """Drop unwrapped keys from memory (tests, key rotation, erasure)."""
    master_aead.cache_clear()
    _org_aead.cache_clear()
    _org_prf.cache_clear()
    _subject_aead.cache_clear()
    _person_of_case.cache_clear()
    _parent_of.cache_clear()
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


# Models whose sealed values belong to a case: model label -> how to find the case's person.
_CASE_SCOPED: dict[str, Callable[[models.Model], str | None]] = {}


@lru_cache(maxsize=65536)
def _person_of_case(case_id: str) -> str:
    """A case's person never changes, so this is cached per process."""
    case_model = apps.get_model("cases", "Case")
    return str(case_model.all_organizations.values_list("person_id", flat=True).get(pk=case_id))


@lru_cache(maxsize=65536)
def _parent_of(model: type[models.Model], pk: str, lookup: str) -> str | None:
    """The case (or person) a parent row reaches by ``lookup``; rows never change case."""
    value = model._base_manager.values_list(lookup, flat=True).get(pk=pk)
    return None if value is None else str(value)


def _walk(row: models.Model, path: list[str], end: str) -> str | None:
    """Follow ``path`` from ``row`` to the id of its ``end``: through related objects already
    loaded on the row (``select_related``, unsaved rows of a bulk import), else one query."""
    for index, name in enumerate(path):
        field = type(row)._meta.get_field(name)
        if not field.is_cached(row):  # type: ignore[union-attr]  # a foreign key, by contract
            parent_id = getattr(row, f"{name}_id")
            if parent_id is None:
                return None
            lookup = "__".join([*path[index + 1 :], end])
            return _parent_of(field.related_model, str(parent_id), lookup)
        row = getattr(row, name)
        if row is None:
            return None
    found = getattr(row, f"{end}_id")
    return None if found is None else str(found)


def _resolver(via: str) -> Callable[[models.Model], str | None]:
    """How a row reaches its case's person: ``self``, ``person``, ``case``, or a path of
    foreign keys ending in one of those (``"testimony.case"``, ``"check_row.vetting.case"``).
    A row whose path ends nowhere (no case yet) is sealed under the organization's key."""
    if via == "self":
        return lambda row: str(row.pk)
    *path, end = via.split(".")
    if end not in ("case", "person"):
        raise ValueError(f"a case-scoped path ends in case or person, not {end!r}")

    def resolve(row: models.Model) -> str | None:
        found = _walk(row, path, end)
        if found is None:
            return None
        return _person_of_case(found) if end == "case" else found

    return resolve


def case_scoped(label: str, via: str) -> None:
    """Seal ``label``'s values (``"app.model"``) under the key of its case's person.

    ``via`` names how a row reaches it: ``"person"`` (a ``person`` foreign key), ``"case"``
    (a ``case`` foreign key), ``"self"`` (the row is the person), or a path of foreign keys
    ending in ``case`` or ``person`` (``"vetting.case"``). Register in ``AppConfig.ready``,
    and re-seal existing rows in a data migration (``reseal``, ``reseal_rows``).
    """
    _CASE_SCOPED[label.lower()] = _resolver(via)


def subject_of(instance: models.Model) -> str | None:
    """The person whose case key seals ``instance``, or None for the organization's key."""
    resolve = _CASE_SCOPED.get(instance._meta.label_lower)
    return None if resolve is None else resolve(instance)


def _subject_ad(org_id: int, subject: str) -> bytes:
    return f"tropa.case-key.{org_id}.{subject}".encode()


@lru_cache(maxsize=4096)
def _subject_aead(org_id: int, subject: str, create: bool) -> aead.Aead:
    """The unwrapped key of a case's person (LRU per process). Raises KeyErased."""
    wrapped = keystore.get(subject)
    if wrapped is None:
        if not create:
            raise KeyErased(subject)
        fresh = crypto.new_wrapped_aead_keyset(master_aead(), _subject_ad(org_id, subject))
        wrapped = keystore.put(subject, org_id, fresh)
    return crypto.unwrap_aead(wrapped, master_aead(), _subject_ad(org_id, subject))


def case_key_aead(org_id: int, person_id: str, *, create: bool = False) -> aead.Aead:
    """The case key of ``person_id``, for wrapping what else must die with it (evidence keys)."""
    if create:
        try:
            return _subject_aead(org_id, person_id, False)
        except KeyErased:
            if keystore.is_erased(person_id):
                raise
    return _subject_aead(org_id, person_id, create)


def destroy_case_key(org_id: int, person_id: str) -> None:
    """Crypto-erasure: the key of ``person_id``'s case is overwritten in the key store."""
    keystore.destroy(person_id, org_id)
    _subject_aead.cache_clear()


def _aead_for(instance: models.Model, *, create: bool) -> aead.Aead:
    org_id = _org_id_of(instance)
    subject = subject_of(instance)
    if subject is None:
        return _org_aead(org_id)
    return case_key_aead(org_id, subject, create=create)


def seal(instance: models.Model, column: str, value: Any) -> bytes:
    """Encrypt a JSON-serialisable ``value`` for ``instance.column``.

    The row's primary key must already be set (Tropa's sensitive models use UUID keys
    generated in Python for exactly this reason).
    """
    if instance.pk is None:
        raise ValueError("a row must have its primary key before a value can be sealed")
    plaintext = json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode()
    key = _aead_for(instance, create=True)
    return bytes(key.encrypt(plaintext, _row_ad(instance, column)))


def unseal(instance: models.Model, column: str, ciphertext: bytes | memoryview | None) -> Any:
    if ciphertext is None or len(ciphertext) == 0:
        return None
    if bytes(ciphertext) == TOMBSTONE:
        raise KeyErased(subject_of(instance) or "")
    key = _aead_for(instance, create=False)  # KeyErased: the case was erased
    try:
        plaintext = key.decrypt(bytes(ciphertext), _row_ad(instance, column))
    except Exception as exc:  # Tink raises TinkError; any failure means "does not open".
        raise DecryptionError(
            f"{type(instance).__name__}.{column} of this row does not decrypt"
        ) from exc
    return json.loads(plaintext)


def unseal_or(
    instance: models.Model, column: str, ciphertext: bytes | memoryview | None, erased: Any
) -> Any:
    """``unseal``, or ``erased`` for a value of an erased case (lists that may show one)."""
    try:
        return unseal(instance, column, ciphertext)
    except KeyErased:
        return erased


def unseal_values(
    model: type[models.Model], org_id: int, rows: list[tuple[Any, str | None, bytes]], column: str
) -> dict[Any, Any]:
    """Open ``column`` of many rows without building them: ``rows`` are (pk, person whose
    case key seals the row or None for the organization's, ciphertext). Rows of an erased
    case are left out. For bulk reads (corroboration); ``unseal`` for everything else."""
    table, opened = model._meta.db_table, {}
    for pk, subject, ciphertext in rows:
        if not ciphertext or bytes(ciphertext) == TOMBSTONE:
            continue
        try:
            key = _org_aead(org_id) if subject is None else case_key_aead(org_id, str(subject))
        except KeyErased:
            continue
        plaintext = key.decrypt(bytes(ciphertext), f"{table}.{column}.{pk}".encode())
        opened[pk] = json.loads(plaintext)
    return opened


def blind_index(org_id: int, purpose: str, value: str) -> str:
    """A keyed, deterministic digest for equality search without storing ``value``."""
    data = f"{purpose}\x00{value}".encode()
    return bytes(_org_prf(org_id).compute(data, 32)).hex()


def reseal(instance: models.Model, column: str) -> bool:
    """Move ``instance.column`` from the organization's key to its case key (data migrations).

    Returns True if the value was re-sealed; a value already under the case key is left.
    """
    ciphertext = getattr(instance, column)
    if ciphertext is None or len(ciphertext) == 0 or bytes(ciphertext) == TOMBSTONE:
        return False
    if subject_of(instance) is None:
        return False
    ad = _row_ad(instance, column)
    try:
        _aead_for(instance, create=False).decrypt(bytes(ciphertext), ad)
        return False
    except Exception:  # noqa: S110 - not (yet) under the case key: try the old key
        pass
    plaintext = _org_aead(_org_id_of(instance)).decrypt(bytes(ciphertext), ad)
    setattr(instance, column, bytes(_aead_for(instance, create=True).encrypt(plaintext, ad)))
    return True


def reseal_rows(model: type[models.Model], columns: tuple[str, ...], **org: Any) -> int:
    """Re-seal ``columns`` of every row of ``model`` (a migration's historical model).

    ``org`` may name how a row without an ``organization_id`` finds it
    (``organization_via="testimony"``). Returns how many rows changed.
    """
    via = org.get("organization_via")
    rows = model._base_manager.select_related(via) if via else model._base_manager.all()
    changed_rows = 0
    for row in rows.iterator(chunk_size=500):
        if via and not hasattr(type(row), "organization_id"):  # a migration's model
            row.organization_id = getattr(row, via).organization_id  # type: ignore[attr-defined]  # set for _org_id_of
        changed = [column for column in columns if reseal(row, column)]
        if changed:
            model._base_manager.filter(pk=row.pk).update(
                **{column: getattr(row, column) for column in changed}
            )
            changed_rows += 1
    return changed_rows
