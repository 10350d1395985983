"""What keeps ``tropa evidence add`` of a large video within 150 MB over its process tree
(issue 19): Tropa's own process must not carry what it does not use while ffmpeg runs
beside it. The figures themselves are measured in ``bench/evidence`` (never in tests)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from tropa.evidence import memory

ROOT = Path(__file__).resolve().parents[3]

PROBE = """
import json, sys
import django
django.setup()
from tropa.evidence import services
print(json.dumps(sorted(sys.modules)))
"""


def test_starting_tropa_does_not_load_the_password_word_lists(tmp_path: Path) -> None:
    # zxcvbn's frequency lists are ≈ 12 MB of Python objects; only checking a password needs them.
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
    assert "tropa.accounts.services" in modules  # the probe did load the accounts app
    assert not [m for m in modules if m.split(".")[0] == "zxcvbn"]


def test_password_strength_still_loads_zxcvbn_when_asked() -> None:
    from tropa.accounts.passwords import strength

    assert strength("qwertyuiopas")["score"] < strength("violet-harbour-7-ladder-orbit")["score"]


def test_freed_memory_goes_back_to_the_system() -> None:
    # On glibc (this machine, Debian) both calls reach malloc; elsewhere they say they could not.
    assert memory.release() is True
    assert memory.one_heap() is True
