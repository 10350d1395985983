"""Finding the directory's institution that a spreadsheet's name means, across languages.

"Посольство Германии в Астане", "Deutsche Botschaft Astana" and "Embassy of Germany in
Astana" name one institution. Names are not compared as strings: each is read as a type
(embassy, consulate, UN body), a country and the city words it contains, and two names
agree when all three do. City words are compared by the name engine's phonetic keys
(``tropa.lib.screening.keys``), with a Cyrillic case ending dropped ("Астане" = "Astana",
"Ереване" = "Yerevan"). Where the type or country cannot be read, a same-script spelling
that differs only slightly ("Amnesty Intl." / "Amnesty International") is proposed.

A match is only ever a *proposal*: the preview shows it and the user confirms it, picks
another institution or creates a new one. Nothing here touches the database.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from .vocabulary import COUNTRY_WORDS, INSTITUTION_KIND_WORDS

_WORD = re.compile(r"\w+")
_VOWELS = "aeiouy"
# Similarity (0-100) from which two names of unknown type are proposed as one.
FUZZY_THRESHOLD = 90


@dataclass(frozen=True)
class Known:
    """One directory institution, as the matcher reads it."""

    code: str
    name: str
    kind: str
    country: str
    city: str


@dataclass(frozen=True)
class Reading:
    kind: str
    country: str
    cities: frozenset[str]
    folded: str


def _words(text: str) -> list[str]:
    return _WORD.findall(text.casefold().replace(".", ""))


def _kind_of(text: str) -> str:
    folded = text.casefold()
    for kind, words in INSTITUTION_KIND_WORDS:
        if any(word in folded for word in words):
            return str(kind)
    return ""


def _country_of(words: Iterable[str]) -> str:
    for word in words:
        for country, forms in COUNTRY_WORDS.items():
            if any(word == form or (len(form) >= 4 and word.startswith(form)) for form in forms):
                return country
    return ""


def _city_keys(words: Iterable[str]) -> frozenset[str]:
    from tropa.lib.screening.keys import token_keys  # the name engine loads when used

    keys: set[str] = set()
    for word in words:
        if len(word) < 4 or word.isdigit():
            continue
        for key in token_keys(word):
            stem = key.rstrip(_VOWELS)
            if len(stem) >= 3:
                keys.add(stem)
    return frozenset(keys)


def city_keys(city: str) -> frozenset[str]:
    """The keys a city name is compared by ("Астане", "Астана" and "Astana" share one)."""
    return _city_keys(_words(city))


def read_name(name: str, *, city: str = "", country: str = "", kind: str = "") -> Reading:
    words = _words(name)
    return Reading(
        kind=kind or _kind_of(name),
        country=country or _country_of(words),
        cities=_city_keys([*words, *_words(city)]),
        folded=" ".join(words),
    )


def _agrees(file: Reading, known: Reading, known_city: frozenset[str]) -> bool:
    if not (file.kind and file.kind == known.kind and file.country == known.country):
        return False
    # A directory entry with a city is only that city's; a name without one matches it
    # only when it is the single candidate (checked by the caller).
    return not known_city or bool(file.cities & known_city)


@dataclass(frozen=True)
class Directory:
    """The directory read once, for proposing matches to every name of one file."""

    entries: list[tuple[Known, Reading, frozenset[str]]]

    @classmethod
    def of(cls, known: Iterable[Known]) -> Directory:
        entries = []
        for k in known:
            reading = read_name(k.name, city=k.city, kind=k.kind, country=k.country)
            entries.append((k, reading, _city_keys(_words(k.city))))
        return cls(entries)

    def propose(self, name: str, *, city: str = "", country: str = "") -> Known | None:
        """The one institution ``name`` most likely is, or None when unsure."""
        folded = name.strip().casefold()
        for known, _reading, _city in self.entries:
            if known.name.strip().casefold() == folded:
                return known
        file = read_name(name, city=city, country=country)
        if file.kind and file.country:
            agreeing = [k for k, r, c in self.entries if _agrees(file, r, c)]
            return agreeing[0] if len(agreeing) == 1 else None
        from rapidfuzz import fuzz  # loads when used

        best = [
            known
            for known, reading, _city in self.entries
            if fuzz.token_sort_ratio(file.folded, reading.folded) >= FUZZY_THRESHOLD
        ]
        return best[0] if len(best) == 1 else None
