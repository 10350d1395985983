"""The tools read a sealed file through a seekable view, never from plaintext at rest
(issue 19 #4): Tropa's random-access reader against Tink, the loopback range server, an
MP4 with its index at the end, and no plaintext in the data dir, TMPDIR or /dev/shm.
"""

from __future__ import annotations

import hashlib
import http.client
import os
import random
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path
from typing import Any

import pytest

from tropa.accounts.models import User
from tropa.cases.models import Case
from tropa.evidence import seekable, services, tools, vault
from tropa.evidence.models import DerivedKind, MetadataStatus
from tropa.evidence.storage import get_storage

from .conftest import add_file

SEGMENT_PLAIN = 1024 * 1024 - 16  # a segment's plaintext; the first is 40 bytes shorter


def _sealed(case: Case, data: bytes) -> str:
    return vault.write_bytes(get_storage(), vault.case_key(case, create=True), data).blob


@pytest.mark.parametrize(
    "size", [0, 1, SEGMENT_PLAIN - 40, SEGMENT_PLAIN - 39, 2 * SEGMENT_PLAIN - 40, 3_000_001]
)
def test_any_range_of_a_sealed_file_reads_as_tink_wrote_it(canary_case: Case, size: int) -> None:
    data = random.Random(size).randbytes(size)
    blob = _sealed(canary_case, data)
    handle = vault.case_keyset(canary_case)
    with seekable.open_sealed(get_storage(), handle, blob) as sealed:
        assert sealed.size == size
        picks = random.Random(1)
        for _ in range(40):
            offset, n = picks.randint(0, size), picks.randint(0, 2_200_000)
            assert sealed.read_at(offset, n) == data[offset : offset + n]
        assert sealed.read_at(0, size) == data


def test_a_changed_or_cut_blob_does_not_read(canary_case: Case, tmp_path: Path) -> None:
    data = os.urandom(3 * SEGMENT_PLAIN)
    blob = _sealed(canary_case, data)
    handle = vault.case_keyset(canary_case)
    path = Path(get_storage().root) / blob[:2] / blob  # type: ignore[attr-defined]
    sealed_bytes = bytearray(path.read_bytes())
    # A flipped byte in the second segment: the first still reads, the second does not.
    sealed_bytes[1024 * 1024 + 100] ^= 1
    path.write_bytes(sealed_bytes)
    with seekable.open_sealed(get_storage(), handle, blob) as sealed:
        assert sealed.read_at(0, 1000) == data[:1000]
        with pytest.raises(vault.Corrupt):
            sealed.read_at(SEGMENT_PLAIN, 10)
    # Cut at a segment boundary: the segment now last does not say it is last.
    path.write_bytes(bytes(sealed_bytes[: 2 * 1024 * 1024]))
    with pytest.raises(vault.Corrupt), seekable.open_sealed(get_storage(), handle, blob):
        pass


def _get(port: int, path: str, host: str, headers: dict[str, str] | None = None) -> Any:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    connection.putrequest("GET", path, skip_host=True)
    connection.putheader("Host", host)
    for name, value in (headers or {}).items():
        connection.putheader(name, value)
    connection.endheaders()
    response = connection.getresponse()
    body = response.read()
    connection.close()
    return response.status, body, response


