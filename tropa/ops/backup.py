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

import contextlib
import fcntl
import hashlib
import io
import json
import os
import queue
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
import threading
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


def _migrations() -> dict[str, list[str]]:
    from django.db.migrations.recorder import MigrationRecorder

    applied: dict[str, list[str]] = {}
    for app, name in MigrationRecorder(connection).applied_migrations():
        applied.setdefault(app, []).append(name)
    return {app: sorted(names) for app, names in sorted(applied.items())}


class TarWriter:
    """A ustar/PAX stream written straight to ``out``: a member's data goes from the file to
    the pipe in one copy each way, hashed on the way (one pass). tarfile's stream mode copies
    every block twice more in Python (its buffer concatenation), the slowest part of a backup.

    Reading the next block and hashing it (in a thread) overlaps writing the previous one to
    age; both release the GIL. Memory: ``DEPTH`` blocks, whatever the size of the evidence.
    """

    DEPTH = 4

    def __init__(self, out: BinaryIO) -> None:
        self._out = out
        self.written = 0

    def _write(self, data: bytes | memoryview) -> None:
        self._out.write(data)
        self.written += len(data)

    def _header(self, name: str, size: int) -> None:
        info = tarfile.TarInfo(name)
        info.size, info.mode = size, 0o600
        self._write(info.tobuf(tarfile.PAX_FORMAT, "utf-8", "surrogateescape"))

    def _pad(self, size: int) -> None:
        if size % tarfile.BLOCKSIZE:
            self._write(bytes(tarfile.BLOCKSIZE - size % tarfile.BLOCKSIZE))

    def add_bytes(self, name: str, data: bytes) -> None:
        self._header(name, len(data))
        self._write(data)
        self._pad(len(data))

    def add_file(self, name: str, handle: BinaryIO, size: int) -> str:
        """Write ``size`` bytes of ``handle`` as member ``name``; its SHA-256 (hex)."""
        self._header(name, size)
        blocks: queue.Queue[bytes | BaseException | None] = queue.Queue(self.DEPTH)
        digest = hashlib.sha256()

        def read() -> None:
            try:
                left = size
                while left > 0:
                    block = handle.read(min(BLOCK, left))
                    if not block:
                        raise BackupError("a file shrank while it was backed up")
                    digest.update(block)
                    left -= len(block)
                    blocks.put(block)
                blocks.put(None)
            except BaseException as exc:  # handed to the writing side, raised there
                blocks.put(exc)

        reader = threading.Thread(target=read, daemon=True)
        reader.start()
        try:
            while (block := blocks.get()) is not None:
                if isinstance(block, BaseException):
                    raise block
                self._write(block)
        finally:
            reader.join()
        self._pad(size)
        return digest.hexdigest()

    def close(self) -> None:
        """Two zero blocks end the archive; zeros fill its last record (as tar writes it)."""
        self._write(bytes(2 * tarfile.BLOCKSIZE))
        self._pad_record()

    def _pad_record(self) -> None:
        if self.written % tarfile.RECORDSIZE:
            self._write(bytes(tarfile.RECORDSIZE - self.written % tarfile.RECORDSIZE))


def _add_file(tar: TarWriter, name: str, path: Path, files: list[dict[str, Any]]) -> None:
    try:
        handle = path.open("rb", buffering=0)
    except FileNotFoundError:  # removed since it was listed (a sweep): no row refers to it
        return
    with handle:
        size = os.fstat(handle.fileno()).st_size
        digest = tar.add_file(name, handle, size)
        files.append({"name": name, "size": size, "sha256": digest})


def write_tar(out: BinaryIO, db_member: str, db_path: Path, summary: Summary) -> None:
    files: list[dict[str, Any]] = []
    tar = TarWriter(out)
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
    tar.add_bytes(MANIFEST, json.dumps(summary.manifest, indent=1).encode())
    tar.close()
    summary.files = len(files)
    summary.bytes = sum(f["size"] for f in files)


def _widen(fd: int) -> None:
    """A pipe of 1 MiB instead of 64 KiB: fewer wake-ups between us and age."""
    with contextlib.suppress(OSError):
        fcntl.fcntl(fd, fcntl.F_SETPIPE_SZ, BLOCK)


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
        [binary, "--encrypt", "--recipient", recipient],
        stdin=subprocess.PIPE,
        stdout=fileno,
    )
    assert process.stdin is not None
    _widen(process.stdin.fileno())
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


def _exact(stream: BinaryIO, size: int) -> bytes:
    data = stream.read(size)
    while len(data) < size:
        more = stream.read(size - len(data))
        if not more:
            raise EOFError
        data += more
    return data


def _pax(data: bytes) -> dict[str, str]:
    """The records of a PAX extended header ("LEN key=value\\n" each)."""
    records: dict[str, str] = {}
    while data:
        length = int(data.split(b" ", 1)[0])
        key, _sep, value = data[: length - 1].split(b" ", 1)[1].partition(b"=")
        records[key.decode()] = value.decode("utf-8", "surrogateescape")
        data = data[length:]
    return records


def _members(stream: BinaryIO) -> Iterator[tarfile.TarInfo]:
    """The members of a tar stream, header by header; the caller reads each one's data
    (``size`` bytes, then padding to a block) before asking for the next."""
    pax: dict[str, str] = {}
    while True:
        header = stream.read(tarfile.BLOCKSIZE)
        if not header or header == bytes(tarfile.BLOCKSIZE):
            return  # the end of the archive (what follows is zero padding)
        if len(header) < tarfile.BLOCKSIZE:
            header += _exact(stream, tarfile.BLOCKSIZE - len(header))
        info = tarfile.TarInfo.frombuf(header, "utf-8", "surrogateescape")
        if info.type == tarfile.XHDTYPE:
            if info.size > MAX_MANIFEST:
                raise BackupError(_("The backup holds an entry that no Tropa backup has."))
            pax = _pax(_exact(stream, _padded(info.size))[: info.size])
            continue
        if "path" in pax:
            info.name = pax["path"]
        if "size" in pax:
            info.size = int(pax["size"])
        pax = {}
        yield info


