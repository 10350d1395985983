"""`tropa stay calc`: days used, days left and the last legal day, without a database."""

from __future__ import annotations

import argparse
import csv
import re
import sys
from datetime import date, datetime
from pathlib import Path

import orjson

from tropa.lib.stay import Stay, StayError, Trip, calculate, parse_rule

EXIT_OK = 0
EXIT_INPUT = 2


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="tropa stay",
        description="Stay rules of transit countries: how many days a person has used and "
        "how long he may still stay.",
    )
    commands = parser.add_subparsers(dest="command", required=True)
    calc = commands.add_parser(
        "calc",
        help="days used, days left and the last legal day",
        description="Entry and exit days both count as days of presence.",
    )
    calc.add_argument(
        "--rule",
        required=True,
        help="rolling:90/180 (any 180-day window), per-entry:365 or calendar-year:180",
    )
    calc.add_argument(
        "--trips",
        required=True,
        metavar="FILE",
        help="CSV with entry,exit dates (YYYY-MM-DD or DD.MM.YYYY; exit empty while he is "
        "still there; a header line entry,exit is allowed)",
    )
    calc.add_argument("--on", metavar="DATE", help="the day looked at (default today)")
    calc.add_argument("--json", action="store_true", help="print one JSON object")
    return parser


def parse_date(text: str, what: str) -> date:
    """``YYYY-MM-DD`` or ``DD.MM.YYYY`` (as Russian documents write dates)."""
    value = text.strip()
    day_first = re.fullmatch(r"(\d{1,2})\.(\d{1,2})\.(\d{4})", value)
    try:
        if day_first:
            return date(int(day_first[3]), int(day_first[2]), int(day_first[1]))
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
            return date.fromisoformat(value)
    except ValueError:
        pass
    raise StayError(f"{what} {value!r} is not a date (YYYY-MM-DD or DD.MM.YYYY)")


def read_trips(path: Path) -> list[Trip]:
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise StayError(f"{path}: no such file") from None
    except (OSError, UnicodeDecodeError) as error:
        raise StayError(
            f"{path}: cannot be read as UTF-8 text ({error.__class__.__name__})"
        ) from None
    trips = []
    for number, row in enumerate(csv.reader(text.splitlines()), start=1):
        cells = [cell.strip() for cell in row]
        if not any(cells):
            continue
        if number == 1 and cells[0].lower() == "entry":
            continue
        if len(cells) > 2:
            raise StayError(f"line {number}: expected entry,exit, found {len(cells)} fields")
        entry = parse_date(cells[0], f"line {number}: entry") if cells[0] else None
        if entry is None:
            raise StayError(f"line {number}: the entry date is missing")
        exit_day = (
            parse_date(cells[1], f"line {number}: exit") if len(cells) > 1 and cells[1] else None
        )
        trips.append(Trip(entry, exit_day, line=number))
    return trips


def _text(stay: Stay, rule: str) -> str:
    last = (
        stay.last_legal_day.isoformat() if stay.last_legal_day else "none: over the limit already"
    )
    lines = [
        f"rule: {rule}",
        f"days used on {stay.on.isoformat()}: {stay.days_used}",
        f"days left: {stay.days_left}",
        f"last legal day if he stays from {stay.on.isoformat()} on: {last}",
    ]
    if stay.overstay:
        lines.append("OVERSTAY: more days used than the rule allows")
    return "\n".join(lines)


def main(argv: list[str]) -> int:
    args = _parser().parse_args(argv)
    try:
        rule = parse_rule(args.rule)
        on = parse_date(args.on, "--on") if args.on else datetime.now().astimezone().date()
        stay = calculate(rule, read_trips(Path(args.trips)), on)
    except StayError as error:
        print(f"tropa stay: {error}", file=sys.stderr)
        return EXIT_INPUT
    if args.json:
        sys.stdout.write(orjson.dumps(stay.as_json()).decode() + "\n")
    else:
        print(_text(stay, str(rule)))
    return EXIT_OK
