"""Encrypting and decrypting evidence streams with a key per case (Tink streaming AEAD).

Plaintext exists only in memory, one block at a time: it is hashed and encrypted as it
is read, and the ciphertext goes to storage (R4). Each blob's ciphertext is bound to its
blob id through associated data, so a blob copied over another one does not decrypt.
"""

from __future__ import annotations

import hashlib
import io
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, BinaryIO

import tink
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.db import transaction
from tink import streaming_aead

from tropa.accounts.models import Organization
from tropa.cases.models import Case
from tropa.crypto import fields
from tropa.crypto.fields import master_aead, seal, unseal

from .models import CaseKey, EvidenceItem, SigningKey, UploadPart
from .storage import Storage

streaming_aead.register()

# 2 MiB blocks: per-call overhead is already negligible (4 GiB ingest at 115 % of the baseline)
# and each block is held about three times over (read buffer, the copy Tink's binding makes,
# its ciphertext), so the peak stays under 100 MB for a file of any size.
BLOCK = 2 * 1024 * 1024
_TEMPLATE = streaming_aead.streaming_aead_key_templates.AES256_GCM_HKDF_1MB
_JSON = tink.json_proto_keyset_format


class TooLarge(Exception):
    """More bytes arrived than the limit allows."""


class Corrupt(Exception):
    """A blob does not decrypt: tampered, truncated, or under another key."""


def _key_ad(case: Case) -> bytes:
    return f"tropa.evidence.case.{case.pk}.streaming".encode()


def blob_ad(blob_id: str) -> bytes:
    return f"tropa.evidence.blob.{blob_id}".encode()


class KeyErased(Corrupt):
    """The case's key is gone (the case was erased): its files can no longer be read."""


def case_key(case: Case, *, create: bool = False) -> streaming_aead.StreamingAead:
    """The case's streaming primitive. Only writers of new evidence (``create=True``) make
    the keyset on first use; a reader never does, so a destroyed key stays destroyed and
    its files report ``KeyErased`` instead of failing to decrypt under a fresh key."""
    return _case_handle(case, create=create).primitive(streaming_aead.StreamingAead)


def case_keyset(case: Case) -> tink.KeysetHandle:
    """The case's keyset itself, for the random-access reader (``seekable.open_sealed``)."""
    return _case_handle(case, create=False)


def _case_handle(case: Case, *, create: bool) -> tink.KeysetHandle:
    row = CaseKey.objects.filter(case=case).first()
    if row is None and (not create or _had_evidence(case)):
        # A case that already holds evidence had a key: it was destroyed, and a new one
        # would make the erasure look like tampering when the old files are checked.
        raise KeyErased(f"no key for case {case.pk}")
    try:
        # The row is wrapped by the case key in the key store, not the master keyset: erasing
        # the case destroys it with the rest, even in a database backup (docs/retention.md).
        wrapping = fields.case_key_aead(case.organization_id, str(case.person_id), create=create)
    except fields.KeyErased as exc:
        raise KeyErased(f"no key for case {case.pk}") from exc
    if row is None:
        handle = tink.new_keyset_handle(_TEMPLATE)
        wrapped = _JSON.serialize_encrypted(handle, wrapping, _key_ad(case))
        with transaction.atomic():
            row, _ = CaseKey.objects.get_or_create(
                case=case, defaults={"organization_id": case.organization_id, "wrapped": wrapped}
            )
    return _JSON.parse_encrypted(row.wrapped, wrapping, _key_ad(case))


def rewrap_case_key(row: CaseKey, person_id: str) -> bool:
    """Move an evidence key from the master keyset to its case key (data migration)."""
    ad = f"tropa.evidence.case.{row.case_id}.streaming".encode()
    wrapping = fields.case_key_aead(row.organization_id, person_id, create=True)
    try:
        _JSON.parse_encrypted(row.wrapped, wrapping, ad)
        return False  # already under the case key
    except tink.TinkError:
        handle = _JSON.parse_encrypted(row.wrapped, master_aead(), ad)
    row.wrapped = _JSON.serialize_encrypted(handle, wrapping, ad)
    return True


def _had_evidence(case: Case) -> bool:
    return (
        EvidenceItem.objects.filter(organization=case.organization_id, case=case).exists()
        or UploadPart.objects.filter(session__case=case).exists()
    )


@dataclass(frozen=True)
class Written:
    blob: str
    sha256: str
    size: int
    head: bytes


