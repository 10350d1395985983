"""Encrypted backups of the whole server: write one, check one, read one back.

A backup is one file encrypted with age to a recipient whose private key is not on the server.
Inside is a tar stream: ``db/`` (a consistent snapshot of the database: SQLite's online backup
API, or ``pg_dump --format=custom``), ``evidence/`` (every stored blob, ciphertext as it lies
on disk) and, last, ``manifest.json`` with the size and SHA-256 of every other member.

What is never in it: the master keyset (``settings.KEYSET_FILE``) and the key store
(``settings.KEYSTORE_DIR``, where it exists). They are backed up apart (docs/operations.md),
so that a stolen backup alone reads nothing, and so that destroying a key erases what older
backups hold.

Everything streams: the tar is written into a pipe that age encrypts, and read from a pipe
that age decrypts, one block at a time.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, BinaryIO

import pyrage
from django.conf import settings
from django.db import connection
from django.utils.translation import gettext as _
from pyrage import x25519

from tropa.evidence.bundle.common import thread_pipe

from .errors import BackupError

FORMAT = "tropa-backup/1"
MANIFEST = "manifest.json"
DB_SQLITE = "db/tropa.sqlite3"
DB_POSTGRES = "db/tropa.pgdump"
EVIDENCE = "evidence/"
BLOCK = 1 << 20
AGE_MAGIC = b"age-encryption.org/v1"
MAX_MANIFEST = 256 << 20

Sink = Callable[[str], BinaryIO | None]


@dataclass
class Summary:
    """What a backup holds: counts and sizes, never names."""

    created_at: str = ""
    engine: str = ""
    files: int = 0
    bytes: int = 0
    manifest: dict[str, Any] = field(default_factory=dict)


def parse_recipient(text: str) -> x25519.Recipient:
    try:
        return x25519.Recipient.from_str(text.strip())
    except Exception:  # pyrage raises its own error types and ValueError
        raise BackupError(_('This is not an age public key (it starts with "age1").')) from None


def parse_identity(text: str) -> x25519.Identity:
    lines = [line.strip() for line in text.splitlines()]
    keys = [line for line in lines if line.startswith("AGE-SECRET-KEY-")]
    try:
        return x25519.Identity.from_str(keys[0] if keys else text.strip())
    except Exception:  # pyrage raises its own error types and ValueError
        raise BackupError(_("This is not an age identity (AGE-SECRET-KEY-…).")) from None


def excluded_paths() -> list[Path]:
    """Never in a backup: the master keyset and the key store (backed up apart)."""
    paths = [Path(settings.KEYSET_FILE).resolve()]
    keystore = getattr(settings, "KEYSTORE_DIR", None)
    if keystore:
        paths.append(Path(keystore).resolve())
    return paths


def _is_excluded(path: Path, excluded: list[Path]) -> bool:
    resolved = path.resolve()
    return any(resolved == p or p in resolved.parents for p in excluded)


def evidence_root() -> Path:
    return Path(getattr(settings, "TROPA_EVIDENCE_DIR", None) or settings.DATA_DIR / "evidence")


def evidence_files() -> Iterator[tuple[str, Path]]:
    """Every stored file under the evidence directory, as (member name, path), in order.

    Temporary files of unfinished writes (``tmp/``) are left out: no row refers to them.
    """
    root = evidence_root()
    if not root.is_dir():
        return
    excluded = excluded_paths()
    for directory, dirs, names in os.walk(root):
        here = Path(directory)
        dirs[:] = sorted(d for d in dirs if not (here == root and d == "tmp"))
        dirs[:] = [d for d in dirs if not _is_excluded(here / d, excluded)]
        for name in sorted(names):
            path = here / name
            if path.is_file() and not path.is_symlink() and not _is_excluded(path, excluded):
                yield EVIDENCE + path.relative_to(root).as_posix(), path


def snapshot_database(scratch: Path) -> tuple[str, Path]:
    """A consistent copy of the database in ``scratch``: (member name, path)."""
    if connection.in_atomic_block:
        # SQLite's backup would wait for our own open write forever; pg_dump would not see it.
        raise BackupError("a backup is taken outside any transaction")
    connection.ensure_connection()
    if connection.vendor == "sqlite":
        target = scratch / "tropa.sqlite3"
        destination = sqlite3.connect(target)
        try:
            # One step: the copy is of a single moment, and WAL lets writers go on meanwhile.
            connection.connection.backup(destination)
        finally:
            destination.close()
        return DB_SQLITE, target
    if connection.vendor == "postgresql":
        target = scratch / "tropa.pgdump"
        run_pg("pg_dump", ["--format=custom", "--no-owner", "--file", str(target)])
        return DB_POSTGRES, target
    raise BackupError(f"cannot back up a {connection.vendor} database")


def pg_environment(settings_dict: dict[str, Any]) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PG")}
    options = settings_dict.get("OPTIONS") or {}
    pairs = {
        "PGHOST": settings_dict.get("HOST") or options.get("host"),
        "PGPORT": settings_dict.get("PORT") or options.get("port"),
        "PGUSER": settings_dict.get("USER"),
        "PGPASSWORD": settings_dict.get("PASSWORD"),
        "PGDATABASE": settings_dict.get("NAME"),
    }
    env.update({k: str(v) for k, v in pairs.items() if v})
    return env


def run_pg(tool: str, args: list[str], settings_dict: dict[str, Any] | None = None) -> None:
    env = pg_environment(settings_dict or connection.settings_dict)
    done = subprocess.run([tool, *args], env=env, capture_output=True, check=False)  # noqa: S603
    if done.returncode != 0:
        tail = done.stderr.decode(errors="replace").strip().splitlines()[-3:]
        raise BackupError(f"{tool} failed: {' / '.join(tail)}")


class _Hashing:
    def __init__(self, handle: BinaryIO) -> None:
        self._handle = handle
        self.digest = hashlib.sha256()

    def read(self, size: int = -1) -> bytes:
        data = self._handle.read(size)
        self.digest.update(data)
        return data


def _migrations() -> dict[str, list[str]]:
    from django.db.migrations.recorder import MigrationRecorder

    applied: dict[str, list[str]] = {}
    for app, name in MigrationRecorder(connection).applied_migrations():
        applied.setdefault(app, []).append(name)
    return {app: sorted(names) for app, names in sorted(applied.items())}


def _add_file(tar: tarfile.TarFile, name: str, path: Path, files: list[dict[str, Any]]) -> None:
    try:
        handle = path.open("rb", buffering=0)
    except FileNotFoundError:  # removed since it was listed (a sweep): no row refers to it
        return
    with handle:
        info = tarfile.TarInfo(name)
        info.size = os.fstat(handle.fileno()).st_size
        info.mode = 0o600
        hashing = _Hashing(handle)
        tar.addfile(info, hashing)
        files.append({"name": name, "size": info.size, "sha256": hashing.digest.hexdigest()})


def write_tar(out: BinaryIO, db_member: str, db_path: Path, summary: Summary) -> None:
    files: list[dict[str, Any]] = []
    with tarfile.open(fileobj=out, mode="w|", bufsize=BLOCK, format=tarfile.PAX_FORMAT) as tar:
        tar.copybufsize = BLOCK  # type: ignore[attr-defined]  # CPython has it; typeshed not
        _add_file(tar, db_member, db_path, files)
        for name, path in evidence_files():
            _add_file(tar, name, path, files)
        summary.manifest = {
            "format": FORMAT,
            "created_at": summary.created_at,
            "database": {"engine": summary.engine, "member": db_member},
            "migrations": summary.manifest.get("migrations", {}),
            "files": files,
        }
        data = json.dumps(summary.manifest, indent=1).encode()
        info = tarfile.TarInfo(MANIFEST)
        info.size = len(data)
        info.mode = 0o600
        tar.addfile(info, io.BytesIO(data))
    summary.files = len(files)
    summary.bytes = sum(f["size"] for f in files)


def _encrypt_with_age(out: BinaryIO, recipient: str, produce: Callable[[BinaryIO], None]) -> bool:
    """Encrypt with the ``age`` binary, in a process of its own (twice pyrage's throughput,
    which shares one interpreter with tarfile). False when there is no ``age`` or no file."""
    binary = shutil.which("age")
    try:
        fileno = out.fileno()
    except (AttributeError, OSError, io.UnsupportedOperation):
        return False
    if binary is None:
        return False
    out.flush()
    process = subprocess.Popen(  # noqa: S603  # fixed arguments, the recipient was parsed
        [binary, "--encrypt", "--recipient", recipient], stdin=subprocess.PIPE, stdout=fileno
    )
    assert process.stdin is not None
    try:
        produce(process.stdin)  # type: ignore[arg-type]  # a buffered writer
    finally:
        process.stdin.close()
        code = process.wait()
    if code != 0:
        raise BackupError(f"age failed ({code})")
    return True


def write_backup(out: BinaryIO, recipient: str) -> Summary:
    """Write an encrypted backup of the database and the evidence blobs to ``out``."""
    key = parse_recipient(recipient)
    recipient = str(key)
    summary = Summary(
        created_at=datetime.now(UTC).replace(microsecond=0).isoformat(), engine=connection.vendor
    )
    # The snapshot lies beside the database it copies (same protection), only for the run.
    with tempfile.TemporaryDirectory(dir=settings.DATA_DIR, prefix=".backup-") as scratch:
        db_member, db_path = snapshot_database(Path(scratch))
        summary.manifest = {"migrations": _migrations()}

        def produce(pipe: BinaryIO) -> None:
            write_tar(pipe, db_member, db_path, summary)

        if not _encrypt_with_age(out, recipient, produce):
            reader = thread_pipe(produce)
            pyrage.encrypt_io(reader, out, [key])
            reader.finish()
    return summary


class _Prefixed(io.RawIOBase):
    def __init__(self, head: bytes, rest: BinaryIO) -> None:
        self._head = head
        self._rest = rest

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        if self._head:
            n = min(len(buffer), len(self._head))
            buffer[:n] = self._head[:n]
            self._head = self._head[n:]
            return n
        data = self._rest.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)


def _safe_name(member: tarfile.TarInfo) -> str:
    name = member.name
    parts = name.split("/")
    allowed = name == MANIFEST or name in (DB_SQLITE, DB_POSTGRES) or name.startswith(EVIDENCE)
    if (
        not member.isreg()
        or not allowed
        or name.startswith("/")
        or any(p in ("", ".", "..") for p in parts)
    ):
        raise BackupError(_("The backup holds an entry that no Tropa backup has."))
    return name


def _read_tar(stream: BinaryIO, sink: Sink) -> tuple[dict[str, tuple[int, str]], dict[str, Any]]:
    seen: dict[str, tuple[int, str]] = {}
    manifest: dict[str, Any] | None = None
    with tarfile.open(fileobj=stream, mode="r|", bufsize=BLOCK) as tar:
        for member in tar:
            name = _safe_name(member)
            if manifest is not None or name in seen:
                raise BackupError(_("The backup holds an entry that no Tropa backup has."))
            handle = tar.extractfile(member)
            assert handle is not None  # a regular file
            if name == MANIFEST:
                if member.size > MAX_MANIFEST:
                    raise BackupError(_("The backup's manifest is not readable."))
                manifest = json.loads(handle.read())
                continue
            digest = hashlib.sha256()
            out = sink(name)
            while block := handle.read(BLOCK):
                digest.update(block)
                if out is not None:
                    out.write(block)
            if out is not None:
                out.close()
            seen[name] = (member.size, digest.hexdigest())
    if manifest is None:
        raise BackupError(_("The backup has no manifest: it is truncated."))
    return seen, manifest


def _check_manifest(manifest: dict[str, Any], seen: dict[str, tuple[int, str]]) -> None:
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise BackupError(_("This is not a Tropa backup of a format this version reads."))
    listed = {f["name"]: (f["size"], f["sha256"]) for f in manifest.get("files", [])}
    if set(listed) != set(seen):
        raise BackupError(_("The backup's files do not match its manifest."))
    bad = [name for name, value in seen.items() if listed[name] != value]
    if bad:
        raise BackupError(
            _("Files in the backup that do not match their recorded SHA-256: %(count)d.")
            % {"count": len(bad)}
        )


def read_backup(source: BinaryIO, identity: str, sink: Sink) -> Summary:
    """Decrypt and read a backup, handing every member to ``sink`` and checking every hash.

    Raises ``BackupError`` on a wrong key, a truncated or an altered file. What ``sink`` got
    before that is not to be trusted: the caller throws it away.
    """
    key = parse_identity(identity)
    head = source.read(len(AGE_MAGIC))
    if head != AGE_MAGIC:
        raise BackupError(_("This file is not an age-encrypted Tropa backup."))
    encrypted = _Prefixed(head, source)
    decrypting = thread_pipe(lambda out: pyrage.decrypt_io(encrypted, out, [key]))
    problem: BackupError | None = None
    try:
        seen, manifest = _read_tar(decrypting, sink)  # type: ignore[arg-type]  # a byte reader
    except BackupError as exc:
        problem = exc
    except (tarfile.TarError, EOFError, OSError, ValueError):
        problem = BackupError(_("The backup is not a readable archive: it is damaged."))
    try:
        decrypting.finish()
    except pyrage.DecryptError as exc:
        if "no matching keys" in str(exc).lower():
            raise BackupError(_("This backup was not encrypted to this identity.")) from None
        raise BackupError(_("The backup is damaged: it does not decrypt.")) from None
    except Exception:  # pyrage reports a truncated or altered stream as an OSError
        raise BackupError(_("The backup is truncated or altered: it does not decrypt.")) from None
    if problem is not None:
        raise problem
    _check_manifest(manifest, seen)
    return Summary(
        created_at=str(manifest.get("created_at", "")),
        engine=str(manifest.get("database", {}).get("engine", "")),
        files=len(seen),
        bytes=sum(size for size, _digest in seen.values()),
        manifest=manifest,
    )
