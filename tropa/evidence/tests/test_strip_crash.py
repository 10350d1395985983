"""A worker killed while mat2 strips a photo leaves no plaintext anywhere (issue 9 #6,
issue 19 #4, R5).

``strip_crash_driver`` runs real ``tropa worker`` processes in their own data dir and
kills each with SIGKILL while mat2's input (the original photo, GPS and all) sits in
mat2's private tmpfs (a mount namespace of its own). Neither while it runs nor after is
the photo in the RAM dir, the temp dir or the data dir; the namespace goes with its last
process. The next worker runs the task again; after the third death the sweep fails the
task, which the item shows, and a retry then makes the copy.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tropa.evidence import tools

ROOT = Path(__file__).resolve().parents[3]


@pytest.mark.skipif(not tools.available("mat2"), reason="mat2 is not installed")
def test_a_worker_killed_during_mat2_leaves_no_plaintext(tmp_path: Path, sample_dir: Path) -> None:
    env = {
        **os.environ,
        "TROPA_DATA_DIR": str(tmp_path / "data"),
        "DJANGO_SETTINGS_MODULE": "tropa.settings",
    }
    env.pop("TROPA_DATABASE_URL", None)
    env.pop("TROPA_EVIDENCE_DIR", None)
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "tropa.evidence.tests.strip_crash_driver",
            str(tmp_path),
            str(sample_dir / "photo.jpg"),
        ],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=900,  # four workers start one after the other: slow on a busy machine
    )
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout.splitlines()[-1])
    first, second, third = report["attempts"]
    # mat2 had the photo, in a tmpfs nobody else sees: not in /dev/shm, TMPDIR, data dir.
    for attempt in (first, second, third):
        assert attempt["reached"] and attempt["private_tmpfs_holds_photo"]
        assert attempt["plaintext_while_running"] is False
        assert attempt["namespace_gone"] and attempt["plaintext_after_kill"] is False
    assert first["task_while_running"] == {"status": "RUNNING", "tries": 1}
    # The next worker ran the task again; so did the one after.
    assert second["reached"] and second["task_while_running"] == {"status": "RUNNING", "tries": 2}
    assert third["reached"] and third["task_while_running"] == {"status": "RUNNING", "tries": 3}
    # After the third death the sweep gives the task up, visibly.
    assert report["after_sweep"] == {
        "plaintext": False,
        "task": {"status": "FAILED", "tries": 3},
        "item_failed": True,
    }
    # "Try again" on the item page, and a worker left alone makes the copy.
    assert report["after_retry"]["stripped"] is True
    assert report["after_retry"]["stripped_tool"].startswith("mat2")
    assert report["after_retry"]["item_failed"] is False
    assert report["after_retry"]["plaintext"] is False
    assert report["items"] == 1
    assert report["scratch_root"] in (None, {"private": True, "entries": []})
