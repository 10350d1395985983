"""Reading an outreach spreadsheet the way people really keep it.

Headers in Russian, English or German; dates as dd.mm.yyyy, d.m.yy or ISO; answers in free
text. Nothing here touches the database: the result is a list of clean rows and a list of bad
rows (line number and reason), and the caller decides. Reading the file itself (CSV, XLSX,
the limits) is ``tables``; the word tables are ``vocabulary``. Callers keep importing
everything from here (``importer.read_table``, ``importer.ImportFileError``...).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.utils.translation import gettext as _

from .models import Channel, Kind, Status
from .tables import (
    MAX_BYTES,
    MAX_COLUMNS,
    MAX_FIELD,
    MAX_MEMBERS,
    MAX_ROWS,
    MAX_UNPACKED_BYTES,
    ImportFileError,
    Table,
    read_table,
)
from .vocabulary import (
    ANSWER_WORDS,
    ANSWER_WORDS_BY_STATUS,
    CHANNEL_WORDS,
    COUNTRIES,
    DATE_WORDS,
    HEADERS,
    KIND_WORDS,
)

__all__ = [
    "FIELDS",
    "MAX_BYTES",
    "MAX_COLUMNS",
    "MAX_FIELD",
    "MAX_MEMBERS",
    "MAX_ROWS",
    "MAX_UNPACKED_BYTES",
    "REQUIRED",
    "ImportFileError",
    "NamedInstitution",
    "Parsed",
    "Row",
    "RowError",
    "Table",
    "answer_key",
    "distinct_answers",
    "distinct_channels",
    "distinct_institutions",
    "field_label",
    "fingerprint_text",
    "guess_channel",
    "guess_country",
    "guess_kind",
    "guess_mapping",
    "guess_status",
    "institution_key",
    "mapping_problems",
    "parse_date",
    "parse_rows",
    "read_table",
    "suggested_answers",
    "suggested_channels",
]


FIELDS = (
    "sent_on",
    "institution",
    "kind",
    "country",
    "city",
    "contact",
    "channel",
    "sender",
    "subject",
    "answer",
    "answer_on",
    "notes",
)


REQUIRED = ("sent_on", "institution")


@dataclass(frozen=True)
class RowError:
    line: int
    reason: str
    column: str = ""  # the file's own header of the column at fault, when there is one


@dataclass(frozen=True)
class Row:
    line: int
    sent_on: date
    institution: str
    kind: str
    country: str
    city: str
    contact: str
    channel: str
    subject: str
    answer: str
    status: str
    answer_on: date | None
    notes: str
    sender: str = ""
    # The row's cells as the fingerprint reads them (never stored: see ``fingerprint_text``).
    content: str = ""


@dataclass
class Parsed:
    rows: list[Row] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    # (line, ``fingerprint_text``) of every row with the right number of fields, good or
    # bad: the preview tells rows imported before even while others still need a choice.
    contents: list[tuple[int, str]] = field(default_factory=list)


def _norm(text: str) -> str:
    return re.sub(r"[\W_]+", "", text.casefold())


def _guess_field(header: str) -> str:
    key = _norm(header)
    for name, synonyms in HEADERS.items():
        if key in synonyms:
            return name
    has_date = any(w in key for w in DATE_WORDS)
    has_answer = any(w in key for w in ANSWER_WORDS)
    if has_date and has_answer:
        return "answer_on"
    if has_date:
        return "sent_on"
    if has_answer:
        return "answer"
    return ""


def guess_mapping(header: list[str]) -> list[str]:
    """For each column, the field it probably holds ('' for none); each field used once."""
    mapping: list[str] = []
    for name in header:
        guess = _guess_field(name)
        mapping.append(guess if guess and guess not in mapping else "")
    return mapping


def mapping_problems(mapping: list[str]) -> list[str]:
    problems = []
    for name in REQUIRED:
        if name not in mapping:
            problems.append(
                _("No column holds the %(field)s.") % {"field": field_label(name)},
            )
    used = [m for m in mapping if m]
    for name in sorted({m for m in used if used.count(m) > 1}):
        problems.append(
            _("More than one column is mapped to the %(field)s.") % {"field": field_label(name)}
        )
    unknown = [m for m in used if m not in FIELDS]
    if unknown:
        problems.append(_("Unknown field in the mapping."))
    return problems


def field_label(name: str) -> str:
    labels = {
        "sent_on": _("date sent"),
        "institution": _("institution"),
        "kind": _("institution type"),
        "country": _("country"),
        "city": _("city"),
        "contact": _("contact person"),
        "channel": _("channel"),
        "sender": _("sent by"),
        "subject": _("subject"),
        "answer": _("answer"),
        "answer_on": _("date of the answer"),
        "notes": _("notes"),
    }
    return labels.get(name, name)


_DATE_PATTERNS = (
    re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T].*)?$"),  # ISO, possibly with a time
    re.compile(r"^(\d{1,2})[./](\d{1,2})[./](\d{4}|\d{2})(?:\s.*)?$"),  # dd.mm.yyyy, d.m.yy
)


def parse_date(text: str) -> date:
    """A date in one of the accepted forms; ``ValueError`` with a message otherwise."""
    value = text.strip()
    iso = _DATE_PATTERNS[0].match(value)
    if iso:
        year, month, day = (int(g) for g in iso.groups())
    else:
        dotted = _DATE_PATTERNS[1].match(value)
        if not dotted:
            raise ValueError(
                _("“%(value)s” is not a date (use dd.mm.yyyy or yyyy-mm-dd).")
                % {"value": value[:40]}
            )
        day, month, year = (int(g) for g in dotted.groups())
        if len(dotted.group(3)) == 2:
            year += 2000
    try:
        return date(year, month, day)
    except ValueError:
        raise ValueError(
            _("The date “%(value)s” does not exist.") % {"value": value[:40]}
        ) from None


def answer_key(text: str) -> str:
    """The form of an answer that the answer→status mapping is keyed on."""
    return re.sub(r"\s+", " ", text.strip().casefold()).strip(" .!,;:")


def guess_status(text: str) -> str | None:
    """The status a free-text answer most likely means, or None when unsure."""
    key = answer_key(text)
    if not key:
        return Status.PENDING
    if key in {"-", "—", "–", "0", "нет", "no", "nein"}:
        return Status.NO_ANSWER
    for value, words in ANSWER_WORDS_BY_STATUS:
        if any(word in key for word in words):
            return value
    for value, label in Status.choices:
        if key in {value, answer_key(str(label))}:
            return value
    return None


def guess_kind(kind_text: str, institution: str) -> str:
    key = _norm(kind_text)
    for value, label in Kind.choices:
        if key and key in {value, _norm(str(label))}:
            return value
    text = f"{kind_text} {institution} ".casefold()
    for value, words in KIND_WORDS:
        if any(word in text for word in words):
            return value
    return Kind.OTHER


def guess_country(text: str) -> str:
    key = _norm(text)
    if key in COUNTRIES:
        return COUNTRIES[key]
    if re.fullmatch(r"[a-z]{2}", key):
        return key.upper()
    return ""


def guess_channel(text: str) -> str | None:
    """The channel a cell most likely names, or None: then the user must choose it."""
    key = answer_key(text)
    if not key:
        return None
    for value, words in CHANNEL_WORDS:
        if any(word in key for word in words):
            return str(value)
    for value, label in Channel.choices:
        if key in {value, answer_key(str(label))}:
            return str(value)
    return None


def _distinct(table: Table, mapping: list[str], name: str) -> list[str]:
    """Every distinct key of one field in the file, in the order first seen."""
    if name not in mapping:
        return [""] if name == "channel" else []  # no channel column: one choice for all
    column = mapping.index(name)
    seen: dict[str, None] = {}
    for _line, cells in table.rows:
        seen.setdefault(answer_key(cells[column]) if column < len(cells) else "", None)
    return list(seen)


def distinct_channels(table: Table, mapping: list[str]) -> list[str]:
    return _distinct(table, mapping, "channel")


def suggested_channels(keys: Iterable[str]) -> dict[str, str]:
    """The guessed channel for each channel key ('' where the user has to choose)."""
    return {key: guess_channel(key) or "" for key in keys}


def institution_key(name: str) -> str:
    return re.sub(r"\s+", " ", name.strip().casefold())


@dataclass(frozen=True)
class NamedInstitution:
    key: str
    name: str
    city: str
    country: str


def distinct_institutions(table: Table, mapping: list[str]) -> list[NamedInstitution]:
    """Every institution the file names (one per spelling), with its first row's city."""
    if "institution" not in mapping:
        return []
    index = {name: i for i, name in enumerate(mapping) if name}

    def cell(cells: list[str], name: str) -> str:
        i = index.get(name)
        return cells[i].strip() if i is not None and i < len(cells) else ""

    seen: dict[str, NamedInstitution] = {}
    for _line, cells in table.rows:
        name = cell(cells, "institution")
        key = institution_key(name)
        if key and key not in seen and len(name) <= 200:
            seen[key] = NamedInstitution(
                key, name, cell(cells, "city"), guess_country(cell(cells, "country"))
            )
    return list(seen.values())


