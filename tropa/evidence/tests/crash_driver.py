"""Run by test_crash.py in its own process and data dir: ingest, kill -9 mid-way, check.

Django is set up once; each ingest that is to die runs in a forked child that a fault hook
pauses at the chosen point, and the parent kills it with SIGKILL there. Prints a JSON
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
            os.environ.update(TROPA_EVIDENCE_FAULT=point, TROPA_EVIDENCE_FAULT_MARKER=str(marker))
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
            "items": EvidenceItem.objects.count(),
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


if __name__ == "__main__":
    main()
