"""Running the tools: which are installed, their versions, and a run under limits on a stream."""

from __future__ import annotations

import re
import shutil
import subprocess
import threading
from collections.abc import Iterable
from contextlib import suppress
from dataclasses import dataclass
from functools import lru_cache
from typing import IO

from django.conf import settings

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
