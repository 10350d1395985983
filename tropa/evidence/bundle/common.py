"""What writing and verifying a bundle share: its format, its errors, keys, a thread pipe."""

from __future__ import annotations

import hashlib
import io
import os
import threading
from collections.abc import Callable
from typing import Any, BinaryIO

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from django.utils.translation import gettext as _
from pyrage import x25519

from tropa.core.errors import ServiceError

from .. import vault

FORMAT = "tropa-bundle/1"
FIXED = ("README.txt", "manifest.json", "manifest.json.sig", "signing-key.pem", "custody.json")


class BundleError(ServiceError):
    """Bad input to an export (shown to the user)."""


class NoStrippedCopy(BundleError):
    """An item chosen as a stripped copy has none."""


class ItemUnreadable(BundleError):
    """A chosen item's stored file cannot go into the bundle; ``kind`` says why:
    ``missing`` (not in storage), ``key`` (the case key was destroyed) or ``corrupt``
    (does not decrypt, or not the recorded size and SHA-256)."""

    def __init__(self, item_code: str, kind: str) -> None:
        self.item_code = item_code
        self.kind = kind
        reasons = {
            "missing": "its stored file is missing",
            "key": "the case's key was destroyed",
            "corrupt": "its stored file does not match the recorded size and SHA-256",
        }
        super().__init__(f"item {item_code}: {reasons[kind]}")


def parse_recipient(text: str) -> x25519.Recipient:
    try:
        return x25519.Recipient.from_str(text.strip())
    except Exception:  # pyrage raises its own error types and ValueError
        raise BundleError(_('This is not an age public key (it starts with "age1").')) from None


def fingerprint(public_hex: str) -> str:
    return hashlib.sha256(bytes.fromhex(public_hex)).hexdigest()


def public_pem(public_hex: str) -> bytes:
    key = Ed25519PublicKey.from_public_bytes(bytes.fromhex(public_hex))
    return key.public_bytes(Encoding.PEM, PublicFormat.SubjectPublicKeyInfo)


class ThreadPipe(io.RawIOBase):
    def __init__(self, fd: int, thread: threading.Thread, errors: list[BaseException]) -> None:
        self._file = os.fdopen(fd, "rb")
        self._thread = thread
        self._errors = errors

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        data = self._file.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)

    def finish(self) -> None:
        """Wait for the producer (reading what is left, so that it cannot block on a full
        pipe) and raise its error, if any."""
        while self._file.read(vault.BLOCK):
            pass
        self._thread.join()
        self._file.close()
        if self._errors:
            raise self._errors[0]


def thread_pipe(produce: Callable[[BinaryIO], None]) -> ThreadPipe:
    """Run ``produce(writer)`` in a thread; read its output from the returned pipe."""
    read_fd, write_fd = os.pipe()
    errors: list[BaseException] = []

    def run() -> None:
        try:
            with os.fdopen(write_fd, "wb") as out:
                produce(out)
        except BaseException as exc:
            errors.append(exc)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return ThreadPipe(read_fd, thread, errors)
