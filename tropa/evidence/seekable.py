"""Reading a sealed blob at any offset, without decrypting what comes before it.

A blob is Tink's streaming AEAD (``AES256_GCM_HKDF_1MB``): a header (its length, a salt, a
nonce prefix), then segments of 1 MiB of ciphertext, each sealed with AES-GCM on its own
under a key derived (HKDF-SHA256) from the case key, the salt and the blob's associated
data. The nonce names the segment's number and whether it is the last one, so a segment
cannot be moved, and a cut tail is found because the last segment must say it is the last.
That makes every segment decryptable on its own: this module does it with ``cryptography``
for the tools that need to seek (an MP4 with its index at the end), so that they read what
they need and no plaintext is ever written anywhere.

Tink writes, ``vault.write_encrypted`` keeps writing the blobs; the test
``test_seekable.py`` holds this reader to Tink's own decryption.
"""

from __future__ import annotations

import os
import struct
import threading
from collections import OrderedDict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import BinaryIO

import tink
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from tink import secret_key_access
from tink.proto import aes_gcm_hkdf_streaming_pb2, common_pb2, tink_pb2

from .storage import Storage
from .vault import Corrupt, blob_ad

_TYPE = "type.googleapis.com/google.crypto.tink.AesGcmHkdfStreamingKey"
_NONCE_PREFIX = 7
_TAG = 16
_CACHED_SEGMENTS = 1


@dataclass(frozen=True)
class _Key:
    value: bytes
    segment: int
    derived: int


def _keys(handle: tink.KeysetHandle) -> list[_Key]:
    raw = tink.proto_keyset_format.serialize(handle, secret_key_access.TOKEN)
    keyset = tink_pb2.Keyset.FromString(raw)
    found = []
    for entry in keyset.key:
        if entry.key_data.type_url != _TYPE or entry.status != tink_pb2.ENABLED:
            continue
        key = aes_gcm_hkdf_streaming_pb2.AesGcmHkdfStreamingKey.FromString(entry.key_data.value)
        if key.params.hkdf_hash_type != common_pb2.SHA256:
            continue
        found.append(
            _Key(key.key_value, key.params.ciphertext_segment_size, key.params.derived_key_size)
        )
    return found


class SealedFile:
    """A sealed blob read at any offset: ``size`` and ``read_at(offset, n)``, thread-safe.

    Opening checks the header and the last segment (a cut or swapped blob is ``Corrupt``
    at once); every segment read is authenticated before a byte of it is returned.
    """

    def __init__(self, raw: BinaryIO, handle: tink.KeysetHandle, blob_id: str) -> None:
        self._raw = raw
        self._lock = threading.Lock()
        self._cache: OrderedDict[int, bytes] = OrderedDict()
        self._ad = blob_ad(blob_id)
        self._total = os.fstat(raw.fileno()).st_size
        header = self._pread(0, 1 + 64 + _NONCE_PREFIX)
        for key in _keys(handle):
            if self._try_key(key, header):
                return
        raise Corrupt("no key of the case opens this blob")

    def _try_key(self, key: _Key, header: bytes) -> bool:
        salt_size = key.derived
        self._header = 1 + salt_size + _NONCE_PREFIX
        if len(header) < self._header or header[0] != self._header:
            return False
        salt = header[1 : 1 + salt_size]
        self._prefix = header[1 + salt_size : self._header]
        self._segment = key.segment
        derived = HKDF(hashes.SHA256(), key.derived, salt, self._ad).derive(key.value)
        self._aead = AESGCM(derived)
        self._count = max(1, -(-self._total // key.segment))
        self.size = self._total - self._header - _TAG * self._count
        if self.size < 0:
            return False
        try:
            self._segment_plain(self._count - 1)
        except Corrupt:
            return False
        return True

    def close(self) -> None:
        self._raw.close()

    def _pread(self, offset: int, n: int) -> bytes:
        return os.pread(self._raw.fileno(), n, offset)

    def _bounds(self, index: int) -> tuple[int, int]:
        start = self._header if index == 0 else index * self._segment
        end = min((index + 1) * self._segment, self._total)
        return start, end

    def _segment_plain(self, index: int) -> bytes:
        with self._lock:
            cached = self._cache.get(index)
            if cached is not None:
                self._cache.move_to_end(index)
                return cached
            # Room first: the segment replaced is not held while the next one decrypts.
            while len(self._cache) >= _CACHED_SEGMENTS:
                self._cache.popitem(last=False)
        start, end = self._bounds(index)
        sealed = self._pread(start, end - start)
        last = index == self._count - 1
        nonce = self._prefix + struct.pack(">I?", index, last)
        if len(sealed) != end - start:
            raise Corrupt("blob cut short")
        try:
            plain = self._aead.decrypt(nonce, sealed, None)
        except InvalidTag:
            raise Corrupt(f"segment {index} does not authenticate") from None
        with self._lock:
            self._cache[index] = plain
            while len(self._cache) > _CACHED_SEGMENTS:
                self._cache.popitem(last=False)
        return plain

    def _locate(self, offset: int) -> tuple[int, int]:
        """The segment holding plaintext byte ``offset``, and the offset inside it."""
        first = self._segment - self._header - _TAG
        if offset < first:
            return 0, offset
        index, inside = divmod(offset - first, self._segment - _TAG)
        return index + 1, inside

    def read_at(self, offset: int, n: int) -> bytes:
        """Up to ``n`` plaintext bytes from ``offset`` (fewer only at the end)."""
        n = max(0, min(n, self.size - offset))
        parts: list[bytes] = []
        while n > 0:
            index, inside = self._locate(offset)
            piece = self._segment_plain(index)[inside : inside + n]
            if not piece:
                raise Corrupt("segment shorter than its place says")
            parts.append(piece)
            offset += len(piece)
            n -= len(piece)
        return b"".join(parts)


@contextmanager
def open_sealed(storage: Storage, handle: tink.KeysetHandle, blob_id: str) -> Iterator[SealedFile]:
    """The blob ``blob_id`` of ``storage`` read at any offset, closed when the block ends."""
    raw = storage.open(blob_id)
    try:
        yield SealedFile(raw, handle, blob_id)
    finally:
        raw.close()
