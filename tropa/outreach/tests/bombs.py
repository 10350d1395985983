"""Workbooks built to exhaust a reader: used by the import tests and the benchmark.

Plain ``zipfile``, no Django, so that ``bench/outreach/bench_blank_files.py`` can use it too.
"""

from __future__ import annotations

import io
import zipfile

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PARTS = {
    "[Content_Types].xml": (
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/'
        'vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        '<Override PartName="/xl/workbook.xml" ContentType="application/'
        'vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
        '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/'
        'vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>'
    ),
    "_rels/.rels": (
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        f'<Relationship Id="rId1" Type="{REL}/officeDocument" Target="xl/workbook.xml"/>'
        "</Relationships>"
    ),
    "xl/workbook.xml": (
        f'<workbook xmlns="{MAIN}" xmlns:r="{REL}"><sheets>'
        '<sheet name="S" sheetId="1" r:id="rId1"/></sheets></workbook>'
    ),
    "xl/_rels/workbook.xml.rels": (
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        f'<Relationship Id="rId1" Type="{REL}/worksheet" Target="worksheets/sheet1.xml"/>'
        "</Relationships>"
    ),
}
HEADER_ROW = (
    '<row r="1"><c r="A1" t="inlineStr"><is><t>Date</t></is></c>'
    '<c r="B1" t="inlineStr"><is><t>Institution</t></is></c></row>'
)


def blank_workbook(blank_rows: int, *, padding: int = 0, numbered: bool = False) -> bytes:
    """A header and ``blank_rows`` blank rows, claiming the sheet's full width, zipped
    as it is written (the sheet is never whole in memory). ``padding`` adds that many
    bytes of whitespace to the sheet: XML that unpacks big and parses to nothing.
    ``numbered`` writes ``<row r="N" spans="1:16384"/>`` as spreadsheet programs do (a
    file of about 2 MB instead of a few kB)."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        for name, xml in PARTS.items():
            archive.writestr(name, xml)
        with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as sheet:
            sheet.write(
                f'<worksheet xmlns="{MAIN}"><dimension ref="A1:XFD{blank_rows + 1}"/>'
                f"<sheetData>{HEADER_ROW}".encode()
            )
            batch = []
            for number in range(2, blank_rows + 2):
                batch.append(f'<row r="{number}" spans="1:16384"/>' if numbered else "<row/>")
                if len(batch) == 10_000:
                    sheet.write("".join(batch).encode())
                    batch = []
            sheet.write("".join(batch).encode())
            chunk = b" " * (1024 * 1024)
            for _ in range(padding // len(chunk)):
                sheet.write(chunk)
            sheet.write(b"</sheetData></worksheet>")
    return out.getvalue()
