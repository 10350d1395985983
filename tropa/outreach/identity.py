"""Finding a person's identity in a letter, and masking it.

A letter composed "with identity" (or typed with the legal name) names the person: it is
identity, sealed apart from the letter everyone in outreach may read (``Request``'s
``identity_sealed``), and what those readers get is the same letter with every trace of the
identity replaced by ``MASK``. The patterns are built from the sealed identity itself, so
they are made in memory when a letter is recorded and never stored.

Matching is deliberately broad, since over-masking costs a word and under-masking costs a
name: names match case-insensitively with any ending (Russian declines them: Канарейкина,
Алексея), document and phone numbers whatever their separators, the birth date in the
forms letters use.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date
from typing import Any

MASK = "•••"
_NAME_FIELDS = (
    "surname",
    "given_name",
    "patronymic",
    "surname_latin",
    "given_name_latin",
    "birthplace",
)
_SEPARATORS = r"[\s\-./№#]*"


def _words(values: Iterable[Any]) -> set[str]:
    return {w for v in values if isinstance(v, str) for w in re.findall(r"\w+", v) if len(w) >= 3}


def _name_pattern(word: str) -> str:
    # A stem (the word without its last letter when long enough) and any ending.
    stem = word[:-1] if len(word) >= 5 else word
    return rf"(?<!\w){re.escape(stem)}\w*"


def _number_pattern(number: str) -> str | None:
    chars = re.sub(r"[\W_]", "", number)
    if len(chars) < 4:
        return None
    return r"(?<!\w)" + _SEPARATORS.join(re.escape(c) for c in chars) + r"(?!\w)"


def _date_patterns(value: Any) -> list[str]:
    if isinstance(value, str):
        try:
            value = date.fromisoformat(value)
        except ValueError:
            return []
    if not isinstance(value, date):
        return []
    d, m, y = value.day, value.month, value.year
    return [
        rf"(?<!\d)0?{d}[./\-]0?{m}[./\-]{y}(?!\d)",
        rf"(?<!\d){y}-{m:02d}-{d:02d}(?!\d)",
    ]


def pattern_of(identity: dict[str, Any] | None) -> re.Pattern[str] | None:
    """One pattern matching any trace of ``identity`` in a text, or None if it has none."""
    if not identity:
        return None
    words = _words(identity.get(k) for k in _NAME_FIELDS)
    words |= _words(identity.get("other_spellings") or [])
    parts = [_name_pattern(w) for w in sorted(words, key=len, reverse=True)]
    numbers = [d.get("number", "") for d in identity.get("documents") or [] if d.get("number")]
    numbers.append(identity.get("phone") or "")
    parts += [p for n in numbers if (p := _number_pattern(str(n)))]
    handles = [m.get("handle", "") for m in identity.get("messengers") or []]
    parts += [re.escape(h) for h in handles if isinstance(h, str) and len(h) >= 3]
    parts += _date_patterns(identity.get("birth_date"))
    if not parts:
        return None
    return re.compile("|".join(parts), re.IGNORECASE)


def mask(text: str, pattern: re.Pattern[str] | None) -> tuple[str, bool]:
    """``text`` with every match of ``pattern`` masked, and whether there was any."""
    if pattern is None or not text:
        return text, False
    masked, count = pattern.subn(MASK, text)
    return masked, count > 0


def mask_letter(
    subject: str, body: str, pattern: re.Pattern[str] | None
) -> tuple[dict[str, str], bool]:
    """The letter as readers without the identity get it, and whether it named the person."""
    masked_subject, in_subject = mask(subject, pattern)
    masked_body, in_body = mask(body, pattern)
    return {"subject": masked_subject, "body": masked_body}, in_subject or in_body
