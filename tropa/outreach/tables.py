"""Reading an outreach spreadsheet file into a table of text cells, within limits.

CSV in UTF-8 (with or without BOM), UTF-16 with BOM (Excel's "Unicode text"), Windows-1251 or
KOI8-R (told apart by how the Russian letters come out), separated by commas or semicolons, or an
XLSX workbook (first sheet). Cell text is kept verbatim, formulas included: it is never
evaluated here, and exports neutralise it (see ``exports.safe_cell``). What the cells mean is
``importer``'s work; the words it recognises are in ``vocabulary``.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime

from django.utils.formats import number_format
from django.utils.translation import gettext as _

from tropa.core.errors import ServiceError

MAX_BYTES = 40 * 1024 * 1024


# Every row read counts, blank ones included: a file of a million empty lines or blank
# workbook rows is refused after this many instead of being walked to its end.
MAX_ROWS = 250_000


MAX_FIELD = 20_000


# A workbook is a zip: what it unpacks to is checked (declared and actual sizes) before
# openpyxl parses it, so a small file cannot expand into gigabytes.
MAX_UNPACKED_BYTES = 256 * 1024 * 1024


MAX_MEMBERS = 1000


# Columns read per workbook row; a sheet that claims 16,384 columns is not padded to them.
MAX_COLUMNS = 100


class ImportFileError(ServiceError):
    """The file as a whole cannot be read; the message says why.

    ``rows_read`` is how many rows (blank ones included) had been read when reading stopped.
    """

    def __init__(self, message: str, *, rows_read: int = 0) -> None:
        super().__init__(message)
        self.rows_read = rows_read


def _too_many_rows(rows_read: int) -> ImportFileError:
    return ImportFileError(
        _("The file has more than %(rows)s rows (blank rows count too).")
        % {"rows": number_format(MAX_ROWS, force_grouping=True)},
        rows_read=rows_read,
    )


@dataclass(frozen=True)
class Table:
    header: list[str]
    rows: list[tuple[int, list[str]]]  # (line number in the file, cells)
    encoding: str
    delimiter: str


def read_table(data: bytes) -> Table:
    """Decode and split ``data`` (CSV or XLSX) into a header and numbered rows."""
    if not data.strip():
        raise ImportFileError(_("The file is empty."))
    if len(data) > MAX_BYTES:
        raise ImportFileError(_("The file is larger than 40 MB."))
    if data[:4] == b"PK\x03\x04":
        return _read_xlsx(data)
    return _read_csv(_decode(data))


def _not_text() -> ImportFileError:
    return ImportFileError(
        _(
            "The file is neither UTF-8, UTF-16 nor Windows-1251 text, nor an XLSX workbook. "
            "Save it from the spreadsheet program as “CSV UTF-8” or as XLSX."
        )
    )


def _decode(data: bytes) -> tuple[str, str]:
    if data[:2] in (b"\xff\xfe", b"\xfe\xff"):  # Excel's "Unicode text"
        try:
            return data.decode("utf-16"), "utf-16"
        except UnicodeDecodeError:
            raise _not_text() from None
    if b"\x00" in data[:4096]:
        raise _not_text()
    try:
        return data.decode("utf-8-sig"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        text = data.decode("cp1251")
    except UnicodeDecodeError:
        raise _not_text() from None
    if _mostly_capitals(text):
        # KOI8-R read as Windows-1251 turns lower-case Russian into capitals.
        koi8 = data.decode("koi8_r", errors="replace")
        if not _mostly_capitals(koi8):
            return koi8, "koi8-r"
    return text, "windows-1251"


def _mostly_capitals(text: str) -> bool:
    letters = [ch for ch in text[:65536] if "\u0400" <= ch <= "\u04ff"]
    capitals = sum(ch.isupper() for ch in letters)
    return len(letters) >= 20 and capitals > 0.6 * len(letters)


def _delimiter(text: str) -> str:
    sample = text[:65536]
    first_line = sample.splitlines()[0] if sample.splitlines() else ""
    try:
        found = csv.Sniffer().sniff(sample, delimiters=";,\t").delimiter
    except csv.Error:
        found = ""
    if found and first_line.count(found) > 0:
        return found
    # The sniffer gives up on short or irregular files: the header line decides.
    counts = {d: first_line.count(d) for d in (";", ",", "\t")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","


_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+\Z")


def _lines(text: str) -> Iterator[str]:
    """The lines of ``text`` with their endings (as ``StringIO(newline="")`` splits them),
    one at a time: no second copy of the whole text, and reading can stop early."""
    return (match.group() for match in _LINE.finditer(text))


def _read_csv(decoded: tuple[str, str]) -> Table:
    text, encoding = decoded
    delimiter = _delimiter(text)
    reader = csv.reader(_lines(text), delimiter=delimiter)
    header: list[str] | None = None
    rows: list[tuple[int, list[str]]] = []
    start = 1
    read = 0
    try:
        for record in reader:
            line, start = start, reader.line_num + 1
            read += 1
            if read > MAX_ROWS:
                raise _too_many_rows(read)
            if not any(cell.strip() for cell in record):
                continue
            if any(len(cell) > MAX_FIELD for cell in record):
                raise ImportFileError(
                    _("Line %(line)d has a cell longer than 20,000 characters.") % {"line": line}
                )
            if header is None:
                header = [cell.strip() for cell in record]
                continue
            rows.append((line, record))
    except csv.Error as exc:
        raise ImportFileError(
            _("Line %(line)d cannot be read as CSV: %(reason)s") % {"line": start, "reason": exc}
        ) from None
    if header is None:
        raise ImportFileError(_("The file has no header row."))
    return Table(header=header, rows=rows, encoding=encoding, delimiter=delimiter)


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _check_unpacked_size(data: bytes) -> None:
    """Refuse a workbook whose parts unpack to more than ``MAX_UNPACKED_BYTES``.

    The sizes the zip declares are checked first (no decompression at all); then every
    part is inflated once, counting, because a declared size can lie. Nothing is kept.
    """
    limit = _("The workbook unpacks to more than %(size)d MB; at most %(size)d MB are read.") % {
        "size": MAX_UNPACKED_BYTES // (1024 * 1024)
    }
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = archive.infolist()
            if len(members) > MAX_MEMBERS:
                raise ImportFileError(_("The workbook has too many parts to be a spreadsheet."))
            if sum(m.file_size for m in members) > MAX_UNPACKED_BYTES:
                raise ImportFileError(limit)
            total = 0
            for member in members:
                with archive.open(member) as part:
                    while chunk := part.read(1024 * 1024):
                        total += len(chunk)
                        if total > MAX_UNPACKED_BYTES:
                            raise ImportFileError(limit)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError, OSError, EOFError):
        raise ImportFileError(_("The file looks like a workbook but cannot be opened.")) from None
    except (ValueError, RuntimeError) as exc:  # zlib errors, encrypted parts
        if isinstance(exc, ImportFileError):
            raise
        raise ImportFileError(_("The file looks like a workbook but cannot be opened.")) from None


def _read_xlsx(data: bytes) -> Table:
    from openpyxl import load_workbook

    _check_unpacked_size(data)
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError, TypeError):
        raise ImportFileError(_("The file looks like a workbook but cannot be opened.")) from None
    try:
        sheet = workbook.worksheets[0]
        header: list[str] | None = None
        rows: list[tuple[int, list[str]]] = []
        read = 0
        # Streamed (read-only mode), at most MAX_COLUMNS wide and MAX_ROWS + 1 long: the
        # row after the limit is read only to know that there is one.
        values = sheet.iter_rows(max_row=MAX_ROWS + 1, max_col=MAX_COLUMNS, values_only=True)
        for number, row in enumerate(values, start=1):
            read += 1
            if read > MAX_ROWS:
                raise _too_many_rows(read)
            if not any(v is not None and str(v).strip() for v in row):
                continue
            cells = [_cell_text(v) for v in row]
            if header is None:
                header = [c.strip() for c in cells]
                if header[-1:] != [""] and len(header) >= MAX_COLUMNS:
                    raise ImportFileError(
                        _("The sheet has more than %(columns)d columns.")
                        % {"columns": MAX_COLUMNS - 1}
                    )
                continue
            rows.append((number, cells))
    except ImportFileError:
        raise
    except (KeyError, ValueError, TypeError, AttributeError, SyntaxError):
        raise ImportFileError(_("The file looks like a workbook but cannot be opened.")) from None
    finally:
        workbook.close()
    if header is None:
        raise ImportFileError(_("The file has no header row."))
    # Rows are read MAX_COLUMNS wide; trailing blank header cells are not columns, and
    # each row keeps the header's width (what lies beyond it must be blank, as before).
    while header and not header[-1]:
        header.pop()
    width = len(header)
    rows = [(n, _trim(cells, width)) for n, cells in rows]
    return Table(header=header, rows=rows, encoding="xlsx", delimiter="")


def _trim(cells: list[str], width: int) -> list[str]:
    end = len(cells)
    while end > width and not cells[end - 1].strip():
        end -= 1
    return cells[:end]
