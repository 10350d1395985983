"""The person records that are screened: names split into tokens, birth dates, extra evidence."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from functools import lru_cache

from tropa.lib.screening.forms import is_given_name_key, is_patronymic_key, name_symbols
from tropa.lib.screening.keys import token_readings
from tropa.lib.screening.scripts import (
    fix_homoglyphs,
    from_keyboard_layout,
    is_title,
    split_joined,
    strip_stress,
    to_known_script,
)

# A word, optionally followed by a dot (which marks an initial). Apostrophes inside a word are
# soft/hard signs (Solov'yov, В'ячеслав) and stay part of it; hyphens split double names.
_WORD = re.compile(r"[^\W\d_]+(?:['’ʹʼ][^\W\d_]+)*\.?")
_DATE = re.compile(r"^(\d{4})(?:-(\d{2}))?(?:-(\d{2}))?")


class Role(StrEnum):
    FAMILY = "family"
    GIVEN = "given"
    PATRONYMIC = "patronymic"
    UNKNOWN = "unknown"


# Tokens are made once per distinct word (`make_token` caches them), so identity is equality
# and hashing by identity keeps the comparison cache cheap.
@dataclass(frozen=True, slots=True, eq=False)
class Token:
    """One word of a name with its phonetic key per reading (see `keys`)."""

    text: str
    readings: tuple[tuple[str, str], ...]
    initial: bool
    keys: frozenset[str]
    role: Role  # by its form: a patronymic ending (-ович, -witsch), a known first name, or UNKNOWN

    @property
    def symbols(self) -> frozenset[str]:
        return frozenset() if self.initial else name_symbols(self.text.lower())


@dataclass(frozen=True, slots=True)
class PersonName:
    text: str
    tokens: tuple[Token, ...]
    roles: tuple[Role, ...]
    # Typed with the keyboard in the Latin layout (Bdfyjd): `tokens` are the Cyrillic words.
    layout: bool = False


@dataclass(frozen=True, slots=True)
class BirthDate:
    year: int
    month: int | None
    day: int | None

    def __str__(self) -> str:
        parts = [f"{self.year:04d}"]
        if self.month is not None:
            parts.append(f"{self.month:02d}")
            if self.day is not None:
                parts.append(f"{self.day:02d}")
        return "-".join(parts)


@dataclass(frozen=True, slots=True)
class Person:
    """A list entry or a query: an id, name spellings, birth dates and extra evidence.

    `extras` holds free-text evidence such as "position" or "unit" values.
    """

    id: str
    names: tuple[PersonName, ...]
    birth_dates: tuple[BirthDate, ...] = ()
    extras: Mapping[str, tuple[str, ...]] = field(default_factory=dict)


@lru_cache(maxsize=1_000_000)
def make_token(word: str) -> Token:
    bare = word.rstrip(".")
    initial = len(bare) == 1 or (word.endswith(".") and len(bare) <= 2)
    readings = token_readings(bare)
    keys = frozenset(readings.values())
    return Token(
        text=bare,
        readings=tuple(readings.items()),
        initial=initial,
        keys=keys,
        role=_role_by_form(keys) if not initial else Role.UNKNOWN,
    )


def _role_by_form(keys: frozenset[str]) -> Role:
    if any(is_patronymic_key(k) for k in keys):
        return Role.PATRONYMIC
    if any(is_given_name_key(k) for k in keys):
        return Role.GIVEN
    return Role.UNKNOWN


def tokenize(text: str) -> tuple[Token, ...]:
    """The words of a name as lists write them: stress marks dropped, joined names split,
    look-alike letters of another script repaired, other scripts in Latin, titles left out.
    """
    # Composed form first: a decomposed č (c + combining caron) would split the word.
    text = split_joined(strip_stress(unicodedata.normalize("NFC", text)))
    words = [to_known_script(fix_homoglyphs(w)) for w in _WORD.findall(text)]
    named = [w for w in words if not is_title(w)]
    return tuple(map(make_token, named if len(named) >= 2 else words))


def _layout_slip(text: str, tokens: tuple[Token, ...]) -> tuple[Token, ...] | None:
    """The Cyrillic words of a Latin name typed in the wrong keyboard layout, if that is what
    it is: no word is a known name part as typed, and one is once read as Cyrillic.
    The layout puts letters on [ ] ; ' , . ` too (Hs;jd is Рыжов), so the raw text is read."""
    if len(text.split()) < 2 or any(t.role is not Role.UNKNOWN for t in tokens):
        return None
    words = [from_keyboard_layout(w) for w in text.split()]
    if any(w is None for w in words):
        return None
    converted = tuple(make_token(w) for w in words if w)
    if any(t.role is not Role.UNKNOWN for t in converted) and all(t.readings for t in converted):
        return converted
    return None


def parse_name(text: str, role_hints: Mapping[str, Role] | None = None) -> PersonName | None:
    """Split a full name into tokens; roles come from hints (by token text) or the word ending."""
    tokens = tuple([t for t in tokenize(text) if t.readings])
    if not tokens:
        return None
    slip = _layout_slip(text, tokens) if text.isascii() else None
    if slip is not None:
        return PersonName(
            text=text.strip(), tokens=slip, roles=tuple(t.role for t in slip), layout=True
        )
    if role_hints:
        roles = tuple([role_hints.get(t.text.lower(), t.role) for t in tokens])
    else:
        roles = tuple([t.role for t in tokens])
    return PersonName(text=text.strip(), tokens=tokens, roles=roles)


def parse_birth_date(text: str) -> BirthDate | None:
    """ISO dates and their prefixes, as FollowTheMoney writes them: 1980, 1980-05, 1980-05-03."""
    found = _DATE.match(text.strip())
    if found is None:
        return None
    year, month, day = (int(g) if g else None for g in found.groups())
    if year is None or (month is not None and not 1 <= month <= 12):
        return None
    if day is not None and not 1 <= day <= 31:
        day = None
    return BirthDate(year=year, month=month, day=day if month is not None else None)


def make_person(
    id: str,
    names: Iterable[str],
    birth_dates: Iterable[str] = (),
    extras: Mapping[str, Iterable[str]] | None = None,
    *,
    given: Iterable[str] = (),
    patronymic: Iterable[str] = (),
    family: Iterable[str] = (),
) -> Person:
    """Build a screenable person from plain strings.

    `given`, `patronymic` and `family` are name parts known by their role (FtM firstName,
    fatherName, lastName); they also form one more full name when present.
    """
    hints = _role_hints(given, patronymic, family)
    texts = list(dict.fromkeys(n.strip() for n in names if n and n.strip()))
    composed = " ".join([*family, *given, *patronymic]).strip()
    if composed and composed not in texts:
        texts.append(composed)
    parsed = (parse_name(t, hints) for t in texts)
    dates = (parse_birth_date(d) for d in birth_dates if d)
    return Person(
        id=id,
        names=tuple(n for n in parsed if n is not None),
        birth_dates=tuple(dict.fromkeys(d for d in dates if d is not None)),
        extras={k: tuple(v for v in vs if v) for k, vs in (extras or {}).items()},
    )


def _role_hints(
    given: Iterable[str], patronymic: Iterable[str], family: Iterable[str]
) -> dict[str, Role]:
    hints: dict[str, Role] = {}
    for values, role in ((family, Role.FAMILY), (given, Role.GIVEN), (patronymic, Role.PATRONYMIC)):
        for value in values:
            for token in tokenize(value):
                hints[token.text.lower()] = role
    return hints
