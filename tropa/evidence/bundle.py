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
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import tarfile
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, BinaryIO

import pyrage
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from pyrage import x25519

from tropa.audit.services import log_action
from tropa.cases.models import Case
from tropa.core.errors import ServiceError
from tropa.core.pdf import html_to_pdf

from . import custody, vault
from .models import CustodyAction, DerivedKind, EvidenceItem
from .storage import BlobMissing, get_storage

FORMAT = "tropa-bundle/1"
FIXED = ("README.txt", "manifest.json", "manifest.json.sig", "signing-key.pem", "custody.json")
_SMALL_LIMIT = 64 * 1024 * 1024
_AGE_MAGIC = b"age-encryption.org/v1"
# What a stripped copy's entry leaves out of its collection record: anything that could
# lead back to a person or a place (the browser's file time is in "extra"; the helper who
# received it is a person at risk too). The original's SHA-256 and size stay: they are the
# link to the original that the chain of custody needs.
_WITHHELD = ("original_name", "source", "file_modified", "note", "extra", "received_by")


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


@dataclass
class _Member:
    name: str
    size: int
    sha256: str
    data: bytes | None = None
    blob: str = ""
    item_code: str = ""


@dataclass
class BundlePlan:
    """Everything decided and read from the database; ``write`` then only streams."""

    members: list[_Member]
    key: Any
    when: datetime
    manifest: dict[str, Any] = field(default_factory=dict)
    items: list[EvidenceItem] = field(default_factory=list)

    def write(self, out: BinaryIO) -> None:
        storage = get_storage()
        sums: list[str] = []
        mtime = int(self.when.timestamp())
        with tarfile.open(fileobj=out, mode="w|", format=tarfile.PAX_FORMAT) as tar:
            for member in self.members:
                info = tarfile.TarInfo(member.name)
                info.size, info.mtime, info.mode = member.size, mtime, 0o644
                if member.data is not None:
                    tar.addfile(info, io.BytesIO(member.data))
                    sums.append(f"{member.sha256}  {member.name}\n")
                    continue
                try:
                    blocks = vault.iter_plaintext(storage, self.key, member.blob)
                    reader = _Verifying(blocks, member.size, member.sha256)
                    tar.addfile(info, reader)
                    reader.finish()
                except BlobMissing:
                    raise ItemUnreadable(member.item_code, "missing") from None
                except vault.KeyErased:
                    raise ItemUnreadable(member.item_code, "key") from None
                except vault.Corrupt:
                    raise ItemUnreadable(member.item_code, "corrupt") from None
                sums.append(f"{member.sha256}  {member.name}\n")
            data = "".join(sums).encode()
            info = tarfile.TarInfo("SHA256SUMS")
            info.size, info.mtime, info.mode = len(data), mtime, 0o644
            tar.addfile(info, io.BytesIO(data))


class _Verifying:
    """A file-like reader over plaintext blocks for ``tarfile``, which reads exactly the
    recorded size; ``finish`` then checks that nothing follows and that the SHA-256
    matches, so a shorter, longer or different file fails the build."""

    def __init__(self, blocks: Iterator[bytes], size: int, expected: str) -> None:
        self._blocks = blocks
        self._left = size
        self._expected = expected
        self._digest = hashlib.sha256()
        self._block = b""
        self._position = 0

    def read(self, n: int = -1) -> bytes:
        """Exactly ``min(n, what is left of the recorded size)`` bytes, as tarfile expects."""
        want = self._left if n < 0 else min(n, self._left)
        pieces = []
        while want:
            if self._position >= len(self._block):
                block = next(self._blocks, None)
                if block is None:
                    raise vault.Corrupt("shorter than recorded")
                self._digest.update(block)
                self._block, self._position = block, 0
            piece = self._block[self._position : self._position + want]
            self._position += len(piece)
            self._left -= len(piece)
            want -= len(piece)
            pieces.append(piece)
        return b"".join(pieces)

    def finish(self) -> None:
        """After ``tarfile`` has read the recorded size: nothing may follow, and the hash
        of what was read must be the recorded one."""
        if self._left:
            raise vault.Corrupt("shorter than recorded")
        if self._position < len(self._block) or next(self._blocks, None) is not None:
            raise vault.Corrupt("longer than recorded")
        if self._digest.hexdigest() != self._expected:
            raise vault.Corrupt("does not match its recorded SHA-256")


def _small(name: str, data: bytes) -> _Member:
    return _Member(name, len(data), hashlib.sha256(data).hexdigest(), data=data)


