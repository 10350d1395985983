"""Screening of persons against watchlists, across scripts and transliterations, without Django.

Typical use::

    index = ScreeningIndex.build(read_list("entities.ftm.json"))
    query = make_person("q1", ["Shcherbakov Iurii", "Щербаков Юрий"], ["1980-05-03"])
    for result in index.screen(query):
        result.score, result.match, result.explanation()
"""

from tropa.lib.screening.index import ScreeningIndex, find_duplicates
from tropa.lib.screening.lists import LineError, ListError, person_from_proxy, read_list
from tropa.lib.screening.model import BirthDate, Person, PersonName, make_person
from tropa.lib.screening.score import MATCH_THRESHOLD, REVIEW_THRESHOLD, MatchResult, compare

__all__ = [
    "MATCH_THRESHOLD",
    "REVIEW_THRESHOLD",
    "BirthDate",
    "LineError",
    "ListError",
    "MatchResult",
    "Person",
    "PersonName",
    "ScreeningIndex",
    "compare",
    "find_duplicates",
    "make_person",
    "person_from_proxy",
    "read_list",
]
