"""Files built to exhaust the importer (issue 9, finding 5).

A workbook of a million blank rows stays about a megabyte on disk, a CSV of forty million
empty lines is 40 MB: both are refused with a message naming the limit after reading at
most ``MAX_ROWS`` rows (blank ones count), and a workbook that unpacks to more than
``MAX_UNPACKED_BYTES`` is refused before any row is parsed. Effort is measured in rows
read, never in time (the benchmark in ``bench/outreach/`` has the timings).
"""

from __future__ import annotations

import io
import struct
import zipfile
from collections.abc import Callable

import pytest
from django.test import Client
from django.urls import reverse

from conftest import CANARY
from tropa.accounts.models import User
from tropa.crypto.fields import unseal
from tropa.outreach import importer
from tropa.outreach.models import ImportStaging
from tropa.outreach.tests.bombs import HEADER_ROW, MAIN, PARTS, blank_workbook


def test_a_workbook_of_a_million_blank_rows_is_refused_after_the_row_limit() -> None:
    data = blank_workbook(1_000_000)
    assert len(data) < 1024 * 1024  # small on disk: the point of the attack
    with pytest.raises(importer.ImportFileError) as refused:
        importer.read_table(data)
    assert "250,000 rows (blank rows count too)" in str(refused.value)
    # Reading stopped at the limit, not after the millionth row.
    assert refused.value.rows_read == importer.MAX_ROWS + 1


def test_a_workbook_that_unpacks_too_big_is_refused_before_parsing() -> None:
    data = blank_workbook(10, padding=importer.MAX_UNPACKED_BYTES + 1024 * 1024)
    assert len(data) < importer.MAX_BYTES
    with pytest.raises(importer.ImportFileError) as refused:
        importer.read_table(data)
    assert "more than 256 MB" in str(refused.value)
    assert refused.value.rows_read == 0  # not one row was parsed


def test_a_workbook_lying_about_its_size_is_refused() -> None:
    # A sheet of 20 MB of XML whose headers (local and central) declare 100 bytes.
    sheet = f'<worksheet xmlns="{MAIN}"><sheetData>{HEADER_ROW}'.encode()
    sheet += b" " * (20 * 1024 * 1024) + b"</sheetData></worksheet>"
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, xml in PARTS.items():
            archive.writestr(name, xml)
        archive.writestr("xl/worksheets/sheet1.xml", sheet)
    data = bytearray(out.getvalue())
    info = zipfile.ZipFile(io.BytesIO(bytes(data))).getinfo("xl/worksheets/sheet1.xml")
    struct.pack_into("<I", data, info.header_offset + 22, 100)
    central = bytes(data).rindex(b"PK\x01\x02")  # the last entry: the sheet
    assert zipfile.ZipFile(io.BytesIO(bytes(data))).infolist()[-1].filename.endswith("1.xml")
    struct.pack_into("<I", data, central + 24, 100)
    assert zipfile.ZipFile(io.BytesIO(bytes(data))).getinfo(info.filename).file_size == 100
    with pytest.raises(importer.ImportFileError, match="cannot be opened"):
        importer.read_table(bytes(data))


def test_a_csv_of_empty_lines_is_refused_after_the_row_limit() -> None:
    data = b"Date;Institution\n" + b"\n" * (importer.MAX_BYTES - 100)
    with pytest.raises(importer.ImportFileError) as refused:
        importer.read_table(data)
    assert "250,000 rows (blank rows count too)" in str(refused.value)
    assert refused.value.rows_read == importer.MAX_ROWS + 1


def test_a_file_within_the_limits_still_reads_with_blank_rows_skipped() -> None:
    table = importer.read_table(blank_workbook(1000))
    assert table.header == ["Date", "Institution"] and table.rows == []
    text = b"Date;Institution\n\n\n01.03.2023;Pro Asyl\n\n"
    assert importer.read_table(text).rows == [(4, ["01.03.2023", "Pro Asyl"])]


def test_the_preview_works_on_sealed_rows_and_never_on_the_file(
    coordinator: User, signed_in: Callable[[User], Client]
) -> None:
    client = signed_in(coordinator)
    content = f"Дата;Организация\n01.03.2023;{CANARY}-фонд\n".encode()
    response = client.post(
        reverse("outreach:import_upload"), {"file": io.BytesIO(content)}, format="multipart"
    )
    assert response.status_code == 302
    staging = ImportStaging.objects.unscoped().get()
    assert CANARY.encode() not in bytes(staging.sealed)
    kept = unseal(staging, "sealed", staging.sealed)
    # The rows as read at upload, and no copy of the file to parse again.
    assert "data" not in kept
    assert kept["table"]["rows"] == [[2, ["01.03.2023", f"{CANARY}-фонд"]]]
    assert content not in str(kept).encode()
    page = client.get(reverse("outreach:import_preview", args=[staging.code]))
    assert f"{CANARY}-фонд" in page.content.decode()
