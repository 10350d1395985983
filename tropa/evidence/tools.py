"""The system tools Tropa uses on files: exiftool, ffprobe, ffmpeg and mat2.

Each is optional: when one is missing Tropa says so (item page, ``tropa doctor``) and
carries on without that feature. Files reach the tools through pipes, decrypted block by
block, so that no plaintext touches the disk. mat2 alone needs a named file: it gets one in
a RAM-backed directory (tmpfs) that is removed at once, and is skipped where there is none;
what a killed run leaves there is removed when a worker starts and by the sweep.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import logging
import os
import re
import shutil
import stat
import subprocess
import tempfile
import threading
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone
from functools import lru_cache
from pathlib import Path
from typing import IO, Any

from django.conf import settings

logger = logging.getLogger(__name__)

TOOL_TIMEOUT = 600
_MAX_OUTPUT = 16 * 1024 * 1024


def _limits() -> tuple[str, ...]:
    """A hostile file (a decompression bomb, a parser bug) gets bounded memory and CPU time."""
    memory = int(getattr(settings, "TROPA_EVIDENCE_TOOL_MEMORY_BYTES", 4 * 1024**3))
    return (f"--as={memory}", f"--cpu={TOOL_TIMEOUT}")


@dataclass(frozen=True)
class Tool:
    name: str
    package: str
    purpose: str
    version_args: tuple[str, ...]


TOOLS = {
    "exiftool": Tool("exiftool", "libimage-exiftool-perl", "metadata, stripping", ("-ver",)),
    "ffprobe": Tool("ffprobe", "ffmpeg", "video and audio metadata", ("-version",)),
    "ffmpeg": Tool("ffmpeg", "ffmpeg", "thumbnails and video posters", ("-version",)),
    "mat2": Tool("mat2", "mat2", "copies without metadata", ("--version",)),
}


@lru_cache(maxsize=8)
def version(name: str) -> str | None:
    """The tool's version line, or None when it is not installed or does not run."""
    path = shutil.which(name)
    if path is None:
        return None
    try:
        result = subprocess.run(  # noqa: S603 (fixed argument list, no shell)
            [path, *TOOLS[name].version_args], capture_output=True, text=True, timeout=30
        )
    except (OSError, subprocess.SubprocessError):
        return None
    first = (result.stdout or result.stderr).strip().splitlines()
    if result.returncode != 0 or not first:
        return None
    line = first[0]
    match = re.search(r"\d+(\.\d+)+\S*", line)
    return f"{name} {match.group(0) if match else line[:40]}"


def _command(args: list[str]) -> list[str]:
    """The full command line: absolute path, under ``prlimit`` where it exists."""
    executable = shutil.which(args[0]) or args[0]
    limiter = shutil.which("prlimit")
    if limiter is None:
        return [executable, *args[1:]]
    return [limiter, *_limits(), "--", executable, *args[1:]]


def available(name: str) -> bool:
    return version(name) is not None


def missing() -> list[str]:
    return [name for name in TOOLS if not available(name)]


# Running a tool on a stream ----------------------------------------------------------------


def _feed(pipe: IO[bytes], blocks: Iterable[bytes], failed: list[BaseException]) -> None:
    # A tool may stop reading once it has what it needs: that is not an error. A block
    # that cannot be produced (the stored file is missing or altered) is, and the pipe is
    # closed all the same, or the tool would wait for the rest of its input for ever.
    try:
        for block in blocks:
            try:
                pipe.write(block)
            except OSError:  # the tool closed its input
                break
    except BaseException as exc:
        failed.append(exc)
    finally:
        with suppress(OSError):
            pipe.close()


def run_on_stream(args: list[str], blocks: Iterable[bytes]) -> tuple[int, bytes]:
    """Run ``args`` with ``blocks`` on its stdin; returns (exit code, stdout).

    An error while producing the blocks is raised here, after the tool has stopped.
    """
    process = subprocess.Popen(  # noqa: S603 (fixed argument list, no shell)
        _command(args),
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
    )
    assert process.stdin is not None and process.stdout is not None
    failed: list[BaseException] = []
    feeder = threading.Thread(target=_feed, args=(process.stdin, blocks, failed), daemon=True)
    feeder.start()
    output = process.stdout.read(_MAX_OUTPUT)
    process.stdout.close()
    try:
        code = process.wait(timeout=TOOL_TIMEOUT)
    except subprocess.TimeoutExpired:
        process.kill()
        code = process.wait()
    feeder.join(timeout=TOOL_TIMEOUT)
    if failed:
        raise failed[0]
    return code, output