def test_the_range_server_serves_one_path_to_loopback_only_and_is_gone_after(
    canary_case: Case,
) -> None:
    data = os.urandom(2 * SEGMENT_PLAIN + 5)
    blob = _sealed(canary_case, data)
    with (
        seekable.open_sealed(get_storage(), vault.case_keyset(canary_case), blob) as sealed,
        tools.serve(sealed) as served,
    ):
        host_port = served.url.split("/")[2]
        port, path = int(host_port.split(":")[1]), "/" + served.url.split("/", 3)[3]
        status, body, response = _get(port, path, host_port, {"Range": "bytes=1048000-1049999"})
        assert status == 206 and body == data[1048000:1050000]
        assert response.getheader("Content-Range") == f"bytes 1048000-1049999/{len(data)}"
        assert _get(port, path, host_port, {"Range": "bytes=-7"})[1] == data[-7:]
        # Another path (a guess, the token's prefix, a traversal) is a bare 404...
        for other in ("/", path[:-1], path + "x", path + "/../x", "/" + blob):
            assert _get(port, other, host_port)[:2] == (404, b"")
        # ...another host name (DNS rebinding from a browser) a 400, with nothing of the file.
        for host in (f"localhost:{port}", "evil.example", f"127.0.0.1:{port + 1}"):
            assert _get(port, path, host)[:2] == (400, b"")
        # It listens on loopback only.
        assert served.url.startswith("http://127.0.0.1:")
    # Gone after: the port no longer answers.
    with pytest.raises(OSError), socket.create_connection(("127.0.0.1", port), timeout=5):
        pass


