"""`tropa stay calc` from the shell: text, JSON, and a refusal naming the line."""

from __future__ import annotations

from pathlib import Path

import orjson
import pytest

from tropa.cli import main


def _calc(tmp_path: Path, csv: str, *args: str) -> list[str]:
    trips = tmp_path / "trips.csv"
    trips.write_text(csv, encoding="utf-8")
    return ["stay", "calc", "--trips", str(trips), *args]


def test_json_answer(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    argv = _calc(
        tmp_path,
        "entry,exit\n2026-09-01,2026-10-15\n20.11.2026,\n",
        "--rule",
        "rolling:90/180",
        "--on",
        "2026-12-01",
        "--json",
    )
    assert main(argv) == 0
    assert orjson.loads(capsys.readouterr().out) == {
        "days_used": 57,
        "days_left": 33,
        "last_legal_day": "2027-01-03",
        "overstay": False,
    }


def test_text_answer_says_overstay(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    argv = _calc(tmp_path, "2026-01-01,\n", "--rule", "rolling:90/180", "--on", "2026-04-01")
    assert main(argv) == 0
    out = capsys.readouterr().out
    assert "days used on 2026-04-01: 91" in out
    assert "over the limit already" in out and "OVERSTAY" in out


@pytest.mark.parametrize(
    ("csv", "rule", "message"),
    [
        (
            "2026-01-01,2026-01-05\n2026-13-01,\n",
            "per-entry:365",
            "line 2: entry '2026-13-01' is not a date",
        ),
        ("2026-02-01,2026-01-01\n", "per-entry:365", "line 1: exit 2026-01-01 is before entry"),
        (
            "2026-01-01,2026-01-10\n2026-01-05,2026-01-20\n",
            "per-entry:365",
            "line 2: entry 2026-01-05 overlaps the trip on line 1",
        ),
        (",2026-01-10\n", "per-entry:365", "line 1: the entry date is missing"),
        (
            "2026-01-01,2026-01-10,x\n",
            "per-entry:365",
            "line 1: expected entry,exit, found 3 fields",
        ),
        ("2026-01-01,\n", "rolling:90", "unknown rule"),
    ],
)
def test_impossible_input_is_refused_naming_the_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], csv: str, rule: str, message: str
) -> None:
    assert main(_calc(tmp_path, csv, "--rule", rule)) == 2
    captured = capsys.readouterr()
    assert message in captured.err and captured.out == ""


def test_missing_file_is_named(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    argv = ["stay", "calc", "--rule", "per-entry:365", "--trips", str(tmp_path / "none.csv")]
    assert main(argv) == 2
    assert "no such file" in capsys.readouterr().err
