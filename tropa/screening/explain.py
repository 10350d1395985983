"""The engine's explanation of a match in the reader's language.

The engine gives stable codes for every finding (see ``tropa.lib.screening.score``); here each
code becomes a sentence a verifier can check against the documents in front of him.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

DECISIONS: dict[str, Promise] = {
    "match": _("Possible match: review before vouching for him."),
    "birth_year_conflict": _("Birth years differ: most likely a namesake."),
    "patronymic_conflict": _("Patronymics differ: most likely a namesake."),
    "name_incomplete": _("Not every part of the name matched."),
    "initial_without_birth_date": _("Surname and one initial only, no birth date to confirm."),
    "below_threshold": _("Similar, but below the match threshold."),
    "initial_unconfirmed": _("Initials only, no birth date to confirm them."),
    "typo_unconfirmed": _("The spelling differs, and no birth date confirms it."),
    "birth_year_off_by_one": _("Possible match: the birth year differs by one. Review."),
    "readings_conflict": _(
        "The words agree only under different spelling conventions: most likely another man."
    ),
}

DUPLICATE_DECISIONS: dict[str, Promise] = {
    "match": _("Probably one man registered twice: compare the documents before deciding."),
}

PART_CODES: dict[str, Promise] = {
    "exact": _("same spelling"),
    "transliteration": _("the same name in another transliteration"),
    "ru_uk_form": _("Russian and Ukrainian forms of one name"),
    "name_variant": _("a known variant of the same name"),
    "typo": _("one or two letters differ"),
    "initial": _("the initial agrees"),
    "initials": _("the initials agree"),
    "patronymic_spelling": _("the patronymic written like a surname, one letter off"),
}

ROLES: dict[str, Promise] = {
    "family": _("surname"),
    "given": _("given name"),
    "patronymic": _("patronymic"),
    "unknown": _("name part"),
}

READINGS: dict[str, Promise] = {
    "en": _("read as English"),
    "de": _("read as German"),
    "fr": _("read as French"),
    "es": _("read as Spanish"),
    "pl": _("read as Polish"),
    "cyrillic": _("transliterated from Cyrillic"),
    "cyrillic_yo_as_o": _("transliterated from Cyrillic, ё as е"),
    "plain": _("written without diacritics"),
    "belarusian": _("the Belarusian form of the Russian name"),
}

BIRTH_DATES: dict[str, Promise] = {
    "exact": _("Birth dates agree."),
    "day_month_swap": _("Birth dates agree with day and month swapped."),
    "month": _("Year and month of birth agree."),
    "year": _("Year of birth agrees."),
    "unknown": _("No birth date on one side: the date neither confirms nor rules out."),
    "date_conflict": _("Same year of birth, but a different date."),
    "birth_year_conflict": _("Different years of birth."),
    "birth_year_off_by_one": _("Years of birth one apart, the rest agrees: perhaps a slip."),
}

EXTRA_FIELDS: dict[str, Promise] = {
    "unit": _("military unit"),
    "position": _("position"),
    "topics": _("topics"),
    "nationality": _("nationality"),
    "citizenship": _("citizenship"),
}


# OpenSanctions topics (https://www.opensanctions.org/docs/topics/) a verifier meets most.
TOPICS: dict[str, Promise] = {
    "sanction": _("sanctioned"),
    "sanction.linked": _("linked to a sanctioned entity"),
    "sanction.counter": _("counter-sanctioned"),
    "crime": _("crime"),
    "crime.war": _("war crimes"),
    "crime.terror": _("terrorism"),
    "wanted": _("wanted"),
    "role.pep": _("politically exposed person"),
    "role.rca": _("close associate of a politically exposed person"),
    "role.oligarch": _("oligarch"),
    "mil": _("military"),
    "poi": _("person of interest"),
    "debarment": _("debarred"),
    "export.control": _("export controls"),
}


def entry_facts(data: dict[str, Any]) -> list[tuple[str, list[str]]]:
    """What a list says about its entry besides names and birth dates, labels translated."""
    facts = []
    for field, values in data.get("extras", {}).items():
        if field == "topics":
            values = [_text(TOPICS, v) for v in values]
        facts.append((_text(EXTRA_FIELDS, field), list(values)))
    return facts


@dataclass(frozen=True)
class Part:
    query: str
    candidate: str
    role: str
    how: str
    reading: str
    score: float


@dataclass(frozen=True)
class Explanation:
    decision: str
    query_name: str
    candidate_name: str
    name_score: float
    parts: list[Part]
    unmatched_query: list[str]
    unmatched_candidate: list[str]
    birth_date: str
    birth_query: str
    birth_candidate: str
    extras: list[tuple[str, str, str]]


def _text(table: dict[str, Promise], code: str | None) -> str:
    if not code:
        return ""
    return str(table.get(code, code))


def readable(explanation: dict[str, Any], *, duplicate: bool = False) -> Explanation:
    """``duplicate``: two people of one organization, not a man and a list entry."""
    name = explanation.get("name") or {}
    birth = explanation.get("birth_date") or {}
    decisions = {**DECISIONS, **DUPLICATE_DECISIONS} if duplicate else DECISIONS
    return Explanation(
        decision=_text(decisions, explanation.get("decision")),
        query_name=name.get("query", ""),
        candidate_name=name.get("candidate", ""),
        name_score=float(name.get("score", 0.0)),
        parts=[
            Part(
                query=p.get("query", ""),
                candidate=p.get("candidate", ""),
                role=_text(ROLES, p.get("role")),
                how=_text(PART_CODES, p.get("code")),
                reading=_text(READINGS, p.get("reading")),
                score=float(p.get("score", 0.0)),
            )
            for p in name.get("parts", [])
        ],
        unmatched_query=list(name.get("unmatched_query", [])),
        unmatched_candidate=list(name.get("unmatched_candidate", [])),
        birth_date=_text(BIRTH_DATES, birth.get("code")),
        birth_query=birth.get("query") or "",
        birth_candidate=birth.get("candidate") or "",
        extras=[
            (_text(EXTRA_FIELDS, e.get("field")), e.get("query", ""), e.get("candidate", ""))
            for e in explanation.get("extras", [])
        ],
    )


# Stands in for a name (or birth date) until an audited reveal.
MASK = "•••"


def masked(explanation: Explanation) -> Explanation:
    """The explanation without his names, the list's names or either birth date: what matched
    and how stays readable, the words do not (they are identity until a reveal)."""

    def mask(text: str) -> str:
        return MASK if text else ""

    return replace(
        explanation,
        query_name=mask(explanation.query_name),
        candidate_name=mask(explanation.candidate_name),
        parts=[
            replace(p, query=mask(p.query), candidate=mask(p.candidate)) for p in explanation.parts
        ],
        unmatched_query=[MASK for _w in explanation.unmatched_query],
        unmatched_candidate=[MASK for _w in explanation.unmatched_candidate],
        birth_query=mask(explanation.birth_query),
        birth_candidate=mask(explanation.birth_candidate),
        extras=[(field, mask(q), mask(c)) for field, q, c in explanation.extras],
    )


SHORT_DECISIONS: dict[str, Promise] = {
    "match": pgettext_lazy("screening decision", "match"),
    "birth_year_conflict": _("namesake (birth year)"),
    "patronymic_conflict": _("namesake (patronymic)"),
    "name_incomplete": _("partial name"),
    "initial_without_birth_date": _("initial only"),
    "below_threshold": _("weak"),
    "initial_unconfirmed": _("initial only"),
    "typo_unconfirmed": _("spelling differs"),
    "birth_year_off_by_one": _("birth year ±1"),
    "readings_conflict": _("another man (spelling)"),
}


def short_decision(code: str) -> str:
    return _text(SHORT_DECISIONS, code)
