"""The upload of a list file in the browser: streamed to disk, encrypted as it arrives.

A plain form post (``multipart/form-data``) goes through ``SealedListUpload`` instead of
Django's handlers: each chunk is hashed and written through a Tink streaming AEAD whose key
is the import's own, sealed on its row under the organization's key. Nothing is held in memory
beyond one chunk, nothing reaches a temporary file in plaintext, and a file over the limit is
refused as soon as it passes it.
"""

from __future__ import annotations

import hashlib
import io
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, BinaryIO

import tink
from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.core.files.uploadhandler import FileUploadHandler, StopUpload
from django.http import HttpRequest
from tink import streaming_aead

from tropa.crypto.fields import seal, unseal

from .models import ListImport

streaming_aead.register()
_TEMPLATE = streaming_aead.streaming_aead_key_templates.AES256_GCM_HKDF_1MB
_GIB = 1024**3


def max_bytes() -> int:
    return int(getattr(settings, "TROPA_SCREENING_MAX_LIST_BYTES", 2 * _GIB))


def upload_dir() -> Path:
    default = Path(settings.DATA_DIR) / "screening-uploads"
    directory = Path(getattr(settings, "TROPA_SCREENING_UPLOAD_DIR", default))
    directory.mkdir(parents=True, exist_ok=True, mode=0o700)
    return directory


def file_of(row: ListImport) -> Path:
    return upload_dir() / f"{row.pk}.list"


def progress_file(row: ListImport) -> Path:
    return upload_dir() / f"{row.pk}.progress"


def _ad(row: ListImport) -> bytes:
    return f"tropa.screening.list_upload.{row.pk}".encode()


def _new_key(row: ListImport) -> streaming_aead.StreamingAead:
    handle = tink.new_keyset_handle(_TEMPLATE)
    keyset = tink.json_proto_keyset_format.serialize(handle, tink.secret_key_access.TOKEN)
    row.sealed_key = seal(row, "sealed_key", keyset)
    return handle.primitive(streaming_aead.StreamingAead)


def _key(row: ListImport) -> streaming_aead.StreamingAead:
    keyset = unseal(row, "sealed_key", row.sealed_key)
    handle = tink.json_proto_keyset_format.parse(keyset, tink.secret_key_access.TOKEN)
    return handle.primitive(streaming_aead.StreamingAead)


@contextmanager
def open_upload(row: ListImport) -> Iterator[BinaryIO]:
    """The uploaded file's plaintext, as a stream read block by block."""
    with file_of(row).open("rb") as raw:
        stream = _key(row).new_decrypting_stream(raw, _ad(row))
        try:
            yield stream
        finally:
            stream.close()


def discard(row: ListImport) -> None:
    file_of(row).unlink(missing_ok=True)
    progress_file(row).unlink(missing_ok=True)


class SealedListUpload(FileUploadHandler):
    """Receives the form's ``file`` field into the encrypted file of ``row``."""

    def __init__(self, request: HttpRequest, row: ListImport) -> None:
        super().__init__(request)
        self.row = row
        self.limit = max_bytes()
        self.too_big = False
        self.received = 0
        self.digest = hashlib.sha256()
        self._stream: Any = None

    def handle_raw_input(
        self, input_data: Any, META: Any, content_length: int, boundary: Any, encoding: Any = None
    ) -> None:
        if content_length > self.limit + 64 * 1024:  # the form's other fields are tiny
            self.too_big = True
            raise StopUpload(connection_reset=False)

    def new_file(self, field_name: str, file_name: str, *args: Any, **kwargs: Any) -> None:
        super().new_file(field_name, file_name, *args, **kwargs)
        if field_name != "file":
            return
        self.row.csv = file_name.lower().endswith(".csv")
        key = _new_key(self.row)
        raw = file_of(self.row).open("wb")
        self._stream = key.new_encrypting_stream(raw, _ad(self.row))

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes | None:
        if self._stream is None:
            return raw_data
        self.received += len(raw_data)
        if self.received > self.limit:
            self.too_big = True
            self.upload_interrupted()
            raise StopUpload(connection_reset=False)
        self.digest.update(raw_data)
        self._stream.write(raw_data)
        return None

    def file_complete(self, file_size: int) -> UploadedFile[bytes] | None:
        if self._stream is None:
            return None
        self._stream.close()
        self._stream = None
        self.row.size, self.row.sha256 = self.received, self.digest.hexdigest()
        return UploadedFile(io.BytesIO(), name=self.file_name, size=self.received)

    def upload_interrupted(self) -> None:
        if self._stream is not None:
            self._stream.close()
            self._stream = None
        discard(self.row)
