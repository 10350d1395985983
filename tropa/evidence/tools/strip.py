"""Derived copies: thumbnails and posters, copies without metadata (exiftool, mat2)."""

from __future__ import annotations

import subprocess
from collections.abc import Iterable
from typing import Any

from .run import TOOL_TIMEOUT, _command, run_on_stream
from .scratch import _ram_workspace


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
