"""Reading an outreach spreadsheet the way people really keep it.

CSV in UTF-8 (with or without BOM) or Windows-1251, separated by commas or semicolons, or an
XLSX workbook (first sheet); headers in Russian, English or German; dates as dd.mm.yyyy,
d.m.yy or ISO; answers in free text. Nothing here touches the database: the result is a list
of clean rows and a list of bad rows (line number and reason), and the caller decides.
Cell text is kept verbatim, formulas included: it is never evaluated here, and exports
neutralise it (see ``exports.safe_cell``).
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime

from django.utils.formats import number_format
from django.utils.translation import gettext as _

from tropa.core.errors import ServiceError

from .models import Channel, Kind, Status

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

FIELDS = (
    "sent_on",
    "institution",
    "kind",
    "country",
    "city",
    "contact",
    "channel",
    "subject",
    "answer",
    "answer_on",
    "notes",
)
REQUIRED = ("sent_on", "institution")


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


@dataclass(frozen=True)
class RowError:
    line: int
    reason: str


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


@dataclass
class Parsed:
    rows: list[Row] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)


# Reading the file ---------------------------------------------------------------------------


def read_table(data: bytes) -> Table:
    """Decode and split ``data`` (CSV or XLSX) into a header and numbered rows."""
    if not data.strip():
        raise ImportFileError(_("The file is empty."))
    if len(data) > MAX_BYTES:
        raise ImportFileError(_("The file is larger than 40 MB."))
    if data[:4] == b"PK\x03\x04":
        return _read_xlsx(data)
    return _read_csv(_decode(data))


def _decode(data: bytes) -> tuple[str, str]:
    try:
        return data.decode("utf-8-sig"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1251"), "windows-1251"
    except UnicodeDecodeError:
        raise ImportFileError(
            _("The file is neither UTF-8 nor Windows-1251 text, nor an XLSX workbook.")
        ) from None


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


# Column mapping ------------------------------------------------------------------------------


def _norm(text: str) -> str:
    return re.sub(r"[\W_]+", "", text.casefold())


_HEADERS: dict[str, set[str]] = {
    "sent_on": {
        "дата",
        "датаотправки",
        "датазапроса",
        "датаписьма",
        "когда",
        "отправлено",
        "date",
        "datesent",
        "sent",
        "senton",
        "sentdate",
        "datum",
        "gesendetam",
        "gesendet",
        "versanddatum",
        "absendedatum",
    },
    "institution": {
        "организация",
        "учреждение",
        "куда",
        "кому",
        "адресат",
        "получатель",
        "посольствоорганизация",
        "institution",
        "organisation",
        "organization",
        "recipient",
        "addressee",
        "to",
        "einrichtung",
        "empfänger",
        "adressat",
        "behörde",
        "stelle",
    },
    "kind": {"тип", "типорганизации", "вид", "type", "kind", "category", "art", "typ"},
    "country": {"страна", "country", "land", "staat"},
    "city": {"город", "city", "stadt", "ort"},
    "contact": {
        "контакт",
        "контактноелицо",
        "контактныелица",
        "contact",
        "contactperson",
        "person",
        "ansprechpartner",
        "ansprechperson",
        "kontakt",
        "kontaktperson",
    },
    "channel": {"канал", "способ", "каксвязались", "channel", "via", "method", "kanal", "weg"},
    "subject": {"тема", "суть", "предмет", "чтопросили", "subject", "topic", "betreff", "thema"},
    "answer": {
        "ответ",
        "результат",
        "реакция",
        "answer",
        "response",
        "reply",
        "result",
        "outcome",
        "antwort",
        "ergebnis",
        "rückmeldung",
        "reaktion",
    },
    "answer_on": {
        "датаответа",
        "ответполучен",
        "когдаответили",
        "answerdate",
        "dateofanswer",
        "answeredon",
        "replydate",
        "responsedate",
        "antwortdatum",
        "antwortam",
        "datumderantwort",
    },
    "notes": {
        "комментарий",
        "комментарии",
        "примечание",
        "примечания",
        "заметки",
        "notes",
        "note",
        "comment",
        "comments",
        "remarks",
        "bemerkung",
        "bemerkungen",
        "notiz",
        "notizen",
        "kommentar",
        "anmerkungen",
    },
}
_DATE_WORDS = ("дата", "date", "datum", "когда")
_ANSWER_WORDS = ("ответ", "answer", "reply", "response", "antwort")


def _guess_field(header: str) -> str:
    key = _norm(header)
    for name, synonyms in _HEADERS.items():
        if key in synonyms:
            return name
    has_date = any(w in key for w in _DATE_WORDS)
    has_answer = any(w in key for w in _ANSWER_WORDS)
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
        "subject": _("subject"),
        "answer": _("answer"),
        "answer_on": _("date of the answer"),
        "notes": _("notes"),
    }
    return labels.get(name, name)


# Values --------------------------------------------------------------------------------------

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


# Checked in order: "отказ в визе" is a refusal, not a visa.
_ANSWER_WORDS_BY_STATUS: list[tuple[str, tuple[str, ...]]] = [
    (
        Status.NO_ANSWER,
        (
            "нет ответа",
            "без ответа",
            "не ответил",
            "молчание",
            "тишина",
            "no answer",
            "no reply",
            "no response",
            "keine antwort",
            "ohne antwort",
            "keine reaktion",
        ),
    ),
    (
        Status.REFUSED,
        (
            "отказ",
            "отказали",
            "отклон",
            "не можем",
            "не могут",
            "не уполномоч",
            "не в компетенции",
            "refus",
            "declin",
            "rejected",
            "not responsible",
            "cannot help",
            "can't help",
            "abgelehnt",
            "ablehnung",
            "nicht zuständig",
            "absage",
        ),
    ),
    (
        Status.GRANTED,
        (
            "виза выдана",
            "выдали визу",
            "визу дали",
            "одобр",
            "visa granted",
            "granted",
            "admitted",
            "approved",
            "visum erteilt",
            "aufnahme",
            "bewilligt",
            "genehmigt",
        ),
    ),
    (Status.MEETING, ("встреч", "приглас", "meeting", "appointment", "termin", "treffen")),
    (
        Status.REFERRED,
        (
            "перенаправ",
            "переслали",
            "отправили в",
            "обратитесь",
            "referred",
            "redirected",
            "forwarded",
            "weitergeleitet",
            "verwiesen",
        ),
    ),
    (
        Status.ASKED_MORE,
        (
            "запросили",
            "просят документы",
            "нужны документы",
            "asked for more",
            "more information",
            "requested documents",
            "unterlagen",
            "nachgefragt",
            "weitere informationen",
        ),
    ),
    (
        Status.ACKNOWLEDGED,
        (
            "получили",
            "подтвердили",
            "приняли",
            "ответили",
            "ответ получен",
            "acknowledged",
            "received",
            "confirmed",
            "replied",
            "bestätigt",
            "eingangsbestätigung",
            "erhalten",
        ),
    ),
]


def guess_status(text: str) -> str | None:
    """The status a free-text answer most likely means, or None when unsure."""
    key = answer_key(text)
    if not key:
        return Status.PENDING
    if key in {"-", "—", "–", "0", "нет", "no", "nein"}:
        return Status.NO_ANSWER
    for value, words in _ANSWER_WORDS_BY_STATUS:
        if any(word in key for word in words):
            return value
    for value, label in Status.choices:
        if key in {value, answer_key(str(label))}:
            return value
    return None


_KIND_WORDS: list[tuple[str, tuple[str, ...]]] = [
    (Kind.CONSULATE, ("консульств", "consulat", "konsulat")),
    (Kind.EMBASSY, ("посольств", "нунциатур", "embass", "botschaft", "nunciat", "nuntiatur")),
    (Kind.MINISTRY, ("министерств", "мид ", "ministr", "auswärtiges amt", "foreign office")),
    (Kind.MIGRATION, ("миграц", "migrat", "bamf", "ausländerbehörde")),
    (Kind.UN, ("оон", "unhcr", "united nations", "ohchr", "un ", "uno")),
    (Kind.OMBUDSMAN, ("омбудсмен", "уполномоченн", "ombuds")),
    (Kind.PARLIAMENT, ("депутат", "парламент", "bundestag", "mdb", "parliament", "mp ")),
    (Kind.FOUNDATION, ("фонд", "foundation", "stiftung", "fondation")),
    (Kind.JOURNALIST, ("журналист", "редакц", "journalist", "redaktion", "newspaper", "zeitung")),
    (
        Kind.NGO,
        (
            "ngo",
            "нко",
            "amnesty",
            "pro asyl",
            "human rights",
            "красный крест",
            "red cross",
            "rotes kreuz",
            "verein",
            "правозащит",
        ),
    ),
]


def guess_kind(kind_text: str, institution: str) -> str:
    key = _norm(kind_text)
    for value, label in Kind.choices:
        if key and key in {value, _norm(str(label))}:
            return value
    text = f"{kind_text} {institution} ".casefold()
    for value, words in _KIND_WORDS:
        if any(word in text for word in words):
            return value
    return Kind.OTHER


_COUNTRIES: dict[str, str] = {
    "германия": "DE",
    "germany": "DE",
    "deutschland": "DE",
    "франция": "FR",
    "france": "FR",
    "frankreich": "FR",
    "великобритания": "GB",
    "uk": "GB",
    "unitedkingdom": "GB",
    "britain": "GB",
    "großbritannien": "GB",
    "канада": "CA",
    "canada": "CA",
    "kanada": "CA",
    "швеция": "SE",
    "sweden": "SE",
    "schweden": "SE",
    "швейцария": "CH",
    "switzerland": "CH",
    "schweiz": "CH",
    "сша": "US",
    "usa": "US",
    "unitedstates": "US",
    "ватикан": "VA",
    "vatican": "VA",
    "vatikan": "VA",
    "казахстан": "KZ",
    "kazakhstan": "KZ",
    "kasachstan": "KZ",
    "армения": "AM",
    "armenia": "AM",
    "armenien": "AM",
    "грузия": "GE",
    "georgia": "GE",
    "georgien": "GE",
    "украина": "UA",
    "ukraine": "UA",
    "нидерланды": "NL",
    "netherlands": "NL",
    "niederlande": "NL",
    "польша": "PL",
    "poland": "PL",
    "polen": "PL",
    "литва": "LT",
    "lithuania": "LT",
    "litauen": "LT",
    "чехия": "CZ",
    "czechia": "CZ",
    "tschechien": "CZ",
    "италия": "IT",
    "italy": "IT",
    "italien": "IT",
    "испания": "ES",
    "spain": "ES",
    "spanien": "ES",
    "норвегия": "NO",
    "norway": "NO",
    "norwegen": "NO",
    "финляндия": "FI",
    "finland": "FI",
    "finnland": "FI",
    "ес": "EU",
    "eu": "EU",
}


def guess_country(text: str) -> str:
    key = _norm(text)
    if key in _COUNTRIES:
        return _COUNTRIES[key]
    if re.fullmatch(r"[a-z]{2}", key):
        return key.upper()
    return ""


_CHANNEL_WORDS: list[tuple[str, tuple[str, ...]]] = [
    (Channel.WEB_FORM, ("форма", "сайт", "web", "form", "formular", "online")),
    (Channel.PHONE, ("телефон", "звон", "phone", "call", "anruf", "telefon")),
    (Channel.IN_PERSON, ("лично", "визит", "person", "visit", "persönlich", "besuch")),
    (Channel.LETTER, ("почт", "письмо бумаж", "letter", "post", "brief")),
    (Channel.EMAIL, ("mail", "почта", "имейл", "email", "e-mail", "емейл")),
]


def guess_channel(text: str) -> str:
    key = text.strip().casefold()
    if not key:
        return Channel.EMAIL
    if "mail" in key or "имейл" in key or "емейл" in key:
        return Channel.EMAIL
    for value, words in _CHANNEL_WORDS:
        if any(word in key for word in words):
            return value
    return Channel.EMAIL


# Rows ----------------------------------------------------------------------------------------


def distinct_answers(table: Table, mapping: list[str]) -> list[str]:
    """Every distinct answer key in the file, in the order first seen."""
    if "answer" not in mapping:
        return []
    column = mapping.index("answer")
    seen: dict[str, None] = {}
    for _line, cells in table.rows:
        if column < len(cells):
            seen.setdefault(answer_key(cells[column]), None)
    return list(seen)


def suggested_answers(keys: Iterable[str]) -> dict[str, str]:
    """The guessed status for each answer key ('' where there is no confident guess)."""
    return {key: guess_status(key) or "" for key in keys}


def parse_rows(table: Table, mapping: list[str], answers: dict[str, str], today: date) -> Parsed:
    """Turn cells into rows; every problem becomes a ``RowError`` with its line number.

    ``answers`` maps answer keys (``answer_key``) to statuses; an answer missing from it, or
    mapped to nothing, is a bad row.
    """
    result = Parsed()
    width = len(table.header)
    index = {name: i for i, name in enumerate(mapping) if name}
    valid_statuses = set(Status.values)
    # Institutions, countries and channels repeat from row to row: guess each text once.
    kinds: dict[tuple[str, str], str] = {}
    countries: dict[str, str] = {}
    channels: dict[str, str] = {}
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

        def cell(name: str, cells: list[str] = cells) -> str:
            i = index.get(name)
            return cells[i].strip() if i is not None and i < len(cells) else ""

        problems: list[str] = []
        sent_on: date | None = None
        try:
            sent_on = parse_date(cell("sent_on"))
            if sent_on > today:
                problems.append(_("the date sent is in the future"))
        except ValueError as exc:
            problems.append(str(exc))
        institution = cell("institution")
        if not institution:
            problems.append(_("no institution"))
        elif len(institution) > 200:
            problems.append(_("the institution name is longer than 200 characters"))
        answer = cell("answer")
        status = answers.get(answer_key(answer), "")
        if status not in valid_statuses:
            problems.append(_("unknown answer “%(answer)s”") % {"answer": answer[:60]})
        answer_on: date | None = None
        if cell("answer_on"):
            try:
                answer_on = parse_date(cell("answer_on"))
                if sent_on and answer_on < sent_on:
                    problems.append(_("the answer is dated before the request"))
            except ValueError as exc:
                problems.append(str(exc))
        if problems or sent_on is None:
            result.errors.append(RowError(line, "; ".join(problems)))
            continue
        kind_key = (cell("kind"), institution)
        if kind_key not in kinds:
            kinds[kind_key] = guess_kind(*kind_key)
        country, channel = cell("country"), cell("channel")
        if country not in countries:
            countries[country] = guess_country(country)
        if channel not in channels:
            channels[channel] = guess_channel(channel)
        result.rows.append(
            Row(
                line=line,
                sent_on=sent_on,
                institution=institution,
                kind=kinds[kind_key],
                country=countries[country],
                city=cell("city")[:80],
                contact=cell("contact")[:160],
                channel=channels[channel],
                subject=cell("subject"),
                answer=answer,
                status=status,
                answer_on=answer_on,
                notes=cell("notes"),
            )
        )
    return result
