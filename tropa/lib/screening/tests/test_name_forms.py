"""Name forms: Russian ↔ Ukrainian, order, missing patronymic, initials, typos, punctuation."""

import pytest

from tropa.lib.screening.model import make_person
from tropa.lib.screening.score import compare

LISTED = "Соловьёв Алексей Николаевич"


def _result(query: str, listed: str = LISTED, born: str = ""):  # type: ignore[no-untyped-def]
    dates = [born] if born else []
    return compare(make_person("q", [query], dates), make_person("l", [listed], dates))


@pytest.mark.parametrize(
    "query",
    [
        "Соловйов Олексій Миколайович",
        "Soloviov Oleksii Mykolaiovych",
        "Solovyov Aleksey Nikolayevich",
    ],
)
def test_it_matches_ukrainian_forms(query: str) -> None:
    assert _result(query).match


def test_it_explains_ukrainian_forms() -> None:
    codes = {p.candidate: p.code for p in _result("Соловйов Олексій Миколайович").name.parts}
    assert codes["Алексей"] == "ru_uk_form"
    assert codes["Николаевич"] == "ru_uk_form"
    assert codes["Соловьёв"] == "transliteration"


@pytest.mark.parametrize(
    "query",
    [
        "SOLOVYOV, Aleksei Nikolaevich",
        "Aleksei Nikolaevich Solovyov",
        "Aleksei Solovyov",
        "Solovyov Aleksej",
        "Solovjov Aleksei",
        "Solowjow Alexej Nikolajewitsch",
        "Solovyev Aleksei",
        "Solov'yov Aleksei",
    ],
)
def test_it_matches_name_forms(query: str) -> None:
    assert _result(query).match


def test_it_matches_one_typo_confirmed_by_birth_date() -> None:
    result = _result("Solovyob Aleksei", born="1990-01-12")
    assert result.match
    assert "typo" in {p.code for p in result.name.parts}
    assert _result("Solovyob Aleksei").decision == "typo_unconfirmed"


def test_it_matches_one_typo_confirmed_by_patronymic() -> None:
    assert _result("Solovyob Aleksei Nikolaevich").match


def test_it_matches_hyphenated_names() -> None:
    assert _result("Rimsky-Korsakov Nikolai", "Римский-Корсаков Николай").match
    assert _result("Rimsky Korsakov Nikolai", "Римский-Корсаков Николай").match


def test_it_treats_apostrophes_as_soft_signs() -> None:
    assert _result("V'iacheslav Hrytsenko", "Вячеслав Гриценко").match


def test_it_rejects_other_patronymic() -> None:
    result = _result("Solovyov Aleksei Petrovich")
    assert not result.match
    assert result.decision == "patronymic_conflict"


def test_it_rejects_other_first_name() -> None:
    assert not _result("Solovyov Andrei").match


def test_it_rejects_surname_alone() -> None:
    assert _result("Solovyov").decision == "name_incomplete"


def test_it_rejects_wrong_initial() -> None:
    assert not _result("Solovyov D. N.", born="1990").match


def test_it_keeps_male_and_female_forms_apart() -> None:
    assert not _result("Solovyova Aleksei", "Соловьёв Алексей").match
    assert not _result("Panov Evgenija", "Панова Евгения").match


def test_it_does_not_take_one_first_name_for_a_typo_of_another() -> None:
    assert not _result("Akimova Alina", "Акимова Галина").match
    assert _result("Akimova Galyna", "Акимова Галина").match


def test_it_needs_a_birth_date_for_initials() -> None:
    listed = make_person("l", [LISTED], ["1990-01-12"])
    for query in ["Solovyov A.", "Solovyov A. N."]:
        assert compare(make_person("q", [query]), listed).decision == "initial_unconfirmed"
        assert compare(make_person("q", [query], ["1990-01-12"]), listed).match


def test_it_reads_initials_in_order() -> None:
    assert _result("Solovyov A. N.", born="1990").match
    assert not _result("Solovyov N. A.", born="1990").match


def test_it_does_not_confirm_an_initial_with_a_surname_ending_like_a_patronymic() -> None:
    result = _result("A. Babitsch", "Бабич Анна Ивановна")
    assert result.decision == "initial_unconfirmed"
