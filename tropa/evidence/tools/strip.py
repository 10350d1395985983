"""Derived copies: thumbnails and posters, copies without metadata (ffmpeg, exiftool, mat2)."""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from functools import lru_cache
from typing import IO, TYPE_CHECKING, Any

from .metadata import FFMPEG_INPUT
from .run import run_on_range, run_on_stream, streaming_from_range

if TYPE_CHECKING:
    from .serve import Served

# What mat2 or exiftool strip on a copy held whole (mat2 in a private tmpfs, exiftool in a
# pipe): photos and documents. Larger files get no such copy; video and audio of any size
# are stream-copied by ffmpeg instead.
WHOLE_COPY_MAX = 32 * 1024 * 1024
_COPY_OUTPUT = WHOLE_COPY_MAX + 4 * 1024 * 1024


def thumbnail(served: Served) -> bytes | None:
    """A JPEG of the first frame, at most 480 pixels wide, without any metadata."""
    code, output = run_on_range(
        [
            "ffmpeg",
            "-v",
            "error",
            "-threads",
            "1",
            *FFMPEG_INPUT,
            served.url,
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
        served,
    )
    return output if code == 0 and output.startswith(b"\xff\xd8") else None


# Containers ffmpeg can write to a pipe, by the extension detected from the content. MP4
# and its kin are written fragmented (a pipe cannot seek back to the index), in fragments
# of at most 1 MiB: the muxer holds one fragment, however long the video's keyframe gap
# (4 MiB cost ffmpeg 2.6 MB more, next to Tropa's process in the same tree).
_FRAGMENTED = ("-movflags", "empty_moov+default_base_moof", "-frag_size", str(1024 * 1024))
_STREAM_FORMATS = {
    "mp4": ("mp4", _FRAGMENTED),
    "m4v": ("mp4", _FRAGMENTED),
    "mov": ("mov", _FRAGMENTED),
    "m4a": ("ipod", _FRAGMENTED),
    "3gp": ("3gp", _FRAGMENTED),
    "mkv": ("matroska", ()),
    "webm": ("webm", ()),
    "mp3": ("mp3", ()),
    "ogg": ("ogg", ()),
    "flac": ("flac", ()),
}


def stream_strippable(extension: str) -> bool:
    return extension in _STREAM_FORMATS


@contextmanager
def stream_strip(served: Served, extension: str) -> Iterator[IO[bytes]]:
    """Video or audio without metadata, as a stream: ffmpeg copies the picture and sound
    (no re-encoding) and leaves out every tag, chapter and data track (where phones keep
    positions). Raises ``ToolFailed`` at the end if ffmpeg did not finish well."""
    muxer, options = _STREAM_FORMATS[extension]
    args = [
        "ffmpeg",
        "-v",
        "error",
        *FFMPEG_INPUT,
        served.url,
        "-map",
        "0:v?",
        "-map",
        "0:a?",
        "-c",
        "copy",
        "-map_metadata",
        "-1",
        "-map_chapters",
        "-1",
        "-fflags",
        "+bitexact",
        "-flags:v",
        "+bitexact",
        "-flags:a",
        "+bitexact",
        *options,
        "-f",
        muxer,
        "pipe:1",
    ]
    with streaming_from_range(args, served) as stream:
        yield stream


def exiftool_strip(blocks: Iterable[bytes]) -> bytes | None:
    # Everything goes except the orientation, which says only which way up to show it.
    code, output = run_on_stream(
        ["exiftool", "-all=", "-tagsFromFile", "@", "-Orientation", "-o", "-", "-"],
        blocks,
        max_output=_COPY_OUTPUT,
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
        ["exiftool", f"-Orientation#={int(value)}", "-o", "-", "-"], [data], max_output=_COPY_OUTPUT
    )
    return output if code == 0 and output else None


# mat2 in a private tmpfs -------------------------------------------------------------------
#
# mat2 works only on a named file. It gets one in a tmpfs mounted in a mount namespace of
# its own (``unshare``): no other process sees that mount, nothing of it is in /dev/shm, the
# temp dir or the data dir, and the kernel frees it when the namespace's last process ends,
# however it ends (kill -9 included). The file goes in and the cleaned copy comes out
# through pipes. Where no such namespace can be made, mat2 is not used.

_MAT2_SCRIPT = (
    'mount -t tmpfs -o "size=$1,mode=0700" tropa-mat2 /tmp && cd /tmp '
    '&& cat > "item.$2" && {mat2} >/dev/null 2>&1 && cat "item.$2"'
)


def _unshare(script: str, *args: str) -> list[str]:
    unshare = shutil.which("unshare") or "unshare"
    as_root = ["--user", "--map-root-user"] if not _is_root() else []
    return [
        unshare,
        *as_root,
        "--mount",
        "--propagation",
        "private",
        "sh",
        "-c",
        script,
        "sh",
        *args,
    ]


def _is_root() -> bool:
    return os.geteuid() == 0


@lru_cache(maxsize=1)
def private_tmpfs_works() -> bool:
    """Whether a tmpfs in a mount namespace of its own can be made here (cached)."""
    if shutil.which("unshare") is None:
        return False
    probe = 'mount -t tmpfs -o "size=$1,mode=0700" tropa-probe /tmp && test -d /tmp'
    try:
        result = subprocess.run(  # noqa: S603 (fixed argument list, no shell)
            _unshare(probe, "1m"), capture_output=True, timeout=30
        )
    except (OSError, subprocess.SubprocessError):
        return False
    return result.returncode == 0


def mat2_usable(size: int) -> bool:
    """mat2 can run on a file of ``size`` bytes: installed, a private tmpfs, not too large."""
    from .run import available

    return size <= WHOLE_COPY_MAX and available("mat2") and private_tmpfs_works()


_EXTENSION = re.compile(r"[a-z0-9]{1,8}")


def mat2_strip(data: Iterable[bytes], extension: str, size: int) -> bytes | None:
    """The cleaned bytes from mat2, or None when mat2 does not handle this type."""
    extension = extension if _EXTENSION.fullmatch(extension or "") else "bin"
    mat2 = f"{shlex.quote(shutil.which('mat2') or 'mat2')} --inplace item.{extension}"
    # The original and mat2's cleaned copy beside it, with room to spare.
    room = 2 * size + 16 * 1024 * 1024
    command = _unshare(_MAT2_SCRIPT.replace("{mat2}", mat2), str(room), extension)
    try:
        # Under prlimit like every tool: the limits hold for mat2 inside the namespace too.
        code, output = run_on_stream(command, data, max_output=_COPY_OUTPUT)
    except subprocess.SubprocessError:
        return None
    return output if code == 0 and output else None
