"""The in-memory index: retrieval across spellings, duplicates within a set."""

from tropa.lib.screening.index import ScreeningIndex, find_duplicates
from tropa.lib.screening.model import make_person

LIST = [
    make_person("a", ["Щербаков Юрий Фёдорович"], ["1980-05-03"]),
    make_person("b", ["Щербаков Юрий Фёдорович"], ["1971-11-30"]),
    make_person("c", ["Соловьёв Алексей Николаевич"], ["1990-01-12"]),
    make_person("d", ["Иванов Иван Иванович"]),
]


def test_it_finds_candidates_across_scripts_and_typos() -> None:
    index = ScreeningIndex.build(LIST)
    for spelling in ["Schtscherbakow Jurij", "Shcherbakow Iurii", "Щербаков Юрій"]:
        found = {index.persons[i].id for i in index.candidates(make_person("q", [spelling]))}
        assert found == {"a", "b"}


def test_it_ranks_and_drops_namesakes_by_birth_year() -> None:
    index = ScreeningIndex.build(LIST)
    results = index.screen(make_person("q", ["Shcherbakov Iurii Fedorovich"], ["1980-05-03"]))
    assert [(r.candidate_id, r.match) for r in results] == [("a", True)]


def test_it_reaches_ukrainian_forms() -> None:
    index = ScreeningIndex.build(LIST)
    results = index.screen(make_person("q", ["Oleksii Soloviov"], ["1990-01-12"]))
    assert [r.candidate_id for r in results] == ["c"]


def test_it_finds_candidates_from_initials() -> None:
    index = ScreeningIndex.build(LIST)
    results = index.screen(make_person("q", ["Solovyov A."]))
    assert [r.candidate_id for r in results] == ["c"]


def test_it_finds_duplicates_within_a_set() -> None:
    people = [
        make_person("p1", ["Щербаков Юрий Фёдорович"], ["1980-05-03"]),
        make_person("p2", ["Schtscherbakow Jurij"], ["1980-05-03"]),
        make_person("p3", ["Иванов Иван"], ["1980-05-03"]),
    ]
    (pair,) = [r for r in find_duplicates(people) if r.match]
    assert {pair.query_id, pair.candidate_id} == {"p1", "p2"}


def test_it_needs_every_initial() -> None:
    index = ScreeningIndex.build(
        [
            make_person("v", ["Жуков Виктор Геннадьевич"]),
            make_person("w", ["Жуков Виктор Павлович"]),
            make_person("x", ["Жуков Олег Геннадьевич"]),
        ]
    )
    found = {index.persons[i].id for i in index.candidates(make_person("q", ["Zhukov V. G."]))}
    assert found == {"v"}


def test_it_finds_nothing_for_a_lone_word() -> None:
    index = ScreeningIndex.build(LIST)
    assert index.candidates(make_person("q", ["Shcherbakov"])) == set()


def test_it_reports_other_birth_years_below_the_ceiling() -> None:
    index = ScreeningIndex.build(LIST)
    query = make_person("q", ["Shcherbakov Iurii Fedorovich"], ["1980-05-03"])
    results = index.screen(query, threshold=0.3)
    assert {r.candidate_id: r.decision for r in results} == {
        "a": "match",
        "b": "birth_year_conflict",
    }