@pytest.fixture(scope="module")
def index_at_end_mp4(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A phone-like video as ffmpeg writes it by default: the index (moov) after the data."""
    path = tmp_path_factory.mktemp("mp4") / "VID_20260304.mp4"
    subprocess.run(
        [
            *("ffmpeg", "-v", "error", "-f", "lavfi", "-i", "testsrc2=size=320x240:rate=10"),
            *("-f", "lavfi", "-i", "sine=frequency=440", "-t", "3", "-c:v", "libx264"),
            *("-pix_fmt", "yuv420p", "-c:a", "aac"),
            *("-metadata", "creation_time=2026-03-04T05:06:07Z"),
            *("-metadata", "location=+43.2567+076.9286/", str(path)),
        ],
        check=True,
    )
    data = path.read_bytes()
    assert data.find(b"moov") > data.find(b"mdat") > 0  # without this the test means nothing
    return path


def test_an_mp4_with_its_index_at_the_end_gets_metadata_a_poster_and_a_clean_copy(
    canary_case: Case, coordinator: User, index_at_end_mp4: Path
) -> None:
    item = add_file(canary_case, coordinator, index_at_end_mp4)
    assert item.metadata_status == MetadataStatus.DONE
    metadata = services.read_metadata(item)
    normalized = metadata["normalized"]
    assert normalized["captured_at"] == "2026-03-04T05:06:07+00:00"
    assert normalized["gps"]["latitude"] == pytest.approx(43.2567)
    assert normalized["duration"] == pytest.approx(3.0, abs=0.1)
    # exiftool read all the record needs: ffprobe (≈ 56 MB beside Tropa) was not run.
    assert metadata["ffprobe"] is None and set(metadata["tools"]) == {"exiftool"}
    assert all("127.0.0.1" not in str(v) for v in metadata["exiftool"].values())
    kinds = {d.kind: d for d in item.derived.all()}
    assert set(kinds) == {DerivedKind.POSTER, DerivedKind.STRIPPED}
    key = vault.case_key(canary_case)
    poster = vault.read_all(get_storage(), key, kinds[DerivedKind.POSTER].blob)
    assert poster.startswith(b"\xff\xd8")
    clean = vault.read_all(get_storage(), key, kinds[DerivedKind.STRIPPED].blob)
    assert hashlib.sha256(clean).hexdigest() == kinds[DerivedKind.STRIPPED].sha256
    shown = subprocess.run(
        ["exiftool", "-G1", "-n", "-"], input=clean, capture_output=True, check=True
    ).stdout.decode()
    assert "GPS" not in shown and "43.2567" not in shown and "2026:03:04" not in shown
    assert "Video Frame Rate" in shown or "Image Width" in shown  # still a video
    assert kinds[DerivedKind.STRIPPED].tool.startswith("ffmpeg")


def test_without_exiftool_ffprobe_reads_the_video(
    canary_case: Case,
    coordinator: User,
    index_at_end_mp4: Path,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    """ffprobe runs where exiftool did not give the duration (here: exiftool is missing)."""
    for name in ("ffprobe", "ffmpeg", "prlimit"):
        found = shutil.which(name)
        assert found is not None
        (tmp_path / name).symlink_to(found)
    monkeypatch.setenv("PATH", str(tmp_path))
    tools.version.cache_clear()
    try:
        item = add_file(canary_case, coordinator, index_at_end_mp4)
    finally:
        tools.version.cache_clear()
    assert item.metadata_status == MetadataStatus.PARTIAL
    metadata = services.read_metadata(item)
    assert metadata["exiftool"] is None and metadata["ffprobe"]["streams"]
    assert set(metadata["tools"]) == {"ffprobe"}
    normalized = metadata["normalized"]
    assert normalized["captured_source"] == "ffprobe:creation_time"
    assert normalized["duration"] == pytest.approx(3.0, abs=0.1)


def _marked(kind: str, source: Path, folder: Path, mark: str) -> Path:
    """A copy of ``source`` that carries ``mark`` in its bytes, so that what is found is this
    run's plaintext and no other test's."""
    target = folder / source.name
    if kind == "video":
        meta = ["-metadata", f"comment={mark}"]
        copy = ["ffmpeg", "-v", "error", "-i", str(source), "-c", "copy", *meta, str(target)]
        subprocess.run(copy, check=True)
    elif kind == "photo":
        target.write_bytes(source.read_bytes())
        comment = ["exiftool", "-q", "-overwrite_original", f"-Comment={mark}", str(target)]
        subprocess.run(comment, check=True)
    else:
        target.write_bytes(source.read_bytes().replace(b"Ivan Petrov", mark.encode()))
    assert mark.encode() in target.read_bytes()
    return target


def _holding(places: list[Path], needles: list[bytes]) -> list[str]:
    found = []
    for place in places:
        for root, _dirs, files in os.walk(place):
            for name in files:
                path = Path(root) / name
                try:
                    if path.is_symlink() or not path.is_file() or path.stat().st_size > 64 << 20:
                        continue
                    content = path.read_bytes()
                except OSError:
                    continue
                if any(n in content for n in needles):
                    found.append(str(path))
    return found


@pytest.mark.parametrize("kind", ["photo", "video", "pdf"])
def test_no_plaintext_reaches_the_data_dir_tmpdir_or_dev_shm(
    kind: str,
    canary_case: Case,
    coordinator: User,
    sample_dir: Path,
    index_at_end_mp4: Path,
    settings: Any,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    mark = f"canary-{os.urandom(8).hex()}"
    original = {"photo": sample_dir / "photo.jpg", "video": index_at_end_mp4}
    source = _marked(kind, original.get(kind, sample_dir / "letter.pdf"), tmp_path, mark)
    data = source.read_bytes()
    needles = [mark.encode()]
    if kind == "video":  # and the pictures themselves, from all over the file
        needles += [data[i : i + 64] for i in range(0, len(data) - 64, len(data) // 10)]
    settings.DATA_DIR = tmp_path / "data"
    own_tmp = tmp_path / "tmpdir"
    own_tmp.mkdir()
    monkeypatch.setenv("TMPDIR", str(own_tmp))
    monkeypatch.setattr(tempfile, "tempdir", None)
    places = [Path(settings.TROPA_EVIDENCE_DIR), Path(settings.DATA_DIR), own_tmp]
    places += [Path("/dev/shm"), Path(tempfile.gettempdir())]
    # "During": each time a tool starts, while it runs, the places are scanned.
    during: list[str] = []
    popen = subprocess.Popen

    def scanning(*args: Any, **kwargs: Any) -> Any:
        process = popen(*args, **kwargs)
        during.extend(_holding(places, needles))
        return process

    monkeypatch.setattr(tools.run.subprocess, "Popen", scanning)
    item = add_file(canary_case, coordinator, source)
    monkeypatch.undo()
    assert item.derived.filter(kind=DerivedKind.STRIPPED).exists()  # the tools did run
    assert item.sha256 == hashlib.sha256(data).hexdigest()
    assert during == []
    assert _holding(places, needles) == []
