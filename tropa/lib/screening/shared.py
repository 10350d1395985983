"""The candidate index of one list version as a file that every process maps (``mmap``).

`ScreeningIndex` keeps persons and their keys in Python objects: at a million persons that is
gigabytes per process. `build_shared` writes the same structure once, as sorted arrays, and
`SharedIndex` answers `candidates` from the mapped file, so that every process shares one copy
in the page cache and nothing is built per process or per request. The candidates found are
exactly those `ScreeningIndex` finds; only they are loaded (by a callback) and scored.

What the file holds:

- a table from hashed strings (a phonetic key, each of its one-letter deletions, a form group,
  a Wikidata name symbol) to key numbers. With ``key`` the hashes are keyed (BLAKE2b MAC): an
  organization list's file then names no word, and a guessed name cannot be tested against it
  without the key. Without a key (a published list, public data) they are plain BLAKE2b;
- pairs of key numbers, and a key number with a hashed initial letter, to person numbers;
- which key numbers end like a patronymic; each person's id; and, only for a file built with
  ``years=True`` (published lists), each person's first and last birth year, to drop birth
  years far apart before anything is loaded.
"""

from __future__ import annotations

import hashlib
import json
import mmap
import os
from array import array
from collections.abc import Callable, Iterable, Sequence
from itertools import combinations
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from tropa.lib.screening.forms import form_group, is_patronymic_key, prefetch_symbols
from tropa.lib.screening.index import _MAX_WORDS, _deletions, _is_common, _pair, _years_conflict
from tropa.lib.screening.model import Person, Role, Token
from tropa.lib.screening.score import (
    REVIEW_THRESHOLD,
    YEAR_CONFLICT_CEILING,
    MatchResult,
    compare,
    token_initials,
)

MAGIC = b"TROPAIX1"
_U64 = np.dtype("<u8")
_U32 = np.dtype("<u4")
_I16 = np.dtype("<i2")
_U8 = np.dtype("u1")

Loader = Callable[[Sequence[str]], Iterable[Person]]


class _Hasher:
    def __init__(self, key: bytes) -> None:
        self.key = key
        self._letters: dict[str, int] = {}

    def term(self, kind: bytes, text: str) -> int:
        digest = hashlib.blake2b(kind + b"\0" + text.encode(), digest_size=8, key=self.key)
        return int.from_bytes(digest.digest(), "little")

    def letter(self, letter: str) -> int:
        """An initial letter as 16 bits of its hash: a collision only adds candidates."""
        code = self._letters.get(letter)
        if code is None:
            code = self._letters[letter] = self.term(b"l", letter) & 0xFFFF
        return code


def _initial_code(key_id: int, letter_code: int) -> int:
    return (key_id << 16) | letter_code


class _Builder:
    """`ScreeningIndex.add` with arrays: the same keys, pairs and initials, written once."""

    def __init__(self, key: bytes, years: bool) -> None:
        self.hasher = _Hasher(key)
        self.with_years = years
        self.key_ids: dict[str, int] = {}
        self.filed: dict[Token, tuple[int, ...]] = {}
        self.patronymic = bytearray()
        self.k_terms, self.k_values = array("Q"), array("I")
        self.p_terms, self.p_values = array("Q"), array("I")
        self.i_terms, self.i_values = array("Q"), array("I")
        self.ids: list[bytes] = []
        self.years = array("h")

    def add(self, person: Person) -> None:
        number = len(self.ids)
        self.ids.append(person.id.encode())
        if self.with_years:
            found = [d.year for d in person.birth_dates]
            self.years.extend((min(found), max(found)) if found else (0, 0))
        pairs: set[int] = set()
        initials: set[int] = set()
        for name in person.names:
            tokens = name.tokens[:_MAX_WORDS]
            words = [t for t in tokens if not t.initial]
            filed = [self._file_token(t) for t in words]
            for left, right in combinations(filed, 2):
                pairs.update(_pair(a, b) for a in left for b in right if a != b)
            for token, ids in zip(words, filed, strict=True):
                letters = {x for t in tokens if t is not token for x in token_initials(t)}
                codes = [self.hasher.letter(x) for x in letters]
                initials.update(_initial_code(a, c) for a in ids for c in codes)
        for code in sorted(pairs):
            self.p_terms.append(code)
            self.p_values.append(number)
        for code in sorted(initials):
            self.i_terms.append(code)
            self.i_values.append(number)

    def _file_token(self, token: Token) -> tuple[int, ...]:
        ids = self.filed.get(token)
        if ids is None:
            ids = tuple(self._key_id(key) for key in token.keys)
            for symbol in token.symbols:
                term = self.hasher.term(b"s", symbol)
                for number in ids:
                    self._key_term(term, number)
            self.filed[token] = ids
        return ids

    def _key_term(self, term: int, number: int) -> None:
        self.k_terms.append(term)
        self.k_values.append(number)

    def _key_id(self, key: str) -> int:
        found = self.key_ids.get(key)
        if found is not None:
            return found
        number = self.key_ids[key] = len(self.key_ids)
        self.patronymic.append(1 if is_patronymic_key(key) else 0)
        self._key_term(self.hasher.term(b"e", key), number)
        for variant in _deletions(key) | {key}:
            self._key_term(self.hasher.term(b"n", variant), number)
        group = form_group(key)
        if group is not None:
            self._key_term(self.hasher.term(b"g", str(group)), number)
        return number


