"""A ``kill -9`` in the middle of an ingest leaves nothing partial (R5).

``crash_driver`` runs in its own process and data dir, lets a fault hook pause a real
``tropa evidence add`` at a chosen point and kills it there with SIGKILL. Afterwards no
item is half-visible, the sweeper removes what the dead process left, and every stored
item still verifies.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]


def test_a_killed_ingest_leaves_nothing_partial(tmp_path: Path) -> None:
    env = {
        **os.environ,
        "TROPA_DATA_DIR": str(tmp_path / "data"),
        "DJANGO_SETTINGS_MODULE": "tropa.settings",
    }
    env.pop("TROPA_DATABASE_URL", None)
    result = subprocess.run(
        [sys.executable, "-m", "tropa.evidence.tests.crash_driver", str(tmp_path)],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout.splitlines()[-1])
    # Killed while writing: one encrypted temporary file, no item.
    assert report["ingest_block"] == {
        "reached": True,
        "items": 1,
        "temp_files": 1,
        "plaintext_in_temp": False,
    }
    # Killed after the atomic rename, before the commit: an orphan blob, still no item.
    assert report["before_commit"]["reached"] and report["before_commit"]["items"] == 1
    assert report["verify_exit"] == 0 and "1 items checked, 0 failed" in report["verify"]
    assert "removed 2 orphaned files" in report["sweep"]
    assert report["blobs"] == 1 and report["temp_after_sweep"] == 0
    assert report["verified_after"] is True
