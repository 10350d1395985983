"""Run by test_strip_crash.py in its own process and data dir: a real task worker is killed
with SIGKILL while mat2 works on a photo in RAM, three times; then the sweep runs.

Each worker is a forked child running ``tropa worker --batch`` on the database queue. In
the child only (test code; nothing in Tropa waits for tests) the step that starts mat2 is
wrapped so that it reports the scratch file on a pipe and pauses until killed: the parent
blocks on that pipe, so there is no timing involved. A worker that finishes without ever
reaching mat2 closes the pipe instead. Prints a JSON report on stdout.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import secrets
import select
import shutil
import signal
import subprocess
import sys
import tempfile
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
    photo.unlink()  # stored; from here on any copy of it found is one Tropa made
    process_item_task.enqueue(str(item.pk))
    ram = Path(settings.TROPA_EVIDENCE_RAM_DIR)

    def task() -> dict[str, Any]:
        result = DBTaskResult.objects.get()
        return {"status": result.status, "tries": len(result.worker_ids)}

    report: dict[str, Any] = {"attempts": []}
    places = [ram, Path(tempfile.gettempdir()), Path(settings.DATA_DIR)]
    for _attempt in range(3):
        pid, scratch = _worker(pause_at_mat2=True)
        state: dict[str, Any] = {"reached": scratch is not None}
        if scratch is not None:
            # mat2's input is in its private tmpfs, seen through its own process's root...
            shell, private = scratch.split(" ", 1)
            state["private_tmpfs_holds_photo"] = canary.encode() in Path(private).read_bytes()
            # ...and in none of the places anyone else can look.
            state["plaintext_while_running"] = any(_ram_holds(p, canary.encode()) for p in places)
            state["task_while_running"] = task()
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
        if scratch is not None:
            # The test's pause outlives the worker (a real mat2 would end by itself); when
            # the namespace's last process ends, the kernel frees its tmpfs.
            _end_namespace(int(shell))
            state["namespace_gone"] = _gone(int(shell))
        state["plaintext_after_kill"] = any(_ram_holds(p, canary.encode()) for p in places)
        state["task_after_kill"] = task()
        report["attempts"].append(state)
    out = io.StringIO()
    call_command("evidence", "sweep", stdout=out)
    item.refresh_from_db()
    report["sweep"] = out.getvalue()
    report["after_sweep"] = {
        "plaintext": any(_ram_holds(p, canary.encode()) for p in places),
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
            "plaintext": any(_ram_holds(p, canary.encode()) for p in places),
        }
    report["items"] = EvidenceItem.objects.unscoped().count()
    from tropa.evidence import tools

    root = tools.scratch_root(create=False)
    # mat2 now works in a tmpfs of its own namespace: nothing of Tropa's need be in /dev/shm.
    # A directory left there by an older version must at least be private and empty.
    report["scratch_root"] = None
    if root is not None:
        report["scratch_root"] = {
            "private": root.stat().st_mode & 0o777 == 0o700,
            "entries": sorted(p.name for p in root.iterdir()),
        }
        root.rmdir()  # the test's own data dir is gone after the test
    print(json.dumps(report))


def _worker(*, pause_at_mat2: bool) -> tuple[int, str | None]:
    """Fork a real worker; with ``pause_at_mat2`` wait until it holds mat2's input file."""
    from django.core.management import call_command
    from django.db import connections

    connections.close_all()
    fifo = Path(f"/dev/shm/tropa-test-{secrets.token_hex(8)}")
    if pause_at_mat2:
        os.mkfifo(fifo, 0o600)
    child = os.fork()
    if child == 0:
        if pause_at_mat2:
            from tropa.evidence.tools import strip

            # Inside mat2's namespace, once its input is in the private tmpfs: say where
            # (through the shell's own root) and wait to be killed.
            tell = f'echo "$$ /proc/$$/root/tmp/item.$2" > {fifo} && sleep 600 && {{mat2}}'
            strip._MAT2_SCRIPT = strip._MAT2_SCRIPT.replace("{mat2}", tell)
        try:
            call_command("worker", "--batch", "--no-startup-delay", "--interval", "0", verbosity=0)
        finally:
            if pause_at_mat2:  # never reached mat2: the parent reads an end instead
                with contextlib.suppress(OSError):
                    os.close(os.open(fifo, os.O_WRONLY | os.O_NONBLOCK))
            os._exit(0)
    line = ""
    if pause_at_mat2:
        with fifo.open("rb") as pipe:
            line = pipe.readline().decode().strip()
        fifo.unlink()
    return child, line or None


def _gone(pid: int) -> bool:
    """Ended: no such process, or a zombie (its namespaces are released at exit)."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] == "Z"
    except OSError:
        return True


def _end_namespace(shell: int) -> None:
    """Kill the paused shell and its sleep: what the dead worker left running."""
    kids = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        with contextlib.suppress(OSError, IndexError, ValueError):
            if int(stat.read_text().rsplit(")", 1)[1].split()[1]) == shell:
                kids.append(int(stat.parent.name))
    for pid in [shell, *kids]:
        with contextlib.suppress(ProcessLookupError):
            # Wait for the process to have ended (its pidfd turns readable), not for a time.
            handle = os.pidfd_open(pid)
            os.kill(pid, signal.SIGKILL)
            select.select([handle], [], [], 60)
            os.close(handle)


def _ram_holds(ram: Path, needle: bytes) -> bool:
    """Whether any file of ours anywhere under the RAM directory contains ``needle``."""
    uid = os.geteuid()
    for root, _dirs, files in os.walk(ram):
        for name in files:
            path = Path(root) / name
            try:
                if path.is_symlink() or path.stat().st_uid != uid or path.stat().st_size > 64 << 20:
                    continue
                if needle in path.read_bytes():
                    return True
            except OSError:
                continue
    return False


if __name__ == "__main__":
    main()
