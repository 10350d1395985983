"""Signed checkpoints of the audit chain's head, to be kept outside the database.

A checkpoint is a small JSON file: the head's sequence number and hash, when it was taken,
the server's Ed25519 public key and a signature over all of them. The keyed chain stops
anyone without the master keyset from recomputing hashes; a checkpoint held elsewhere also
shows a tail cut off together with the head, and any rewrite by someone who *has* the
master keyset (the entry at the checkpoint's sequence number then differs).

Files are written atomically (a private temporary file, fsync, then a hard link to the final
name, which fails if that name exists), mode 0600, and never overwritten.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import re
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from django.conf import settings
from django.utils import timezone

from tropa.crypto import server
from tropa.lib.crypto import ed25519_fingerprint

from .services import ChainState, check_chain

FORMAT = "tropa.audit.checkpoint/1"
_HEX64 = re.compile(r"[0-9a-f]{64}")
_HEX128 = re.compile(r"[0-9a-f]{128}")
logger = logging.getLogger("tropa.audit")


class CheckpointError(Exception):
    """A checkpoint cannot be read, written or trusted; the message says why."""


@dataclass(frozen=True)
class Checkpoint:
    seq: int
    hash: str
    at: str
    public_key: str
    signature: str

    def payload(self) -> bytes:
        """The signed bytes: everything but the signature, as canonical JSON."""
        fields = {
            "format": FORMAT,
            "seq": self.seq,
            "hash": self.hash,
            "at": self.at,
            "public_key": self.public_key,
        }
        return json.dumps(fields, sort_keys=True, separators=(",", ":")).encode()

    def to_json(self) -> str:
        data = {
            "format": FORMAT,
            "seq": self.seq,
            "hash": self.hash,
            "at": self.at,
            "public_key": self.public_key,
            "signature": self.signature,
        }
        return json.dumps(data, indent=2) + "\n"


def sign(seq: int, hash_: str) -> Checkpoint:
    key = server.audit_signing_key()
    unsigned = Checkpoint(
        seq=seq,
        hash=hash_,
        at=timezone.now().astimezone(UTC).replace(microsecond=0).isoformat(),
        public_key=key.public_key().public_bytes_raw().hex(),
        signature="",
    )
    signature = key.sign(unsigned.payload()).hex()
    return Checkpoint(unsigned.seq, unsigned.hash, unsigned.at, unsigned.public_key, signature)


def take() -> Checkpoint:
    """Verify the chain and sign its head; a broken chain gets no checkpoint."""
    state = check_chain()
    if state.problem is not None:
        raise CheckpointError(
            f"audit chain BROKEN at entry #{state.problem.seq}: {state.problem.reason}; "
            "no checkpoint is signed for a broken chain"
        )
    return sign(state.head_seq, state.head_hash)


def parse(text: str, source: str) -> Checkpoint:
    try:
        data: Any = json.loads(text)
    except ValueError:
        raise CheckpointError(f"{source} is not JSON, so not an audit checkpoint") from None
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise CheckpointError(f"{source} is not a Tropa audit checkpoint (format {FORMAT})")
    seq = data.get("seq")
    if not isinstance(seq, int) or isinstance(seq, bool) or seq < 0:
        raise CheckpointError(f"{source}: 'seq' must be a whole number of 0 or more")
    checks = {
        "hash": _HEX64,
        "public_key": _HEX64,
        "signature": _HEX128,
    }
    for name, pattern in checks.items():
        value = data.get(name)
        if not isinstance(value, str) or not pattern.fullmatch(value):
            raise CheckpointError(f"{source}: '{name}' is missing or not lowercase hex")
    at = data.get("at")
    try:
        parsed = datetime.fromisoformat(at) if isinstance(at, str) else None
    except ValueError:
        parsed = None
    if parsed is None or parsed.tzinfo is None:
        raise CheckpointError(f"{source}: 'at' must be a date and time with its time zone")
    return Checkpoint(seq, data["hash"], at, data["public_key"], data["signature"])  # type: ignore[arg-type]


def read(path: Path) -> Checkpoint:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else "not UTF-8 text"
        raise CheckpointError(f"checkpoint {path} cannot be read: {reason}") from None
    return parse(text, f"checkpoint {path}")


def parse_public_key(value: str) -> str:
    """A public key as 64 hex digits, or the path of a PEM file as ``tropa audit pubkey``
    prints it; returned as hex."""
    value = value.strip()
    if _HEX64.fullmatch(value.lower()):
        return value.lower()
    from cryptography.hazmat.primitives.serialization import load_pem_public_key

    try:
        key = load_pem_public_key(Path(value).read_bytes())
    except (OSError, ValueError) as exc:
        raise CheckpointError(
            f"--public-key must be 64 hex digits or a PEM file ({value}: {exc})"
        ) from None
    if not isinstance(key, Ed25519PublicKey):
        raise CheckpointError(f"--public-key {value} is not an Ed25519 key")
    return key.public_bytes_raw().hex()


def check_signature(checkpoint: Checkpoint, expected_key: str | None = None) -> str | None:
    """Why the checkpoint is not to be trusted, or None.

    ``expected_key`` is the public key the operator kept; without it, this server's own.
    """
    own = expected_key is None
    key_hex = server.audit_public_key_hex() if expected_key is None else expected_key
    if checkpoint.public_key != key_hex:
        whose = "this server's audit key" if own else "the given public key"
        return (
            f"not signed by {whose} (fingerprint {ed25519_fingerprint(key_hex)[:16]}, "
            f"the file names {ed25519_fingerprint(checkpoint.public_key)[:16]})"
        )
    try:
        Ed25519PublicKey.from_public_bytes(bytes.fromhex(key_hex)).verify(
            bytes.fromhex(checkpoint.signature), checkpoint.payload()
        )
    except InvalidSignature:
        return "signature does not verify: the file was changed after it was signed"
    return None


def compare(state: ChainState, checkpoint: Checkpoint) -> str | None:
    """Why the chain no longer contains the checkpoint's head, or None."""
    if checkpoint.seq == 0:
        return None
    if state.count < checkpoint.seq:
        if state.problem is not None:
            return (
                f"entry #{checkpoint.seq} of the checkpoint of {checkpoint.at} cannot be "
                f"confirmed: the chain is broken at entry #{state.problem.seq}"
            )
        return (
            f"the log is shorter than the checkpoint: {state.count} entries, the checkpoint "
            f"of {checkpoint.at} has #{checkpoint.seq}; entries were cut from the end"
        )
    if state.hashes.get(checkpoint.seq) != checkpoint.hash:
        return (
            f"entry #{checkpoint.seq} differs from the checkpoint of {checkpoint.at}: "
            "the chain was rewritten up to it"
        )
    return None


