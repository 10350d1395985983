"""Birth dates are evidence both ways."""

import pytest

from tropa.lib.screening.model import make_person, parse_birth_date
from tropa.lib.screening.score import MATCH_THRESHOLD, compare

NAME = "Щербаков Юрий Фёдорович"


def _result(query_date: str, listed_date: str = "1980-05-03"):  # type: ignore[no-untyped-def]
    return compare(
        make_person("q", ["Shcherbakov Iurii Fedorovich"], [query_date]),
        make_person("l", [NAME], [listed_date]),
    )


def test_it_raises_score_on_agreement() -> None:
    unknown = compare(make_person("q", ["Shcherbakov Iurii"]), make_person("l", [NAME]))
    assert _result("1980-05-03").score > unknown.score
    assert _result("1980-05-03").birth_date.code == "exact"


@pytest.mark.parametrize("other", ["1983-05-03", "1981-07-12", "1979-05-04"])
def test_it_rules_out_other_year(other: str) -> None:
    result = _result(other)
    assert not result.match
    assert result.decision == "birth_year_conflict"
    assert result.score < 0.6


def test_it_shows_a_year_off_by_one_for_review() -> None:
    result = _result("1981-05-03")
    assert not result.match
    assert result.decision == "birth_year_off_by_one"
    assert result.score >= 0.6
    assert result.explanation()["summary"].startswith(
        "possible match: birth year differs by one, review."
    )


def test_it_tolerates_day_month_swap() -> None:
    result = _result("1980-03-05")
    assert result.match
    assert result.birth_date.code == "day_month_swap"


def test_it_keeps_year_only_as_agreement() -> None:
    assert _result("1980").birth_date.code == "year"
    assert _result("1980").match


def test_it_lowers_other_day_below_match() -> None:
    result = _result("1980-07-21")
    assert result.birth_date.code == "date_conflict"
    assert result.score < MATCH_THRESHOLD
    assert not result.match


def test_it_parses_ftm_date_prefixes() -> None:
    assert str(parse_birth_date("1980-05-03T00:00:00")) == "1980-05-03"
    assert str(parse_birth_date("1980-05")) == "1980-05"
    assert parse_birth_date("1980-13-01") is None
    assert parse_birth_date("unknown") is None