def prepare_bundle(
    *,
    case: Case,
    variants: dict[EvidenceItem, str],
    actor: Any,
    approved_by: Any = None,
    export_code: str = "",
) -> BundlePlan:
    """Record the export in each item's custody log and lay out the bundle.

    Every database read happens here, so that ``BundlePlan.write`` can run in another
    thread and stream for as long as it takes.
    """
    from .services import read_metadata, read_record  # services imports this module

    when = timezone.now().replace(microsecond=0)
    key = vault.case_key(case)  # KeyErased before anything is recorded
    private, signing_row = vault.signing_key(case.organization)
    items_out: list[dict[str, Any]] = []
    files: list[_Member] = []
    chains: dict[str, list[dict[str, Any]]] = {}
    with transaction.atomic():
        for item, variant in sorted(variants.items(), key=lambda pair: pair[0].created_at):
            stripped = item.derived.filter(kind=DerivedKind.STRIPPED).first()
            if variant == "stripped" and stripped is None:
                raise NoStrippedCopy(_("An item chosen as a stripped copy has none."))
            custody.append(
                item,
                CustodyAction.EXPORT,
                actor,
                # The hash of what goes out: for a stripped copy, the copy's, not the original's.
                object_sha256=stripped.sha256 if variant == "stripped" and stripped else "",
                export=export_code or "cli",
                variant=variant,
            )
            record = read_record(item)
            entry: dict[str, Any] = {
                "code": str(item.code),
                "variant": variant,
                "original": {"sha256": item.sha256, "size": item.size, "mime": item.mime},
                "received_at": item.received_at.astimezone(UTC).isoformat(),
                "collection": record,
            }
            if variant == "stripped" and stripped is not None:
                # A stripped copy is chosen to protect people: its record travels without names.
                for withheld in _WITHHELD:
                    record.pop(withheld, None)
                entry.update(
                    file=f"files/{item.code}-stripped.{item.extension or 'bin'}",
                    sha256=stripped.sha256,
                    size=stripped.size,
                    derived_from=item.sha256,
                    derived_tool=stripped.tool,
                    metadata=None,
                    withheld=["metadata", *_WITHHELD],
                )
                blob = stripped.blob
            else:
                metadata = read_metadata(item)
                entry.update(
                    file=f"files/{item.generic_name}",
                    sha256=item.sha256,
                    size=item.size,
                    metadata=metadata or None,
                )
                blob = item.blob
            files.append(
                _Member(
                    entry["file"],
                    entry["size"],
                    entry["sha256"],
                    blob=blob,
                    item_code=str(item.code),
                )
            )
            chains[str(item.code)] = custody.as_dicts(item)
            entry["custody_head"] = chains[str(item.code)][-1]["hash"]
            items_out.append(entry)
        log_action(
            actor,
            "evidence.bundle_prepared",
            case,
            export=export_code or "cli",
            items=len(items_out),
        )
    try:
        manifest = {
            "format": FORMAT,
            "case": str(case.code),
            "organization": case.organization.name,
            "exported_at": when.isoformat(),
            "exported_by": actor.get_username()
            if getattr(actor, "is_authenticated", False)
            else "",
            "approved_by": approved_by.get_username() if approved_by is not None else "",
            "signing_key": {
                "algorithm": "Ed25519",
                "public_key_hex": signing_row.public_key,
                "fingerprint_sha256": fingerprint(signing_row.public_key),
            },
            "items": items_out,
        }
        manifest_bytes = json.dumps(manifest, ensure_ascii=False, indent=2, sort_keys=True).encode()
        with translation.override("en"):
            summary = render_to_string("evidence/bundle_summary.html", {"manifest": manifest})
            readme = render_to_string(
                "evidence/bundle_readme.txt",
                {"manifest": manifest, "files": [m.name for m in files]},
            )
        members = [
            _small("README.txt", readme.encode()),
            _small("manifest.json", manifest_bytes),
            _small("manifest.json.sig", private.sign(manifest_bytes)),
            _small("signing-key.pem", public_pem(signing_row.public_key)),
            _small("custody.json", json.dumps(chains, ensure_ascii=False, indent=2).encode()),
            _small("summary.html", summary.encode()),
            _small("summary.pdf", html_to_pdf(summary)),
            *files,
        ]
    except BaseException:
        record_aborted(list(variants), actor, export_code)
        raise
    return BundlePlan(members=members, key=key, when=when, manifest=manifest, items=list(variants))


def record_aborted(items: list[EvidenceItem], actor: Any, export_code: str) -> None:
    """The custody logs already say these items went into a bundle: say that none left."""
    with transaction.atomic():
        for item in items:
            custody.append(item, CustodyAction.EXPORT_ABORTED, actor, export=export_code or "cli")


def write_to_file(plan: BundlePlan, path: str, recipient: str = "") -> None:
    """Write the bundle to ``path`` (atomically), encrypted to ``recipient`` if given."""
    temp = f"{path}.partial"
    with open(temp, "wb") as out:
        if recipient:
            reader = thread_pipe(plan.write)
            pyrage.encrypt_io(reader, out, [parse_recipient(recipient)])
            reader.finish()
        else:
            plan.write(out)
        out.flush()
        os.fsync(out.fileno())
    os.replace(temp, path)


def encrypted_stream(plan: BundlePlan, recipient: str) -> Callable[[BinaryIO], None]:
    """A producer for ``plan``, encrypted to ``recipient`` when one is given."""
    if not recipient:
        return plan.write

    def produce(out: BinaryIO) -> None:
        reader = thread_pipe(plan.write)
        pyrage.encrypt_io(reader, out, [parse_recipient(recipient)])
        reader.finish()

    return produce


class _ThreadPipe(io.RawIOBase):
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


def thread_pipe(produce: Callable[[BinaryIO], None]) -> _ThreadPipe:
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
    return _ThreadPipe(read_fd, thread, errors)


# Verifying ------------------------------------------------------------------------------------


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
    decrypting: _ThreadPipe | None = None
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