def write_new(path: Path, checkpoint: Checkpoint) -> None:
    """Write ``checkpoint`` to ``path`` atomically, 0600; refuse if ``path`` exists."""
    if path.exists():
        raise CheckpointError(f"{path} exists; checkpoints are never overwritten")
    directory = path.parent
    temp = directory / f".{path.name}.{secrets.token_hex(8)}.tmp"
    try:
        fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except OSError as exc:
        raise CheckpointError(f"cannot write into {directory}: {exc.strerror}") from None
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            out.write(checkpoint.to_json())
            out.flush()
            os.fsync(out.fileno())
        try:
            os.link(temp, path)
        except FileExistsError:
            raise CheckpointError(f"{path} exists; checkpoints are never overwritten") from None
        except OSError as exc:
            raise CheckpointError(f"cannot write {path}: {exc.strerror}") from None
    finally:
        with contextlib.suppress(FileNotFoundError):
            temp.unlink()
    dir_fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(dir_fd)
    finally:
        os.close(dir_fd)


def checkpoint_dir() -> Path:
    return Path(settings.TROPA_AUDIT_CHECKPOINT_DIR)


def held_checkpoints(directory: Path) -> list[Path]:
    return sorted(p for p in directory.glob("audit-*.json") if p.is_file())


@dataclass(frozen=True)
class DailyResult:
    written: bool
    seq: int
    file: str
    problem: str


def daily() -> DailyResult:
    """Check the chain against every checkpoint already held, then write today's.

    Nothing is signed when the chain is broken or no longer contains an earlier checkpoint:
    the problem is logged (sequence numbers and reasons only) and returned instead.
    """
    directory = checkpoint_dir()
    try:
        directory.mkdir(parents=True, mode=0o700, exist_ok=True)
    except OSError as exc:
        return _failed(f"cannot create {directory}: {exc.strerror}")
    held = []
    for path in held_checkpoints(directory):
        try:
            held.append((path, read(path)))
        except CheckpointError as exc:
            return _failed(str(exc))
    state = check_chain(cp.seq for _, cp in held)
    if state.problem is not None:
        return _failed(f"audit chain BROKEN at entry #{state.problem.seq}: {state.problem.reason}")
    for path, cp in held:
        problem = check_signature(cp) or compare(state, cp)
        if problem is not None:
            return _failed(f"checkpoint {path.name}: {problem}")
    checkpoint = sign(state.head_seq, state.head_hash)
    stamp = checkpoint.at.replace("-", "").replace(":", "").replace("+0000", "Z")
    path = directory / f"audit-{stamp}-{checkpoint.seq}.json"
    try:
        write_new(path, checkpoint)
    except CheckpointError as exc:
        return _failed(str(exc))
    return DailyResult(True, checkpoint.seq, path.name, "")


def _failed(problem: str) -> DailyResult:
    logger.error("audit checkpoint not written: %s", problem)
    return DailyResult(False, 0, "", problem)