def distinct_answers(table: Table, mapping: list[str]) -> list[str]:
    """Every distinct answer key in the file, in the order first seen."""
    return _distinct(table, mapping, "answer")


def suggested_answers(keys: Iterable[str]) -> dict[str, str]:
    """The guessed status for each answer key ('' where there is no confident guess)."""
    return {key: guess_status(key) or "" for key in keys}


def parse_rows(
    table: Table,
    mapping: list[str],
    answers: dict[str, str],
    today: date,
    channels: dict[str, str] | None = None,
) -> Parsed:
    """Turn cells into rows; every problem becomes a ``RowError`` with its line and column.

    ``answers`` maps answer keys (``answer_key``) to statuses and ``channels`` channel keys to
    channels; a value missing from either, or mapped to nothing, is a bad row: nothing is
    guessed without the user's confirmation. ``channels=None`` takes the confident guesses
    (the command line, where ``--channel`` adds the rest).
    """
    if channels is None:
        channels = suggested_channels(distinct_channels(table, mapping))
    result = Parsed()
    width = len(table.header)
    reader = _RowReader(table.header, mapping, answers, channels, today)
    for line, cells in table.rows:
        if len(cells) != width and not (
            len(cells) > width and not any(c.strip() for c in cells[width:])
        ):
            result.errors.append(
                RowError(
                    line,
                    _("expected %(expected)d fields, found %(found)d")
                    % {"expected": width, "found": len(cells)},
                )
            )
            continue
        content = fingerprint_text(cells, reader.field_columns)
        parsed = reader.read(line, cells, content)
        result.contents.append((line, content))
        if isinstance(parsed, Row):
            result.rows.append(parsed)
        else:
            result.errors.extend(parsed)
    return result


