"""Dates and periods as witnesses give them, with their uncertainty (E10).

``parse_period("ночь на 29.06.2022")`` → ``Period(2022-06-28, 2022-06-29, approximate)``.
A period is the smallest span of whole days the words allow: a day, a night (the evening
before and the day), a range, a part of a month (начало/середина/конец, early/mid/late), a
month, a season or a year. "около", "примерно", "~", "about", "circa" widen a day to
±3 days and mark it approximate. Russian, Ukrainian and English month names in any case
form; numeric dates as DD.MM.YYYY, DD/MM/YYYY, YYYY-MM-DD, MM.YYYY, YYYY-MM and YYYY.

Imports no Django.
"""

from __future__ import annotations

import re
from calendar import monthrange
from dataclasses import dataclass
from datetime import date, timedelta


class PeriodError(ValueError):
    """The text names no date or period this parser understands."""


@dataclass(frozen=True)
class Period:
    start: date
    end: date
    approximate: bool = False

    def overlaps(self, other: Period, slack_days: int = 0) -> bool:
        slack = timedelta(days=slack_days)
        return self.start <= other.end + slack and other.start <= self.end + slack

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def as_dict(self) -> dict[str, object]:
        return {
            "start": self.start.isoformat(),
            "end": self.end.isoformat(),
            "approximate": self.approximate,
        }


# Stems of month names: Russian (январ-), Ukrainian (січ-), English (jan-), any case form.
_MONTHS: tuple[tuple[int, tuple[str, ...]], ...] = (
    (1, ("январ", "січ", "jan")),
    (2, ("феврал", "лют", "feb")),
    (3, ("март", "берез", "mar")),
    (4, ("апрел", "квіт", "apr")),
    (5, ("ма", "трав", "may")),
    (6, ("июн", "черв", "jun")),
    (7, ("июл", "лип", "jul")),
    (8, ("август", "серп", "aug")),
    (9, ("сентябр", "верес", "sep")),
    (10, ("октябр", "жовт", "oct")),
    (11, ("ноябр", "листопад", "nov")),
    (12, ("декабр", "груд", "dec")),
)
_SEASONS = {
    "зим": (12, 2),
    "winter": (12, 2),
    "весн": (3, 5),
    "spring": (3, 5),
    "лет": (6, 8),
    "літ": (6, 8),
    "summer": (6, 8),
    "осен": (9, 11),
    "осін": (9, 11),
    "autumn": (9, 11),
    "fall": (9, 11),
}
_PARTS = {
    "начал": (1, 10),
    "почат": (1, 10),
    "early": (1, 10),
    "beginning": (1, 10),
    "середин": (11, 20),
    "mid": (11, 20),
    "middle": (11, 20),
    "конц": (21, 31),
    "кон": (21, 31),
    "кінц": (21, 31),
    "late": (21, 31),
    "end": (21, 31),
}
_APPROX = re.compile(r"(^|\s)(около|примерно|приблизно|близько|about|circa|ca\.?|~)(\s|$)|~")
_NIGHT = re.compile(r"(^|\s)(ночь|ночью|в ночь|ніч|вночі|night)\b")
_YEAR = r"(19\d\d|20\d\d)"
_DMY = re.compile(r"\b(\d{1,2})[./](\d{1,2})[./]" + _YEAR + r"\b")
_ISO = re.compile(r"\b" + _YEAR + r"-(\d{1,2})-(\d{1,2})\b")
_MY = re.compile(r"\b(\d{1,2})[./]" + _YEAR + r"\b")
_YM = re.compile(r"\b" + _YEAR + r"-(\d{1,2})\b")
_WORD = re.compile(r"[a-zа-яёіїєґ']+")


def _month_of(word: str) -> int | None:
    if word.startswith(("мая", "май", "мае", "маю", "маем")) or word == "may":
        return 5
    for month, stems in _MONTHS:
        if month == 5:
            continue
        if any(word.startswith(stem) for stem in stems) and len(word) >= 3:
            return month
    return None


