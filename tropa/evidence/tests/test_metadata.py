"""Metadata read with exiftool and ffprobe (E7); derived copies (E1); missing tools."""

from __future__ import annotations

import hashlib
import re
import shutil
import struct
import subprocess
import zlib
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command

from tropa.accounts.models import User
from tropa.cases.models import Case
from tropa.evidence import services, tools, vault
from tropa.evidence.models import CustodyAction, DerivedKind, MetadataStatus
from tropa.evidence.storage import get_storage

from .conftest import GPS, add_file


def _exif_of(data: bytes) -> str:
    return subprocess.run(
        ["exiftool", "-G1", "-n", "-"], input=data, capture_output=True, check=True
    ).stdout.decode()


def test_it_reads_time_position_and_device_of_a_photo(
    canary_case: Case, coordinator: User, sample_dir: Path
) -> None:
    jpeg = sample_dir / "photo.jpg"
    item = add_file(canary_case, coordinator, jpeg)
    metadata = services.read_metadata(item)
    normalized = metadata["normalized"]
    assert normalized["captured_at"] == "2024-03-01T14:22:05+06:00"
    assert normalized["gps"]["latitude"] == pytest.approx(GPS[0])
    assert normalized["gps"]["longitude"] == pytest.approx(GPS[1])
    assert normalized["device"] == "Xiaomi Redmi Note 8"
    assert metadata["exiftool"]["IFD0:Make"] == "Xiaomi"
    assert metadata["tools"]["exiftool"].startswith("exiftool ")
    assert item.metadata_status == MetadataStatus.DONE
    # The original is never rewritten (E1).
    assert vault.hash_blob(get_storage(), vault.case_key(canary_case), item.blob) == item.sha256
    assert item.sha256 == hashlib.sha256(jpeg.read_bytes()).hexdigest()


def test_the_stripped_copy_is_a_separate_object_without_gps(
    canary_case: Case, coordinator: User, sample_dir: Path
) -> None:
    item = add_file(canary_case, coordinator, sample_dir / "photo.jpg")
    kinds = {d.kind: d for d in item.derived.all()}
    assert set(kinds) == {DerivedKind.THUMBNAIL, DerivedKind.STRIPPED}
    stripped = kinds[DerivedKind.STRIPPED]
    data = vault.read_all(get_storage(), vault.case_key(canary_case), stripped.blob)
    assert hashlib.sha256(data).hexdigest() == stripped.sha256 != item.sha256
    assert "GPS" not in _exif_of(data) and "Xiaomi" not in _exif_of(data)
    assert stripped.tool.startswith("mat2")
    derive = item.custody.filter(action=CustodyAction.DERIVE)
    assert {e.object_sha256 for e in derive} == {d.sha256 for d in kinds.values()}


