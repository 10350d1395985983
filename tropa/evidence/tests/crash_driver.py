"""Run by test_crash.py in its own process and data dir: ingest, kill -9 mid-way, check.

Django is set up once; each ingest that is to die runs in a forked child. The child wraps
one step of the ingest (test code only, nothing in Tropa waits for tests) so that it marks
and pauses at the chosen point, and the parent kills it there with SIGKILL. Prints a JSON
report on stdout.
"""

from __future__ import annotations

import io
import json
import os
import signal
import sys
import time
from pathlib import Path
from typing import Any

import django


def main() -> None:
    django.setup()
    from django.core.management import call_command
    from django.db import connections

    from tropa.accounts import services as accounts
    from tropa.cases import services as cases
    from tropa.evidence import services
    from tropa.evidence.models import EvidenceItem

    call_command("migrate", "--no-input", verbosity=0)
    org = accounts.create_organization(actor=None, name="Crash")
    case = cases.create_case(actor=None, organization=org, pseudonym="Test")
    work = Path(sys.argv[1])
    kept = work / "kept.bin"
    kept.write_bytes(os.urandom(100_000))
    call_command(
        "evidence", "add", str(case.code), str(kept), "--defer-metadata", stdout=io.StringIO()
    )
    big = work / "video.bin"
    big.write_bytes(os.urandom(10 * 1024 * 1024))
    storage = Path(os.environ["TROPA_DATA_DIR"]) / "evidence"
    report: dict[str, object] = {}
    for point in ("ingest_block", "before_commit"):
        marker = work / f"{point}.reached"
        connections.close_all()
        child = os.fork()
        if child == 0:
            _pause_at(point, marker)
            call_command("evidence", "add", str(case.code), str(big), stdout=io.StringIO())
            os._exit(0)
        deadline = time.monotonic() + 60
        while not marker.exists() and time.monotonic() < deadline:
            time.sleep(0.02)
        os.kill(child, signal.SIGKILL)
        os.waitpid(child, 0)
        temps = list((storage / "tmp").iterdir())
        report[point] = {
            "reached": marker.exists(),
            "items": EvidenceItem.objects.unscoped().count(),
            "temp_files": len(temps),
            "plaintext_in_temp": any(big.read_bytes()[:4096] in t.read_bytes() for t in temps),
        }
    out = io.StringIO()
    try:
        call_command("evidence", "verify", stdout=out)
        report["verify_exit"] = 0
    except SystemExit as exc:
        report["verify_exit"] = exc.code
    report["verify"] = out.getvalue()
    out = io.StringIO()
    call_command("evidence", "sweep", "--older-than", "-1", stdout=out)
    report["sweep"] = out.getvalue()
    report["blobs"] = len([p for p in storage.glob("*/*") if p.parent.name != "tmp"])
    report["temp_after_sweep"] = len(list((storage / "tmp").iterdir()))
    report["verified_after"] = all(r.ok for r in services.verify_all(actor=None))
    print(json.dumps(report))


def _pause_at(point: str, marker: Path) -> None:
    """In the child: stop at ``point`` (after the first encrypted block was written, or
    after the blob was renamed into place but before the item is committed) until killed."""
    from tropa.evidence import vault
    from tropa.evidence.services import ingest

    def stop() -> None:
        marker.write_text(point)
        signal.pause()

    if point == "ingest_block":
        write = vault.write_encrypted

        def write_and_stop(*args: Any, **kwargs: Any) -> vault.Written:
            kwargs["on_block"] = lambda _size: stop()
            return write(*args, **kwargs)

        vault.write_encrypted = write_and_stop  # type: ignore[assignment]
    else:
        commit = ingest._commit_item

        def stop_then_commit(**kwargs: Any) -> Any:
            stop()
            return commit(**kwargs)

        ingest._commit_item = stop_then_commit


if __name__ == "__main__":
    main()
