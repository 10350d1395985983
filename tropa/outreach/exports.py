"""CSV and XLSX exports of requests and statistics.

Both formats stream: rows come from a database iterator and go out as they are made, so
memory stays flat however many requests there are. XLSX is written by the small writer
below rather than by openpyxl's write-only mode, which spools every sheet to a plaintext
temporary file (the sheet holds letter subjects, and nothing sealed may reach the disk in
plain text) and then reads that file whole into memory to zip it. The output is a plain
SpreadsheetML workbook with inline strings; the tests read it back with openpyxl.
Every text cell that a spreadsheet would read as a formula is neutralised.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from collections.abc import Iterable, Iterator, Sequence
from itertools import chain
from typing import Any
from xml.sax.saxutils import escape

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from tropa.crypto.fields import KeyErased, unseal

from . import stats
from .models import Channel, Kind, Request, Status

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
CHUNK = 2000


def safe_cell(value: Any) -> Any:
    """A cell a spreadsheet shows as text: ``=HYPERLINK(...)`` becomes ``'=HYPERLINK(...)``."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def request_header() -> list[str]:
    return [
        _("Code"),
        _("Date sent"),
        _("Institution"),
        _("Type"),
        _("Country"),
        _("City"),
        _("Contact person"),
        _("Channel"),
        _("Case"),
        _("Group"),
        _("Subject"),
        _("Status"),
        _("Status since"),
        _("First answer"),
        _("Days to answer"),
        _("Referred to"),
        _("Sent by"),
    ]


# What ``request_rows`` reads of each request, after its key, organization and letter.
_ROW_VALUES = (
    "sealed",
    "code",
    "sent_on",
    "institution__name",
    "institution__kind",
    "institution__country",
    "institution__city",
    "contact__name",
    "channel",
    "case__person__pseudonym",
    "group",
    "status",
    "status_on",
    "first_answer_on",
    "days_to_answer",
    "referred_to",
    "sent_by__username",
)


def request_rows(requests: QuerySet[Request], *, reveal: bool = False) -> Iterator[list[Any]]:
    """One list per request, read in chunks as plain values (no model instances per row).

    Subjects come as every reader may see them, identity masked; with ``reveal`` (for a
    user who may see identities, the reveals logged by the caller) as written.
    """
    kinds, channels, statuses = (
        {value: str(label) for value, label in choices}
        for choices in (Kind.choices, Channel.choices, Status.choices)
    )
    rows = requests.order_by("sent_on", "pk").values_list(
        "pk", "organization_id", "case_id", "identity_sealed" if reveal else "sealed", *_ROW_VALUES
    )
    # Unsealing needs only the row's key, organization and case: one stand-in serves all.
    holder = Request()
    values: Iterator[tuple[Any, ...]] = rows.iterator(chunk_size=CHUNK)
    for (
        pk,
        org_id,
        case_id,
        full,
        sealed,
        code,
        sent_on,
        name,
        kind,
        country,
        city,
        contact,
        channel,
        *rest,
    ) in values:
        pseudonym, group, status, status_on, first_answer, days, referred, sender = rest
        holder.pk, holder.organization_id, holder.case_id = pk, org_id, case_id
        try:
            if reveal and full is not None:
                letter = unseal(holder, "identity_sealed", full) or {}
            else:
                letter = unseal(holder, "sealed", sealed) or {}
        except KeyErased:  # an erased case's letter: its row stays in the figures, empty
            letter = {}
        yield [
            str(code),
            sent_on.isoformat(),
            name,
            kinds.get(kind, kind),
            country,
            city,
            contact or "",
            channels.get(channel, channel),
            pseudonym or "",
            group,
            letter.get("subject", ""),
            statuses.get(status, status),
            status_on.isoformat(),
            first_answer.isoformat() if first_answer else "",
            days if days is not None else "",
            referred,
            sender or "",
        ]


class _Line:
    """A file-like object whose ``write`` hands back what was written (for streaming)."""

    def write(self, value: str) -> str:
        return value


def csv_stream(header: list[str], rows: Iterable[list[Any]]) -> Iterator[str]:
    writer = csv.writer(_Line())
    # A BOM so that spreadsheet programs open the UTF-8 file with the right encoding.
    yield "\ufeff" + writer.writerow([safe_cell(h) for h in header])
    batch: list[str] = []
    for row in rows:
        batch.append(writer.writerow([safe_cell(c) for c in row]))
        if len(batch) >= 500:
            yield "".join(batch)
            batch = []
    if batch:
        yield "".join(batch)


_INVALID_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_PARTS = {
    "_rels/.rels": (
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
        'relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>'
    ),
}
_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"


