"""Every transliteration scheme of a Russian or Ukrainian name reaches the Cyrillic original."""

import iuliia
import pytest
import translitua

from tropa.lib.screening.duden import to_german
from tropa.lib.screening.model import make_person
from tropa.lib.screening.score import compare

RUSSIAN = [
    "Щербаков Юрий Фёдорович",
    "Соловьёва Наталья Сергеевна",
    "Хачатурян Вячеслав Дмитриевич",
    "Жуков Евгений Ильич",
    "Зайцев Алексей Николаевич",
    "Ельцина Ксения Андреевна",
]
UKRAINIAN = ["Щербаков Юрій Федорович", "Соловйов Олексій Миколайович", "Гриценко Ганна Іванівна"]

SCHEMES = {
    "icao_2013": iuliia.ICAO_DOC_9303,
    "mvd_1997": iuliia.MVD_310,
    "mvd_2010": iuliia.MVD_782,
    "mvd_french": iuliia.MVD_310_FR,
    "bgn_pcgn": iuliia.BGN_PCGN,
    "gost_7_79": iuliia.GOST_779,
    "iso_9": iuliia.ISO_9_1968,
    "gost_52535": iuliia.GOST_52535,
    "scientific": iuliia.SCIENTIFIC,
    "wikipedia": iuliia.WIKIPEDIA,
    "telegram": iuliia.TELEGRAM,
}


def _matches(query: str, listed: str) -> bool:
    return compare(make_person("q", [query]), make_person("l", [listed])).match


@pytest.mark.parametrize("scheme", sorted(SCHEMES))
@pytest.mark.parametrize("name", RUSSIAN)
def test_it_matches_russian_scheme(scheme: str, name: str) -> None:
    assert _matches(SCHEMES[scheme].translate(name), name)


@pytest.mark.parametrize("name", RUSSIAN)
def test_it_matches_german_duden(name: str) -> None:
    assert _matches(to_german(name), name)


@pytest.mark.parametrize(
    "table",
    [translitua.UkrainianKMU, translitua.UkrainianGerman, translitua.UkrainianFrench],
)
@pytest.mark.parametrize("name", UKRAINIAN)
def test_it_matches_ukrainian_scheme(table: type, name: str) -> None:
    assert _matches(translitua.translit(name, table), name)


@pytest.mark.parametrize(
    ("spelling", "listed"),
    [
        ("Szczerbakow Jurij Fiodorowicz", "Щербаков Юрий Фёдорович"),  # Polish
        ("Ščerbakov Jurij Fjodorovič", "Щербаков Юрий Фёдорович"),  # Czech
        ("Jachaturián Viacheslav", "Хачатурян Вячеслав"),  # Spanish
        ("Chtcherbakov Iouri", "Щербаков Юрий"),  # French letter
        ("Schtscherbakow Jurij", "Щербаков Юрий"),  # German letter
        ("Shcherbakov Yuriy", "Щербаков Юрий"),  # the 1997 passport
        ("Scherbakov Sasha", "Щербаков Александр"),  # chat, a diminutive rigour knows
    ],
)
def test_it_matches_other_latin_conventions(spelling: str, listed: str) -> None:
    assert _matches(spelling, listed)


def test_it_keeps_different_names_apart() -> None:
    assert not _matches("Shcherbakov Iurii", "Щеглов Юрий")
    assert not _matches("Ivanov Sergei", "Иванова Светлана")


def test_it_tells_z_from_s_where_the_spelling_does() -> None:
    assert not _matches("Сахаров Степан", "Захаров Степан")
    assert not _matches("Sakharov Stepan", "Захаров Степан")
    assert _matches("Sacharow Stepan", "Захаров Степан")  # German s is з as well as с
    assert _matches("Zakharov Stepan", "Захаров Степан")