def _table(terms: array[int], values: array[int]) -> list[npt.NDArray[Any]]:
    """Sorted unique terms, offsets into the values, the values (ascending per term)."""
    t = np.frombuffer(terms, dtype=_U64) if len(terms) else np.zeros(0, _U64)
    v = np.frombuffer(values, dtype=_U32) if len(values) else np.zeros(0, _U32)
    order = np.lexsort((v, t))
    t, v = t[order], v[order]
    if len(t):
        keep = np.ones(len(t), dtype=bool)
        keep[1:] = (t[1:] != t[:-1]) | (v[1:] != v[:-1])
        t, v = t[keep], v[keep]
    unique, starts = np.unique(t, return_index=True)
    offsets = np.append(starts, len(t)).astype(_U64)
    return [unique.astype(_U64), offsets, v.astype(_U32)]


_ARRAYS = (
    "k_terms",
    "k_offsets",
    "k_values",
    "p_terms",
    "p_offsets",
    "p_values",
    "i_terms",
    "i_offsets",
    "i_values",
    "patronymic",
    "id_offsets",
    "id_blob",
    "years",
)


def build_shared(
    persons: Iterable[Person], path: str | Path, *, key: bytes = b"", years: bool = False
) -> int:
    """Write the index of ``persons`` to ``path`` (atomically: a temporary file, then rename).

    Returns the number of persons. ``key``: keyed hashes (an organization's list); ``years``:
    store birth years (published lists only).
    """
    builder = _Builder(key, years)
    for person in persons:
        builder.add(person)
    lengths = np.array([len(i) for i in builder.ids], dtype=_U64)
    arrays = dict(
        zip(
            _ARRAYS,
            [
                *_table(builder.k_terms, builder.k_values),
                *_table(builder.p_terms, builder.p_values),
                *_table(builder.i_terms, builder.i_values),
                np.frombuffer(bytes(builder.patronymic), dtype=_U8),
                np.concatenate([[0], np.cumsum(lengths)]).astype(_U64),
                np.frombuffer(b"".join(builder.ids), dtype=_U8),
                np.frombuffer(builder.years, dtype=_I16)
                if len(builder.years)
                else np.zeros(0, _I16),
            ],
            strict=True,
        )
    )
    _write(Path(path), arrays, persons=len(builder.ids), keyed=bool(key), years=years)
    return len(builder.ids)


def _write(path: Path, arrays: dict[str, npt.NDArray[Any]], **meta: Any) -> None:
    layout: dict[str, list[Any]] = {}
    offset = 0
    for name, values in arrays.items():
        layout[name] = [offset, len(values), values.dtype.str]
        offset += (values.nbytes + 7) // 8 * 8
    header = json.dumps({"layout": layout, **meta}).encode()
    start = (len(MAGIC) + 4 + len(header) + 7) // 8 * 8
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    with temporary.open("wb") as handle:
        handle.write(MAGIC + len(header).to_bytes(4, "little") + header)
        handle.write(b"\0" * (start - handle.tell()))
        for values in arrays.values():
            data = values.tobytes()
            handle.write(data + b"\0" * ((-len(data)) % 8))
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(temporary, path)


