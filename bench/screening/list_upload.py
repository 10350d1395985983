"""Bench: a generated list file uploaded through the real multipart parser and upload handler
(streamed and encrypted to disk), then imported by the worker's code, with peak memory.

    .venv/bin/python bench/screening/list_upload.py --mb 20 --mb 200

Each size runs in a fresh child process (its own data directory and SQLite database); the
table gives the upload and import times and the child's peak RSS. Flat memory means the peak
does not grow with the file. Set TROPA_DATABASE_URL for PostgreSQL.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
BOUNDARY = "----tropabench"


def generate(path: Path, megabytes: int) -> int:
    """Person entities of about 1 KB each (a real OpenSanctions line is 0.5–3 KB)."""
    target, count = megabytes * 1024 * 1024, 0
    with path.open("w", encoding="utf-8") as out:
        while out.tell() < target:
            entity = {
                "id": f"bench-{count}",
                "schema": "Person",
                "properties": {
                    "name": [f"Benchov{count % 9973} Ivan{count % 613} Petrovich"],
                    "birthDate": [f"19{50 + count % 50}-0{1 + count % 9}-1{count % 10}"],
                    "notes": ["x" * 800],
                },
            }
            out.write(json.dumps(entity) + "\n")
            count += 1
    return count


class Multipart:
    """A multipart body read from the file as it goes: never the whole body in memory."""

    def __init__(self, path: Path) -> None:
        self.head = (
            f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="name"\r\n\r\nBench list\r\n'
            f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="file"; '
            f'filename="bench.ftm.json"\r\nContent-Type: application/octet-stream\r\n\r\n'
        ).encode()
        self.tail = f"\r\n--{BOUNDARY}--\r\n".encode()
        self.length = len(self.head) + path.stat().st_size + len(self.tail)
        self.file = path.open("rb")
        self.stage = 0

    def read(self, size: int = -1) -> bytes:
        while True:
            if self.stage == 0:
                self.stage = 1
                return self.head
            if self.stage == 1:
                data = self.file.read(size if size > 0 else 1 << 20)
                if data:
                    return data
                self.stage = 2
            if self.stage == 2:
                self.stage = 3
                return self.tail
            return b""


def child(megabytes: int) -> None:
    os.environ["DJANGO_SETTINGS_MODULE"] = "tropa.settings"
    import django

    django.setup()
    from django.core.management import call_command
    from django.http.multipartparser import MultiPartParser
    from django.test import RequestFactory

    from tropa.accounts import services as accounts
    from tropa.screening import services
    from tropa.screening.models import ListImport
    from tropa.screening.uploads import SealedListUpload

    call_command("migrate", "--no-input", verbosity=0)
    org = accounts.create_organization(actor=None, name="Bench")
    user, _ = accounts.create_user(
        actor=None,
        organization=org,
        username="bench",
        role="coordinator",
        password="bench-quartz-violin-harbor-meadow",  # noqa: S106 (a throwaway bench account)
    )
    source = Path(os.environ["BENCH_FILE"])
    body = Multipart(source)
    meta = {
        "CONTENT_TYPE": f"multipart/form-data; boundary={BOUNDARY}",
        "CONTENT_LENGTH": str(body.length),
    }
    row = services.new_import(actor=user, organization=org)
    request = RequestFactory().post("/")
    handler = SealedListUpload(request, row)
    started = time.perf_counter()
    post, _files = MultiPartParser(meta, body, [handler]).parse()  # type: ignore[arg-type]
    services.queue_import(actor=user, row=row, name=str(post.get("name")))
    uploaded = time.perf_counter() - started
    started = time.perf_counter()
    services.run_import(ListImport.objects.unscoped().get(pk=row.pk))
    imported = time.perf_counter() - started
    row = ListImport.objects.unscoped().get(pk=row.pk)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024
    print(
        json.dumps(
            {
                "uploaded": uploaded,
                "imported": imported,
                "peak_mb": peak,
                "entries": row.version.entries if row.version else 0,
                "state": row.state,
            }
        )
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--mb", type=int, action="append", required=True)
    parser.add_argument("--child", type=int)
    args = parser.parse_args()
    if args.child:
        child(args.child)
        return
    print("| file | people | upload s | import + re-screen s | peak RSS MB |")
    print("|---|---|---|---|---|")
    for megabytes in args.mb:
        with tempfile.TemporaryDirectory() as directory:
            source = Path(directory) / "bench.ftm.json"
            people = generate(source, megabytes)
            env = {
                **os.environ,
                "TROPA_DATA_DIR": str(Path(directory) / "data"),
                "BENCH_FILE": str(source),
            }
            out: Any = subprocess.run(
                [sys.executable, __file__, "--mb", str(megabytes), "--child", str(megabytes)],
                env=env,
                cwd=ROOT,
                check=False,
                capture_output=True,
                text=True,
            )
            if out.returncode:
                raise SystemExit(out.stderr[-3000:])
            out = out.stdout
            result = json.loads(out.strip().splitlines()[-1])
            assert result["state"] == "done" and result["entries"] == people, result
            print(
                f"| {megabytes} MB | {people} | {result['uploaded']:.1f} | "
                f"{result['imported']:.1f} | {result['peak_mb']} |",
                flush=True,
            )


if __name__ == "__main__":
    main()