def _padded(size: int) -> int:
    return -(-size // tarfile.BLOCKSIZE) * tarfile.BLOCKSIZE


def _copy_member(stream: BinaryIO, size: int, out: BinaryIO | None) -> str:
    """Read ``size`` bytes (and the padding) of a member, hashing them; its SHA-256."""
    digest = hashlib.sha256()
    buffer = bytearray(BLOCK)
    view = memoryview(buffer)
    left = size
    while left > 0:
        got = stream.readinto(view[: min(BLOCK, left)])  # type: ignore[attr-defined]  # raw
        if not got:
            raise EOFError
        digest.update(view[:got])
        if out is not None:
            out.write(view[:got])
        left -= got
    if size % tarfile.BLOCKSIZE:
        _exact(stream, _padded(size) - size)
    return digest.hexdigest()


def _read_tar(stream: BinaryIO, sink: Sink) -> tuple[dict[str, tuple[int, str]], dict[str, Any]]:
    seen: dict[str, tuple[int, str]] = {}
    manifest: dict[str, Any] | None = None
    for member in _members(stream):
        name = _safe_name(member)
        if manifest is not None or name in seen:
            raise BackupError(_("The backup holds an entry that no Tropa backup has."))
        if name == MANIFEST:
            if member.size > MAX_MANIFEST:
                raise BackupError(_("The backup's manifest is not readable."))
            data = _exact(stream, _padded(member.size))[: member.size]
            manifest = json.loads(data)
            continue
        out = sink(name)
        try:
            seen[name] = (member.size, _copy_member(stream, member.size, out))
        finally:
            if out is not None:
                out.close()
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


class _AgeDecrypting:
    """``age --decrypt`` in a process of its own, reading the backup file itself; the
    identity reaches it through a pipe (never a file on disk). The plaintext is read from
    ``stream``; ``finish`` drains it (age authenticates the last chunk at the very end) and
    raises what age refused, as pyrage's errors are raised."""

    def __init__(self, binary: str, source: BinaryIO, key: x25519.Identity) -> None:
        read_fd, write_fd = os.pipe()
        try:
            self._process = subprocess.Popen(  # noqa: S603  # fixed arguments, no shell
                [binary, "--decrypt", "--identity", f"/dev/fd/{read_fd}"],
                stdin=source.fileno(),
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                pass_fds=(read_fd,),
                bufsize=0,
            )
        finally:
            os.close(read_fd)
        with os.fdopen(write_fd, "wb") as keys:
            keys.write(str(key).encode() + b"\n")
        assert self._process.stdout is not None
        _widen(self._process.stdout.fileno())
        self.stream: BinaryIO = self._process.stdout  # type: ignore[assignment]  # raw reader

    def finish(self) -> None:
        while self.stream.read(BLOCK):
            pass
        _out, err = self._process.communicate()
        if self._process.returncode != 0:
            if b"no identity matched" in err.lower():
                raise pyrage.DecryptError("no matching keys")
            raise OSError(f"age could not decrypt the backup ({self._process.returncode})")


def _age_decrypting(source: BinaryIO, key: x25519.Identity) -> _AgeDecrypting | None:
    binary = shutil.which("age")
    try:
        # The file itself, from its start (a buffered seek may not move the descriptor).
        os.lseek(source.fileno(), 0, os.SEEK_SET)
    except (AttributeError, OSError, io.UnsupportedOperation):
        return None
    return None if binary is None else _AgeDecrypting(binary, source, key)


def _decrypt(
    source: BinaryIO, key: x25519.Identity, head: bytes
) -> tuple[BinaryIO, Callable[[], None]]:
    """The plaintext of ``source`` and how to finish reading it: the
    ``age`` binary where there is one (twice pyrage's speed), pyrage in a thread otherwise."""
    process = _age_decrypting(source, key)
    if process is not None:
        return process.stream, process.finish
    encrypted = _Prefixed(head, source)
    pipe = thread_pipe(lambda out: pyrage.decrypt_io(encrypted, out, [key]))
    return pipe, pipe.finish  # type: ignore[return-value]  # a byte reader


def read_backup(source: BinaryIO, identity: str, sink: Sink) -> Summary:
    """Decrypt and read a backup, handing every member to ``sink`` and checking every hash.

    Raises ``BackupError`` on a wrong key, a truncated or an altered file. What ``sink`` got
    before that is not to be trusted: the caller throws it away.
    """
    key = parse_identity(identity)
    head = source.read(len(AGE_MAGIC))
    if head != AGE_MAGIC:
        raise BackupError(_("This file is not an age-encrypted Tropa backup."))
    stream, finish = _decrypt(source, key, head)
    problem: BackupError | None = None
    try:
        seen, manifest = _read_tar(stream, sink)
    except BackupError as exc:
        problem = exc
    except (tarfile.TarError, EOFError, OSError, ValueError):
        problem = BackupError(_("The backup is not a readable archive: it is damaged."))
    try:
        # What the archive held is only trusted once its last chunk is authenticated; after
        # a refusal of ours, age's own verdict (wrong key, truncated) still comes first.
        finish()
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