class SharedIndex:
    """A mapped index file: `screen` finds candidates here and scores the few it loads."""

    def __init__(self, path: str | Path, *, key: bytes = b"", loader: Loader) -> None:
        with open(path, "rb") as handle:
            size = os.fstat(handle.fileno()).st_size
            self._map = mmap.mmap(handle.fileno(), size, access=mmap.ACCESS_READ) if size else None
        data = self._map if self._map is not None else b""
        if data[: len(MAGIC)] != MAGIC:
            raise ValueError(f"{path}: not a Tropa screening index")
        length = int.from_bytes(data[len(MAGIC) : len(MAGIC) + 4], "little")
        meta = json.loads(data[len(MAGIC) + 4 : len(MAGIC) + 4 + length])
        start = (len(MAGIC) + 4 + length + 7) // 8 * 8
        self.persons: int = meta["persons"]
        self.keyed: bool = meta["keyed"]
        self._a = {
            name: np.frombuffer(data, dtype=np.dtype(dtype), count=count, offset=start + offset)
            for name, (offset, count, dtype) in meta["layout"].items()
        }
        self._with_years: bool = meta["years"]
        self._hasher = _Hasher(key)
        self._load = loader

    def __len__(self) -> int:
        return self.persons

    def _lookup(self, table: str, terms: Iterable[int]) -> npt.NDArray[Any]:
        """Every value filed under any of ``terms`` in table k, p or i."""
        wanted = np.fromiter(terms, dtype=_U64)
        keys, offsets, values = (self._a[f"{table}_{x}"] for x in ("terms", "offsets", "values"))
        if not len(wanted) or not len(keys):
            return np.zeros(0, _U32)
        at = np.searchsorted(keys, wanted)
        inside = at < len(keys)
        at = at[inside][keys[at[inside]] == wanted[inside]]
        if not len(at):
            return np.zeros(0, _U32)
        return np.concatenate([values[offsets[i] : offsets[i + 1]] for i in np.unique(at)])

    def _terms(self, kind: bytes, texts: Iterable[str]) -> list[int]:
        return sorted({self._hasher.term(kind, t) for t in texts})

    def _reach(self, token: Token) -> set[int]:
        """`ScreeningIndex._reach` on the file: key numbers a query word could stand for."""
        ids: set[int] = set()
        patronymic = self._a["patronymic"]
        for key in token.keys:
            near = self._lookup("k", self._terms(b"n", _deletions(key) | {key}))
            if token.role is not Role.PATRONYMIC and len(near):
                near = near[patronymic[near] == 0]
            ids.update(near.tolist())
            ids.update(self._lookup("k", self._terms(b"e", [key])).tolist())
            group = form_group(key)
            if group is not None:
                ids.update(self._lookup("k", self._terms(b"g", [str(group)])).tolist())
        if token.symbols:
            ids.update(self._lookup("k", self._terms(b"s", token.symbols)).tolist())
        return ids

    def candidates(self, query: Person) -> set[int]:
        """`ScreeningIndex.candidates`: person numbers sharing two words, or a word and initials."""
        prefetch_symbols(t.text.lower() for n in query.names for t in n.tokens if not t.initial)
        found: set[int] = set()
        for name in query.names:
            words = [t for t in name.tokens[:_MAX_WORDS] if not t.initial]
            reached = [self._reach(t) for t in words]
            rare = {i for i, t in enumerate(words) if not _is_common(t)}
            codes: set[int] = set()
            for i, j in combinations(range(len(words)), 2):
                if rare and not rare & {i, j}:
                    continue
                codes.update(_pair(a, b) for a in reached[i] for b in reached[j] if a != b)
            found.update(self._lookup("p", sorted(codes)).tolist())
            if len(words) == 1:
                found.update(self._by_initials(reached[0], name.tokens))
        return found

    def _by_initials(self, key_ids: set[int], tokens: tuple[Token, ...]) -> set[int]:
        found: set[int] | None = None
        for token in tokens:
            if not token.initial:
                continue
            codes = [self._hasher.letter(x) for x in token_initials(token)]
            terms = sorted({_initial_code(a, c) for a in key_ids for c in codes})
            have = set(self._lookup("i", terms).tolist())
            found = have if found is None else found & have
        return found or set()

    def person_id(self, number: int) -> str:
        offsets = self._a["id_offsets"]
        return bytes(self._a["id_blob"][offsets[number] : offsets[number + 1]]).decode()

    def _far_years(self, years: set[int], number: int) -> bool:
        """Birth years all more than one apart, judged from the first and last year alone."""
        low, high = (int(x) for x in self._a["years"][2 * number : 2 * number + 2])
        return bool(low) and all(y < low - 1 or y > high + 1 for y in years)

    def screen(
        self, query: Person, *, threshold: float = REVIEW_THRESHOLD, limit: int = 20
    ) -> list[MatchResult]:
        """`ScreeningIndex.screen`: candidates scoring at least ``threshold``, best first."""
        years = {d.year for d in query.birth_dates} if threshold > YEAR_CONFLICT_CEILING else set()
        numbers = sorted(self.candidates(query))
        if years and self._with_years:
            numbers = [n for n in numbers if not self._far_years(years, n)]
        ids = [self.person_id(n) for n in numbers]
        persons = [p for p in self._load([i for i in ids if i != query.id]) if p.id != query.id]
        prefetch_symbols(t.text.lower() for p in persons for n in p.names for t in n.tokens)
        results = []
        for person in persons:
            if _years_conflict(years, person):
                continue
            result = compare(query, person)
            if result.score >= threshold:
                results.append(result)
        results.sort(key=lambda r: (-r.score, r.candidate_id))
        return results[:limit]