def write_encrypted(
    storage: Storage,
    key: streaming_aead.StreamingAead,
    read: Callable[[int], bytes],
    *,
    limit: int,
    on_block: Callable[[int], None] | None = None,
    block: int = BLOCK,
) -> Written:
    """Hash and encrypt everything ``read`` yields into a new blob; publish it atomically.

    SHA-256 runs in a second thread over the same block while the main thread encrypts
    it: hashlib and Tink both release the GIL, so the two overlap. ``block`` is how much
    is read at a time (a smaller one holds less while a tool runs beside it).
    """
    blob_id = storage.new_id()
    digest = hashlib.sha256()
    size = 0
    head = b""
    with storage.writer(blob_id) as out, ThreadPoolExecutor(max_workers=1) as pool:
        stream = key.new_encrypting_stream(_KeepOpen(out), blob_ad(blob_id))
        while data := read(block):
            size += len(data)
            if size > limit:
                raise TooLarge(size)
            if len(head) < 8192:
                head += data[: 8192 - len(head)]
            hashing = pool.submit(digest.update, data)
            stream.write(data)
            hashing.result()
            if on_block is not None:
                on_block(size)
        stream.close()
    return Written(blob=blob_id, sha256=digest.hexdigest(), size=size, head=head)


class _KeepOpen(io.RawIOBase):
    """Tink closes the stream it writes to; storage must still fsync and rename it."""

    def __init__(self, target: BinaryIO) -> None:
        self._target = target

    def writable(self) -> bool:
        return True

    def write(self, data: Any) -> int:
        return self._target.write(data)


def write_bytes(storage: Storage, key: streaming_aead.StreamingAead, data: bytes) -> Written:
    view = memoryview(data)
    position = 0

    def read(n: int) -> bytes:
        nonlocal position
        chunk = bytes(view[position : position + n])
        position += len(chunk)
        return chunk

    return write_encrypted(storage, key, read, limit=len(data))


class _Checked:
    """Wraps a decrypting stream so that Tink's errors become ``Corrupt``."""

    def __init__(self, stream: BinaryIO) -> None:
        self._stream = stream

    def read(self, n: int = -1) -> bytes:
        try:
            return self._stream.read(n)
        except tink.TinkError as exc:
            raise Corrupt(str(exc)) from exc


@contextmanager
def open_plaintext(
    storage: Storage, key: streaming_aead.StreamingAead, blob_id: str
) -> Iterator[_Checked]:
    """A readable plaintext stream of a blob; decryption errors surface as ``Corrupt``."""
    with storage.open(blob_id) as raw:
        stream = key.new_decrypting_stream(raw, blob_ad(blob_id))
        try:
            yield _Checked(stream)
        finally:
            stream.close()


def iter_plaintext(
    storage: Storage, key: streaming_aead.StreamingAead, blob_id: str
) -> Iterator[bytes]:
    with open_plaintext(storage, key, blob_id) as stream:
        while block := stream.read(BLOCK):
            yield block


def read_all(storage: Storage, key: streaming_aead.StreamingAead, blob_id: str) -> bytes:
    return b"".join(iter_plaintext(storage, key, blob_id))


def hash_blob(storage: Storage, key: streaming_aead.StreamingAead, blob_id: str) -> str:
    """SHA-256 of a blob's plaintext, decrypting as a stream."""
    digest = hashlib.sha256()
    with ThreadPoolExecutor(max_workers=1) as pool:
        pending = None
        for block in iter_plaintext(storage, key, blob_id):
            if pending is not None:
                pending.result()
            pending = pool.submit(digest.update, block)
        if pending is not None:
            pending.result()
    return digest.hexdigest()


# Organization signing keys ---------------------------------------------------------------


def signing_key(organization: Organization) -> tuple[Ed25519PrivateKey, SigningKey]:
    """The organization's Ed25519 key, made on first use; the private half is sealed."""
    row = SigningKey.objects.filter(organization=organization).first()
    if row is None:
        private = Ed25519PrivateKey.generate()
        raw = private.private_bytes_raw()
        row = SigningKey(
            organization=organization, public_key=private.public_key().public_bytes_raw().hex()
        )
        row.sealed_private = seal(row, "sealed_private", raw.hex())
        with transaction.atomic():
            row.save(force_insert=True)
        return private, row
    private = Ed25519PrivateKey.from_private_bytes(
        bytes.fromhex(unseal(row, "sealed_private", row.sealed_private))
    )
    return private, row
