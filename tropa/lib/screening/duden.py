"""German (Duden) transliteration of Russian: Щербаков → Schtscherbakow, Иванович → Iwanowitsch.

No transliteration package has it, yet German letters, courts and lists write Russian names this
way. Ukrainian names go through translitua's German table instead.
"""

from __future__ import annotations

import re

_VOWELS = "аеёиоуыэюя"
_SIBILANTS = "жчшщ"
_LETTERS = {
    "а": "a",
    "б": "b",
    "в": "w",
    "г": "g",
    "д": "d",
    "е": "e",
    "ё": "jo",
    "ж": "sch",
    "з": "s",
    "и": "i",
    "й": "i",
    "к": "k",
    "л": "l",
    "м": "m",
    "н": "n",
    "о": "o",
    "п": "p",
    "р": "r",
    "с": "s",
    "т": "t",
    "у": "u",
    "ф": "f",
    "х": "ch",
    "ц": "z",
    "ч": "tsch",
    "ш": "sch",
    "щ": "schtsch",
    "ъ": "",
    "ы": "y",
    "ь": "",
    "э": "e",
    "ю": "ju",
    "я": "ja",
}
# Word-final -ий/-ый is written -i/-y (Juri, Dmitri, Jewgeni); кс is x (Alexej, Alexander).
_ENDINGS = re.compile(r"(и|ы)й\b", re.IGNORECASE)
_KS = re.compile(r"кс", re.IGNORECASE)


def _letter(text: str, i: int) -> str:
    """One Cyrillic letter in German, looking at its neighbours where Duden does."""
    ch = text[i]
    low = ch.lower()
    before = text[i - 1].lower() if i else " "
    after = text[i + 1].lower() if i + 1 < len(text) else " "
    if low == "е" and (not before.isalpha() or before in _VOWELS + "ъь"):
        out = "je"
    elif low == "ё" and before in _SIBILANTS:
        out = "o"
    elif (low == "й" and before == "е") or (low == "ь" and after in "ио"):
        out = "j"
    elif low == "с" and before in _VOWELS and after in _VOWELS:
        out = "ss"
    else:
        out = _LETTERS.get(low, ch)
    return out.capitalize() if ch.isupper() and out else out


def to_german(text: str) -> str:
    """Russian Cyrillic text in Duden transliteration; other characters are kept."""
    text = _KS.sub(lambda m: "X" if m.group(0)[0].isupper() else "x", text)
    text = _ENDINGS.sub(lambda m: "y" if m.group(1).lower() == "ы" else "и", text)
    return "".join(_letter(text, i) for i in range(len(text)))
