"""Blob writes with and without write-behind (issue 19: the 4 GiB ingest's ratio).

    .venv/bin/python bench/evidence/write_behind.py --size-gb 2

Writes ``--size-gb`` of random 2 MiB blocks through ``LocalStorage.writer`` (what the
ingest's ciphertext goes through) with ``TROPA_EVIDENCE_WRITE_BEHIND_BYTES`` at 32 MiB and
at 0 (off), twice each, alternating; prints the time of each write including its fsync, the
fsync alone, and the system's dirty page cache afterwards. Uses a private temp data dir,
removed after.
"""

from __future__ import annotations

import argparse
import os
import shutil
import tempfile
import time
from pathlib import Path
from typing import Any


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--size-gb", type=float, default=2)
    parser.add_argument("--tmp", default="/tmp")  # noqa: S108 (a private mkdtemp under it)
    args = parser.parse_args()
    data = Path(tempfile.mkdtemp(prefix="tropa-bench-wb-", dir=args.tmp))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tropa.settings")
    os.environ["TROPA_DATA_DIR"] = str(data)
    import django

    django.setup()
    from django.conf import settings

    from tropa.evidence import storage

    block = os.urandom(2 * 1024 * 1024)
    count = int(args.size_gb * 1024**3) // len(block)
    real_fsync = os.fsync
    try:
        for window in (32 * 2**20, 0, 32 * 2**20, 0):
            settings.TROPA_EVIDENCE_WRITE_BEHIND_BYTES = window
            local = storage.LocalStorage(data / "evidence")
            blob = local.new_id()
            spent = [0.0]

            def fsync(fd: Any, spent: list[float] = spent) -> None:
                start = time.perf_counter()
                real_fsync(fd)
                spent[0] += time.perf_counter() - start

            os.fsync = fsync
            start = time.perf_counter()
            with local.writer(blob) as out:
                for _ in range(count):
                    out.write(block)
            elapsed = time.perf_counter() - start
            os.fsync = real_fsync
            meminfo = Path("/proc/meminfo").read_text().splitlines()
            dirty = next(int(line.split()[1]) for line in meminfo if line.startswith("Dirty:"))
            load = Path("/proc/loadavg").read_text().split()[0]
            print(
                f"write-behind {window >> 20} MiB: {elapsed:.1f} s (fsync {spent[0]:.1f} s), "
                f"dirty afterwards {dirty // 1024} MB, load {load}",
                flush=True,
            )
            local.delete(blob)
    finally:
        os.fsync = real_fsync
        shutil.rmtree(data, ignore_errors=True)


if __name__ == "__main__":
    main()