def exiftool_json(blocks: Iterable[bytes]) -> dict[str, Any] | None:
    _code, output = run_on_stream(
        ["exiftool", "-j", "-G1", "-n", "-a", "-api", "LargeFileSupport=1", "-"], blocks
    )
    try:
        data = json.loads(output)
    except ValueError:
        return None
    if not isinstance(data, list) or not data:
        return None
    # The "System" group describes the pipe Tropa fed, not the file.
    return {k: v for k, v in data[0].items() if not k.startswith("System:") and k != "SourceFile"}


def ffprobe_json(blocks: Iterable[bytes]) -> dict[str, Any] | None:
    code, output = run_on_stream(
        [
            "ffprobe",
            "-v",
            "error",
            "-print_format",
            "json",
            "-show_format",
            "-show_streams",
            "-i",
            "pipe:0",
        ],
        blocks,
    )
    try:
        data = json.loads(output) if code == 0 else None
    except ValueError:
        return None
    if not isinstance(data, dict) or not data.get("streams"):
        return None
    data.get("format", {}).pop("filename", None)
    return data


def thumbnail(blocks: Iterable[bytes]) -> bytes | None:
    """A JPEG of the first frame, at most 480 pixels wide, without any metadata."""
    code, output = run_on_stream(
        [
            "ffmpeg",
            "-v",
            "error",
            "-i",
            "pipe:0",
            "-frames:v",
            "1",
            "-vf",
            "scale='min(480,iw)':-2",
            "-map_metadata",
            "-1",
            "-f",
            "image2pipe",
            "-c:v",
            "mjpeg",
            "pipe:1",
        ],
        blocks,
    )
    return output if code == 0 and output.startswith(b"\xff\xd8") else None


def exiftool_strip(blocks: Iterable[bytes]) -> bytes | None:
    # Everything goes except the orientation, which says only which way up to show it.
    code, output = run_on_stream(
        ["exiftool", "-all=", "-tagsFromFile", "@", "-Orientation", "-o", "-", "-"], blocks
    )
    return output if code == 0 and output else None


def orientation(exif: dict[str, Any] | None) -> int | None:
    """The EXIF orientation (2-8) of a picture that is stored turned or mirrored."""
    value = (exif or {}).get("IFD0:Orientation")
    return value if isinstance(value, int) and 2 <= value <= 8 else None


def restore_orientation(data: bytes, value: int) -> bytes | None:
    """``data`` with only its EXIF orientation set again: mat2 removes it with the rest,
    and a phone's portrait photo would then show on its side."""
    code, output = run_on_stream(
        ["exiftool", f"-Orientation#={int(value)}", "-o", "-", "-"], [data]
    )
    return output if code == 0 and output else None


# mat2 in RAM ---------------------------------------------------------------------------------


def _ram_dir() -> Path | None:
    """A RAM-backed directory (tmpfs), or None: plaintext must never reach a disk."""
    configured = getattr(settings, "TROPA_EVIDENCE_RAM_DIR", "/dev/shm")  # noqa: S108
    path = Path(configured)
    if not path.is_dir():
        return None
    try:
        mounts = Path("/proc/mounts").read_text().splitlines()
    except OSError:
        return None
    best, fstype = "", ""
    resolved = str(path.resolve())
    for line in mounts:
        fields = line.split()
        inside = len(fields) >= 3 and (resolved + "/").startswith(fields[1].rstrip("/") + "/")
        if inside and len(fields[1]) >= len(best):
            best, fstype = fields[1], fields[2]
    return path if fstype in ("tmpfs", "ramfs") else None


def mat2_usable(size: int) -> bool:
    """mat2 can run on a file of ``size`` bytes: installed and room in RAM for two copies."""
    ram = scratch_root()
    if ram is None or not available("mat2"):
        return False
    space = os.statvfs(ram)
    return space.f_bavail * space.f_frsize > 2 * size + 64 * 1024 * 1024


# Each data dir has one private scratch directory in the RAM dir, created 0700 and refused
# if anyone else made it; in it, every mat2 run gets a workspace it holds an exclusive
# lock (flock) on until it is removed. The kernel drops the lock when the process dies,
# however it dies, so a workspace whose lock can be taken is a dead run's leftover.
SCRATCH_PREFIX = "tropa-scratch-"
# What Tropa before the private directory left directly in the RAM dir (TemporaryDirectory).
_LEGACY = re.compile(r"tropa-[a-z0-9_]{8}")


def scratch_root(*, create: bool = True) -> Path | None:
    """This data dir's private scratch directory in RAM, or None (no tmpfs, or not ours)."""
    ram = _ram_dir()
    if ram is None:
        return None
    where = f"{os.geteuid()}\0{Path(settings.DATA_DIR).resolve()}"
    root = ram / f"{SCRATCH_PREFIX}{hashlib.sha256(where.encode()).hexdigest()[:16]}"
    if create:
        with suppress(FileExistsError):
            os.mkdir(root, 0o700)
    try:
        status = os.lstat(root)
    except FileNotFoundError:
        return None
    if not stat.S_ISDIR(status.st_mode) or status.st_uid != os.geteuid() or status.st_mode & 0o077:
        logger.warning("the RAM scratch directory is not Tropa's own; mat2 is not used")
        return None
    return root


