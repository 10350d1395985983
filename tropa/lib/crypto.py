"""Envelope encryption with Google Tink, free of Django.

A *master* keyset lives in a file (mode 0600). Each organization has its own data keysets
(AEAD for fields, PRF for blind indexes) stored wrapped by the master keyset; the wrapping is
bound to the organization through associated data, so a wrapped keyset copied to another
organization's row does not open.
"""

from __future__ import annotations

import base64
import hashlib
import os
from pathlib import Path

import tink
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from tink import aead, prf, secret_key_access

aead.register()
prf.register()

_JSON = tink.json_proto_keyset_format


class KeyError_(Exception):
    """A keyset is missing, unreadable or does not belong where it was found."""


def load_or_create_master(path: Path) -> aead.Aead:
    """The master AEAD from ``path``; a new keyset is written (0600) if none exists."""
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        handle = tink.new_keyset_handle(aead.aead_key_templates.AES256_GCM)
        serialized = _JSON.serialize(handle, secret_key_access.TOKEN)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            out.write(serialized)
            out.flush()
            os.fsync(out.fileno())
    mode = path.stat().st_mode & 0o777
    if mode & 0o077:
        raise KeyError_(
            f"the master keyset {path} is readable by others (mode {mode:o}); run: chmod 600 on it"
        )
    try:
        handle = _JSON.parse(path.read_text(encoding="utf-8"), secret_key_access.TOKEN)
        return handle.primitive(aead.Aead)
    except (tink.TinkError, ValueError) as exc:
        raise KeyError_(f"the master keyset {path} cannot be read: {exc}") from exc


def new_wrapped_aead_keyset(master: aead.Aead, associated_data: bytes) -> str:
    handle = tink.new_keyset_handle(aead.aead_key_templates.AES256_GCM)
    return str(_JSON.serialize_encrypted(handle, master, associated_data))


def new_wrapped_prf_keyset(master: aead.Aead, associated_data: bytes) -> str:
    handle = tink.new_keyset_handle(prf.prf_key_templates.HMAC_SHA256)
    return str(_JSON.serialize_encrypted(handle, master, associated_data))


def unwrap_aead(wrapped: str, master: aead.Aead, associated_data: bytes) -> aead.Aead:
    try:
        handle = _JSON.parse_encrypted(wrapped, master, associated_data)
    except tink.TinkError as exc:
        raise KeyError_("a data keyset does not open with this master keyset") from exc
    return handle.primitive(aead.Aead)


def unwrap_prf(wrapped: str, master: aead.Aead, associated_data: bytes) -> prf.Prf:
    try:
        handle = _JSON.parse_encrypted(wrapped, master, associated_data)
    except tink.TinkError as exc:
        raise KeyError_("an index keyset does not open with this master keyset") from exc
    return handle.primitive(prf.PrfSet).primary()


def wrap_secret(master: aead.Aead, secret: bytes, associated_data: bytes) -> str:
    """Raw key bytes (an Ed25519 seed, say) encrypted by the master keyset, as text."""
    return base64.b64encode(master.encrypt(secret, associated_data)).decode("ascii")


def unwrap_secret(wrapped: str, master: aead.Aead, associated_data: bytes) -> bytes:
    try:
        return bytes(master.decrypt(base64.b64decode(wrapped, validate=True), associated_data))
    except (tink.TinkError, ValueError) as exc:
        raise KeyError_("a server key does not open with this master keyset") from exc


def ed25519_fingerprint(public_hex: str) -> str:
    """SHA-256 of the raw public key, as the evidence bundles print it."""
    return hashlib.sha256(bytes.fromhex(public_hex)).hexdigest()


def ed25519_public_pem(public_hex: str) -> str:
    key = Ed25519PublicKey.from_public_bytes(bytes.fromhex(public_hex))
    return key.public_bytes(Encoding.PEM, PublicFormat.SubjectPublicKeyInfo).decode("ascii")
