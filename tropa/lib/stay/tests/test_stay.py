"""The stay arithmetic, against worked examples, a by-the-definition oracle and invariants."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tropa.lib.stay import StayError, Trip, calculate, check_trips, days_used, parse_rule

D = date.fromisoformat


def by_definition(rule_text: str, trips: list[Trip], on: date) -> int:
    """Count days of presence the slow way, straight from the rule's wording."""
    rule = parse_rule(rule_text)
    present = set()
    for trip in trips:
        day = trip.entry
        while day <= (trip.exit or on) and day <= on:
            present.add(day)
            day += timedelta(days=1)
    if rule.kind == "rolling":
        assert rule.window
        return len({d for d in present if (on - d).days < rule.window})
    if rule.kind == "calendar-year":
        return len({d for d in present if d.year == on.year})
    inside = [t for t in trips if t.entry <= on <= (t.exit or on)]
    return (on - inside[0].entry).days + 1 if inside else 0


# Worked examples in the European Commission's definition: the 180-day window ends on the day
# of control, and the entry day and the exit day are both days of presence.
@pytest.mark.parametrize(
    ("trips", "on", "used", "left", "last"),
    [
        # One stay of 90 days exactly: the 90th day is the last legal one.
        ([("2026-01-01", None)], "2026-01-01", 1, 89, "2026-03-31"),
        ([("2026-01-01", "2026-03-31")], "2026-03-31", 90, 0, "2026-03-31"),
        # Entered and left on the same day: one day.
        ([("2026-05-10", "2026-05-10")], "2026-05-10", 1, 89, "2026-08-07"),
        # Days older than 180 days no longer count: the window of 2026-12-01 starts 2026-06-05.
        ([("2026-06-04", "2026-06-05")], "2026-12-01", 1, 89, "2027-02-28"),
        # Two stays: 45 + 12 days; staying on from 2026-12-01 fills the window on 2027-01-03.
        ([("2026-09-01", "2026-10-15"), ("2026-11-20", None)], "2026-12-01", 57, 33, "2027-01-03"),
        # Left and came back the same day: that day counts once.
        ([("2026-01-01", "2026-01-10"), ("2026-01-10", "2026-01-20")], "2026-01-20", 20, 70, None),
    ],
)
def test_rolling_window_worked_examples(
    trips: list[tuple[str, str | None]], on: str, used: int, left: int, last: str | None
) -> None:
    stay = calculate(
        parse_rule("rolling:90/180"), [Trip(D(a), D(b) if b else None) for a, b in trips], D(on)
    )
    assert (stay.days_used, stay.days_left) == (used, left)
    if last is not None:
        assert stay.last_legal_day == D(last)
    assert not stay.overstay


def test_over_the_limit_has_no_last_legal_day() -> None:
    stay = calculate(parse_rule("rolling:90/180"), [Trip(D("2026-01-01"), None)], D("2026-04-01"))
    assert (stay.days_used, stay.days_left, stay.last_legal_day, stay.overstay) == (
        91,
        0,
        None,
        True,
    )


def test_per_entry_counts_from_each_entry() -> None:
    rule = parse_rule("per-entry:365")
    trips = [Trip(D("2025-01-01"), D("2025-12-01")), Trip(D("2026-02-01"), None)]
    stay = calculate(rule, trips, D("2026-02-10"))
    assert (stay.days_used, stay.days_left, stay.last_legal_day) == (10, 355, D("2027-01-31"))
    outside = calculate(rule, trips[:1], D("2026-01-15"))
    assert (outside.days_used, outside.last_legal_day) == (0, D("2027-01-14"))


def test_calendar_year_resets_on_the_first_of_january() -> None:
    rule = parse_rule("calendar-year:180")
    trips = [Trip(D("2026-07-01"), None)]
    stay = calculate(rule, trips, D("2026-12-01"))
    # 2026-07-01..2026-12-27 is 180 days; 2026-12-28 would be the 181st of 2026.
    assert (stay.days_used, stay.last_legal_day) == (154, D("2026-12-27"))
    # From 1 January he has 180 new days: staying on from then, the last one is 29 June.
    assert calculate(rule, [Trip(D("2027-01-01"), None)], D("2027-01-01")).last_legal_day == D(
        "2027-06-29"
    )


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("rolling:90", "unknown rule"),
        ("rolling:180/90", "fewer than the window"),
        ("per-entry:0", "between 1"),
        ("calendar-year:400", "between 1 and 366"),
        ("weekly:3", "unknown rule"),
    ],
)
def test_impossible_rules_are_refused(text: str, message: str) -> None:
    with pytest.raises(StayError, match=message):
        parse_rule(text)


