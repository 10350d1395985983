"""Words to search terms: stems for Russian, Ukrainian and English (E15), and spelling-proof
keys for units and places across Cyrillic and Latin.

``stems("кандидаты")`` and ``stems("кандидат")`` share ``кандидат``: the Snowball Russian
stemmer; Ukrainian words (і, ї, є, ґ) lose their inflectional ending by a short suffix
list first, and then meet Russian-like stems of the same word. A place or unit name is
reduced with the name engine's phonetic keys (``tropa.lib.screening.keys``), so that
"Угледар", "Вугледар" and "Vuhledar" meet, and a unit number is its digits
("в/ч 12345", "v/ch 12345", "military unit 12345" → ``12345``).

Imports no Django.
"""

from __future__ import annotations

import re
from functools import lru_cache

_WORDS = re.compile(r"[0-9a-zа-яёіїєґʼ'’]+", re.IGNORECASE)
_UKRAINIAN = frozenset("іїєґ")
# Ukrainian inflectional endings, longest first (nouns, adjectives, verbs in the past).
_UK_ENDINGS = tuple(
    sorted(
        (
            "ами ях ях ові еві єві ою ею єю ого ому ими іми ій ий ої ів їв ам ям ах "
            "ові ити ати али или ила ало ена ені ний на ні ну ом ем ом а я і ї у ю е є о и"
        ).split(),
        key=len,
        reverse=True,
    )
)
_UNIT_NUMBER = re.compile(r"(?<!\d)(\d{5})(?!\d)")


@lru_cache(maxsize=1)
def _stemmers() -> tuple[object, object]:
    import snowballstemmer  # loaded when search first runs, not at start-up

    return snowballstemmer.stemmer("russian"), snowballstemmer.stemmer("english")


def _ukrainian_stem(word: str) -> str:
    for ending in _UK_ENDINGS:
        if word.endswith(ending) and len(word) - len(ending) >= 3:
            return word[: -len(ending)]
    return word


@lru_cache(maxsize=200_000)
def stem(word: str) -> str:
    word = word.lower().replace("ё", "е").replace("’", "").replace("'", "").replace("ʼ", "")
    russian, english = _stemmers()
    if any(ch in _UKRAINIAN for ch in word):
        # A Ukrainian stem, written as a Russian one would be where the letters map simply.
        return _ukrainian_stem(word).replace("і", "и").replace("ї", "и").replace("є", "е")
    if any("а" <= ch <= "я" for ch in word):
        return str(russian.stemWord(word))  # type: ignore[attr-defined]  # snowball is untyped
    return str(english.stemWord(word))  # type: ignore[attr-defined]  # snowball is untyped


def words(text: str) -> list[str]:
    return [w for w in _WORDS.findall(text) if len(w) > 1]


def stems(text: str) -> set[str]:
    """The stems of every word of ``text`` (both the Russian and the Ukrainian reading of a
    word both languages spell alike)."""
    found = set()
    for word in words(text):
        found.add(stem(word))
        lowered = word.lower()
        if any("а" <= ch <= "я" for ch in lowered) and not any(ch in _UKRAINIAN for ch in lowered):
            found.add(_ukrainian_stem(lowered.replace("ё", "е")))
    return found


def unit_number(text: str) -> str:
    """The five-digit military unit number in ``text`` ("в/ч 12345"), or ""."""
    match = _UNIT_NUMBER.search(text)
    return match.group(1) if match else ""


@lru_cache(maxsize=100_000)
def name_keys(text: str) -> frozenset[str]:
    """Spelling-proof keys of each word of a name: Cyrillic and Latin forms meet."""
    from tropa.lib.screening.keys import token_keys  # the name engine loads when used

    keys: set[str] = set()
    for word in words(text):
        if word.isdigit():
            continue
        keys |= {key for key in token_keys(word.lower()) if key}
    return frozenset(keys)


def _parts(text: str) -> tuple[set[str], list[frozenset[str]]]:
    """The numbers of a name and the keys of its words of three letters or more."""
    numbers = set(re.findall(r"\d+", text))
    keyed = [name_keys(w) for w in re.findall(r"[^\W\d_]{3,}", text.lower()) if name_keys(w)]
    return numbers, keyed


def _keys_meet(a: frozenset[str], b: frozenset[str]) -> bool:
    from rapidfuzz.fuzz import ratio

    return bool(a & b) or any(ratio(x, y) >= 80 for x in a for y in b)


def same_name(a: str, b: str) -> bool:
    """Do two spellings name the same thing? Their numbers agree, and every word of the
    shorter one meets a word of the other in some reading (close keys count: Угледар,
    Вугледар and Vuhledar; Павловка and Павлівка)."""
    numbers_a, ka = _parts(a)
    numbers_b, kb = _parts(b)
    if (numbers_a or numbers_b) and not (numbers_a & numbers_b):
        return False
    if not ka or not kb:
        return bool(numbers_a & numbers_b)
    short, long_ = (ka, kb) if len(ka) <= len(kb) else (kb, ka)
    return all(any(_keys_meet(s, other) for other in long_) for s in short)


def place_key(text: str) -> str:
    """A coarse key for a settlement, for grouping: the first two letters of its first
    word's reading ("vu", "ug" differ, so groups are compared by ``same_name`` next)."""
    _, keyed = _parts(text)
    return min(keyed[0]) if keyed else ""
