"""Reading a list file as a stream: one line at a time, never the whole file in memory.

FollowTheMoney JSON lines (one entity per line; only Person entities are screened) or the CSV
an organization keeps itself (id,name[,alias,birth_date,position,unit]), read through the
engine's own builders so that a person is the same whichever way the file arrived. A file
with bad lines is reported with each line's number (the first ``MAX_REPORTED``) and refused
whole by the caller, which stores nothing until the last line is read.
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.utils.translation import gettext as _

from .errors import ScreeningError

if TYPE_CHECKING:
    from tropa.lib.screening.lists import LineError
    from tropa.lib.screening.model import Person as EnginePerson

BLOCK = 1 << 20
# A longer line is not a list entry: refused rather than held in memory.
MAX_LINE = 8 << 20
MAX_REPORTED = 20


@dataclass
class Progress:
    """How far the reader is: bytes of the file read, people found."""

    bytes_read: int = 0
    people: int = 0


def byte_lines(read: Callable[[int], bytes], progress: Progress) -> Iterator[tuple[int, bytes]]:
    """(number, line) of a binary stream read block by block; a line keeps its newline."""
    pending = b""
    number = 0
    while block := read(BLOCK):
        progress.bytes_read += len(block)
        pending += block
        start = 0
        while (end := pending.find(b"\n", start)) >= 0:
            number += 1
            yield number, pending[start : end + 1]
            start = end + 1
        pending = pending[start:]
        if len(pending) > MAX_LINE:
            raise ScreeningError(
                _("Line %(line)d is longer than 8 MB: this is not a list file.")
                % {"line": number + 1}
            )
    if pending:
        yield number + 1, pending


class _Errors:
    def __init__(self) -> None:
        self.lines: list[LineError] = []
        self.count = 0

    def add(self, line: int, message: str) -> None:
        from tropa.lib.screening.lists import LineError

        self.count += 1
        if len(self.lines) < MAX_REPORTED:
            self.lines.append(LineError(line, message))

    def check(self) -> None:
        if self.count:
            raise ScreeningError(
                _("%(count)d bad line(s), the first at line %(line)d; nothing was imported.")
                % {"count": self.count, "line": self.lines[0].line},
                self.lines,
            )


def ftm_persons(lines: Iterator[tuple[int, bytes]], progress: Progress) -> Iterator[EnginePerson]:
    import orjson
    from followthemoney.exc import FollowTheMoneyException

    from tropa.lib.screening.lists import _flat_proxy, person_from_proxy

    errors = _Errors()
    good = 0
    for number, line in lines:
        if not line.strip():
            continue
        try:
            proxy = _flat_proxy(orjson.loads(line))
        except (orjson.JSONDecodeError, ValueError, FollowTheMoneyException) as exc:
            if not good and not errors.count:
                raise ScreeningError(
                    _(
                        "This is not a FollowTheMoney JSON lines file (line %(line)d: %(error)s); "
                        "expected one entity object per line."
                    )
                    % {"line": number, "error": str(exc)[:200]}
                ) from exc
            errors.add(number, str(exc)[:200])
            continue
        good += 1
        if proxy.schema.is_a("Person") and not errors.count:
            progress.people += 1
            yield person_from_proxy(proxy)
    errors.check()


def _text_lines(lines: Iterator[tuple[int, bytes]]) -> Iterator[str]:
    for number, line in lines:
        try:
            yield line.decode("utf-8-sig" if number == 1 else "utf-8")
        except UnicodeDecodeError as exc:
            raise ScreeningError(
                _("Line %(line)d is not UTF-8 text: save the file as UTF-8.") % {"line": number}
            ) from exc


def _split(value: str | None) -> list[str]:
    return [v.strip() for v in (value or "").split(";") if v.strip()]


def csv_persons(lines: Iterator[tuple[int, bytes]], progress: Progress) -> Iterator[EnginePerson]:
    from tropa.lib.screening.model import make_person

    reader = csv.DictReader(_text_lines(lines))
    header = [h.strip() for h in reader.fieldnames or []]
    missing = [c for c in ("id", "name") if c not in header]
    if missing:
        raise ScreeningError(
            _("This is not a list CSV: the column(s) %(columns)s are missing.")
            % {"columns": ", ".join(missing)}
        )
    errors = _Errors()
    for row in reader:
        line = reader.line_num
        values = {(k or "").strip(): (v or "").strip() for k, v in row.items() if k is not None}
        if None in row:
            errors.add(line, "more fields than columns")
        elif not values.get("id") or not values.get("name"):
            errors.add(line, "id and name are required")
        elif not errors.count:
            progress.people += 1
            yield make_person(
                values["id"],
                [values["name"], *_split(values.get("alias"))],
                _split(values.get("birth_date")),
                {"position": _split(values.get("position")), "unit": _split(values.get("unit"))},
            )
    errors.check()


def read_persons(
    read: Callable[[int], bytes], *, is_csv: bool, progress: Progress
) -> Iterator[EnginePerson]:
    """The persons of a list file, as they are read; raises ``ScreeningError`` on a bad file."""
    lines = byte_lines(read, progress)
    return csv_persons(lines, progress) if is_csv else ftm_persons(lines, progress)
