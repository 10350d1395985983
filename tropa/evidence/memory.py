"""Giving freed memory back to the system between the steps of one item.

glibc keeps what a process freed in its heaps for the next allocation. After hashing and
encrypting a large file in megabyte blocks, Tropa's process would keep tens of MB it no
longer uses while ffmpeg runs beside it, and the whole process tree is what counts
(issue 19: ≤ 150 MB). ``release()`` asks glibc to return it (``malloc_trim``); elsewhere
(another C library) it does nothing.
"""

from __future__ import annotations

import ctypes
import gc
from functools import cache
from typing import Any


@cache
def _libc() -> Any:
    try:
        libc = ctypes.CDLL("libc.so.6")  # by its name: find_library would run ldconfig
        return libc if hasattr(libc, "malloc_trim") else None
    except OSError:
        return None


# mallopt's parameters (glibc's malloc.h): how many heaps ("arenas") threads may spread
# over, and from which size a block gets pages of its own, returned when it is freed.
_M_ARENA_MAX = -8
_M_MMAP_THRESHOLD = -3
_MAPPED_FROM = 128 * 1024


def one_heap() -> bool:
    """Let every thread of this process allocate from one heap; True if it could.

    The range server answers each of a tool's connections in a thread, and hashing runs in
    another: with one heap per thread, each keeps its own freed megabyte buffers. Call it
    before the first thread starts (``tropa evidence add`` does); it changes nothing else
    (one process encrypts one file at a time, so the threads seldom wait on the lock)."""
    libc = _libc()
    return libc is not None and libc.mallopt(_M_ARENA_MAX, 1) == 1


def mapped_buffers() -> bool:
    """Give every block of 128 KiB or more pages of its own, handed back when it is freed;
    True if it could.

    glibc starts there too, but raises the size each time such a block is freed, so after
    a few megabyte buffers they come from the heap and stay there. The worker's poster and
    copy hold decrypted segments and ffmpeg's output while ffmpeg runs beside them: this
    keeps the process at what it holds now, not at the most it ever held (issue 19). The
    cost is a page fault per page of each such buffer, which is why ``tropa evidence add``
    (2 MiB blocks at disk speed) does not use it."""
    libc = _libc()
    return libc is not None and libc.mallopt(_M_MMAP_THRESHOLD, _MAPPED_FROM) == 1


def release() -> bool:
    """Collect garbage and return the free heap memory to the system; True if it could."""
    gc.collect()
    libc = _libc()
    if libc is None:
        return False
    libc.malloc_trim(0)
    return True
