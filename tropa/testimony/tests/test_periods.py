"""The date/period parser: properties over generated dates (Hypothesis), and examples."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tropa.lib.periods import PeriodError, parse_period

DAYS = st.dates(min_value=date(1990, 1, 1), max_value=date(2099, 12, 31))
RU_MONTHS = [
    "января",
    "февраля",
    "марта",
    "апреля",
    "мая",
    "июня",
    "июля",
    "августа",
    "сентября",
    "октября",
    "ноября",
    "декабря",
]
EN_MONTHS = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
]


@settings(max_examples=60, deadline=None)
@given(DAYS, st.sampled_from(["{d:%d.%m.%Y}", "{d:%Y-%m-%d}", "{d:%d/%m/%Y}", "ru", "en"]))
def test_a_day_in_any_form_is_that_day(day: date, form: str) -> None:
    if form == "ru":
        text = f"{day.day} {RU_MONTHS[day.month - 1]} {day.year}"
    elif form == "en":
        text = f"{EN_MONTHS[day.month - 1]} {day.day}, {day.year}"
    else:
        text = form.format(d=day)
    period = parse_period(text)
    assert (period.start, period.end, period.approximate) == (day, day, False)


@settings(max_examples=40, deadline=None)
@given(DAYS)
def test_uncertainty_widens_and_contains_the_day(day: date) -> None:
    night = parse_period(f"ночь на {day:%d.%m.%Y}")
    about = parse_period(f"около {day:%d.%m.%Y}")
    assert night.approximate and about.approximate
    assert night.start < day == night.end
    assert about.start < day < about.end and about.days == 7


@settings(max_examples=40, deadline=None)
@given(
    DAYS, st.sampled_from(["{m:02d}.{y}", "{y}-{m:02d}", "month", "конец month", "начало month"])
)
def test_months_and_parts_cover_whole_days_of_that_month(day: date, form: str) -> None:
    text = form.replace("month", f"{RU_MONTHS[day.month - 1]} {{y}}").format(
        m=day.month, y=day.year
    )
    period = parse_period(text)
    assert period.start <= period.end
    assert (period.start.year, period.start.month) == (day.year, day.month)
    assert (period.end.year, period.end.month) == (day.year, day.month)


@settings(max_examples=60, deadline=None)
@given(st.text(max_size=40))
def test_any_text_gives_a_period_or_a_clear_error(text: str) -> None:
    try:
        period = parse_period(text)
    except PeriodError:
        return
    assert period.start <= period.end


@pytest.mark.parametrize(
    ("text", "start", "end"),
    [
        ("лето 2022", date(2022, 6, 1), date(2022, 8, 31)),
        ("червень 2022", date(2022, 6, 1), date(2022, 6, 30)),
        ("29–30 июня 2022", date(2022, 6, 29), date(2022, 6, 30)),
        ("late June 2022", date(2022, 6, 21), date(2022, 6, 30)),
        ("зима 2023", date(2022, 12, 1), date(2023, 2, 28)),
        ("2022", date(2022, 1, 1), date(2022, 12, 31)),
    ],
)
def test_examples(text: str, start: date, end: date) -> None:
    period = parse_period(text)
    assert (period.start, period.end) == (start, end)


def test_no_date_is_an_error() -> None:
    for text in ("", "вчера", "31.02.2022"):
        with pytest.raises(PeriodError):
            parse_period(text)