@pytest.mark.parametrize("mat2", [True, False])
def test_a_photo_taken_upright_stays_upright(
    mat2: bool,
    canary_case: Case,
    coordinator: User,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Phones store a portrait photo as landscape pixels with EXIF orientation 6.
    photo = tmp_path / "portrait.jpg"
    make = "ffmpeg -v error -f lavfi -i testsrc=size=640x480:rate=1 -frames:v 1".split()
    subprocess.run([*make, str(photo)], check=True)
    turn = "exiftool -q -overwrite_original -Orientation#=6 -GPSLatitude=51.1 -GPSLatitudeRef=N"
    subprocess.run([*turn.split(), str(photo)], check=True)
    if not mat2:
        monkeypatch.setattr(tools, "mat2_usable", lambda size: False)
    item = add_file(canary_case, coordinator, photo)
    kinds = {d.kind: d for d in item.derived.all()}
    key = vault.case_key(canary_case)
    thumbnail = vault.read_all(get_storage(), key, kinds[DerivedKind.THUMBNAIL].blob)
    size = re.search(r"Image Size\s*: (\d+) (\d+)", _exif_of(thumbnail))
    assert size is not None and int(size[1]) < int(size[2])  # turned upright: portrait
    stripped = kinds[DerivedKind.STRIPPED]
    exif = _exif_of(vault.read_all(get_storage(), key, stripped.blob))
    assert "GPS" not in exif
    assert re.search(r"Orientation\s*: 6", exif), exif
    assert stripped.tool.startswith("mat2" if mat2 else "exiftool")


def test_it_reads_a_video_and_makes_a_poster(
    canary_case: Case, coordinator: User, sample_dir: Path
) -> None:
    item = add_file(canary_case, coordinator, sample_dir / "video.mp4")
    normalized = services.read_metadata(item)["normalized"]
    assert normalized["captured_at"] == "2024-02-20T08:00:00+00:00"
    assert normalized["duration"] == pytest.approx(1.0)
    assert item.derived.filter(kind=DerivedKind.POSTER).exists()
    assert services.thumbnail_data_uri(item).startswith("data:image/jpeg;base64,")  # type: ignore[union-attr]


def test_it_strips_a_pdf(canary_case: Case, coordinator: User, sample_dir: Path) -> None:
    item = add_file(canary_case, coordinator, sample_dir / "letter.pdf")
    stripped = item.derived.get(kind=DerivedKind.STRIPPED)
    data = vault.read_all(get_storage(), vault.case_key(canary_case), stripped.blob)
    assert b"Ivan Petrov" not in data
    original = vault.read_all(get_storage(), vault.case_key(canary_case), item.blob)
    assert b"Ivan Petrov" in original


def test_it_shows_a_conflict_between_file_time_and_stated_time() -> None:
    from datetime import UTC, datetime

    normalized = {"captured_at": "2024-03-01T14:22:05+06:00"}
    found = tools.conflicts(
        normalized,
        received_at=datetime(2024, 2, 1, tzinfo=UTC),
        stated={"taken_on": "2023-12-24", "file_modified": "2024-05-01T00:00:00+00:00"},
    )
    assert {c["code"] for c in found} == {"after_receipt", "taken_on"}
    assert not tools.conflicts(
        normalized, received_at=datetime(2024, 3, 2, tzinfo=UTC), stated={"taken_on": "2024-03-01"}
    )


def _png_bomb(path: Path, side: int = 16_000) -> None:
    """A 250 KB PNG that decodes to 256 MB of grey pixels."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    rows = zlib.compressobj(9)
    pixels = b"".join(rows.compress(b"\x00" * (side + 1)) for _ in range(side)) + rows.flush()
    header = struct.pack(">IIBBBBB", side, side, 8, 0, 0, 0, 0)
    path.write_bytes(
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")
    )


def test_a_decompression_bomb_is_stored_but_the_tools_stay_within_their_caps(
    canary_case: Case, coordinator: User, tmp_path: Path, settings: Any
) -> None:
    # Without these the test would pass for the wrong reason (no tool, no thumbnail).
    assert all(tools.available(t) for t in ("exiftool", "ffmpeg", "mat2"))
    assert shutil.which("prlimit")
    bomb = tmp_path / "bomb.png"
    _png_bomb(bomb)
    # ffmpeg needs ≈ 310 MB and mat2 ≈ 1 GB for this picture; give them 200 MB each.
    settings.TROPA_EVIDENCE_TOOL_MEMORY_BYTES = 200 * 1024**2
    item = add_file(canary_case, coordinator, bomb)
    assert item.sha256 == hashlib.sha256(bomb.read_bytes()).hexdigest()
    assert item.mime == "image/png"
    # exiftool reads only the header, within the cap: the dimensions are known...
    exif = services.read_metadata(item)["exiftool"]
    assert exif["PNG:ImageWidth"] == 16_000
    # ...while ffmpeg and mat2 were stopped by it: no thumbnail, and the copy without
    # metadata came from exiftool, which does not decode the pixels.
    kinds = {d.kind: d for d in item.derived.all()}
    assert DerivedKind.THUMBNAIL not in kinds
    assert kinds[DerivedKind.STRIPPED].tool.startswith("exiftool")


def test_it_keeps_working_without_the_tools(
    canary_case: Case,
    coordinator: User,
    sample_dir: Path,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    tools.version.cache_clear()
    try:
        item = add_file(canary_case, coordinator, sample_dir / "photo.jpg")
        assert item.metadata_status == MetadataStatus.PARTIAL
        assert set(item.missing_tools) == {"exiftool", "ffprobe", "ffmpeg", "mat2"}
        assert not item.derived.exists()
        call_command("doctor")
        out = capsys.readouterr().out
        assert "MISSING  exiftool" in out and "libimage-exiftool-perl" in out
    finally:
        tools.version.cache_clear()


def test_a_tool_is_asked_its_version_once_per_binary(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, settings: Any
) -> None:
    """``ffmpeg -version`` is a 48 MB process: asked once, kept by the binary's path, size
    and time, and asked again when the binary changes (an upgrade) (issue 19)."""
    settings.DATA_DIR = tmp_path
    runs = tmp_path / "runs"
    script = tmp_path / "bin" / "mat2"
    script.parent.mkdir()
    script.write_text(f"#!/bin/sh\necho x >> {runs}\necho 'mat2 0.13.1'\n")
    script.chmod(0o700)
    monkeypatch.setenv("PATH", str(script.parent))

    def asked() -> str | None:
        tools.version.cache_clear()  # a new process: only the file is left
        return tools.version("mat2")

    try:
        assert asked() == "mat2 0.13.1" and asked() == "mat2 0.13.1"
        assert runs.read_text().count("x") == 1
        assert "mat2 0.13.1" in (tmp_path / "tool-versions.json").read_text()
        script.write_text(f"#!/bin/sh\necho x >> {runs}\necho 'mat2 0.14.0 (new)'\n")
        assert asked() == "mat2 0.14.0" and runs.read_text().count("x") == 2
        script.write_text("#!/bin/sh\nexit 1\n")  # a tool that does not run: not kept
        assert asked() is None and asked() is None
    finally:
        tools.version.cache_clear()