def test_impossible_trips_name_their_line() -> None:
    with pytest.raises(StayError, match="line 3: exit 2026-01-01 is before entry 2026-02-01"):
        check_trips([Trip(D("2026-02-01"), D("2026-01-01"), line=3)])
    with pytest.raises(StayError, match="line 5: entry 2026-01-05 overlaps the trip on line 4"):
        check_trips(
            [Trip(D("2026-01-01"), D("2026-01-10"), line=4), Trip(D("2026-01-05"), None, line=5)]
        )
    with pytest.raises(StayError, match="line 2: has no exit"):
        check_trips([Trip(D("2026-01-01"), None, line=2), Trip(D("2026-03-01"), None, line=3)])


START = date(2024, 1, 1)


@st.composite
def trip_lists(draw: st.DrawFn) -> list[Trip]:
    """Up to six trips in order, gaps and lengths of a few weeks, the last one maybe open."""
    trips, day = [], START + timedelta(days=draw(st.integers(0, 60)))
    for _ in range(draw(st.integers(0, 6))):
        length = draw(st.integers(0, 120))
        trips.append(Trip(day, day + timedelta(days=length)))
        day += timedelta(days=length + draw(st.integers(0, 90)))
    if trips and draw(st.booleans()):
        trips[-1] = Trip(trips[-1].entry, None)
    return trips


RULES = st.sampled_from(["rolling:90/180", "rolling:30/60", "per-entry:365", "calendar-year:180"])
DAYS = st.integers(0, 900).map(lambda n: START + timedelta(days=n))


@settings(max_examples=60, deadline=None)
@given(rule=RULES, trips=trip_lists(), on=DAYS)
def test_the_count_matches_the_definition(rule: str, trips: list[Trip], on: date) -> None:
    assert days_used(parse_rule(rule), trips, on) == by_definition(rule, trips, on)


@settings(max_examples=60, deadline=None)
@given(
    rule=st.sampled_from(["rolling:90/180", "rolling:30/60", "calendar-year:180"]),
    trips=trip_lists(),
    on=DAYS,
    extra=DAYS,
)
def test_a_day_added_never_lowers_the_count(
    rule: str, trips: list[Trip], on: date, extra: date
) -> None:
    """One more day of presence (a one-day trip where he was away) never lowers the count."""
    parsed = parse_rule(rule)
    if any(t.entry <= extra <= (t.exit or on) for t in trips) or extra > on:
        return
    if trips and trips[-1].exit is None and extra > trips[-1].entry:
        return
    more = check_trips([*trips, Trip(extra, extra)])
    assert days_used(parsed, more, on) >= days_used(parsed, trips, on)


@settings(max_examples=60, deadline=None)
@given(rule=RULES, trips=trip_lists(), on=DAYS)
def test_leaving_on_the_last_legal_day_never_overstays(
    rule: str, trips: list[Trip], on: date
) -> None:
    parsed = parse_rule(rule)
    past = [t for t in trips if (t.exit or on) < on]
    if any(t.entry >= on for t in trips):
        return
    stay = calculate(parsed, trips, on)
    if stay.last_legal_day is None:
        assert stay.overstay
        return
    current = [t for t in trips if t not in past]
    entry = current[0].entry if current else on
    stayed = [*past, Trip(entry, stay.last_legal_day)]
    day = on
    while day <= stay.last_legal_day:
        assert days_used(parsed, stayed, day) <= parsed.days, day
        day += timedelta(days=1)
    # ...and one day more would break the rule.
    longer = [*past, Trip(entry, stay.last_legal_day + timedelta(days=1))]
    assert days_used(parsed, longer, stay.last_legal_day + timedelta(days=1)) > parsed.days
