"""Export bundles for investigators, and their verification (E6).

A bundle is a tar file (readable as a stream, so that neither writing nor checking it
needs a plaintext temporary file) holding, in this order:

    README.txt           how to check the bundle with standard tools
    manifest.json        items, SHA-256s, metadata, collection records
    manifest.json.sig    Ed25519 signature of manifest.json by the organization's key
    signing-key.pem      that public key (compare it with the published one)
    custody.json         each item's hash-chained custody log
    summary.html         the same, for people
    summary.pdf          the same, to print or file
    files/<code>.<ext>   the originals, or stripped copies where chosen
    SHA256SUMS           for ``sha256sum -c SHA256SUMS``

Optionally the whole tar is encrypted to the recipient's age key.

The package keeps writing apart from verifying: ``prepare`` reads the database and records
custody, ``writing`` only streams a prepared plan, ``verifying`` checks a bundle without
the database (what a recipient runs), ``common`` holds what they share.
"""

from __future__ import annotations

from .common import (
    FIXED,
    FORMAT,
    BundleError,
    ItemUnreadable,
    NoStrippedCopy,
    fingerprint,
    parse_recipient,
    public_pem,
    thread_pipe,
)
from .prepare import prepare_bundle, record_aborted
from .verifying import BundleReport, verify_bundle
from .writing import BundlePlan, encrypted_stream, write_to_file

__all__ = [
    "FIXED",
    "FORMAT",
    "BundleError",
    "BundlePlan",
    "BundleReport",
    "ItemUnreadable",
    "NoStrippedCopy",
    "encrypted_stream",
    "fingerprint",
    "parse_recipient",
    "prepare_bundle",
    "public_pem",
    "record_aborted",
    "thread_pipe",
    "verify_bundle",
    "write_to_file",
]
