"""Verifying a bundle: every hash, the signature, the custody chains (E6).

Used by ``tropa bundle verify`` and by whoever receives a bundle; never raises on bad input.
"""

from __future__ import annotations

import hashlib
import json
import tarfile
from dataclasses import dataclass, field
from typing import Any, BinaryIO

import pyrage
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from pyrage import x25519

from .. import custody, vault
from .common import FIXED, FORMAT, ThreadPipe, fingerprint, public_pem, thread_pipe

_SMALL_LIMIT = 64 * 1024 * 1024
_AGE_MAGIC = b"age-encryption.org/v1"


@dataclass
class BundleReport:
    problems: list[str] = field(default_factory=list)
    items: int = 0
    files_checked: int = 0
    fingerprint: str = ""
    encrypted: bool = False

    @property
    def ok(self) -> bool:
        return not self.problems


def verify_bundle(source: BinaryIO, *, identity: str = "", public_key: str = "") -> BundleReport:
    """Check a bundle: every hash, the signature, the custody chains. Never raises on bad input."""
    report = BundleReport()
    head = source.read(len(_AGE_MAGIC))
    stream: BinaryIO = _Prefixed(head, source)  # type: ignore[assignment]
    decrypting: ThreadPipe | None = None
    if head == _AGE_MAGIC:
        report.encrypted = True
        if not identity:
            report.problems.append("the bundle is encrypted with age: give the identity file")
            return report
        try:
            identities = [x25519.Identity.from_str(identity.strip())]
        except Exception:
            report.problems.append("the identity is not an age secret key")
            return report
        encrypted = stream
        decrypting = thread_pipe(lambda out: pyrage.decrypt_io(encrypted, out, identities))
        stream = decrypting  # type: ignore[assignment]
    try:
        _check_tar(stream, report, public_key)
    except (tarfile.TarError, EOFError, OSError, ValueError) as exc:
        report.problems.append(f"the bundle is not a readable tar file ({type(exc).__name__})")
    if decrypting is not None:
        try:
            decrypting.finish()
        except Exception:
            report.problems.append("the bundle does not decrypt with this identity, or is damaged")
    return report


class _Prefixed:
    def __init__(self, head: bytes, rest: BinaryIO) -> None:
        self._head = head
        self._rest = rest

    def read(self, n: int = -1) -> bytes:
        if self._head:
            data = self._head if n < 0 else self._head[:n]
            self._head = self._head[len(data) :]
            if n < 0:
                return data + self._rest.read()
            return data
        return self._rest.read(n)


def _check_tar(stream: BinaryIO, report: BundleReport, public_key: str) -> None:
    small: dict[str, bytes] = {}
    computed: dict[str, str] = {}
    sizes: dict[str, int] = {}
    with tarfile.open(fileobj=stream, mode="r|") as tar:
        for member in tar:
            name = member.name
            if not member.isfile():
                report.problems.append(f"{name!r}: not a regular file")
                continue
            if name.startswith("/") or ".." in name.split("/") or "\x00" in name:
                report.problems.append(f"{name!r}: unsafe path in the bundle")
                continue
            handle = tar.extractfile(member)
            if handle is None:
                continue
            digest, size, keep = hashlib.sha256(), 0, bytearray()
            while block := handle.read(vault.BLOCK):
                digest.update(block)
                size += len(block)
                if not name.startswith("files/") and len(keep) < _SMALL_LIMIT:
                    keep += block
            if name in computed:
                report.problems.append(f"{name}: appears twice")
            computed[name], sizes[name] = digest.hexdigest(), size
            if not name.startswith("files/"):
                small[name] = bytes(keep)
    report.files_checked = len(computed)
    for name in (*FIXED, "SHA256SUMS"):
        if name not in small:
            report.problems.append(f"{name}: missing")
    manifest = _manifest(small.get("manifest.json"), report)
    _check_signature(small, manifest, report, public_key)
    _check_sums(small.get("SHA256SUMS", b""), computed, report)
    if manifest is None:
        return
    chains = {}
    try:
        chains = json.loads(small.get("custody.json", b"{}"))
    except ValueError:
        report.problems.append("custody.json: not valid JSON")
    listed = set()
    for entry in manifest.get("items", []):
        report.items += 1
        _check_item(entry, computed, sizes, chains, report)
        listed.add(entry.get("file"))
    for document in manifest.get("documents") or []:
        name = str(document.get("name", "")) if isinstance(document, dict) else ""
        if computed.get(name) != document.get("sha256"):
            report.problems.append(f"{name or '?'}: differs from the manifest or is missing")
    for name in computed:
        if name.startswith("files/") and name not in listed:
            report.problems.append(f"{name}: in the bundle but not in the manifest")


