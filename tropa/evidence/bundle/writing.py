"""Writing a prepared bundle: a tar stream, optionally encrypted to an age recipient.

Nothing here reads the database, so that ``BundlePlan.write`` can run in another thread
and stream for as long as it takes.
"""

from __future__ import annotations

import hashlib
import io
import os
import tarfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, BinaryIO

import pyrage

from .. import vault
from ..models import EvidenceItem
from ..storage import BlobMissing, get_storage
from .common import ItemUnreadable, parse_recipient, thread_pipe


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
