"""Real files for the evidence tests, made once per run with ffmpeg and exiftool."""

from __future__ import annotations

import io
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone

from tropa.accounts.models import User
from tropa.cases.models import Case
from tropa.evidence import services
from tropa.evidence.models import EvidenceItem

# A JPEG "taken" in Astana with a phone, as a deserter's photo would be.
GPS = (51.128207, 71.430411)


@pytest.fixture(scope="session")
def sample_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("samples")
    jpeg, mp4, pdf = folder / "photo.jpg", folder / "video.mp4", folder / "letter.pdf"
    subprocess.run(
        [
            "ffmpeg",
            "-v",
            "error",
            "-f",
            "lavfi",
            "-i",
            "testsrc=size=640x480:rate=1",
            "-frames:v",
            "1",
            str(jpeg),
        ],
        check=True,
    )
    subprocess.run(
        [
            "exiftool",
            "-q",
            "-overwrite_original",
            "-Make=Xiaomi",
            "-Model=Redmi Note 8",
            "-DateTimeOriginal=2024:03:01 14:22:05",
            "-OffsetTimeOriginal=+06:00",
            f"-GPSLatitude={GPS[0]}",
            "-GPSLatitudeRef=N",
            f"-GPSLongitude={GPS[1]}",
            "-GPSLongitudeRef=E",
            str(jpeg),
        ],
        check=True,
    )
    subprocess.run(
        [
            "ffmpeg",
            "-v",
            "error",
            "-f",
            "lavfi",
            "-i",
            "testsrc=duration=1:size=320x240:rate=10",
            "-metadata",
            "creation_time=2024-02-20T08:00:00Z",
            "-c:v",
            "libx264",
            "-pix_fmt",
            "yuv420p",
            str(mp4),
        ],
        check=True,
    )
    pdf.write_bytes(_minimal_pdf())
    return folder


def _minimal_pdf() -> bytes:
    """A one-page PDF with an author in its info dictionary (metadata to strip)."""
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] /Contents 4 0 R >>",
        b"<< /Length 0 >>\nstream\n\nendstream",
        b"<< /Author (Ivan Petrov) /Title (Raport) >>",
    ]
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n%s\nendobj\n" % (number, body))
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    for offset in offsets:
        out.write(b"%010d 00000 n \n" % offset)
    out.write(b"trailer\n<< /Size %d /Root 1 0 R /Info 5 0 R >>\n" % (len(objects) + 1))
    out.write(b"startxref\n%d\n%%%%EOF\n" % xref)
    return out.getvalue()


@pytest.fixture(autouse=True)
def _private_storage(settings: Any, tmp_path: Path) -> Iterator[Path]:
    settings.TROPA_EVIDENCE_DIR = tmp_path / "evidence"
    # mat2's RAM scratch space: a directory of the test's own on the tmpfs, removed after.
    ram = None
    if Path("/dev/shm").is_dir():
        ram = Path(tempfile.mkdtemp(prefix="tropa-test-ram-", dir="/dev/shm"))
        settings.TROPA_EVIDENCE_RAM_DIR = str(ram)
    yield tmp_path / "evidence"
    if ram is not None:
        shutil.rmtree(ram, ignore_errors=True)


def record(**overrides: Any) -> services.CollectionRecord:
    values: dict[str, Any] = {
        "method": "messenger",
        "received_at": timezone.now() - timedelta(hours=1),
        "source": "Funker",
        "original_name": "IMG_2024.jpg",
        "note": "handed over by his brother",
        "extra": {"modified_ms": 1709280000000},
        "tool": "test",
    }
    values.update(overrides)
    return services.CollectionRecord(**values)


def add_file(case: Case, actor: User, path: Path, *, process: bool = True) -> EvidenceItem:
    with path.open("rb") as handle:
        item = services.add_evidence(
            actor=actor, case=case, source=handle, record=record(original_name=path.name)
        )
    if process:
        services.process_item(item)
        item.refresh_from_db()
    return item
