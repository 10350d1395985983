"""Point 5 of issue 17: ``tropa screen`` keeps its ``--limit`` and JSON output, and every
decision code it can write is documented in docs/screening.md."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

from .conftest import NAMESAKE, SHCHERBAKOV, person

ROOT = Path(__file__).resolve().parents[3]


def test_tropa_screen_writes_json_lines_and_keeps_to_its_limit(
    write_ftm: Callable[..., Path],
) -> None:
    listed = write_ftm(SHCHERBAKOV, NAMESAKE, name="list.json")
    query = person("q1", name=["Щербаков Юрий Фёдорович"], birthDate=["1980-05-03"])
    queries = write_ftm(query, name="queries.json")
    out = subprocess.run(
        [
            sys.executable,
            "-m",
            "tropa.cli",
            "screen",
            "--list",
            str(listed),
            "--queries",
            str(queries),
            "--limit",
            "1",
            "--threshold",
            "0.1",
        ],
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
    ).stdout
    lines = [json.loads(line) for line in out.splitlines()]
    assert [line["query"] for line in lines] == ["q1"]
    (best,) = lines[0]["matches"]  # two candidates pass the threshold; --limit 1 keeps one
    assert best["entity"] == "os-shcherbakov" and best["match"] is True
    assert best["explanation"]["decision"] == "match"


def test_every_decision_code_is_documented() -> None:
    from tropa.lib.screening.score import _DECISION_TEXT

    doc = (ROOT / "docs" / "screening.md").read_text(encoding="utf-8")
    documented = set(re.findall(r"^\| `([a-z_]+)` \|", doc, flags=re.MULTILINE))
    assert set(_DECISION_TEXT) <= documented, set(_DECISION_TEXT) - documented