def _day(year: int, month: int, day: int) -> date:
    try:
        return date(year, month, day)
    except ValueError:
        raise PeriodError(f"no such day: {day:02d}.{month:02d}.{year}") from None


def _month_span(year: int, month: int, first: int = 1, last: int = 31) -> tuple[date, date]:
    if not 1 <= month <= 12:
        raise PeriodError(f"no such month: {month}")
    last = min(last, monthrange(year, month)[1])
    return date(year, month, first), date(year, month, last)


def _numeric_days(text: str) -> list[date]:
    days = [_day(int(y), int(m), int(d)) for d, m, y in _DMY.findall(text)]
    days += [_day(int(y), int(m), int(d)) for y, m, d in _ISO.findall(text)]
    return days


def _words_days(text: str, year: int) -> list[date]:
    """'29 июня', '29–30 июня', 'June 29': days named with a month word."""
    found: list[date] = []
    for match in re.finditer(r"(\d{1,2})(?:\s*[-–—]\s*(\d{1,2}))?\s+([a-zа-яёіїєґ]+)", text):
        month = _month_of(match.group(3))
        if month is not None:
            found.append(_day(year, month, int(match.group(1))))
            if match.group(2):
                found.append(_day(year, month, int(match.group(2))))
    for match in re.finditer(r"([a-z]+)\s+(\d{1,2})\b(?!\d)", text):
        month = _month_of(match.group(1))
        if month is not None and not re.match(_YEAR, match.group(2)):
            found.append(_day(year, month, int(match.group(2))))
    return found


def _coarse(text: str, year: int) -> tuple[date, date] | None:
    """A part of a month, a month, or a season in ``year``."""
    words = _WORD.findall(text)
    part = next((span for w in words for stem, span in _PARTS.items() if w.startswith(stem)), None)
    months = [m for w in words if (m := _month_of(w)) is not None]
    if months:
        first, last = min(months), max(months)
        if part is not None and first == last:
            return _month_span(year, first, *part)
        return _month_span(year, first)[0], _month_span(year, last)[1]
    for word in words:
        for stem, (begin, finish) in _SEASONS.items():
            if word.startswith(stem):
                start_year = year - 1 if begin > finish else year
                return date(start_year, begin, 1), _month_span(year, finish)[1]
    return None


def parse_period(text: str) -> Period:
    """The period ``text`` names; raises ``PeriodError`` if it names none."""
    lowered = " ".join(text.lower().replace("ё", "е").split())
    if not lowered:
        raise PeriodError("empty")
    approximate = bool(_APPROX.search(lowered))
    night = bool(_NIGHT.search(lowered))
    days = _numeric_days(lowered)
    years = [int(y) for y in re.findall(r"(?<![\d.\-/])" + _YEAR + r"(?![\d.\-/]\d)", lowered)]
    year = years[0] if years else (days[0].year if days else None)
    if not days and year is not None:
        days = _words_days(lowered, year)
    if days:
        start, end = min(days), max(days)
        if night and len(days) == 1:
            start -= timedelta(days=1)  # "the night of the 29th" began on the evening of the 28th
        if approximate:
            start, end = start - timedelta(days=3), end + timedelta(days=3)
        return Period(start, end, approximate or (night and len(days) == 1))
    months = [(int(y), int(m)) for m, y in _MY.findall(lowered)]
    months += [(int(y), int(m)) for y, m in _YM.findall(lowered)]
    if months:
        first, last = min(months), max(months)
        return Period(_month_span(*first)[0], _month_span(*last)[1], approximate)
    if year is None:
        raise PeriodError("no year")
    coarse = _coarse(lowered, year)
    if coarse is not None:
        return Period(coarse[0], coarse[1], approximate)
    return Period(date(min(years), 1, 1), date(max(years), 12, 31), approximate)
