"""`tropa screen` on small files."""

import json
from pathlib import Path

import pytest

from tropa.lib.screening.cli import main


def _person(id: str, name: str, birth: str | None = None) -> str:
    props: dict[str, list[str]] = {"name": [name]}
    if birth:
        props["birthDate"] = [birth]
    return json.dumps({"id": id, "schema": "Person", "properties": props})


@pytest.fixture
def files(tmp_path: Path) -> tuple[Path, Path, Path]:
    listed = tmp_path / "list.jsonl"
    listed.write_text(
        "\n".join(
            [
                _person("l1", "Щербаков Юрий Фёдорович", "1980-05-03"),
                _person("l2", "Щербаков Юрий Фёдорович", "1966-01-20"),
                _person("l3", "Соловьёв Алексей Николаевич"),
            ]
        )
    )
    own = tmp_path / "own.csv"
    own.write_text("id,name,birth_date\nown1,Schtscherbakow Jurij,1980-05-03\n")
    queries = tmp_path / "queries.jsonl"
    queries.write_text(
        "\n".join(
            [
                _person("q1", "Shcherbakov Iurii", "1980-05-03"),
                _person("q2", "Petrenko Taras", "1990-01-01"),
            ]
        )
    )
    return listed, own, queries


def test_it_writes_one_line_per_query(files: tuple[Path, Path, Path], tmp_path: Path) -> None:
    listed, own, queries = files
    out = tmp_path / "out.jsonl"
    args = ["--list", str(listed), "--list", str(own), "--queries", str(queries), "--out", str(out)]
    assert main(args) == 0
    first, second = (json.loads(line) for line in out.read_text().splitlines())
    assert first["query"] == "q1"
    matches = {m["entity"]: m for m in first["matches"]}
    assert {e: m["match"] for e, m in matches.items()} == {"l1": True, "own1": True}
    assert matches["l1"]["explanation"]["birth_date"]["code"] == "exact"
    assert 0.0 <= first["matches"][0]["score"] <= 1.0
    assert second == {"query": "q2", "matches": []}


def test_it_writes_to_stdout(
    files: tuple[Path, Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    listed, _, queries = files
    assert main(["--list", str(listed), "--queries", str(queries)]) == 0
    assert len(capsys.readouterr().out.splitlines()) == 2


def test_it_fails_cleanly_on_a_bad_line(
    files: tuple[Path, Path, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    listed, _, queries = files
    listed.write_text(listed.read_text() + "\n{broken\n")
    out = tmp_path / "out.jsonl"
    assert main(["--list", str(listed), "--queries", str(queries), "--out", str(out)]) == 2
    assert f"{listed}: 1 bad line(s)" in capsys.readouterr().err
    assert list(tmp_path.glob("*out.jsonl*")) == []


def test_it_fails_cleanly_on_a_missing_file(
    files: tuple[Path, Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    _, _, queries = files
    assert main(["--list", "absent.jsonl", "--queries", str(queries)]) == 2
    assert "absent.jsonl: no such file" in capsys.readouterr().err


def test_it_refuses_queries_that_are_not_ftm(
    files: tuple[Path, Path, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    listed, _, _ = files
    queries = tmp_path / "q.jsonl"
    queries.write_text("name,birth\n")
    assert main(["--list", str(listed), "--queries", str(queries)]) == 2
    assert "not a FollowTheMoney JSON lines file" in capsys.readouterr().err


def test_it_refuses_an_output_in_a_missing_folder(
    files: tuple[Path, Path, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    listed, _, queries = files
    out = tmp_path / "absent" / "out.jsonl"
    assert main(["--list", str(listed), "--queries", str(queries), "--out", str(out)]) == 2
    assert f"{out}: the folder does not exist" in capsys.readouterr().err
