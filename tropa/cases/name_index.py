"""Finding a person by a legal name without the name on disk.

When an identity is saved, each token of its names (Cyrillic and Latin, other spellings) is
reduced to its spelling-independent keys (the screening engine's: Канарейкин, Kanareikin and
Kanareykin share one), and each key to a keyed digest under the organization's key, cut to
``BITS`` bits. Cutting makes values collide on purpose: about 1 in 4,096 keys share a
value, so two rows with the same value do not say that two men share a name. A search looks
up the candidates whose rows hold a value of every word searched, opens their sealed names
in memory and keeps those whose names really match. Nothing typed is stored or logged.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from typing import Any

from tropa.crypto.fields import blind_index

NAME_FIELDS = (
    "surname",
    "given_name",
    "patronymic",
    "surname_latin",
    "given_name_latin",
    "other_spellings",
)
BITS = 12
_PURPOSE = "name-key"
_WORD = re.compile(r"[^\W\d_]+")


def _fold(text: str) -> str:
    """Case-folded, without accents (ё is е, é is e): spelling noise, not a different name."""
    decomposed = unicodedata.normalize("NFKD", text.casefold().replace("й", "\x00"))
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return plain.replace("\x00", "й")


def _keys(word: str) -> frozenset[str]:
    from tropa.lib.screening.keys import token_keys  # the name engine loads when used

    return frozenset(token_keys(word)) | {word}


def words_of(text: str) -> list[str]:
    return [w for w in _WORD.findall(_fold(text)) if len(w) >= 2]


def name_keys(identity: dict[str, Any]) -> frozenset[str]:
    """Every key of every name token of a (decrypted) identity."""
    keys: set[str] = set()
    for field in NAME_FIELDS:
        for word in words_of(str(identity.get(field) or "")):
            keys |= _keys(word)
    return frozenset(keys)


def digest(org_id: int, key: str) -> str:
    full = int(blind_index(org_id, _PURPOSE, key)[:8], 16)
    return format(full >> (32 - BITS), "x")


def digests(org_id: int, keys: Iterable[str]) -> set[str]:
    return {digest(org_id, key) for key in keys}


def query_keys(text: str) -> list[frozenset[str]]:
    """The keys of each word searched: a name matches if it has a key of every word."""
    return [_keys(word) for word in dict.fromkeys(words_of(text))]


def matches(identity: dict[str, Any], wanted: list[frozenset[str]]) -> bool:
    have = name_keys(identity)
    return bool(wanted) and all(keys & have for keys in wanted)