def _try_lock(path: Path) -> int | None:
    """An fd of directory ``path`` holding its exclusive lock, or None if someone holds it."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW)
    except OSError:
        return None
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        # Removed by a cleaner between our open and our lock: not a workspace any more.
        if os.stat(path, follow_symlinks=False).st_ino != os.fstat(fd).st_ino:
            raise FileNotFoundError(path)
    except OSError:
        os.close(fd)
        return None
    return fd


@contextmanager
def _ram_workspace() -> Iterator[Path]:
    root = scratch_root()
    if root is None:
        raise RuntimeError("no RAM-backed directory")
    for _attempt in range(10):
        path = Path(tempfile.mkdtemp(prefix="w-", dir=root))
        fd = _try_lock(path)
        if fd is not None:
            break
    else:
        raise RuntimeError("no scratch workspace could be locked")
    try:
        yield path
    finally:
        shutil.rmtree(path, ignore_errors=True)
        os.close(fd)


def clean_scratch() -> int:
    """Remove what dead runs left in RAM (the plaintext mat2 was working on); the number removed.

    Only this data dir's private directory is looked into; a live run's workspace (its lock
    is held) stays. In the RAM dir itself only what older Tropa versions left is removed:
    ``tropa-xxxxxxxx`` directories of this user holding nothing but ``item.*`` files, none
    touched for twice the longest a tool may run.
    """
    removed = 0
    root = scratch_root(create=False)
    if root is not None:
        for entry in root.iterdir():
            if entry.is_dir() and not entry.is_symlink():
                fd = _try_lock(entry)
                if fd is None:
                    continue
                try:
                    shutil.rmtree(entry, ignore_errors=True)
                finally:
                    os.close(fd)
            else:
                entry.unlink(missing_ok=True)
            removed += 1
    ram = _ram_dir()
    if ram is not None:
        removed += sum(_remove_legacy(entry) for entry in ram.iterdir())
    return removed


def _remove_legacy(entry: Path) -> bool:
    if not _LEGACY.fullmatch(entry.name):
        return False
    try:
        status = entry.lstat()
        if not stat.S_ISDIR(status.st_mode) or status.st_uid != os.geteuid():
            return False
        files = list(entry.iterdir())
        if not all(f.name.startswith("item.") and f.is_file() for f in files):
            return False
        newest = max([status.st_mtime, *(f.lstat().st_mtime for f in files)])
    except OSError:
        return False
    if time.time() - newest < 2 * TOOL_TIMEOUT:
        return False  # perhaps an older Tropa's mat2 run at work right now
    shutil.rmtree(entry, ignore_errors=True)
    return True


def mat2_strip(blocks: Iterable[bytes], extension: str) -> bytes | None:
    """The cleaned bytes from mat2, or None when mat2 does not handle this type."""
    with _ram_workspace() as work:
        source = work / f"item.{extension or 'bin'}"
        with source.open("wb") as handle:
            for block in blocks:
                handle.write(block)
        try:
            result = subprocess.run(  # noqa: S603 (fixed argument list, no shell)
                _command(["mat2", "--inplace", str(source)]),
                capture_output=True,
                timeout=TOOL_TIMEOUT,
                cwd=work,
            )
        except subprocess.SubprocessError:
            return None
        if result.returncode != 0:
            return None
        return source.read_bytes()


# Normalizing what the tools said ----------------------------------------------------------


def _parse_exif_time(value: Any, offset: Any = None) -> datetime | None:
    if not isinstance(value, str):
        return None
    text = value.strip()
    match = re.match(
        r"(\d{4}):(\d{2}):(\d{2})[ T](\d{2}):(\d{2}):(\d{2})(?:\.\d+)?(Z|[+-]\d{2}:\d{2})?", text
    )
    if not match or match.group(1) == "0000":
        return None
    try:
        year, month, day, hour, minute, second = (int(match.group(i)) for i in range(1, 7))
        naive = datetime(year, month, day, hour, minute, second)  # noqa: DTZ001
    except ValueError:
        return None
    zone = match.group(7) or (offset if isinstance(offset, str) else None)
    if zone in (None, ""):
        return naive
    if zone == "Z":
        return naive.replace(tzinfo=UTC)
    sign = 1 if zone[0] == "+" else -1
    hours, minutes = int(zone[1:3]), int(zone[4:6])
    return naive.replace(tzinfo=timezone(sign * timedelta(hours=hours, minutes=minutes)))


def _first(data: dict[str, Any], *keys: str) -> Any:
    for key in keys:
        if data.get(key) not in (None, ""):
            return data[key]
    return None


def normalize(exif: dict[str, Any] | None, probe: dict[str, Any] | None) -> dict[str, Any]:
    """Capture time (with or without a zone), GPS position and device, as the file states them."""
    exif = exif or {}
    tags = dict((probe or {}).get("format", {}).get("tags", {}))
    captured: datetime | None = None
    source = ""
    for key, offset_key in (
        ("ExifIFD:DateTimeOriginal", "ExifIFD:OffsetTimeOriginal"),
        ("ExifIFD:CreateDate", "ExifIFD:OffsetTimeDigitized"),
        ("Keys:CreationDate", ""),
        ("XMP-exif:DateTimeOriginal", ""),
        ("XMP-xmp:CreateDate", ""),
    ):
        captured = _parse_exif_time(exif.get(key), exif.get(offset_key))
        if captured is not None:
            source = key
            break
    if captured is None:
        # QuickTime stores UTC by specification.
        quicktime = _parse_exif_time(exif.get("QuickTime:CreateDate"))
        if quicktime is not None:
            captured, source = quicktime.replace(tzinfo=UTC), "QuickTime:CreateDate"
    if captured is None and tags.get("creation_time"):
        with suppress(ValueError):
            captured = datetime.fromisoformat(str(tags["creation_time"]).replace("Z", "+00:00"))
            source = "ffprobe:creation_time"
    latitude = _first(exif, "Composite:GPSLatitude", "GPS:GPSLatitude")
    longitude = _first(exif, "Composite:GPSLongitude", "GPS:GPSLongitude")
    gps = None
    if isinstance(latitude, int | float) and isinstance(longitude, int | float):
        if exif.get("GPS:GPSLatitudeRef") == "S" and latitude > 0:
            latitude = -latitude
        if exif.get("GPS:GPSLongitudeRef") == "W" and longitude > 0:
            longitude = -longitude
        gps = {"latitude": round(float(latitude), 6), "longitude": round(float(longitude), 6)}
        altitude = exif.get("Composite:GPSAltitude")
        if isinstance(altitude, int | float):
            gps["altitude"] = round(float(altitude), 1)
    make = _first(exif, "IFD0:Make", "Keys:Make", "UserData:Make") or tags.get(
        "com.apple.quicktime.make"
    )
    model = _first(exif, "IFD0:Model", "Keys:Model", "UserData:Model") or tags.get(
        "com.apple.quicktime.model"
    )
    software = _first(exif, "IFD0:Software", "Keys:Software") or tags.get("encoder")
    device = " ".join(str(p) for p in (make, model) if p) or None
    duration = None
    if probe and probe.get("format", {}).get("duration"):
        with suppress(ValueError):
            duration = round(float(probe["format"]["duration"]), 2)
    return {
        "captured_at": captured.isoformat() if captured else None,
        "captured_has_zone": bool(captured and captured.tzinfo),
        "captured_source": source,
        "gps": gps,
        "device": device,
        "software": str(software) if software else None,
        "duration": duration,
        "width": _first(exif, "File:ImageWidth", "Track1:ImageWidth", "Composite:ImageSize"),
        "height": _first(exif, "File:ImageHeight", "Track1:ImageHeight"),
    }


def conflicts(
    normalized: dict[str, Any], *, received_at: datetime, stated: dict[str, Any]
) -> list[dict[str, str]]:
    """Discrepancies between what the file says and what was stated; shown, never fixed (E7).

    Returns codes with the two values; the page words them.
    """
    found: list[dict[str, str]] = []
    captured_text = normalized.get("captured_at")
    if not captured_text:
        return found
    captured = datetime.fromisoformat(captured_text)
    # Without a zone in the file the comparison allows a whole day either way.
    slack = timedelta(hours=1) if captured.tzinfo else timedelta(hours=26)
    aware = captured if captured.tzinfo else captured.replace(tzinfo=UTC)
    if aware - slack > received_at:
        found.append(
            {"code": "after_receipt", "file": captured_text, "stated": received_at.isoformat()}
        )
    taken_on = _stated_time(stated.get("taken_on"))
    # The source's date has no time of day: a whole day either way is no conflict.
    if taken_on is not None and abs(aware - taken_on) > slack + timedelta(hours=24):
        found.append({"code": "taken_on", "file": captured_text, "stated": stated["taken_on"]})
    modified = _stated_time(stated.get("file_modified"))
    # A file is modified when it is written, so never before it was captured.
    if modified is not None and aware - slack > modified:
        found.append(
            {"code": "file_modified", "file": captured_text, "stated": stated["file_modified"]}
        )
    return found


def _stated_time(value: Any) -> datetime | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
