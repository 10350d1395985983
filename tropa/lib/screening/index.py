"""In-memory candidate index: find the few list entries worth scoring for a query.

Nothing here is written to disk. Each distinct phonetic key gets a number; a person is filed
under every pair of keys of two words of one of his names (a surname with a first name is rare,
a surname alone is not), and under each key with the first letter of every other word, for
queries that carry initials. A query with a single word and no initials finds nothing: it could
never be a match.
A query word reaches list keys in four ways: the same key, a key one edit away (deletion
neighbourhoods, as in SymSpell), a Russian/Ukrainian form of the same name, or a shared Wikidata
name symbol. Candidates whose birth years all differ from the query's cannot reach the review
threshold and are dropped before scoring.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from itertools import combinations

from tropa.lib.screening.forms import form_group, is_patronymic_key
from tropa.lib.screening.model import Person, Role, Token
from tropa.lib.screening.score import (
    REVIEW_THRESHOLD,
    YEAR_CONFLICT_CEILING,
    MatchResult,
    compare,
    token_initials,
)

# Keys shorter than this get no typo tolerance: "ivan"→"iva" would reach too many names.
_MIN_TYPO_KEY = 4
# Words per name that are indexed: more is a list of aliases glued together.
_MAX_WORDS = 5


def _deletions(key: str) -> set[str]:
    if len(key) < _MIN_TYPO_KEY:
        return set()
    return {key[:i] + key[i + 1 :] for i in range(len(key))}


class ScreeningIndex:
    """Persons from one or more lists, ready to be screened against."""

    def __init__(self) -> None:
        self.persons: list[Person] = []
        self._key_ids: dict[str, int] = {}
        self._near: defaultdict[str, set[int]] = defaultdict(set)
        self._groups: defaultdict[int, set[int]] = defaultdict(set)
        self._symbols: defaultdict[str, set[int]] = defaultdict(set)
        self._pairs: defaultdict[int, list[int]] = defaultdict(list)
        self._initials: defaultdict[int, list[int]] = defaultdict(list)
        self._filed: dict[Token, tuple[int, ...]] = {}
        self._patronymics: set[int] = set()  # ids of keys that end like a patronymic

    @classmethod
    def build(cls, persons: Iterable[Person]) -> ScreeningIndex:
        index = cls()
        for person in persons:
            index.add(person)
        return index

    def __len__(self) -> int:
        return len(self.persons)

    def add(self, person: Person) -> None:
        number = len(self.persons)
        self.persons.append(person)
        pairs: set[int] = set()
        initials: set[int] = set()
        for name in person.names:
            tokens = name.tokens[:_MAX_WORDS]
            words = [self._file_token(t) for t in tokens if not t.initial]
            for left, right in combinations(words, 2):
                pairs.update(_pair(a, b) for a in left for b in right if a != b)
            for token, ids in zip([t for t in tokens if not t.initial], words, strict=True):
                letters = {x for t in tokens if t is not token for x in token_initials(t)}
                initials.update(_with_initial(a, letter) for a in ids for letter in letters)
        for code in pairs:
            self._pairs[code].append(number)
        for code in initials:
            self._initials[code].append(number)

    def _file_token(self, token: Token) -> tuple[int, ...]:
        ids = self._filed.get(token)
        if ids is None:
            ids = tuple(self._key_id(key) for key in token.keys)
            for symbol in token.symbols:
                self._symbols[symbol].update(ids)
            self._filed[token] = ids
        return ids

    def _key_id(self, key: str) -> int:
        found = self._key_ids.get(key)
        if found is not None:
            return found
        number = len(self._key_ids)
        self._key_ids[key] = number
        if is_patronymic_key(key):
            self._patronymics.add(number)
        self._near[key].add(number)
        for variant in _deletions(key):
            self._near[variant].add(number)
        group = form_group(key)
        if group is not None:
            self._groups[group].add(number)
        return number

    def _reach(self, token: Token) -> set[int]:
        """Ids of the list keys a query word could stand for.

        A surname one letter away from a patronymic (Nikolaeva, Nikolaevna) is not taken for a
        typo of it: that would pull in every Nikolaevna on the list.
        """
        ids: set[int] = set()
        for key in token.keys:
            near = set().union(*(self._near.get(v, ()) for v in _deletions(key) | {key}))
            ids.update(near if token.role is Role.PATRONYMIC else near - self._patronymics)
            if key in self._key_ids:
                ids.add(self._key_ids[key])
            group = form_group(key)
            if group is not None:
                ids.update(self._groups.get(group, ()))
        for symbol in token.symbols:
            ids.update(self._symbols.get(symbol, ()))
        return ids

    def candidates(self, query: Person) -> set[int]:
        """Positions in `persons` of everyone sharing two words of a name, or a word and an initial.

        A first name with a patronymic (Aleksandr Sergeevich) is shared by thousands, so when
        a query name has a rarer word (the surname, as a rule) every pair must include one.
        """
        found: set[int] = set()
        for name in query.names:
            words = [t for t in name.tokens[:_MAX_WORDS] if not t.initial]
            reached = [self._reach(t) for t in words]
            rare = {i for i, t in enumerate(words) if not _is_common(t)}
            for i, j in combinations(range(len(words)), 2):
                if rare and not rare & {i, j}:
                    continue
                for a in reached[i]:
                    for b in reached[j]:
                        found.update(self._pairs.get(_pair(a, b), ()))
            if len(words) == 1:
                found.update(self._by_initials(reached[0], name.tokens))
        return found

    def _by_initials(self, key_ids: set[int], tokens: tuple[Token, ...]) -> set[int]:
        """Persons with the word and every initial (each initial may stand for any word)."""
        found: set[int] | None = None
        for token in tokens:
            if not token.initial:
                continue
            letters = token_initials(token)
            have = {
                number
                for a in key_ids
                for letter in letters
                for number in self._initials.get(_with_initial(a, letter), ())
            }
            found = have if found is None else found & have
        return found or set()

    def screen(
        self, query: Person, *, threshold: float = REVIEW_THRESHOLD, limit: int = 20
    ) -> list[MatchResult]:
        """Candidates scoring at least `threshold`, best first."""
        # Below the ceiling a namesake with another birth year could still be reported.
        years = {d.year for d in query.birth_dates} if threshold > YEAR_CONFLICT_CEILING else set()
        results = []
        for number in self.candidates(query):
            person = self.persons[number]
            if person.id == query.id or _years_conflict(years, person):
                continue
            result = compare(query, person)
            if result.score >= threshold:
                results.append(result)
        results.sort(key=lambda r: (-r.score, r.candidate_id))
        return results[:limit]


def _pair(a: int, b: int) -> int:
    return (a << 32) | b if a < b else (b << 32) | a


def _with_initial(key_id: int, letter: str) -> int:
    return (key_id << 8) | ord(letter)


def _is_common(token: Token) -> bool:
    """First names and patronymics: words that many people on a list share."""
    return token.role in (Role.PATRONYMIC, Role.GIVEN)


def _years_conflict(years: set[int], person: Person) -> bool:
    """Birth years more than one apart (one apart is a common slip, shown for review)."""
    if not years or not person.birth_dates:
        return False
    return not any(abs(y - d.year) <= 1 for y in years for d in person.birth_dates)


def find_duplicates(
    persons: Iterable[Person], *, threshold: float = REVIEW_THRESHOLD
) -> list[MatchResult]:
    """Pairs within one set of persons that may be the same man, each pair once, best first."""
    index = ScreeningIndex.build(persons)
    seen: set[tuple[str, str]] = set()
    results: list[MatchResult] = []
    for person in index.persons:
        for result in index.screen(person, threshold=threshold, limit=len(index)):
            pair = tuple(sorted((result.query_id, result.candidate_id)))
            if pair not in seen:
                seen.add((pair[0], pair[1]))
                results.append(result)
    results.sort(key=lambda r: -r.score)
    return results
