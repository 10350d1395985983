"""Names as real watchlists write them (issue 17): one test per class of miss or false match."""

import pytest

from tropa.lib.screening import ScreeningIndex
from tropa.lib.screening.model import make_person
from tropa.lib.screening.score import MatchResult, compare

BORN = "1952-10-07"


def _result(query: str, listed: str, born: str = "", listed_born: str = "") -> MatchResult:
    return compare(
        make_person("q", [query], [born] if born else []),
        make_person("l", [listed], [listed_born or born] if (listed_born or born) else []),
    )


def _found(query: str, listed: str, born: str = "") -> MatchResult | None:
    """Through the index, as screening does: retrieval as well as scoring."""
    dates = [born] if born else []
    index = ScreeningIndex.build([make_person("l", [listed], dates)])
    results = index.screen(make_person("q", [query], dates))
    return results[0] if results else None


def _match(query: str, listed: str, born: str = BORN) -> bool:
    found = _found(query, listed, born)
    return found is not None and found.match


# Stress marks, as Wikidata-derived lists write them.
def test_stress_marks_do_not_split_words() -> None:
    assert _match("Путин Владимир Владимирович", "Влади́мир Влади́мирович ПУ́ТИН")
    assert _match("Влади́мир Влади́мирович ПУ́ТИН", "Putin Vladimir Vladimirovich")


@pytest.mark.parametrize(
    ("query", "listed"),
    [
        ("Uladzimir Makei", "Макей Владимир Владимирович"),
        ("Aliaksandr Ryhoravich Lukashenka", "Лукашенко Александр Григорьевич"),
        ("Лукашэнка Аляксандр Рыгоравіч", "Лукашенко Александр Григорьевич"),
        ("Siarhei Ramanau", "Романов Сергей"),
        ("Раманаў Сяргей", "Романов Сергей"),
        ("Tsikhanouskaya Sviatlana", "Тихановская Светлана"),
        ("Karankevich Dzmitry Siarheevich", "Каранкевич Дмитрий Сергеевич"),
        ("Volha Uladzimirauna Kavalkova", "Ковалькова Ольга Владимировна"),
    ],
)
def test_belarusian_forms_meet_the_russian(query: str, listed: str) -> None:
    assert _match(query, listed)


def test_a_belarusian_namesake_with_another_father_stays_apart() -> None:
    found = _found("Ramanau Siarhei Uladzimiravich", "Романов Сергей Петрович", BORN)
    assert found is None or found.decision == "patronymic_conflict"


@pytest.mark.parametrize(
    ("query", "listed"),
    [
        ("ПУТИH Владимир", "Путин Владимир"),  # Latin H
        ("ПОПOB Cергей", "Попов Сергей"),  # Latin O, B, C
        ("Рetrov Sergei", "Petrov Sergei"),  # Cyrillic Р
        ("Вorisov Sergei", "Borisov Sergei"),  # Cyrillic В
    ],
)
def test_look_alike_letters_of_the_other_script(query: str, listed: str) -> None:
    result = _result(query, listed)
    assert result.match  # read as the same letters, not as a typo a birth date must confirm
    assert "typo" not in {p.code for p in result.name.parts}


def test_a_truly_mixed_word_is_left_alone() -> None:
    from tropa.lib.screening.scripts import fix_homoglyphs

    assert fix_homoglyphs("Iвaн") == "Iвaн"  # И has no Latin look-alike: not repaired
    assert fix_homoglyphs("ПУТИH") == "ПУТИН"


@pytest.mark.parametrize(
    ("query", "listed"),
    [
        ("Зеленська Олена Володимирівна", "Зеленская Елена Владимировна"),
        ("Zelenska Olena", "Зеленская Елена"),
        ("Нікітіна Ірина", "Никитина Ирина"),
    ],
)
def test_russian_and_ukrainian_feminine_surnames(query: str, listed: str) -> None:
    assert _match(query, listed)


def test_masculine_and_feminine_adjective_surnames_are_two_people() -> None:
    assert not _result("Зеленский Олег", "Зеленська Олена", BORN).match
    assert not _result("Zelenskyi Oleh", "Зеленская Ольга", BORN).match


