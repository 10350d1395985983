"""Compare two persons: align name parts, weigh birth dates and extras, decide, explain.

Every finding carries a stable code (e.g. "transliteration", "day_month_swap",
"birth_year_conflict") and the values it was drawn from, so that a user interface can translate
the explanation; `summary` is an English rendering for the command line.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from rapidfuzz.distance import OSA

from tropa.lib.screening.forms import (
    form_group,
    initial_letters,
    is_given_name_key,
)
from tropa.lib.screening.keys import BELARUSIAN_READING, readings_giving, voiced_keys
from tropa.lib.screening.model import BirthDate, Person, PersonName, Role, Token, tokenize

MATCH_THRESHOLD = 0.80
REVIEW_THRESHOLD = 0.60
# A different birth year halves the score, so it can never exceed this.
YEAR_CONFLICT_CEILING = 0.5

# Lowest similarity at which two tokens are aligned as the same name part.
_ALIGN_MIN = 0.7
# How much a name part counts in the name score.
_WEIGHT_FULL = 1.0
_WEIGHT_PATRONYMIC = 0.6
_WEIGHT_INITIAL = 0.5
# Extra parts of a list name (a second given name, a maiden name) count a little against it.
_WEIGHT_EXTRA_CANDIDATE = 0.3
# A patronymic known on one side only is no evidence either way; knowing both is slightly better.
_ONE_SIDED_PATRONYMIC = 0.98

# The final score is 0.85 × name score + a birth-date term: names decide, a date only confirms or
# rules out. A different birth year is a namesake: the score is halved, below review.
_NAME_SHARE = 0.85
_DATE_TERMS = {
    "exact": 0.15,
    "day_month_swap": 0.12,
    "month": 0.11,
    "year": 0.10,
    "unknown": 0.08,
    "birth_year_off_by_one": 0.05,
    "date_conflict": -0.08,
    "birth_year_conflict": 0.0,
}
_DATE_RANK = list(_DATE_TERMS)
# Birth-date findings that confirm a weaker name match (initials, a typo).
_DATES_AGREE = frozenset(("exact", "day_month_swap", "month", "year"))
_EXTRA_BONUS = 0.03


@dataclass(frozen=True, slots=True)
class TokenMatch:
    score: float
    code: str
    reading: str | None = None
    # A typo that adds or drops a letter (Novichkov, Новиков): often another real surname.
    indel: bool = False


@dataclass(frozen=True, slots=True)
class PartMatch:
    query: str
    candidate: str
    role: str
    score: float
    code: str
    reading: str | None

    def as_dict(self) -> dict[str, Any]:
        return {
            "query": self.query,
            "candidate": self.candidate,
            "role": self.role,
            "code": self.code,
            "reading": self.reading,
            "score": round(self.score, 3),
        }


@dataclass(frozen=True, slots=True)
class NameComparison:
    query: str
    candidate: str
    score: float
    parts: tuple[PartMatch, ...]
    unmatched_query: tuple[str, ...]
    unmatched_candidate: tuple[str, ...]
    complete: bool
    patronymic_conflict: bool
    full_parts: int
    typos: int
    patronymic_agrees: bool
    # The words only agree when read by different conventions (Jann as Spanish, Herrmann as
    # German): no single list spelling of one man.
    readings_conflict: bool = False
    # A letter added or dropped in a surname: the patronymic does not confirm it.
    weak_typo: bool = False
    layout: bool = False

    def rank(self) -> tuple[bool, float]:
        return (self.complete and not self.patronymic_conflict, self.score)


@dataclass(frozen=True, slots=True)
class DateFinding:
    code: str
    query: str | None = None
    candidate: str | None = None


@dataclass(frozen=True, slots=True)
class ExtraFinding:
    code: str
    field: str
    query: str
    candidate: str

    def as_dict(self) -> dict[str, str]:
        return {
            "code": self.code,
            "field": self.field,
            "query": self.query,
            "candidate": self.candidate,
        }


@dataclass(frozen=True, slots=True)
class MatchResult:
    """The outcome for one query/candidate pair; `explanation()` is what a verifier reads."""

    query_id: str
    candidate_id: str
    score: float
    match: bool
    decision: str
    name: NameComparison
    birth_date: DateFinding
    extras: tuple[ExtraFinding, ...]

    def explanation(self) -> dict[str, Any]:
        return {
            "decision": self.decision,
            "name": {
                "query": self.name.query,
                "candidate": self.name.candidate,
                "score": round(self.name.score, 3),
                "parts": [p.as_dict() for p in self.name.parts],
                "unmatched_query": list(self.name.unmatched_query),
                "unmatched_candidate": list(self.name.unmatched_candidate),
            },
            "birth_date": {
                "code": self.birth_date.code,
                "query": self.birth_date.query,
                "candidate": self.birth_date.candidate,
            },
            "extras": [e.as_dict() for e in self.extras],
            "summary": summarize(self),
        }


@lru_cache(maxsize=1_000_000)
def compare_tokens(query: Token, candidate: Token) -> TokenMatch:
    """How one query word matches one list word, strongest evidence first."""
    if query.initial or candidate.initial:
        return _compare_initials(query, candidate)
    common = query.keys & candidate.keys
    if common and _voicing_agrees(query, candidate, common):
        if query.text.casefold() == candidate.text.casefold():
            return TokenMatch(1.0, "exact")
        reading = next(r for r, k in query.readings + candidate.readings if k in common)
        return TokenMatch(
            1.0,
            "transliteration",
            reading.rsplit("_", 1)[0] if reading.startswith(BELARUSIAN_READING) else reading,
        )
    if common:
        return TokenMatch(0.85, "typo")  # з for с or the reverse: Захаров, Сахаров
    groups = {form_group(k) for k in query.keys} - {None}
    if groups & {form_group(k) for k in candidate.keys}:
        return TokenMatch(0.92, "ru_uk_form")
    if _other_gender(query, candidate) or _other_first_name(query, candidate):
        return TokenMatch(0.0, "none")
    if query.symbols & candidate.symbols:
        return TokenMatch(0.9, "name_variant")
    return _compare_spelling(query, candidate)


def _voicing_agrees(query: Token, candidate: Token, common: frozenset[str]) -> bool:
    """Whether some reading that gives the common key also agrees on з and с."""
    ours = [v for k, v in voiced_keys(query.text) if k in common]
    theirs = [v for k, v in voiced_keys(candidate.text) if k in common]
    if not ours or not theirs:
        return True  # the key comes from an extra reading (Belarusian, plain) with no voicing
    return any(a is None or b is None or a == b for a in ours for b in theirs)


def _other_gender(query: Token, candidate: Token) -> bool:
    """Male and female forms of one name (Панов/Панова, Евгений/Евгения) are two people."""
    for a in query.keys:
        for b in candidate.keys:
            short, long = sorted((a, b), key=len)
            if long == short + "a" or (short.endswith("i") and long == short[:-1] + "aia"):
                return True
            if len(a) == len(b) and a[:-1] == b[:-1] and {a[-1], b[-1]} == {"i", "a"}:
                return True  # Зеленский, Зеленська
    return False


def _other_first_name(query: Token, candidate: Token) -> bool:
    """Two different known first names are not a typo of each other (Alina and Galina)."""
    return any(is_given_name_key(k) for k in query.keys) and any(
        is_given_name_key(k) for k in candidate.keys
    )


def _compare_initials(query: Token, candidate: Token) -> TokenMatch:
    if not token_initials(query) & token_initials(candidate):
        return TokenMatch(0.0, "none")
    if query.initial and candidate.initial:
        return TokenMatch(0.7, "initials")
    return TokenMatch(0.75, "initial")


def token_initials(token: Token) -> frozenset[str]:
    """The initials a word or an initial may be written with (see `forms.initial_letters`)."""
    latin = token.initial and len(token.text) == 1 and token.text.isascii()
    return initial_letters(token.keys, token.text.lower() if latin else "")


def _compare_spelling(query: Token, candidate: Token) -> TokenMatch:
    """One typo in a word of 4+ letters, two in a word of 9+ (keys, so after transliteration).

    A swap of two neighbouring letters counts as one typo (optimal string alignment distance).
    A patronymic is not a typo of a surname (Alekseeva, Alekseevna).
    """
    if (query.role is Role.PATRONYMIC) != (candidate.role is Role.PATRONYMIC):
        return TokenMatch(0.0, "none")
    best, lengths = 0.0, set()
    for q in query.keys:
        for c in candidate.keys:
            shortest = min(len(q), len(c))
            distance = OSA.distance(q, c, score_cutoff=2)
            if distance == 1 and shortest >= 4:
                best = max(best, 0.85)
                lengths.add(len(q) == len(c))
            elif distance == 2 and shortest >= 9:
                best = max(best, 0.8)
    return TokenMatch(best, "typo" if best else "none", indel=lengths == {False})


def _weight(query: Token, candidate: Token, roles: tuple[Role, Role]) -> float:
    if query.initial or candidate.initial:
        return _WEIGHT_INITIAL
    if Role.PATRONYMIC in roles:
        return _WEIGHT_PATRONYMIC
    return _WEIGHT_FULL


def _word_pairs(
    query: PersonName, candidate: PersonName
) -> list[tuple[float, int, int, TokenMatch]]:
    """Every query word against every list word that scores enough to align, best first."""
    pairs = []
    for i, q in enumerate(query.tokens):
        for j, c in enumerate(candidate.tokens):
            found = compare_tokens(q, c)
            if found.score >= _ALIGN_MIN:
                pairs.append((-found.score, i, j, found))
    pairs.sort()  # best first; (i, j) are unique, so matches themselves are never compared
    return pairs


def compare_names(query: PersonName, candidate: PersonName) -> NameComparison:
    """Align the words of two names regardless of order, then score the alignment.

    1. Score every query word against every list word and pair them greedily, best first.
    2. Sum the weighted pair scores; query words left over count fully against the name,
       list words left over a little (lists carry extra names), patronymics not at all.
    3. Patronymics left over on both sides mean two different fathers: a namesake.
    """
    used_q: set[int] = set()
    used_c: set[int] = set()
    parts: list[PartMatch] = []
    total = weight = 0.0
    full_matches = 0
    initials: list[tuple[int, bool]] = []
    aligned: list[tuple[Token, Token, TokenMatch]] = []
    for i, j, found in _align(query, candidate):
        used_q.add(i)
        used_c.add(j)
        q, c = query.tokens[i], candidate.tokens[j]
        aligned.append((q, c, found))
        roles = (query.roles[i], candidate.roles[j])
        w = _weight(q, c, roles)
        total += w * found.score
        weight += w
        full_matches += not (q.initial or c.initial)
        if q.initial:
            initials.append((i, candidate.roles[j] is Role.PATRONYMIC))
        role = next((r for r in roles if r is not Role.UNKNOWN), Role.UNKNOWN)
        parts.append(PartMatch(q.text, c.text, role.value, found.score, found.code, found.reading))
    left_q = [i for i in range(len(query.tokens)) if i not in used_q]
    left_c = [j for j in range(len(candidate.tokens)) if j not in used_c]
    pat_q = [i for i in left_q if query.roles[i] is Role.PATRONYMIC]
    pat_c = [j for j in left_c if candidate.roles[j] is Role.PATRONYMIC]
    conflict = bool(pat_q and pat_c)
    missing = [i for i in left_q if i not in pat_q]
    weight += sum(_WEIGHT_INITIAL if query.tokens[i].initial else _WEIGHT_FULL for i in missing)
    weight += _WEIGHT_EXTRA_CANDIDATE * len([j for j in left_c if j not in pat_c])
    weight += _WEIGHT_PATRONYMIC if conflict else 0.0
    score = total / weight if weight else 0.0
    if (pat_q or pat_c) and not conflict:
        score *= _ONE_SIDED_PATRONYMIC
    return NameComparison(
        query=query.text,
        candidate=candidate.text,
        score=score,
        parts=tuple(parts),
        unmatched_query=tuple(query.tokens[i].text for i in left_q),
        unmatched_candidate=tuple(candidate.tokens[j].text for j in left_c),
        complete=not missing and full_matches >= 1 and len(parts) >= 2 and _in_order(initials),
        patronymic_conflict=conflict,
        full_parts=full_matches,
        typos=sum(p.code in ("typo", "patronymic_spelling") for p in parts),
        patronymic_agrees=any(
            p.role == Role.PATRONYMIC and p.code not in _WEAK_CODES for p in parts
        ),
        readings_conflict=_readings_conflict(aligned),
        weak_typo=_weak_typo(aligned),
        layout=query.layout,
    )


_WEAK_CODES = frozenset(("typo", "initial", "initials", "patronymic_spelling"))


def _align(query: PersonName, candidate: PersonName) -> list[tuple[int, int, TokenMatch]]:
    """Greedy pairing, best first; then patronymics misspelt as surnames among the rest."""
    used_q: set[int] = set()
    used_c: set[int] = set()
    chosen = []
    for phase in (_word_pairs(query, candidate), _patronymic_spellings(query, candidate)):
        for _, i, j, found in phase:
            if i not in used_q and j not in used_c:
                used_q.add(i)
                used_c.add(j)
                chosen.append((i, j, found))
    return chosen


def _patronymic_spellings(
    query: PersonName, candidate: PersonName
) -> list[tuple[float, int, int, TokenMatch]]:
    """A patronymic written like a surname (Ivanova for Ивановна), one letter off, on one side
    and a patronymic on the other: the same part, misspelt. Only a birth date confirms it."""
    found = []
    for i, q in enumerate(query.tokens):
        for j, c in enumerate(candidate.tokens):
            if q.initial or c.initial:
                continue
            if (query.roles[i] is Role.PATRONYMIC) == (candidate.roles[j] is Role.PATRONYMIC):
                continue
            if any(
                min(len(a), len(b)) >= 5 and OSA.distance(a, b, score_cutoff=1) <= 1
                for a in q.keys
                for b in c.keys
            ):
                found.append((-0.85, i, j, TokenMatch(0.85, "patronymic_spelling")))
    return found


def _readings_conflict(aligned: list[tuple[Token, Token, TokenMatch]]) -> bool:
    """Whether one side's words agree with the other's only under different conventions.

    Patronymic endings are formulaic and chat spellings mix them (Jukov … Ilich): not counted.
    """
    for side in (0, 1):
        shared: frozenset[str] | None = None
        for pair in aligned:
            q, c, found = pair
            if found.code != "transliteration" or Role.PATRONYMIC in (q.role, c.role):
                continue
            token, other = (q, c) if side == 0 else (c, q)
            readings = _readings_for(token, token.keys & other.keys)
            if readings is None:
                continue
            shared = readings if shared is None else shared & readings
            if not shared:
                return True
    return False


def _readings_for(token: Token, keys: frozenset[str]) -> frozenset[str] | None:
    found: set[str] = set()
    for key in keys:
        readings = readings_giving(token.text, key)
        if readings is None:
            return None
        found |= readings
    return frozenset(found)


def _weak_typo(aligned: list[tuple[Token, Token, TokenMatch]]) -> bool:
    """A letter added or dropped in a surname (Novichkov for Новиков, Зубков for Зубов) makes
    another real surname as often as a typo: a patronymic, which thousands share, cannot
    confirm it; only a birth date can."""
    if not any(found.indel and Role.GIVEN not in (q.role, c.role) for q, c, found in aligned):
        return False
    return any(
        found.code not in _WEAK_CODES and (q.role is Role.PATRONYMIC or c.role is Role.PATRONYMIC)
        for q, c, found in aligned
    )


def _in_order(initials: list[tuple[int, bool]]) -> bool:
    """Initials are written first name, then patronymic: "V. O." is not Olena Valeriivna."""
    seen_patronymic = False
    for _, patronymic in sorted(initials):
        if seen_patronymic and not patronymic:
            return False
        seen_patronymic |= patronymic
    return True


def _date_code(query: BirthDate, candidate: BirthDate) -> str:
    if abs(query.year - candidate.year) == 1 and _same_day(query, candidate):
        return "birth_year_off_by_one"
    if query.year != candidate.year:
        return "birth_year_conflict"
    if query.month is None or candidate.month is None:
        return "year"
    if query.day is None or candidate.day is None:
        return "month" if query.month == candidate.month else "date_conflict"
    if (query.month, query.day) == (candidate.month, candidate.day):
        return "exact"
    if (query.month, query.day) == (candidate.day, candidate.month):
        return "day_month_swap"
    return "date_conflict"


def _same_day(query: BirthDate, candidate: BirthDate) -> bool:
    """Day and month agree, or one side gives the year only: a slip of the year is plausible."""
    if query.month is None or candidate.month is None:
        return True
    if query.day is None or candidate.day is None:
        return query.month == candidate.month
    return (query.month, query.day) == (candidate.month, candidate.day)


def compare_birth_dates(query: Iterable[BirthDate], candidate: Iterable[BirthDate]) -> DateFinding:
    """The most favourable finding over all pairs of known birth dates."""
    findings = [DateFinding(_date_code(q, c), str(q), str(c)) for q in query for c in candidate]
    return min(findings, key=lambda f: _DATE_RANK.index(f.code), default=DateFinding("unknown"))


def _words(text: str) -> frozenset[str]:
    keys = {min(t.keys) for t in tokenize(text) if len(t.text) > 1 and t.keys}
    return frozenset(keys | {w for w in text.split() if w.isdigit()})


def compare_extras(query: Person, candidate: Person) -> tuple[ExtraFinding, ...]:
    """Positions and units that share most of their words (in any script) are extra evidence."""
    found: list[ExtraFinding] = []
    for field_name, values in query.extras.items():
        for q in values:
            for c in candidate.extras.get(field_name, ()):
                a, b = _words(q), _words(c)
                if a and b and len(a & b) >= 0.6 * min(len(a), len(b)):
                    found.append(ExtraFinding(f"{field_name}_match", field_name, q, c))
    return tuple(found)


def compare(query: Person, candidate: Person) -> MatchResult:
    """Score and decide one query/candidate pair (the best pair of their names counts)."""
    names = [compare_names(q, c) for q in query.names for c in candidate.names]
    name = max(names, key=NameComparison.rank)
    dates = compare_birth_dates(query.birth_dates, candidate.birth_dates)
    extras = compare_extras(query, candidate)
    score = _NAME_SHARE * name.score + _DATE_TERMS[dates.code]
    if dates.code == "birth_year_conflict":
        score *= YEAR_CONFLICT_CEILING
    elif extras:
        score += _EXTRA_BONUS
    score = max(0.0, min(1.0, score))
    decision = _decide(score, name, dates)
    return MatchResult(
        query_id=query.id,
        candidate_id=candidate.id,
        score=score,
        match=decision == "match",
        decision=decision,
        name=name,
        birth_date=dates,
        extras=extras,
    )


def _decide(score: float, name: NameComparison, dates: DateFinding) -> str:
    if dates.code == "birth_year_conflict":
        return "birth_year_conflict"
    if name.patronymic_conflict:
        return "patronymic_conflict"
    if name.readings_conflict:
        return "readings_conflict"
    if not name.complete:
        return "name_incomplete"
    if dates.code == "birth_year_off_by_one":
        return "birth_year_off_by_one" if score >= REVIEW_THRESHOLD else "below_threshold"
    # An initial or a typo fits many people on a long list; one more agreement must confirm it.
    # With a single full word the patronymic cannot: that word may be a surname ending like
    # one (Бабич), and vowel initials are loose.
    date_agrees = dates.code in _DATES_AGREE
    if name.full_parts < 2 and not date_agrees:
        return "initial_unconfirmed"
    if name.typos and not (date_agrees or (name.patronymic_agrees and not name.weak_typo)):
        return "typo_unconfirmed"
    if score < MATCH_THRESHOLD:
        return "below_threshold"
    return "match"


_PART_TEXT = {
    "exact": "same spelling",
    "transliteration": "same name in another transliteration",
    "ru_uk_form": "Russian and Ukrainian forms of one name",
    "name_variant": "known variant of the same name",
    "typo": "one or two letters differ",
    "initial": "initial agrees",
    "initials": "initials agree",
    "patronymic_spelling": "patronymic written like a surname, one letter off",
}
_DECISION_TEXT = {
    "match": "possible match: review before vouching",
    "birth_year_conflict": "birth years differ: a namesake",
    "patronymic_conflict": "patronymics differ: a namesake",
    "name_incomplete": "not every name part matched",
    "initial_unconfirmed": "initials only, no birth date or patronymic to confirm them",
    "typo_unconfirmed": "spelling differs, no birth date or patronymic to confirm it",
    "below_threshold": "similar, below the match threshold",
    "birth_year_off_by_one": "possible match: birth year differs by one, review",
    "readings_conflict": "the words agree only under different spelling conventions",
}


def summarize(result: MatchResult) -> str:
    """English one-liner of an explanation, for the command line and logs of a run."""
    parts = "; ".join(
        f"{p.query} ~ {p.candidate}: {_PART_TEXT.get(p.code, p.code)}" for p in result.name.parts
    )
    date = result.birth_date
    date_text = date.code.replace("_", " ")
    if date.query:
        date_text += f" ({date.query} / {date.candidate})"
    layout = " Typed in the Latin keyboard layout." if result.name.layout else ""
    return f"{_DECISION_TEXT[result.decision]}. {parts}. Birth date: {date_text}.{layout}"
