"""Reading watchlists: FollowTheMoney JSON lines and CSV, with line-numbered errors."""

import json
from pathlib import Path

import pytest

from tropa.lib.screening.lists import ListError, read_list

PERSON = {
    "id": "os-1",
    "schema": "Person",
    "properties": {
        "name": ["Щербаков Юрий Фёдорович"],
        "alias": ["Shcherbakov Yurii"],
        "birthDate": ["1980-05-03"],
        "position": ["Commander of the 64th brigade"],
        "topics": ["sanction"],
    },
}


def _write(path: Path, lines: list[str]) -> Path:
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_it_reads_ftm_persons(tmp_path: Path) -> None:
    company = {"id": "c1", "schema": "Company", "properties": {"name": ["OOO Romashka"]}}
    path = _write(tmp_path / "entities.ftm.json", [json.dumps(PERSON), json.dumps(company)])
    (person,) = read_list(path)
    assert person.id == "os-1"
    assert {n.text for n in person.names} == {"Щербаков Юрий Фёдорович", "Shcherbakov Yurii"}
    assert str(person.birth_dates[0]) == "1980-05-03"
    assert person.extras["position"] == ("Commander of the 64th brigade",)


def test_it_reads_nested_targets(tmp_path: Path) -> None:
    nested = dict(PERSON)
    nested["properties"] = {
        **PERSON["properties"],  # type: ignore[dict-item]
        "sanctions": [{"id": "s1", "schema": "Sanction", "properties": {"program": ["EU"]}}],
    }
    path = _write(tmp_path / "targets.nested.json", [json.dumps(nested)])
    assert [p.id for p in read_list(path)] == ["os-1"]


def test_it_reads_name_parts(tmp_path: Path) -> None:
    parts = {
        "id": "p2",
        "schema": "Person",
        "properties": {
            "firstName": ["Юрий"],
            "fatherName": ["Фёдорович"],
            "lastName": ["Щербаков"],
        },
    }
    (person,) = read_list(_write(tmp_path / "parts.json", [json.dumps(parts)]))
    assert [t.text for t in person.names[0].tokens] == ["Щербаков", "Юрий", "Фёдорович"]
    assert [r.value for r in person.names[0].roles] == ["family", "given", "patronymic"]


def test_it_reports_bad_lines_by_number(tmp_path: Path) -> None:
    lines = [json.dumps(PERSON), "{not json", json.dumps({"id": "x", "schema": "Nonsense"})]
    with pytest.raises(ListError) as error:
        read_list(_write(tmp_path / "bad.json", lines))
    assert [e.line for e in error.value.errors] == [2, 3]
    assert "line 3: unknown schema 'Nonsense'" in str(error.value)


def test_it_refuses_a_file_that_is_not_ftm(tmp_path: Path) -> None:
    with pytest.raises(ListError, match="not a FollowTheMoney JSON lines file"):
        read_list(_write(tmp_path / "names.json", ['{"name": "Ivanov"}']))


def test_it_refuses_a_missing_file(tmp_path: Path) -> None:
    with pytest.raises(ListError, match="no such file"):
        read_list(tmp_path / "absent.json")


def test_it_reads_csv(tmp_path: Path) -> None:
    path = _write(
        tmp_path / "own.csv",
        [
            "id,name,alias,birth_date,unit",
            "own-1,Щербаков Юрий,Shcherbakov Yurii;Chtcherbakov Iouri,1980-05-03,64 ОМСБр",
        ],
    )
    (person,) = read_list(path)
    assert len(person.names) == 3
    assert person.extras["unit"] == ("64 ОМСБр",)


def test_it_reports_bad_csv_rows(tmp_path: Path) -> None:
    path = _write(tmp_path / "own.csv", ["id,name", "a,Иванов Иван", ",Петров Пётр", "c,x,extra"])
    with pytest.raises(ListError) as error:
        read_list(path)
    assert [e.line for e in error.value.errors] == [3, 4]


def test_it_refuses_csv_without_name_column(tmp_path: Path) -> None:
    with pytest.raises(ListError, match="missing column"):
        read_list(_write(tmp_path / "own.csv", ["id,surname", "a,Иванов"]))