class _RowReader:
    """Reads one row's cells; guesses (institution type, country) are made once per
    distinct text, as the same ones repeat from row to row."""

    def __init__(
        self,
        header: list[str],
        mapping: list[str],
        answers: dict[str, str],
        channels: dict[str, str],
        today: date,
    ) -> None:
        self.index = {name: i for i, name in enumerate(mapping) if name}
        self.field_columns = [self.index.get(name) for name in FIELDS]
        self.header = header
        self.answers, self.channels, self.today = answers, channels, today
        self.valid_statuses = set(Status.values)
        self.valid_channels = set(Channel.values)
        self.kinds: dict[tuple[str, str], str] = {}
        self.countries: dict[str, str] = {}

    def column(self, name: str) -> str:
        i = self.index.get(name)
        return (self.header[i] or field_label(name)) if i is not None else field_label(name)

    def read(self, line: int, cells: list[str], content: str) -> Row | list[RowError]:
        def cell(name: str) -> str:
            i = self.index.get(name)
            return cells[i].strip() if i is not None and i < len(cells) else ""

        problems: list[RowError] = []

        def problem(name: str, reason: str) -> None:
            problems.append(RowError(line, reason, self.column(name)))

        sent_on = self._date(cell("sent_on"), "sent_on", problem)
        if sent_on and sent_on > self.today:
            problem("sent_on", _("the date sent is in the future"))
        institution = cell("institution")
        if not institution:
            problem("institution", _("no institution"))
        elif len(institution) > 200:
            problem("institution", _("the institution name is longer than 200 characters"))
        answer = cell("answer")
        status = self.answers.get(answer_key(answer), "")
        if status not in self.valid_statuses:
            problem("answer", _("unknown answer “%(answer)s”") % {"answer": answer[:60]})
        channel = self.channels.get(answer_key(cell("channel")), "")
        if channel not in self.valid_channels:
            problem(
                "channel",
                _("choose the channel for “%(channel)s”") % {"channel": cell("channel")[:60]},
            )
        answer_on = (
            self._date(cell("answer_on"), "answer_on", problem) if cell("answer_on") else None
        )
        if sent_on and answer_on and answer_on < sent_on:
            problem("answer_on", _("the answer is dated before the request"))
        if problems or sent_on is None:
            return problems
        return Row(
            line=line,
            sent_on=sent_on,
            institution=institution,
            kind=self._kind(cell("kind"), institution),
            country=self._country(cell("country")),
            city=cell("city")[:80],
            contact=cell("contact")[:160],
            channel=channel,
            subject=cell("subject"),
            answer=answer,
            status=status,
            answer_on=answer_on,
            notes=cell("notes"),
            sender=cell("sender")[:160],
            content=content,
        )

    def _date(self, text: str, name: str, problem: Any) -> date | None:
        try:
            return parse_date(text)
        except ValueError as exc:
            problem(name, str(exc))
            return None

    def _kind(self, kind_text: str, institution: str) -> str:
        key = (kind_text, institution)
        if key not in self.kinds:
            self.kinds[key] = guess_kind(kind_text, institution)
        return self.kinds[key]

    def _country(self, text: str) -> str:
        if text not in self.countries:
            self.countries[text] = guess_country(text)
        return self.countries[text]


def fingerprint_text(cells: list[str], columns: list[int | None]) -> str:
    """The row as its fingerprint reads it: the cell of every field (``columns``: the
    column of each of ``FIELDS``), case and spacing folded, so a re-import of the same row
    is recognised whatever the user chose for its answer, channel or institution. Only
    ever hashed with the organization's key (``blind_index``), never stored."""
    n = len(cells)
    return "\x1f".join(
        " ".join(cells[i].split()).casefold() if i is not None and i < n else "" for i in columns
    )
