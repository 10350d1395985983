"""Starting Tropa does not load the name engine: it is imported when screening runs.

The engine (``tropa.lib.screening`` with followthemoney and rigour) takes about 1.6 s to
import; every `tropa` command, worker start and web process would pay for it otherwise.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
ENGINE = ("tropa.lib.screening", "tropa.screening.engine", "followthemoney", "rigour")

# django.setup(), then what a request or `tropa check` loads next: every URL and so every view.
PROBE = """
import json, sys
import django
django.setup()
from django.urls import get_resolver
get_resolver().url_patterns
print(json.dumps(sorted(sys.modules)))
"""


def test_starting_tropa_does_not_import_the_name_engine(tmp_path: Path) -> None:
    env = {
        **os.environ,
        "TROPA_DATA_DIR": str(tmp_path / "data"),
        "DJANGO_SETTINGS_MODULE": "tropa.settings",
    }
    result = subprocess.run(
        [sys.executable, "-c", PROBE],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    modules = json.loads(result.stdout.splitlines()[-1])
    assert "tropa.screening.views" in modules  # the probe did load the views
    loaded = [m for m in modules if m.split(".")[0] in ENGINE or m.startswith(ENGINE)]
    assert not loaded, f"imported at start-up: {', '.join(loaded[:10])}"