@pytest.mark.parametrize(
    ("query", "listed"),
    [
        ("Ivanov Sergei Michailovich", "Иванов Сергей Михайлович"),
        ("Orlov Pavel Jakovlevitch", "Орлов Павел Яковлевич"),
        ("Sokolova Anna Victorovna", "Соколова Анна Викторовна"),
        ("Petrov Ivan Alexandrovits", "Петров Иван Александрович"),
    ],
)
def test_patronymic_spellings_confirm_with_the_birth_date(query: str, listed: str) -> None:
    assert _match(query, listed)
    result = _result(query, listed)
    assert result.match  # a spelling of the same patronymic, not a typo
    assert "typo" not in {p.code for p in result.name.parts}


def test_a_patronymic_written_like_a_surname_needs_the_birth_date() -> None:
    result = _result("Petrova Anna Ivanova", "Петрова Анна Ивановна", BORN)
    assert result.match
    codes = {p.candidate: p.code for p in result.name.parts}
    assert codes["Ивановна"] == "patronymic_spelling"
    assert _result("Petrova Anna Ivanova", "Петрова Анна Ивановна").decision == "typo_unconfirmed"


def test_a_birth_year_off_by_one_is_shown_for_review() -> None:
    query = make_person("q", ["Kuznetsov Oleg Petrovich"], ["1977-03-14"])
    index = ScreeningIndex.build([make_person("l", ["Кузнецов Олег Петрович"], ["1976-03-14"])])
    results = index.screen(query)
    assert [r.decision for r in results] == ["birth_year_off_by_one"]
    assert not results[0].match
    assert "birth year differs by one, review" in results[0].explanation()["summary"]


def test_a_birth_date_years_apart_stays_a_namesake() -> None:
    result = _result("Kuznetsov Oleg Petrovich", "Кузнецов Олег Петрович", "1979-03-14", BORN)
    assert result.decision == "birth_year_conflict"


def test_a_letter_added_to_a_surname_is_not_confirmed_by_the_patronymic() -> None:
    result = _result("Novichkov Sergei Aleksandrovich", "Новиков Сергей Александрович")
    assert result.decision == "typo_unconfirmed"
    assert _result("Zubkov Igor Stepanovich", "Зубов Игорь Степанович").decision == (
        "typo_unconfirmed"
    )
    # …the birth date confirms it, and a patronymic still confirms a substituted letter.
    assert _result("Novichkov Sergei Aleksandrovich", "Новиков Сергей Александрович", BORN).match
    assert _result("Solovyob Aleksei Nikolaevich", "Соловьёв Алексей Николаевич").match


def test_a_vowel_initial_is_not_any_vowel() -> None:
    assert not _result("Petrova A.", "Петрова Ольга", BORN).match
    assert not _result("Ivanov E.", "Иванов Алексей", BORN).match
    assert _result("Ivanov O.", "Иванов Алексей", BORN).match  # Олексій
    assert _result("Ivanova Ye.", "Иванова Елена", BORN).match
    assert not _result("Иванова И.", "Иванова Юлия", BORN).match  # И is not Ю in Cyrillic
    assert _result("Ivanova I.", "Иванова Юлия", BORN).match  # …but ICAO writes Iuliia


def test_words_matching_only_under_different_conventions_are_not_one_man() -> None:
    result = _result("German KHAN", "Jann Herrmann", BORN)
    assert not result.match
    assert result.decision == "readings_conflict"


@pytest.mark.parametrize(
    ("query", "listed"),
    [
        ("VladimirPutin", "Путин Владимир Владимирович"),
        ("Mr. Vladimir Putin", "Путин Владимир Владимирович"),
        ("Presidente Vladimir Putin", "Путин Владимир Владимирович"),
        ("Aleksandar Vucic", "Aleksandar Vučić"),
        ("Vučić Aleksandar", "Aleksandar Vucic"),
    ],
)
def test_international_forms(query: str, listed: str) -> None:
    assert _match(query, listed)


@pytest.mark.parametrize(
    ("query", "listed"),
    [
        ("Mikheil Saakashvili", "მიხეილ სააკაშვილი"),
        ("Serzh Sargsyan", "Սերժ Սարգսյան"),
        ("Nursultan Nazarbayev", "Нұрсұлтан Назарбаев"),
        ("Назарбаев Нурсултан", "Нұрсұлтан Назарбаев"),
    ],
)
def test_other_scripts(query: str, listed: str) -> None:
    assert _match(query, listed)


def test_a_keyboard_layout_slip() -> None:
    result = _found("Bdfyjd Bdfy Bdfyjdbx", "Иванов Иван Иванович", BORN)
    assert result is not None and result.match
    assert "keyboard layout" in result.explanation()["summary"]
    # An ordinary Latin name is not read as a layout slip.
    assert _found("Smith John", "Иванов Иван Иванович", BORN) is None
