"""Russian ↔ Ukrainian forms of first names and patronymics, and name-part roles.

rigour tags name parts with Wikidata given-name symbols (Алексей and Олексій share one), which
covers most first names in every script. The table below adds what those symbols miss or what
must hold regardless of the data version: the Russian and Ukrainian forms of common first names
and of the patronymics made from them (Николаевич ↔ Миколайович, including the female forms).
Both sides are reduced to phonetic keys, so the table also covers every Latin spelling.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache

from tropa.lib.screening.keys import initial_of, token_keys

# Male: Russian name, Ukrainian name, Russian patronymic, Ukrainian patronymic.
MALE_FORMS: tuple[tuple[str, str, str, str], ...] = (
    ("Алексей", "Олексій", "Алексеевич", "Олексійович"),
    ("Александр", "Олександр", "Александрович", "Олександрович"),
    ("Анатолий", "Анатолій", "Анатольевич", "Анатолійович"),
    ("Андрей", "Андрій", "Андреевич", "Андрійович"),
    ("Аркадий", "Аркадій", "Аркадьевич", "Аркадійович"),
    ("Арсений", "Арсеній", "Арсеньевич", "Арсенійович"),
    ("Артём", "Артем", "Артёмович", "Артемович"),
    ("Валерий", "Валерій", "Валерьевич", "Валерійович"),
    ("Василий", "Василь", "Васильевич", "Васильович"),
    ("Виталий", "Віталій", "Витальевич", "Віталійович"),
    ("Владимир", "Володимир", "Владимирович", "Володимирович"),
    ("Вячеслав", "В'ячеслав", "Вячеславович", "В'ячеславович"),
    ("Геннадий", "Геннадій", "Геннадьевич", "Геннадійович"),
    ("Георгий", "Георгій", "Георгиевич", "Георгійович"),
    ("Глеб", "Гліб", "Глебович", "Глібович"),
    ("Григорий", "Григорій", "Григорьевич", "Григорович"),
    ("Даниил", "Данило", "Даниилович", "Данилович"),
    ("Дмитрий", "Дмитро", "Дмитриевич", "Дмитрович"),
    ("Евгений", "Євген", "Евгеньевич", "Євгенович"),
    ("Егор", "Єгор", "Егорович", "Єгорович"),
    ("Ефим", "Юхим", "Ефимович", "Юхимович"),
    ("Иван", "Іван", "Иванович", "Іванович"),
    ("Игорь", "Ігор", "Игоревич", "Ігорович"),
    ("Илья", "Ілля", "Ильич", "Ілліч"),
    ("Иосиф", "Йосип", "Иосифович", "Йосипович"),
    ("Кирилл", "Кирило", "Кириллович", "Кирилович"),
    ("Константин", "Костянтин", "Константинович", "Костянтинович"),
    ("Лев", "Лев", "Львович", "Львович"),
    ("Леонид", "Леонід", "Леонидович", "Леонідович"),
    ("Матвей", "Матвій", "Матвеевич", "Матвійович"),
    ("Михаил", "Михайло", "Михайлович", "Михайлович"),
    ("Никита", "Микита", "Никитич", "Микитович"),
    ("Николай", "Микола", "Николаевич", "Миколайович"),
    ("Олег", "Олег", "Олегович", "Олегович"),
    ("Павел", "Павло", "Павлович", "Павлович"),
    ("Пётр", "Петро", "Петрович", "Петрович"),
    ("Семён", "Семен", "Семёнович", "Семенович"),
    ("Сергей", "Сергій", "Сергеевич", "Сергійович"),
    ("Станислав", "Станіслав", "Станиславович", "Станіславович"),
    ("Тимофей", "Тимофій", "Тимофеевич", "Тимофійович"),
    ("Фёдор", "Федір", "Фёдорович", "Федорович"),
    ("Филипп", "Пилип", "Филиппович", "Пилипович"),
    ("Эдуард", "Едуард", "Эдуардович", "Едуардович"),
    ("Юрий", "Юрій", "Юрьевич", "Юрійович"),
    ("Яков", "Яків", "Яковлевич", "Якович"),
)

FEMALE_FORMS: tuple[tuple[str, str], ...] = (
    ("Александра", "Олександра"),
    ("Алёна", "Альона"),
    ("Анастасия", "Анастасія"),
    ("Анна", "Ганна"),
    ("Валентина", "Валентина"),
    ("Вера", "Віра"),
    ("Виктория", "Вікторія"),
    ("Дарья", "Дарія"),
    ("Евгения", "Євгенія"),
    ("Екатерина", "Катерина"),
    ("Елена", "Олена"),
    ("Елизавета", "Єлизавета"),
    ("Ирина", "Ірина"),
    ("Кристина", "Христина"),
    ("Ксения", "Ксенія"),
    ("Любовь", "Любов"),
    ("Мария", "Марія"),
    ("Надежда", "Надія"),
    ("Наталья", "Наталія"),
    ("Полина", "Поліна"),
    ("Светлана", "Світлана"),
    ("Софья", "Софія"),
    ("Татьяна", "Тетяна"),
    ("Юлия", "Юлія"),
)

# Belarusian first names as the Belarusian passport writes them (Latin) and in Belarusian
# Cyrillic, with the Russian name and patronymic they are compared by.
BELARUSIAN_FORMS: tuple[tuple[str, str, str, str], ...] = (
    ("Владимир", "Владимирович", "Уладзімір", "Uladzimir"),
    ("Александр", "Александрович", "Аляксандр", "Aliaksandr"),
    ("Алексей", "Алексеевич", "Аляксей", "Aliaksei"),
    ("Сергей", "Сергеевич", "Сяргей", "Siarhei"),
    ("Виктор", "Викторович", "Віктар", "Viktar"),
    ("Дмитрий", "Дмитриевич", "Дзмітрый", "Dzmitry"),
    ("Юрий", "Юрьевич", "Юрый", "Yury"),
    ("Николай", "Николаевич", "Мікалай", "Mikalai"),
    ("Игорь", "Игоревич", "Ігар", "Ihar"),
    ("Григорий", "Григорьевич", "Рыгор", "Ryhor"),
    ("Геннадий", "Геннадьевич", "Генадзь", "Henadz"),
    ("Василий", "Васильевич", "Васіль", "Vasil"),
    ("Анатолий", "Анатольевич", "Анатоль", "Anatol"),
    ("Леонид", "Леонидович", "Леанід", "Leanid"),
    ("Пётр", "Петрович", "Пятро", "Piatro"),
    ("Евгений", "Евгеньевич", "Яўген", "Yauhen"),
    ("Константин", "Константинович", "Канстанцін", "Kanstantsin"),
    ("Владислав", "Владиславович", "Уладзіслаў", "Uladzislau"),
    ("Валентин", "Валентинович", "Валянцін", "Valiantsin"),
    ("Вячеслав", "Вячеславович", "Вячаслаў", "Viachaslau"),
    ("Станислав", "Станиславович", "Станіслаў", "Stanislau"),
    ("Павел", "Павлович", "Павел", "Paval"),
    ("Михаил", "Михайлович", "Міхаіл", "Mikhail"),
    ("Андрей", "Андреевич", "Андрэй", "Andrei"),
    ("Иван", "Иванович", "Іван", "Ivan"),
    ("Олег", "Олегович", "Алег", "Aleh"),
    ("Валерий", "Валерьевич", "Валерый", "Valery"),
    ("Елена", "", "Алена", "Alena"),
    ("Ольга", "", "Вольга", "Volha"),
    ("Татьяна", "", "Таццяна", "Tatsiana"),
    ("Светлана", "", "Святлана", "Sviatlana"),
    ("Наталья", "", "Наталля", "Natallia"),
    ("Екатерина", "", "Кацярына", "Katsiaryna"),
    ("Анна", "", "Ганна", "Hanna"),
    ("Мария", "", "Марыя", "Maryia"),
    ("Ирина", "", "Ірына", "Iryna"),
    ("Людмила", "", "Людміла", "Liudmila"),
    ("Галина", "", "Галіна", "Halina"),
    ("Надежда", "", "Надзея", "Nadzeya"),
    ("Юлия", "", "Юлія", "Yuliya"),
)

# Other common first names, the same or nearly the same in both languages. Knowing that a word
# is a first name keeps a typo from turning Alina into Galina or Marina into Maria.
_COMMON_GIVEN_NAMES = """
Антон Артур Аркадий Афанасий Богдан Борис Вадим Валентин Вениамин Виктор Віктор Владислав
Всеволод Гавриил Герман Давид Демьян Денис Елисей Захар Игнат Илларион Кузьма Лука Макар Марк
Мирон Назар Нестор Остап Платон Прохор Роман Ростислав Руслан Рустам Савва Савелий Святослав
Серафим Степан Тарас Тимур Тихон Трофим Харитон Эрик Ян Ярослав Максим Олег Родион Ринат
Алина Аліна Алла Ангелина Антонина Арина Валерия Валерія Варвара Василиса Галина Диана Ева Жанна
Зинаида Злата Зоя Инна Карина Кира Кристина Христина Лариса Лидия Лилия Людмила Маргарита Марина
Милана Нина Оксана Олеся Ольга Раиса Регина Римма Снежана Таисия Тамара Ульяна Уляна Яна
Ярослава Богдана Соломия Мирослава Леся Дарина Зоряна
"""
COMMON_GIVEN_NAMES = tuple(_COMMON_GIVEN_NAMES.split())

# Patronymic endings as they look in keys: -ович/-евич/-ич, -овна/-евна/-ична, Ukrainian -івна.
_PATRONYMIC_KEY = re.compile(r"(?:[oe]viC|iC|[oe]vna|ivna|iCna|inCna)$")


def _female_patronymics(ru: str, uk: str) -> tuple[str, str]:
    """Алексеевич → Алексеевна; Олексійович → Олексіївна, Іванович → Іванівна."""
    ru_female = ru[:-2] + "на"
    if uk.endswith("йович"):
        return ru_female, uk[:-5] + "ївна"
    return ru_female, uk[:-4] + "івна"


def _build_groups() -> tuple[dict[str, int], frozenset[str]]:
    groups: dict[str, int] = {}
    given: set[str] = set()
    forms: list[tuple[str, ...]] = []
    for ru, uk, ru_pat, uk_pat in MALE_FORMS:
        forms.append((ru, uk))
        forms.append((ru_pat, uk_pat))
        if not ru_pat.endswith("ьич") and ru_pat.endswith("вич"):
            forms.append(_female_patronymics(ru_pat, uk_pat))
    forms.extend(FEMALE_FORMS)
    for number, group in enumerate(forms):
        for form in group:
            for key in token_keys(form):
                groups.setdefault(key, number)
    _add_belarusian(groups, given, len(forms))
    for ru, uk, _, _ in MALE_FORMS:
        given.update(token_keys(ru) | token_keys(uk))
    for ru, uk in FEMALE_FORMS:
        given.update(token_keys(ru) | token_keys(uk))
    for name in COMMON_GIVEN_NAMES:
        given.update(token_keys(name))
    return groups, frozenset(given)


def _belarusian_patronymics(latin: str) -> tuple[str, str]:
    """Uladzimir → Uladzimiravich, -auna; Siarhei → Siarheevich, -euna; Dzmitry → Dzmitryevich."""
    if latin.endswith(("ei", "ai")):
        stem = latin[:-1] + "e"
        return stem + "vich", stem + "una"
    if latin.endswith("y"):
        return latin + "evich", latin + "euna"
    if latin.endswith("o"):
        return latin[:-1] + "ovich", latin[:-1] + "ouna"
    return latin + "avich", latin + "auna"


def _add_belarusian(groups: dict[str, int], given: set[str], first_free: int) -> None:
    """Belarusian names and patronymics join the group of their Russian form."""
    number = first_free
    for ru, ru_pat, by_cyrillic, by_latin in BELARUSIAN_FORMS:
        pairs: list[tuple[tuple[str, ...], tuple[str, ...]]] = [((ru,), (by_cyrillic, by_latin))]
        if ru_pat:
            male, female = _belarusian_patronymics(by_latin)
            pairs.append(((ru_pat,), (male,)))
            pairs.append(((ru_pat[:-2] + "на",), (female,)))
        for russian, belarusian in pairs:
            keys = set().union(*(token_keys(f) for f in russian))
            group = next((groups[k] for k in keys if k in groups), None)
            if group is None:
                group, number = number, number + 1
            for key in keys.union(*(token_keys(f) for f in belarusian)):
                groups.setdefault(key, group)
        given.update(token_keys(ru) | token_keys(by_cyrillic) | token_keys(by_latin))


FORM_GROUPS, GIVEN_NAME_KEYS = _build_groups()


def _group_keys() -> dict[int, frozenset[str]]:
    members: dict[int, set[str]] = {}
    for key, group in FORM_GROUPS.items():
        members.setdefault(group, set()).add(key)
    return {group: frozenset(keys) for group, keys in members.items()}


GROUP_KEYS = _group_keys()

# A Latin I. may stand for И, Ю or Я (ICAO writes Iurii, Iana); Y. and J. for Е as well (Yelena).
_LOOSE_INITIALS = {"i": frozenset("iUA"), "y": frozenset("iUAe"), "j": frozenset("iUAe")}


@lru_cache(maxsize=200_000)
def initial_letters(keys: frozenset[str], latin: str = "") -> frozenset[str]:
    """Initials a word may be written with: its own, and those of its Russian/Ukrainian/
    Belarusian forms (O. for Алексей, since Олексій). `latin`: a one-letter Latin initial."""
    letters = {initial_of(k) for k in keys}
    letters |= _LOOSE_INITIALS.get(latin, frozenset())
    for key in keys:
        group = FORM_GROUPS.get(key)
        if group is not None:
            letters.update(initial_of(k) for k in GROUP_KEYS[group])
    return frozenset(letters)


def form_group(key: str) -> int | None:
    """Number of the Russian/Ukrainian form group a key belongs to, if any."""
    return FORM_GROUPS.get(key)


def is_given_name_key(key: str) -> bool:
    return key in GIVEN_NAME_KEYS


def is_patronymic_key(key: str) -> bool:
    return len(key) >= 4 and _PATRONYMIC_KEY.search(key) is not None


# Symbols of the words seen by this process. Bounded: cleared when it grows past this.
_SYMBOLS_KEPT = 200_000
_symbols: dict[str, frozenset[str]] = {}


def name_symbols(token: str) -> frozenset[str]:
    """Wikidata given-name symbols rigour attaches to one name token."""
    found = _symbols.get(token)
    if found is None:
        prefetch_symbols([token])
        found = _symbols.get(token, frozenset())
    return found


def prefetch_symbols(tokens: Iterable[str]) -> None:
    """Tag every word not tagged yet in one go (one request to the tagger process, if any)."""
    missing = [t for t in dict.fromkeys(tokens) if t not in _symbols]
    if not missing:
        return
    if len(_symbols) + len(missing) > _SYMBOLS_KEPT:
        _symbols.clear()
    from tropa.lib.screening.tagger import tag_tokens

    _symbols.update(zip(missing, tag_tokens(missing), strict=True))