def _manifest(data: bytes | None, report: BundleReport) -> dict[str, Any] | None:
    if data is None:
        return None
    try:
        manifest = json.loads(data)
    except ValueError:
        report.problems.append("manifest.json: not valid JSON")
        return None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        report.problems.append(f"manifest.json: not a {FORMAT} manifest")
        return None
    if not isinstance(manifest.get("items"), list):
        report.problems.append("manifest.json: no item list")
        return None
    return manifest


def _check_signature(
    small: dict[str, bytes], manifest: dict[str, Any] | None, report: BundleReport, pinned: str
) -> None:
    if manifest is None or "manifest.json.sig" not in small:
        return
    key_hex = str((manifest.get("signing_key") or {}).get("public_key_hex", ""))
    try:
        key = Ed25519PublicKey.from_public_bytes(bytes.fromhex(key_hex))
    except ValueError:
        report.problems.append("manifest.json: the signing key is not an Ed25519 key")
        return
    report.fingerprint = fingerprint(key_hex)
    if pinned and pinned.strip().lower() not in (key_hex.lower(), report.fingerprint):
        report.problems.append(
            "signature: signed by a different key than the one you gave "
            f"(bundle key fingerprint {report.fingerprint})"
        )
    if small.get("signing-key.pem") and small["signing-key.pem"] != public_pem(key_hex):
        report.problems.append("signing-key.pem: differs from the key named in manifest.json")
    try:
        key.verify(small["manifest.json.sig"], small["manifest.json"])
    except InvalidSignature:
        report.problems.append("manifest.json.sig: the signature does not match manifest.json")


def _check_sums(data: bytes, computed: dict[str, str], report: BundleReport) -> None:
    seen = set()
    for number, line in enumerate(data.decode("utf-8", "replace").splitlines(), 1):
        digest, _, name = line.partition("  ")
        if not name:
            report.problems.append(f"SHA256SUMS line {number}: malformed")
            continue
        seen.add(name)
        if name not in computed:
            report.problems.append(f"{name}: listed in SHA256SUMS but missing from the bundle")
        elif computed[name] != digest:
            report.problems.append(f"{name}: SHA-256 differs from SHA256SUMS")
    for name in computed:
        if name != "SHA256SUMS" and name not in seen and data:
            report.problems.append(f"{name}: not listed in SHA256SUMS")


def _check_item(
    entry: Any,
    computed: dict[str, str],
    sizes: dict[str, int],
    chains: dict[str, Any],
    report: BundleReport,
) -> None:
    if not isinstance(entry, dict):
        report.problems.append("manifest.json: an item is not an object")
        return
    code, name = str(entry.get("code", "?")), str(entry.get("file", ""))
    if name not in computed:
        report.problems.append(f"item {code}: file {name} missing from the bundle")
    elif computed[name] != entry.get("sha256"):
        report.problems.append(
            f"item {code}: {name} has SHA-256 {computed[name]}, the manifest says "
            f"{entry.get('sha256')}"
        )
    elif sizes[name] != entry.get("size"):
        report.problems.append(f"item {code}: {name} size differs from the manifest")
    original = (entry.get("original") or {}).get("sha256")
    if entry.get("variant") == "original" and original != entry.get("sha256"):
        report.problems.append(f"item {code}: the original's hash differs from the file's")
    if entry.get("variant") == "stripped" and entry.get("derived_from") != original:
        report.problems.append(f"item {code}: the stripped copy is not linked to its original")
    chain = chains.get(code)
    if not isinstance(chain, list):
        report.problems.append(f"item {code}: no custody log in custody.json")
        return
    try:
        problem = custody.verify_entries(code, chain)
    except (KeyError, TypeError, AttributeError):
        report.problems.append(f"item {code}: custody log is malformed")
        return
    if problem is not None:
        report.problems.append(f"item {code}: custody entry #{problem.seq}: {problem.reason}")
    elif chain[0].get("object_sha256") != original:
        report.problems.append(f"item {code}: custody log starts with a different hash")
    elif entry.get("custody_head") != chain[-1].get("hash"):
        report.problems.append(f"item {code}: custody log does not end where the manifest says")
