"""mat2 in RAM: the private scratch directory, its locked workspaces, and their sweep."""

from __future__ import annotations

import fcntl
import hashlib
import logging
import os
import re
import shutil
import stat
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

from django.conf import settings

from .run import TOOL_TIMEOUT

logger = logging.getLogger("tropa.evidence.tools")


def _ram_dir() -> Path | None:
    """A RAM-backed directory (tmpfs), or None: plaintext must never reach a disk."""
    configured = getattr(settings, "TROPA_EVIDENCE_RAM_DIR", "/dev/shm")  # noqa: S108
    path = Path(configured)
    if not path.is_dir():
        return None
    try:
        mounts = Path("/proc/mounts").read_text().splitlines()
    except OSError:
        return None
    best, fstype = "", ""
    resolved = str(path.resolve())
    for line in mounts:
        fields = line.split()
        inside = len(fields) >= 3 and (resolved + "/").startswith(fields[1].rstrip("/") + "/")
        if inside and len(fields[1]) >= len(best):
            best, fstype = fields[1], fields[2]
    return path if fstype in ("tmpfs", "ramfs") else None


# Each data dir has one private scratch directory in the RAM dir, created 0700 and refused
# if anyone else made it; in it, every mat2 run gets a workspace it holds an exclusive
# lock (flock) on until it is removed. The kernel drops the lock when the process dies,
# however it dies, so a workspace whose lock can be taken is a dead run's leftover.
SCRATCH_PREFIX = "tropa-scratch-"
# What Tropa before the private directory left directly in the RAM dir (TemporaryDirectory).
_LEGACY = re.compile(r"tropa-[a-z0-9_]{8}")


def scratch_root(*, create: bool = True) -> Path | None:
    """This data dir's private scratch directory in RAM, or None (no tmpfs, or not ours)."""
    ram = _ram_dir()
    if ram is None:
        return None
    where = f"{os.geteuid()}\0{Path(settings.DATA_DIR).resolve()}"
    root = ram / f"{SCRATCH_PREFIX}{hashlib.sha256(where.encode()).hexdigest()[:16]}"
    if create:
        with suppress(FileExistsError):
            os.mkdir(root, 0o700)
    try:
        status = os.lstat(root)
    except FileNotFoundError:
        return None
    if not stat.S_ISDIR(status.st_mode) or status.st_uid != os.geteuid() or status.st_mode & 0o077:
        logger.warning("the RAM scratch directory is not Tropa's own; mat2 is not used")
        return None
    return root


def _try_lock(path: Path) -> int | None:
    """An fd of directory ``path`` holding its exclusive lock, or None if someone holds it."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW)
    except OSError:
        return None
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        # Removed by a cleaner between our open and our lock: not a workspace any more.
        if os.stat(path, follow_symlinks=False).st_ino != os.fstat(fd).st_ino:
            raise FileNotFoundError(path)
    except OSError:
        os.close(fd)
        return None
    return fd


@contextmanager
def _ram_workspace() -> Iterator[Path]:
    root = scratch_root()
    if root is None:
        raise RuntimeError("no RAM-backed directory")
    for _attempt in range(10):
        path = Path(tempfile.mkdtemp(prefix="w-", dir=root))
        fd = _try_lock(path)
        if fd is not None:
            break
    else:
        raise RuntimeError("no scratch workspace could be locked")
    try:
        yield path
    finally:
        shutil.rmtree(path, ignore_errors=True)
        os.close(fd)


def clean_scratch() -> int:
    """Remove what dead runs left in RAM (the plaintext mat2 was working on); the number removed.

    Only this data dir's private directory is looked into; a live run's workspace (its lock
    is held) stays. In the RAM dir itself only what older Tropa versions left is removed:
    ``tropa-xxxxxxxx`` directories of this user holding nothing but ``item.*`` files, none
    touched for twice the longest a tool may run.
    """
    removed = 0
    root = scratch_root(create=False)
    if root is not None:
        for entry in root.iterdir():
            if entry.is_dir() and not entry.is_symlink():
                fd = _try_lock(entry)
                if fd is None:
                    continue
                try:
                    shutil.rmtree(entry, ignore_errors=True)
                finally:
                    os.close(fd)
            else:
                entry.unlink(missing_ok=True)
            removed += 1
    ram = _ram_dir()
    if ram is not None:
        removed += sum(_remove_legacy(entry) for entry in ram.iterdir())
    return removed


def _remove_legacy(entry: Path) -> bool:
    if not _LEGACY.fullmatch(entry.name):
        return False
    try:
        status = entry.lstat()
        if not stat.S_ISDIR(status.st_mode) or status.st_uid != os.geteuid():
            return False
        files = list(entry.iterdir())
        if not all(f.name.startswith("item.") and f.is_file() for f in files):
            return False
        newest = max([status.st_mtime, *(f.lstat().st_mtime for f in files)])
    except OSError:
        return False
    if time.time() - newest < 2 * TOOL_TIMEOUT:
        return False  # perhaps an older Tropa's mat2 run at work right now
    shutil.rmtree(entry, ignore_errors=True)
    return True
