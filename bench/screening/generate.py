"""Labelled screening set, generated from a seed (nothing is stored).

How it is made:

1. A list of N fictional persons (80% Russian, 20% Ukrainian; half women), names drawn from
   `names.py`, birth dates 1955-2005. Each list entry has its Cyrillic name (as OpenSanctions
   carries it) and, for 60% of entries, one Latin alias in a "list scheme" (ICAO 2013, BGN/PCGN
   or Wikipedia-style). 85% carry a birth date (10% of those the year only).
2. Positive queries: a list person written in a scheme other than his list alias (ICAO, the
   1997 passport, MVD French, BGN, GOST 7.79, ISO 9, German Duden, Polish, Czech, Spanish,
   chat, Ukrainian forms in Cyrillic or Latin, Russian Cyrillic for a Ukrainian), in varied
   order ("SURNAME, First Patronymic", first name first), without patronymic half the time,
   sometimes with initials or one typo, with the same birth date, a day/month swap, the year
   only, or none.
3. Hard negatives: namesakes who are not on the list: same surname and first name as a list
   person, with a different birth year (both known) or a different patronymic (both known),
   written in the same schemes.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field

import iuliia
import translitua

from bench.screening.names import FEMALE, MALE, SURNAMES
from tropa.lib.screening.duden import to_german

_POLISH = {
    "а": "a", "б": "b", "в": "w", "г": "g", "д": "d", "е": "ie", "ё": "io", "ж": "ż", "з": "z",
    "и": "i", "й": "j", "к": "k", "л": "ł", "м": "m", "н": "n", "о": "o", "п": "p", "р": "r",
    "с": "s", "т": "t", "у": "u", "ф": "f", "х": "ch", "ц": "c", "ч": "cz", "ш": "sz",
    "щ": "szcz", "ъ": "", "ы": "y", "ь": "", "э": "e", "ю": "iu", "я": "ia",
}  # fmt: skip
_CZECH = {
    "а": "a", "б": "b", "в": "v", "г": "g", "д": "d", "е": "e", "ё": "jo", "ж": "ž", "з": "z",
    "и": "i", "й": "j", "к": "k", "л": "l", "м": "m", "н": "n", "о": "o", "п": "p", "р": "r",
    "с": "s", "т": "t", "у": "u", "ф": "f", "х": "ch", "ц": "c", "ч": "č", "ш": "š", "щ": "šč",
    "ъ": "", "ы": "y", "ь": "", "э": "e", "ю": "ju", "я": "ja",
}  # fmt: skip
_SPANISH = {
    "а": "a", "б": "b", "в": "v", "г": "g", "д": "d", "е": "e", "ё": "io", "ж": "zh", "з": "z",
    "и": "i", "й": "i", "к": "k", "л": "l", "м": "m", "н": "n", "о": "o", "п": "p", "р": "r",
    "с": "s", "т": "t", "у": "u", "ф": "f", "х": "j", "ц": "ts", "ч": "ch", "ш": "sh",
    "щ": "sch", "ъ": "", "ы": "y", "ь": "", "э": "e", "ю": "iu", "я": "ia",
}  # fmt: skip
_VOWELS = set("аеёиоуыэюяьъ")


def _table(table: dict[str, str], iotated: dict[str, str]) -> Callable[[str], str]:
    """A letter table; е/ё/ю/я at a word start or after a vowel take their iotated form."""

    def convert(text: str) -> str:
        out = []
        for i, ch in enumerate(text):
            low = ch.lower()
            before = text[i - 1].lower() if i else " "
            value = table.get(low, ch)
            if low in iotated and (not before.isalpha() or before in _VOWELS):
                value = iotated[low]
            out.append(value.capitalize() if ch.isupper() else value)
        return "".join(out)

    return convert


def _polish(text: str) -> str:
    # л is soft (l) before е, ё, и, ю, я and ь; hard (ł) elsewhere.
    soft = _table(_POLISH, {"е": "je", "ё": "jo", "ю": "ju", "я": "ja"})(text)
    return soft.replace("łi", "li").replace("łie", "le").replace("Łi", "Li")


_czech = _table(_CZECH, {"е": "je"})
_spanish = _table(_SPANISH, {"е": "ye", "ё": "yo", "ю": "yu", "я": "ya"})


def _chat(text: str) -> str:
    return str(iuliia.TELEGRAM.translate(text)).lower()


# Schemes for Russian Cyrillic text.
RUSSIAN_SCHEMES: dict[str, Callable[[str], str]] = {
    "icao_2013": iuliia.ICAO_DOC_9303.translate,
    "passport_1997": iuliia.MVD_310.translate,
    "mvd_french": iuliia.MVD_310_FR.translate,
    "bgn_pcgn": iuliia.BGN_PCGN.translate,
    "gost_7_79": iuliia.GOST_779.translate,
    "iso_9": iuliia.ISO_9_1968.translate,
    "wikipedia": iuliia.WIKIPEDIA.translate,
    "german_duden": to_german,
    "polish": _polish,
    "czech": _czech,
    "spanish": _spanish,
    "chat": _chat,
}
LIST_SCHEMES = ("icao_2013", "bgn_pcgn", "wikipedia")
QUERY_SCHEMES = (*(s for s in RUSSIAN_SCHEMES if s != "wikipedia"), "ukrainian", "ukrainian_latin")


def _ukrainian_latin(text: str) -> str:
    return str(translitua.translit(text))


@dataclass
class Person:
    id: str
    female: bool
    ukrainian: bool
    surname: int
    given: int
    father: int
    birth: tuple[int, int, int] | None
    year_only: bool = False
    names: list[str] = field(default_factory=list)

    def birth_text(self) -> str | None:
        if self.birth is None:
            return None
        y, m, d = self.birth
        return f"{y:04d}" if self.year_only else f"{y:04d}-{m:02d}-{d:02d}"


@dataclass
class Query:
    id: str
    names: list[str]
    birth: str | None
    scheme: str
    target: str | None  # the list person's id, or None for a namesake who is not listed
    kind: str  # "positive", "namesake_year", "namesake_patronymic"
    truth: Person  # who the query really is
    has_patronymic: bool


def _female_surname(surname: str) -> str:
    for male, female in (("ский", "ская"), ("цкий", "цкая"), ("ой", "ая")):
        if surname.endswith(male):
            return surname[: -len(male)] + female
    if surname.endswith(("ов", "ев", "ёв", "ин", "ын")):
        return surname + "а"
    return surname


def _ukrainian_surname(surname: str) -> str:
    for ru, uk in (("ьёв", "йов"), ("ёв", "ьов"), ("ский", "ський"), ("цкий", "цький")):
        if surname.endswith(ru):
            surname = surname[: -len(ru)] + uk
    return surname.replace("ы", "и").replace("ё", "е").replace("э", "е")


def _female_patronymic(ru: str, uk: str) -> tuple[str, str]:
    if ru.endswith("ич") and not ru.endswith("вич"):
        ru_f = {"Ильич": "Ильинична", "Никитич": "Никитична"}.get(ru, ru[:-2] + "ична")
    else:
        ru_f = ru[:-2] + "на"
    if uk.endswith("йович"):
        return ru_f, uk[:-5] + "ївна"
    if uk.endswith("ович"):
        return ru_f, uk[:-4] + "івна"
    return ru_f, {"Ілліч": "Іллівна"}.get(uk, uk)


def name_parts(person: Person, ukrainian: bool) -> tuple[str, str, str]:
    """Surname, first name and patronymic in Russian or Ukrainian Cyrillic."""
    surname = SURNAMES[person.surname]
    if person.female:
        surname = _female_surname(surname)
        given = FEMALE[person.given][1 if ukrainian else 0]
    else:
        given = MALE[person.given][1 if ukrainian else 0]
    ru_pat, uk_pat = MALE[person.father][2], MALE[person.father][3]
    if person.female:
        ru_pat, uk_pat = _female_patronymic(ru_pat, uk_pat)
    if ukrainian:
        return _ukrainian_surname(surname), given, uk_pat
    return surname, given, ru_pat


def _spell(person: Person, scheme: str) -> tuple[str, str, str]:
    if scheme in ("ukrainian", "ukrainian_latin"):
        parts = name_parts(person, ukrainian=True)
        if scheme == "ukrainian_latin":
            return tuple(_ukrainian_latin(p) for p in parts)  # type: ignore[return-value]
        return parts
    if scheme == "russian":
        return name_parts(person, ukrainian=False)
    parts = name_parts(person, ukrainian=person.ukrainian)
    if person.ukrainian:
        return tuple(_ukrainian_latin(p) for p in parts)  # type: ignore[return-value]
    convert = RUSSIAN_SCHEMES[scheme]
    return tuple(convert(p) for p in parts)  # type: ignore[return-value]


class Generator:
    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)

    def person(self, number: int) -> Person:
        rng = self.rng
        female = rng.random() < 0.5
        birth = None
        if rng.random() < 0.85:
            birth = (rng.randint(1955, 2005), rng.randint(1, 12), rng.randint(1, 28))
        return Person(
            id=f"L{number}",
            female=female,
            ukrainian=rng.random() < 0.2,
            surname=rng.randrange(len(SURNAMES)),
            given=rng.randrange(len(FEMALE if female else MALE)),
            father=rng.randrange(len(MALE)),
            birth=birth,
            year_only=birth is not None and rng.random() < 0.1,
        )

    def list_names(self, person: Person) -> list[str]:
        names = [" ".join(name_parts(person, person.ukrainian))]
        if self.rng.random() < 0.6:
            scheme = self.rng.choice(LIST_SCHEMES)
            names.append(" ".join(_spell(person, scheme)))
        return names

    def query_scheme(self, person: Person) -> str:
        if person.ukrainian:
            return self.rng.choice(
                ("russian", "ukrainian_latin", "german_duden", "mvd_french", "polish", "chat")
            )
        return self.rng.choice(QUERY_SCHEMES)

    def written(
        self, person: Person, scheme: str, keep_patronymic: bool = False
    ) -> tuple[str, bool]:
        """One spelling of the person: order, patronymic, initials and a typo vary."""
        rng = self.rng
        surname, given, patronymic = _spell(person, scheme)
        if scheme == "chat":
            surname, given, patronymic = (p.lower() for p in (surname, given, patronymic))
        if rng.random() < 0.5 and not keep_patronymic:
            patronymic = ""
        if rng.random() < 0.08 and not keep_patronymic:
            given = (
                given[:2] + "." if given[:2].lower() in ("yu", "ju", "ya", "ja") else given[0] + "."
            )
            patronymic = patronymic[:1] + "." if patronymic else ""
        elif rng.random() < 0.12:
            surname, given = self._typo(surname, given)
        style = rng.random()
        has_patronymic = len(patronymic) > 2
        if style < 0.4:
            return " ".join(p for p in (surname, given, patronymic) if p), has_patronymic
        if style < 0.7:
            rest = " ".join(p for p in (given, patronymic) if p)
            return f"{surname.upper()}, {rest}", has_patronymic
        return " ".join(p for p in (given, patronymic, surname) if p), has_patronymic

    def _typo(self, surname: str, given: str) -> tuple[str, str]:
        rng = self.rng
        if rng.random() < 0.7 and len(surname) >= 5:
            return self._edit(surname), given
        if len(given) >= 5:
            return surname, self._edit(given)
        return surname, given

    def _edit(self, word: str) -> str:
        rng = self.rng
        i = rng.randrange(1, len(word) - 1)
        letters = "aeioukrstnl" if word.isascii() else "аеиоукрстнл"
        op = rng.choice(("sub", "del", "dup", "swap"))
        if op == "sub":
            return word[:i] + rng.choice(letters) + word[i + 1 :]
        if op == "del":
            return word[:i] + word[i + 1 :]
        if op == "dup":
            return word[:i] + word[i] + word[i:]
        return word[: i - 1] + word[i] + word[i - 1] + word[i + 1 :]

    def query_birth(self, person: Person) -> str | None:
        if person.birth is None:
            return None
        y, m, d = person.birth
        roll = self.rng.random()
        if roll < 0.2:
            return None
        if roll < 0.3:
            return f"{y:04d}"
        if roll < 0.4 and d <= 12 and d != m and not person.year_only:
            return f"{y:04d}-{d:02d}-{m:02d}"
        return person.birth_text()

    def namesake(self, person: Person, number: int) -> tuple[Person, str]:
        """Someone else with the listed person's surname and first name."""
        rng = self.rng
        other = Person(
            id=f"N{number}",
            female=person.female,
            ukrainian=person.ukrainian,
            surname=person.surname,
            given=person.given,
            father=person.father,
            birth=person.birth,
        )
        if person.birth is not None and rng.random() < 0.6:
            y, _, d = person.birth
            other.birth = (y + rng.choice((-1, 1)) * rng.randint(1, 15), rng.randint(1, 12), d)
            return other, "namesake_year"
        other.father = rng.choice([f for f in range(len(MALE)) if f != person.father])
        return other, "namesake_patronymic"


def generate(seed: int, list_size: int, n_queries: int) -> tuple[list[Person], list[Query]]:
    """A list and its labelled queries: 60% positives, 40% namesakes not on the list."""
    gen = Generator(seed)
    persons = [gen.person(i) for i in range(list_size)]
    for person in persons:
        person.names = gen.list_names(person)
    queries: list[Query] = []
    for number in range(n_queries):
        person = gen.rng.choice(persons)
        scheme = gen.query_scheme(person)
        if gen.rng.random() < 0.6:
            truth, kind, birth = person, "positive", gen.query_birth(person)
            name, has_patronymic = gen.written(person, scheme)
        else:
            truth, kind = gen.namesake(person, number)
            # A namesake is told apart by the evidence that differs, so that evidence is given.
            name, has_patronymic = gen.written(
                truth, scheme, keep_patronymic=kind == "namesake_patronymic"
            )
            birth = truth.birth_text() if kind == "namesake_year" else gen.query_birth(truth)
        queries.append(
            Query(
                id=f"Q{number}",
                names=[name],
                birth=birth,
                scheme=scheme,
                target=person.id if kind == "positive" else None,
                kind=kind,
                truth=truth,
                has_patronymic=has_patronymic,
            )
        )
    return persons, queries
