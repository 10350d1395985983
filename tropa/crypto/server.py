"""The server's own keys: the audit chain's MAC key and the checkpoint signing key.

Both are made on first use and stored wrapped by the master keyset, with associated data
naming their purpose, so neither opens without the master keyset (which is not in the
database) and neither can be swapped for another wrapped key of the same installation.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.db import IntegrityError, transaction
from tink import prf

from tropa.lib import crypto

from .fields import master_aead
from .models import ServerKey

AUDIT_MAC = "audit-mac"
AUDIT_SIGNING = "audit-signing"


def associated_data(purpose: str) -> bytes:
    return f"tropa.server.{purpose}".encode()


def new_wrapped(purpose: str) -> str:
    """A fresh key for ``purpose``, wrapped by the master keyset."""
    master = master_aead()
    if purpose == AUDIT_MAC:
        return crypto.new_wrapped_prf_keyset(master, associated_data(purpose))
    if purpose == AUDIT_SIGNING:
        seed = Ed25519PrivateKey.generate().private_bytes_raw()
        return crypto.wrap_secret(master, seed, associated_data(purpose))
    raise ValueError(f"no server key for {purpose!r}")


def exists(purpose: str) -> bool:
    return ServerKey.objects.filter(purpose=purpose).exists()


def _wrapped(purpose: str) -> str:
    """The stored key, made now if there is none.

    Read on every use (one indexed row) rather than cached: a key made inside a transaction
    that is rolled back must not live on in this process while another process makes its own.
    """
    row = ServerKey.objects.filter(purpose=purpose).values_list("wrapped", flat=True).first()
    if row is not None:
        return row
    try:
        with transaction.atomic():
            return ServerKey.objects.create(purpose=purpose, wrapped=new_wrapped(purpose)).wrapped
    except IntegrityError:  # another process made it first
        return ServerKey.objects.values_list("wrapped", flat=True).get(purpose=purpose)


@lru_cache(maxsize=8)
def _open_mac(wrapped: str) -> prf.Prf:
    return crypto.unwrap_prf(wrapped, master_aead(), associated_data(AUDIT_MAC))


@lru_cache(maxsize=8)
def _open_signing(wrapped: str) -> Ed25519PrivateKey:
    seed = crypto.unwrap_secret(wrapped, master_aead(), associated_data(AUDIT_SIGNING))
    return Ed25519PrivateKey.from_private_bytes(seed)


def audit_mac() -> Callable[[bytes], bytes]:
    """HMAC-SHA256 (a Tink PRF) under the audit chain's key."""
    key = _open_mac(_wrapped(AUDIT_MAC))
    return lambda data: bytes(key.compute(data, 32))


def audit_signing_key() -> Ed25519PrivateKey:
    return _open_signing(_wrapped(AUDIT_SIGNING))


def audit_public_key_hex() -> str:
    return audit_signing_key().public_key().public_bytes_raw().hex()


def forget() -> None:
    _open_mac.cache_clear()
    _open_signing.cache_clear()
