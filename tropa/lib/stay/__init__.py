"""How long a man may still stay in a transit country: the stay rules as arithmetic.

No Django and no database here: the pathways app, ``tropa stay calc`` and the tests share it.

Three kinds of rule, as the countries write them:

``rolling:90/180``
    at most 90 days of presence in any 180-day window ending on the day looked at
    (Kazakhstan and Kyrgyzstan for Russians; the Schengen short-stay rule is the same sum);
``per-entry:365``
    at most 365 days from each entry, the entry day being day 1 (Georgia);
``calendar-year:180``
    at most 180 days of presence in each calendar year (Armenia).

A trip is an entry day and an exit day (``None`` while he is still there). The entry day and
the exit day are both days of presence, and a day counts once even if he left and came back on
it, as the European Commission's short-stay calculator counts them.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

ONE_DAY = timedelta(days=1)


class StayError(ValueError):
    """A rule or a list of trips that cannot be right; the message says what and where.

    ``code`` names the problem and ``params`` its values, so that an application can say
    it in its user's language (this library speaks English only and imports no framework).
    """

    def __init__(self, message: str, *, code: str = "", **params: object) -> None:
        super().__init__(message)
        self.code = code
        self.params = params


@dataclass(frozen=True)
class Trip:
    entry: date
    exit: date | None = None
    line: int | None = None

    def last_day(self, on: date) -> date:
        """The last day of presence of this trip counted on ``on``."""
        return min(self.exit, on) if self.exit is not None else on


@dataclass(frozen=True)
class Rule:
    kind: str  # "rolling", "per-entry" or "calendar-year"
    days: int
    window: int | None = None

    def __str__(self) -> str:
        if self.kind == "rolling":
            return f"rolling:{self.days}/{self.window}"
        return f"{self.kind}:{self.days}"


@dataclass(frozen=True)
class Stay:
    on: date
    days_used: int
    days_left: int
    last_legal_day: date | None
    overstay: bool

    def as_json(self) -> dict[str, object]:
        return {
            "days_used": self.days_used,
            "days_left": self.days_left,
            "last_legal_day": self.last_legal_day.isoformat() if self.last_legal_day else None,
            "overstay": self.overstay,
        }


_RULE = re.compile(r"^(?:(rolling):(\d{1,4})/(\d{1,4})|(per-entry|calendar-year):(\d{1,4}))$")


def parse_rule(text: str) -> Rule:
    """``rolling:90/180``, ``per-entry:365`` or ``calendar-year:180``."""
    match = _RULE.match(text.strip())
    if not match:
        raise StayError(
            f"unknown rule {text!r}: use rolling:DAYS/WINDOW, per-entry:DAYS or calendar-year:DAYS",
            code="rule_unknown",
        )
    if match.group(1):
        days, window = int(match.group(2)), int(match.group(3))
        if not 0 < days < window:
            raise StayError(
                f"rule {text!r}: the days allowed must be more than 0 and fewer than the window",
                code="rule_days_window",
            )
        return Rule("rolling", days, window)
    days = int(match.group(5))
    limit = 366 if match.group(4) == "calendar-year" else 3660
    if not 0 < days <= limit:
        raise StayError(
            f"rule {text!r}: the days allowed must be between 1 and {limit}",
            code="rule_days_range",
            limit=limit,
        )
    return Rule(match.group(4), days)


def check_trips(trips: Iterable[Trip]) -> list[Trip]:
    """The trips in order, or a :class:`StayError` naming the line of the first impossible one."""
    ordered = sorted(trips, key=lambda t: t.entry)
    for trip in ordered:
        if trip.exit is not None and trip.exit < trip.entry:
            raise StayError(f"{_where(trip)}exit {trip.exit} is before entry {trip.entry}")
    for before, after in itertools.pairwise(ordered):
        if before.exit is None:
            raise StayError(
                f"{_where(before)}has no exit, but {_where(after, 'the trip on ')}enters later "
                f"({after.entry})"
            )
        if after.entry < before.exit:
            raise StayError(
                f"{_where(after)}entry {after.entry} overlaps {_where(before, 'the trip on ')}"
                f"({before.entry} to {before.exit})"
            )
    return ordered


def _where(trip: Trip, prefix: str = "") -> str:
    if trip.line is None:
        return f"{prefix}trip from {trip.entry}: " if not prefix else f"{prefix}{trip.entry} "
    return f"line {trip.line}: " if not prefix else f"{prefix}line {trip.line} "


def presence(trips: Sequence[Trip], until: date) -> set[date]:
    """Every day of presence up to and including ``until``."""
    days: set[date] = set()
    for trip in trips:
        day, last = trip.entry, trip.last_day(until)
        while day <= last:
            days.add(day)
            day += ONE_DAY
    return days


def days_used(rule: Rule, trips: Sequence[Trip], on: date) -> int:
    """Days counted against the rule on ``on`` (the trips must have passed :func:`check_trips`)."""
    if rule.kind == "per-entry":
        current = _trip_on(trips, on)
        return (on - current.entry).days + 1 if current else 0
    days = presence(trips, on)
    if rule.kind == "rolling":
        assert rule.window is not None
        start = on - timedelta(days=rule.window - 1)
    else:
        start = date(on.year, 1, 1)
    return sum(1 for day in days if start <= day <= on)


def _trip_on(trips: Sequence[Trip], on: date) -> Trip | None:
    for trip in trips:
        if trip.entry <= on and (trip.exit is None or on <= trip.exit):
            return trip
    return None


def calculate(rule: Rule, trips: Iterable[Trip], on: date) -> Stay:
    """Days used on ``on``, days left, and the last legal day if he stays from ``on`` on.

    "Stays from ``on`` on" means present on every day from ``on``: still there, or entering
    that day. The last legal day is ``None`` when he is over the limit on ``on`` already.
    """
    checked = check_trips(trips)
    used = days_used(rule, checked, on)
    overstay = used > rule.days
    last = None if overstay else _last_legal_day(rule, checked, on)
    return Stay(on, used, max(rule.days - used, 0), last, overstay)


def _last_legal_day(rule: Rule, trips: list[Trip], on: date) -> date | None:
    """Walk forward day by day with him present, until a day would break the rule."""
    if rule.kind == "per-entry":
        current = _trip_on(trips, on)
        return (current.entry if current else on) + timedelta(days=rule.days - 1)
    before = presence(trips, on - ONE_DAY)
    day, used = on, days_used(rule, trips, on - ONE_DAY) if rule.kind == "rolling" else 0
    if rule.kind == "calendar-year":
        used = sum(1 for d in before if d.year == on.year)
    # A rolling window fills within ``window`` days; a calendar year resets at most twice.
    for _ in range((rule.window or 0) + 2 * 366 + rule.days):
        if rule.kind == "rolling":
            assert rule.window is not None
            leaving = day - timedelta(days=rule.window)
            used += 1 - (1 if leaving in before or leaving >= on else 0)
        else:
            used = 1 if day.month == 1 and day.day == 1 and day > on else used + 1
        if used > rule.days:
            return day - ONE_DAY if day > on else None
        day += ONE_DAY
    return None  # pragma: no cover - parse_rule keeps every rule finite
