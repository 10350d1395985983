"""The shared candidate index of each list version: built once, mapped by every process.

The first process that needs the index of a list's current version builds it into
``DATA_DIR/screening-index/<list>.<version>.idx`` under an exclusive lock (``flock``); any
other process that needs it meanwhile waits on the lock, then maps the finished file. Nothing
is built per request or per process: a web worker, the background worker and ``tropa`` commands
all map the same file, and the kernel keeps one copy of it in memory. A new version gets a new
file; the files of older versions are removed once it exists.

An organization's list is sealed on disk, and so is its index: its terms are keyed hashes
(the organization's PRF, salted with the version), so the file names no word and a guessed
name cannot be tested against it without the key; it holds no birth years either. Entries are
unsealed only for the candidates of a query (see docs/screening.md, "Shared index").
"""

from __future__ import annotations

import fcntl
import threading
import uuid
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from django.conf import settings

from tropa.crypto.fields import blind_index

from .models import ListEntry, ListVersion, WatchList

if TYPE_CHECKING:
    from tropa.lib.screening.model import Person
    from tropa.lib.screening.shared import SharedIndex

# Builds done by this process (tests read it: two processes, one build).
builds = 0
_lock = threading.Lock()
_open: dict[uuid.UUID, tuple[uuid.UUID | None, SharedIndex]] = {}
_CHUNK = 900  # ids per query: below SQLite's limit of bound parameters


def index_dir() -> Path:
    path = Path(settings.DATA_DIR) / "screening-index"
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    return path


def index_path(watchlist: WatchList, version: uuid.UUID | None) -> Path:
    return index_dir() / f"{watchlist.pk}.{version or 'empty'}.idx"


def _key(watchlist: WatchList, version: uuid.UUID | None) -> bytes:
    if watchlist.organization_id is None:
        return b""  # a published list is public data: plain hashes
    return bytes.fromhex(blind_index(watchlist.organization_id, "screening-index", str(version)))


def _load(ids: Sequence[str]) -> Iterable[Person]:
    from .engine import entry_person

    for start in range(0, len(ids), _CHUNK):
        chunk = [uuid.UUID(i) for i in ids[start : start + _CHUNK]]
        yield from (entry_person(e) for e in ListEntry.objects.filter(pk__in=chunk))


def _entries(watchlist: WatchList) -> Iterable[Person]:
    from .engine import entry_person

    entries = ListEntry.objects.filter(watchlist=watchlist, removed_in__isnull=True).order_by("pk")
    return (entry_person(e) for e in entries.iterator(chunk_size=2000))


def _build(watchlist: WatchList, version: uuid.UUID | None, path: Path) -> None:
    from tropa.lib.screening.shared import build_shared

    global builds
    build_shared(
        _entries(watchlist),
        path,
        key=_key(watchlist, version),
        years=watchlist.organization_id is None,
    )
    builds += 1
    for old in index_dir().glob(f"{watchlist.pk}.*.idx"):
        if old != path:
            old.unlink(missing_ok=True)  # a process still mapping it keeps its pages


def open_index(watchlist: WatchList) -> SharedIndex:
    """The mapped index of the list's current version, built first if no process has yet."""
    from tropa.lib.screening.shared import SharedIndex

    version = ListVersion.objects.filter(watchlist=watchlist).values_list("pk", flat=True).first()
    with _lock:
        cached = _open.get(watchlist.pk)
        if cached is not None and cached[0] == version:
            return cached[1]
        path = index_path(watchlist, version)
        if not path.exists():
            with (index_dir() / f"{watchlist.pk}.lock").open("a") as lock:
                fcntl.flock(lock, fcntl.LOCK_EX)  # another process may be building it
                if not path.exists():
                    _build(watchlist, version, path)
        index = SharedIndex(path, key=_key(watchlist, version), loader=_load)
        _open[watchlist.pk] = (version, index)
        return index


def forget() -> None:
    """Let go of every mapped index of this process (tests)."""
    with _lock:
        _open.clear()


def discard(watchlist_id: uuid.UUID) -> None:
    """Remove a list's index files (the list is deleted)."""
    with _lock:
        _open.pop(watchlist_id, None)
    for path in index_dir().glob(f"{watchlist_id}.*"):
        path.unlink(missing_ok=True)
