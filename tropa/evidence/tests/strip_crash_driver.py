"""Run by test_strip_crash.py in its own process and data dir: a real task worker is killed
with SIGKILL while mat2 works on a photo in RAM, three times; then the sweep runs.

Each worker is a forked child running ``tropa worker --batch`` on the database queue. In
the child only (test code; nothing in Tropa waits for tests) the step that starts mat2 is
wrapped so that it reports the scratch file on a pipe and pauses until killed: the parent
blocks on that pipe, so there is no timing involved. A worker that finishes without ever
reaching mat2 closes the pipe instead. Prints a JSON report on stdout.
"""

from __future__ import annotations

import io
import json
import os
import secrets
import shutil
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

import django


def main() -> None:
    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django_tasks_db.models import DBTaskResult

    from tropa.accounts import services as accounts
    from tropa.cases import services as cases
    from tropa.evidence import services
    from tropa.evidence.models import DerivedKind, EvidenceItem
    from tropa.evidence.tasks import process_item_task

    call_command("migrate", "--no-input", verbosity=0)
    org = accounts.create_organization(actor=None, name="Crash")
    case = cases.create_case(actor=None, organization=org, pseudonym="Test")
    work = Path(sys.argv[1])
    # The sample photo (GPS, device) with a mark of this run, so that the scan of the RAM
    # directory finds this run's plaintext and nobody else's.
    canary = f"canary-{secrets.token_hex(12)}"
    photo = work / "photo.jpg"
    shutil.copy(sys.argv[2], photo)
    subprocess.run(
        ["exiftool", "-q", "-overwrite_original", f"-Comment={canary}", str(photo)], check=True
    )
    with photo.open("rb") as handle:
        item = services.add_evidence(
            actor=None,
            case=case,
            source=handle,
            record=services.CollectionRecord(
                method="phone", received_at=django.utils.timezone.now(), original_name="x.jpg"
            ),
        )
    process_item_task.enqueue(str(item.pk))
    ram = Path(settings.TROPA_EVIDENCE_RAM_DIR)

    def task() -> dict[str, Any]:
        result = DBTaskResult.objects.get()
        return {"status": result.status, "tries": len(result.worker_ids)}

    report: dict[str, Any] = {"attempts": []}
    for _attempt in range(3):
        pid, scratch = _worker(pause_at_mat2=True)
        state: dict[str, Any] = {"reached": scratch is not None}
        if scratch is not None:
            state["scratch_holds_photo"] = canary.encode() in Path(scratch).read_bytes()
            state["task_while_running"] = task()
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
        state["plaintext_after_kill"] = _ram_holds(ram, canary.encode())
        state["task_after_kill"] = task()
        report["attempts"].append(state)
    out = io.StringIO()
    call_command("evidence", "sweep", stdout=out)
    item.refresh_from_db()
    report["sweep"] = out.getvalue()
    report["after_sweep"] = {
        "plaintext": _ram_holds(ram, canary.encode()),
        "task": task(),
        "item_failed": getattr(item, "processing_failed_at", None) is not None,
    }
    # Someone presses "try again" on the item page; a worker that is left alone finishes.
    if hasattr(services, "retry_processing"):
        services.retry_processing(actor=None, item=item)
        pid, scratch = _worker(pause_at_mat2=False)
        os.waitpid(pid, 0)
        item.refresh_from_db()
        stripped = item.derived.filter(kind=DerivedKind.STRIPPED).first()
        report["after_retry"] = {
            "stripped": stripped is not None,
            "stripped_tool": stripped.tool if stripped else "",
            "item_failed": item.processing_failed_at is not None,
            "plaintext": _ram_holds(ram, canary.encode()),
        }
    report["items"] = EvidenceItem.objects.unscoped().count()
    from tropa.evidence import tools

    root = tools.scratch_root(create=False)
    report["scratch_root"] = {"private": root is not None and root.stat().st_mode & 0o777 == 0o700}
    if root is not None:
        report["scratch_root"]["entries"] = sorted(p.name for p in root.iterdir())
        root.rmdir()  # the test's own data dir is gone after the test
    print(json.dumps(report))


def _worker(*, pause_at_mat2: bool) -> tuple[int, str | None]:
    """Fork a real worker; with ``pause_at_mat2`` wait until it holds mat2's input file."""
    from django.core.management import call_command
    from django.db import connections

    connections.close_all()
    read_end, write_end = os.pipe()
    child = os.fork()
    if child == 0:
        os.close(read_end)
        if pause_at_mat2:
            from tropa.evidence.tools import strip  # where mat2_strip looks _command up

            command = strip._command

            def pause_at(args: list[str]) -> list[str]:
                if args and args[0] == "mat2":
                    os.write(write_end, (args[-1] + "\n").encode())
                    signal.pause()
                return command(args)

            strip._command = pause_at
        try:
            call_command("worker", "--batch", "--no-startup-delay", "--interval", "0", verbosity=0)
        finally:
            os._exit(0)
    os.close(write_end)
    with os.fdopen(read_end, "rb") as pipe:
        line = pipe.readline().decode().strip() if pause_at_mat2 else ""
    return child, line or None


def _ram_holds(ram: Path, needle: bytes) -> bool:
    """Whether any file of ours anywhere under the RAM directory contains ``needle``."""
    uid = os.geteuid()
    for root, _dirs, files in os.walk(ram):
        for name in files:
            path = Path(root) / name
            try:
                if path.is_symlink() or path.stat().st_uid != uid:
                    continue
                if needle in path.read_bytes():
                    return True
            except OSError:
                continue
    return False


if __name__ == "__main__":
    main()