def _cell_xml(value: Any) -> str:
    value = safe_cell(value)
    if isinstance(value, bool) or value is None or value == "":
        return "<c/>" if value in (None, "") else f'<c t="b"><v>{int(value)}</v></c>'
    if isinstance(value, int | float):
        return f"<c><v>{value}</v></c>"
    text = escape(_INVALID_XML.sub("", str(value)))
    return f'<c t="inlineStr"><is><t xml:space="preserve">{text}</t></is></c>'


def _workbook_parts(titles: list[str]) -> dict[str, str]:
    sheets = "".join(
        f'<sheet name="{escape(t, {chr(34): "&quot;"})}" sheetId="{i}" r:id="rId{i}"/>'
        for i, t in enumerate(titles, start=1)
    )
    rels = "".join(
        f'<Relationship Id="rId{i}" Type="{_REL}/worksheet" Target="worksheets/sheet{i}.xml"/>'
        for i in range(1, len(titles) + 1)
    )
    overrides = "".join(
        f'<Override PartName="/xl/worksheets/sheet{i}.xml" ContentType="application/'
        'vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
        for i in range(1, len(titles) + 1)
    )
    return {
        "[Content_Types].xml": (
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/'
            'vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/xl/workbook.xml" ContentType="application/'
            'vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
            f"{overrides}</Types>"
        ),
        **_PARTS,
        "xl/workbook.xml": (
            f'<workbook xmlns="{_MAIN}" xmlns:r="{_REL}"><sheets>{sheets}</sheets></workbook>'
        ),
        "xl/_rels/workbook.xml.rels": (
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/'
            f'relationships">{rels}</Relationships>'
        ),
    }


class _Pipe(io.RawIOBase):
    """A write-only stream that hands over what was written; zipfile streams into it."""

    def __init__(self) -> None:
        self.chunks: list[bytes] = []

    def writable(self) -> bool:
        return True

    def write(self, data: Any) -> int:
        self.chunks.append(bytes(data))
        return len(data)

    def drain(self) -> bytes:
        out, self.chunks = b"".join(self.chunks), []
        return out


def xlsx_stream(
    sheets: Sequence[tuple[str, list[str], Iterable[list[Any]]]],
) -> Iterator[bytes]:
    """An XLSX workbook, produced piece by piece; each sheet is (title, header, rows)."""
    pipe = _Pipe()
    with zipfile.ZipFile(pipe, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, xml in _workbook_parts([title[:31] for title, _h, _r in sheets]).items():
            archive.writestr(name, '<?xml version="1.0" encoding="UTF-8"?>' + xml)
        for number, (_title, header, rows) in enumerate(sheets, start=1):
            path = f"xl/worksheets/sheet{number}.xml"
            with archive.open(path, "w", force_zip64=True) as part:
                part.write(
                    f'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="{_MAIN}">'
                    "<sheetData>".encode()
                )
                batch: list[str] = []
                for cells in chain([header], rows):
                    batch.append("<row>" + "".join(map(_cell_xml, cells)) + "</row>")
                    if len(batch) >= 500:
                        part.write("".join(batch).encode())
                        batch = []
                        yield pipe.drain()
                part.write(("".join(batch) + "</sheetData></worksheet>").encode())
            yield pipe.drain()
    yield pipe.drain()


def _statistics_columns() -> list[str]:
    return [
        _("Requests"),
        _("Answered"),
        _("No answer"),
        _("Waiting"),
        _("Answer rate, percent"),
        _("Median days to first answer"),
        *(str(label) for _v, label in Status.choices),
    ]


def _statistics_tables(numbers: stats.Statistics) -> list[tuple[str, list[stats.Group]]]:
    return [
        (_("By type"), numbers.by_kind),
        (_("By country"), numbers.by_country),
        (_("By institution"), numbers.by_institution),
    ]


def _month_rows(numbers: stats.Statistics) -> list[list[Any]]:
    return [[m.month.strftime("%Y-%m"), m.sent, m.answered] for m in numbers.months]


def statistics_csv(numbers: stats.Statistics) -> tuple[list[str], Iterable[list[Any]]]:
    """Every grouping in one table (a first column says which) for CSV."""
    rows = chain(
        (
            [title, *row]
            for title, groups in _statistics_tables(numbers)
            for row in stats.table_rows(groups)
        ),
        ([_("By month"), *row] for row in _month_rows(numbers)),
    )
    return [_("Grouping"), _("Name"), *_statistics_columns()], rows


def statistics_sheets(numbers: stats.Statistics) -> list[tuple[str, list[str], Any]]:
    """One sheet per grouping, and one by month, for XLSX."""
    columns = _statistics_columns()
    sheets: list[tuple[str, list[str], Any]] = [
        (title, [_("Name"), *columns], stats.table_rows(groups))
        for title, groups in _statistics_tables(numbers)
    ]
    sheets.append((_("By month"), [_("Month"), _("Requests"), _("Answered")], _month_rows(numbers)))
    return sheets
