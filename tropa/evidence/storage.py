"""Where encrypted blobs live: a small interface and its local-filesystem backend.

Blobs are named by random ids, never by content or original names, and hold ciphertext
only. A write goes to a temporary file, is fsynced and atomically renamed into place
before the caller commits the database row that refers to it (R5); a crash between the
two leaves an orphan blob that ``sweep`` removes, never a row without its blob.
An S3-compatible backend implements the same operations.
"""

from __future__ import annotations

import os
import secrets
import time
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path
from typing import BinaryIO, Protocol

from django.conf import settings


class BlobMissing(Exception):
    """A blob that the database refers to is not in storage."""


class Storage(Protocol):
    def new_id(self) -> str: ...

    def writer(self, blob_id: str) -> AbstractContextManager[BinaryIO]:
        """A file to write ciphertext to; published atomically when the block ends."""
        ...

    def open(self, blob_id: str) -> BinaryIO: ...

    def delete(self, blob_id: str) -> None: ...

    def orphans(self, known: set[str], older_than: float) -> Iterator[str]:
        """Blobs and temporary files not in ``known`` and untouched for ``older_than`` s."""
        ...


class LocalStorage:
    """Blobs under ``root/ab/abcdef...``; temporary files under ``root/tmp`` (same device)."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.tmp = root / "tmp"

    def new_id(self) -> str:
        return secrets.token_hex(16)

    def _path(self, blob_id: str) -> Path:
        if len(blob_id) != 32 or not all(c in "0123456789abcdef" for c in blob_id):
            raise ValueError("not a blob id")
        return self.root / blob_id[:2] / blob_id

    @contextmanager
    def writer(self, blob_id: str) -> Iterator[BinaryIO]:
        target = self._path(blob_id)
        self.tmp.mkdir(parents=True, exist_ok=True, mode=0o700)
        target.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        temp = self.tmp / f"{blob_id}.{secrets.token_hex(4)}.tmp"
        fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        handle = os.fdopen(fd, "wb")
        try:
            yield _WriteBehind(handle, _write_behind_bytes())  # type: ignore[misc]  # a file to callers
            handle.flush()
            os.fsync(handle.fileno())
            handle.close()
            os.rename(temp, target)
            _fsync_dir(target.parent)
        except BaseException:
            handle.close()
            temp.unlink(missing_ok=True)
            raise

    def open(self, blob_id: str) -> BinaryIO:
        try:
            return self._path(blob_id).open("rb")
        except FileNotFoundError:
            raise BlobMissing(blob_id) from None

    def delete(self, blob_id: str) -> None:
        self._path(blob_id).unlink(missing_ok=True)

    def orphans(self, known: set[str], older_than: float) -> Iterator[str]:
        if not self.root.exists():
            return
        cutoff = time.time() - older_than
        for path in self.root.glob("*/*"):
            if path.stat().st_mtime >= cutoff:
                continue
            # Temporary files old enough are writes that died with their process.
            if path.parent == self.tmp or path.name not in known:
                path.unlink(missing_ok=True)
                yield path.name


def _write_behind_bytes() -> int:
    return int(getattr(settings, "TROPA_EVIDENCE_WRITE_BEHIND_BYTES", 32 * 1024 * 1024))


class _WriteBehind:
    """A blob file that starts writing its ciphertext to disk as it grows (issue 19).

    Without it a 4 GiB ingest leaves gigabytes of dirty pages for the fsync at the end
    (the kernel starts writing back only at ``dirty_background_ratio``), and they crowd the
    page cache that still holds the file being read. Every ``window`` bytes the newest
    window is handed to writeback (``POSIX_FADV_DONTNEED`` starts it without waiting) and
    the window before it, written by now, leaves the cache. The fsync before the rename is
    unchanged (R5): it only has less left to do. ``window`` 0 turns this off.
    """

    def __init__(self, handle: BinaryIO, window: int) -> None:
        self._handle = handle
        self._window = window
        self._written = 0
        self._advised = 0  # bytes handed to writeback so far

    def write(self, data: bytes) -> int:
        count = self._handle.write(data)
        self._written += count
        if self._window and self._written - self._advised >= self._window:
            self._handle.flush()
            fd, start = self._handle.fileno(), self._advised
            os.posix_fadvise(fd, start, self._written - start, os.POSIX_FADV_DONTNEED)
            if start >= self._window:  # the window before: clean now, out of the cache
                os.posix_fadvise(fd, start - self._window, self._window, os.POSIX_FADV_DONTNEED)
            self._advised = self._written
        return count

    def __getattr__(self, name: str) -> object:
        return getattr(self._handle, name)


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def get_storage() -> Storage:
    root = getattr(settings, "TROPA_EVIDENCE_DIR", None) or settings.DATA_DIR / "evidence"
    return LocalStorage(Path(root))
