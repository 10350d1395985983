"""Words as real lists write them, brought to the form the keys expect.

Real lists carry stress marks (Влади́мир, from Wikidata), Latin look-alike letters inside
Cyrillic words and the reverse (ПУТИH with a Latin H), names glued together (VladimirPutin),
titles (Mr., Presidente), names in other scripts (Georgian, Armenian, Kazakh Cyrillic) and names
typed with the keyboard in the wrong layout (Bdfyjd for Иванов). Each function here repairs one
of these before a word is read.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

# Stress marks: the combining acute and grave accents. Other combining marks stay, so that
# й (и + breve) and ё (е + diaeresis) are composed again.
_STRESS = frozenset("\u0301\u0300")

# Latin letters that look exactly like Cyrillic ones, both cases.
_LATIN_TO_CYRILLIC = dict(zip("ABCEHKMOPTXYaceopxy", "АВСЕНКМОРТХУасеорху", strict=True))
_CYRILLIC_TO_LATIN = {c: latin for latin, c in _LATIN_TO_CYRILLIC.items()}

# Kazakh (and Tatar, Bashkir) Cyrillic letters Russian does not have, as a Russian list would
# write them.
_KAZAKH = dict(zip("ӘәҒғҚқҢңӨөҰұҮүҺһ", "АаГгКкНнОоУуУуХх", strict=True))

# Titles and honorifics that are not part of a name.
TITLES = frozenset(
    """
    mr mrs ms miss mx dr prof sir dame lord lady hon rev sheikh shaikh sheik haji hajji
    president presidente président präsident prime minister general gen col colonel maj major
    capt captain lt lieutenant sgt herr frau mme mlle monsieur madame señor senor señora senora
    sr sra don doña dona dott ing
    господин госпожа г-н г-жа генерал полковник майор капитан лейтенант президент
    """.split()
)

# The Russian ЙЦУКЕН layout on a QWERTY keyboard: what a Latin key produces in Cyrillic.
_LAYOUT = dict(
    zip(
        "qwertyuiop[]asdfghjkl;'zxcvbnm,.`",
        "йцукенгшщзхъфывапролджэячсмитьбюё",
        strict=True,
    )
)

_CAMEL = re.compile(r"(?<=[a-zа-яё]{3})(?=[A-ZА-ЯЁ][a-zа-яё]{2})")


def strip_stress(text: str) -> str:
    """Влади́мир → Владимир; й and ё stay as they are."""
    decomposed = unicodedata.normalize("NFD", text)
    return unicodedata.normalize("NFC", "".join(ch for ch in decomposed if ch not in _STRESS))


def split_joined(text: str) -> str:
    """VladimirPutin → Vladimir Putin: a lower-case letter followed by a capitalised word."""
    return _CAMEL.sub(" ", text)


def is_title(word: str) -> bool:
    return word.rstrip(".").casefold() in TITLES


def _script(ch: str) -> str:
    if "\u0400" <= ch <= "\u04ff":
        return "cyrillic"
    if ch.isascii() and ch.isalpha():
        return "latin"
    return "other"


def fix_homoglyphs(word: str) -> str:
    """ПУТИH (Latin H) → ПУТИН; Ivanоv (Cyrillic о) → Ivanov.

    Only a word written otherwise in one script is repaired, and only when every letter of the
    other script has a look-alike: a word truly mixed (Iвaн) is left as it is.
    """
    scripts = [_script(ch) for ch in word if ch.isalpha()]
    cyrillic, latin = scripts.count("cyrillic"), scripts.count("latin")
    if not cyrillic or not latin:
        return word
    if cyrillic >= latin:
        table, foreign = _LATIN_TO_CYRILLIC, "latin"
    else:
        table, foreign = _CYRILLIC_TO_LATIN, "cyrillic"
    if any(_script(ch) == foreign and ch not in table for ch in word):
        return word
    return "".join(table.get(ch, ch) if _script(ch) == foreign else ch for ch in word)


@lru_cache(maxsize=100_000)
def to_known_script(word: str) -> str:
    """Kazakh letters as Russian writes them; Georgian, Armenian and others in Latin (ICU).

    A word already in Latin (with or without diacritics) or Cyrillic is left to the keys.
    """
    if any(ch in _KAZAKH for ch in word):
        word = "".join(_KAZAKH.get(ch, ch) for ch in word)
    if not any(_foreign_letter(ch) for ch in word):
        return word
    from normality import ascii_text  # ICU's Any-Latin; loaded only for other scripts

    latin = "".join(str(ascii_text(word) or "").split())
    return latin if latin.isascii() and latin.replace("'", "").isalpha() else word


def _foreign_letter(ch: str) -> bool:
    """A letter of neither Latin nor Cyrillic; modifier letters (ʹ, the soft sign) are not."""
    if _script(ch) != "other" or not ch.isalpha() or unicodedata.category(ch) == "Lm":
        return False
    return "LATIN" not in unicodedata.name(ch, "")


def from_keyboard_layout(word: str) -> str | None:
    """Bdfyjd → Иванов: the Cyrillic word typed with the keyboard left in the Latin layout."""
    lowered = word.lower()
    if not all(ch in _LAYOUT for ch in lowered):
        return None
    cyrillic = "".join(_LAYOUT[ch] for ch in lowered)
    return cyrillic[:1].upper() + cyrillic[1:]
