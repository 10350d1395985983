"""Codenames minted ahead: a web process keeps a few codenames with their Argon2id hashes ready.

One Argon2id hash is about 20 ms of CPU. When a hotline link is posted in a channel, a hundred
people press "start" within the same second: a hundred hashes are two seconds of CPU on a
two-core server, and the last people waited behind the first for their codename. So each web
process mints ``TROPA_INTAKE_CODENAMES_AHEAD`` codenames and their hashes in a background thread
while it is idle, at the lowest CPU priority, and a start takes one that is ready. When none is
ready (the pool is off, spent, or has not been filled yet), the start hashes one itself, as
before.

What a codename that is ready but not yet given out is: a random phrase and its hash, in this
process's memory only. It names no person and opens nothing (no submission carries it yet); it
is never written anywhere; it is given out once and forgotten by the pool at that moment; a
crash or a restart only loses phrases that were never given out. A forked child never gives out
its parent's phrases (``os.register_at_fork`` and a check of the process id), so no two
processes can hand out the same codename.
"""

from __future__ import annotations

import contextlib
import os
import threading
from collections import deque

from django.conf import settings

from .common import codename_hash, new_codename


def _lowest_priority() -> None:
    """Run the calling thread at nice 19 (Linux sets niceness per thread): page requests of
    the same process and of its neighbours always come first."""
    with contextlib.suppress(AttributeError, OSError):
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), 19)


class CodenamesAhead:
    """A bounded pool of (codename, Argon2id hash), filled by one daemon thread per process."""

    def __init__(self) -> None:
        self._reset()
        os.register_at_fork(after_in_child=self._reset)

    def _reset(self) -> None:
        # Called in a forked child too: a new lock (the parent's may have been held by its
        # thread at the fork), no phrases (they are the parent's) and no thread (not copied).
        self._ready: deque[tuple[str, str]] = deque()
        self._wake = threading.Condition()
        self._pid = os.getpid()
        self._thread: threading.Thread | None = None
        self.lowered = threading.Event()  # set once the filling thread runs at nice 19

    @staticmethod
    def size() -> int:
        return max(0, int(settings.TROPA_INTAKE_CODENAMES_AHEAD))

    def start(self) -> None:
        """Start filling the pool in the background (a web process calls this once)."""
        if self.size() == 0:
            return
        with self._wake:
            if self._thread is not None and self._thread.is_alive():
                return
            self._thread = threading.Thread(
                target=self._fill, name="tropa-codenames-ahead", daemon=True
            )
            self._thread.start()

    def ready(self) -> int:
        with self._wake:
            return len(self._ready) if self._pid == os.getpid() else 0

    def wait_ready(self, count: int, timeout: float) -> bool:
        """Wait until ``count`` codenames are ready (for tests and benchmarks)."""
        with self._wake:
            return self._wake.wait_for(lambda: len(self._ready) >= count, timeout)

    def take(self) -> tuple[str, str]:
        """A new codename and its Argon2id hash: one minted ahead, or one made now."""
        with self._wake:
            if self._ready and self._pid == os.getpid():
                pair = self._ready.popleft()
                self._wake.notify_all()
                return pair
        codename = new_codename()
        return codename, codename_hash(codename)

    def mint(self) -> bool:
        """Mint one codename into the pool (the filling thread's step); False once the pool
        was reset since this call began (a fork, a test): its phrase is then dropped."""
        wake, pid = self._wake, self._pid
        codename = new_codename()
        pair = (codename, codename_hash(codename))
        with wake:
            if wake is not self._wake or pid != os.getpid():
                return False
            self._ready.append(pair)
            wake.notify_all()
        return True

    def _fill(self) -> None:
        _lowest_priority()
        self.lowered.set()
        wake = self._wake
        while True:
            with wake:
                while len(self._ready) >= self.size():
                    wake.wait()
            if not self.mint():
                return  # the pool was reset: this thread's work is over


CODENAMES = CodenamesAhead()
