"""Running the tools: which are installed, their versions, and a run under limits on a stream."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import IO, TYPE_CHECKING

if TYPE_CHECKING:
    from .serve import Served

from django.conf import settings

from .. import memory

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
    """The tool's version line, or None when it is not installed or does not run.

    Asked once per installed binary and kept in ``DATA_DIR/tool-versions.json`` (by its path,
    size and modification time, so an upgrade asks again): ``ffmpeg -version`` alone is a
    48 MB process (215 shared libraries), which every ingest would otherwise start beside
    Tropa's own process (issue 19). A tool that does not run is asked again next time.
    """
    path = shutil.which(name)
    if path is None:
        return None
    try:
        stat = os.stat(path)  # follows the link: the binary an upgrade replaces
    except OSError:
        return None
    key = f"{name} {os.path.realpath(path)} {stat.st_size} {stat.st_mtime_ns}"
    known = _read_versions()
    if isinstance(known.get(key), str):
        return str(known[key])
    found = _ask_version(name, path)
    if found is not None:
        _write_versions(
            {k: v for k, v in known.items() if not k.startswith(f"{name} ")} | {key: found}
        )
    return found


def _versions_file() -> Path:
    return Path(settings.DATA_DIR) / "tool-versions.json"


def _read_versions() -> dict[str, object]:
    try:
        data = json.loads(_versions_file().read_text())
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def _write_versions(versions: dict[str, object]) -> None:
    """Atomically (a rename), so that two processes never see half a file."""
    target = _versions_file()
    scratch = target.with_name(f".{target.name}.{os.getpid()}")
    with suppress(OSError):
        scratch.write_text(json.dumps(versions, sort_keys=True))
        scratch.replace(target)
    with suppress(OSError):
        scratch.unlink()


def _ask_version(name: str, path: str) -> str | None:
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


def run_on_stream(
    args: list[str], blocks: Iterable[bytes], *, max_output: int = _MAX_OUTPUT
) -> tuple[int, bytes]:
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
    output = process.stdout.read(max_output)
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


# Running a tool on the range server's seekable view -----------------------------------------

_PERL_DIR = Path(__file__).resolve().parent / "perl"
# The one file name TropaRange.pm reads over the range server; exiftool sees a seekable file.
RANGE_NAME = "tropa-range:item"


def exiftool_args(args: list[str]) -> list[str]:
    """exiftool's command with ``RANGE_NAME`` read through the range server (Perl module)."""
    perl = shutil.which("perl") or "perl"
    exiftool = shutil.which("exiftool") or "exiftool"
    return [perl, "-I", str(_PERL_DIR), "-MTropaRange", exiftool, *args[1:]]


def _range_env(served: Served) -> dict[str, str]:
    # Only what the tools need: no Tropa settings, keys or database URLs in their environment.
    keep = {
        k: v for k, v in os.environ.items() if k in ("PATH", "LANG", "LC_ALL", "HOME", "TMPDIR")
    }
    return {**keep, "TROPA_RANGE_URL": served.url, "TROPA_RANGE_SIZE": str(served.size)}


def _full_command(args: list[str]) -> list[str]:
    if args[0] == "exiftool":
        command = _command(["perl"])
        return [*command[:-1], *exiftool_args(args)]
    return _command(args)


def run_on_range(args: list[str], served: Served) -> tuple[int, bytes]:
    """Run ``args`` on the served file (its URL or ``RANGE_NAME`` among the arguments);
    returns (exit code, stdout). Nothing arrives on stdin."""
    memory.release()  # the tool and this process count together
    process = subprocess.Popen(  # noqa: S603 (fixed argument list, no shell)
        _full_command(args),
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        env=_range_env(served),
    )
    assert process.stdout is not None
    output = process.stdout.read(_MAX_OUTPUT)
    process.stdout.close()
    try:
        code = process.wait(timeout=TOOL_TIMEOUT)
    except subprocess.TimeoutExpired:
        process.kill()
        code = process.wait()
    return code, output


@contextmanager
def streaming_from_range(args: list[str], served: Served) -> Iterator[IO[bytes]]:
    """The tool's stdout as a stream, for an output as large as the file (a stream copy)."""
    memory.release()
    process = subprocess.Popen(  # noqa: S603 (fixed argument list, no shell)
        _full_command(args),
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        env=_range_env(served),
    )
    assert process.stdout is not None
    try:
        yield process.stdout
    finally:
        process.stdout.close()
        try:
            code = process.wait(timeout=TOOL_TIMEOUT)
        except subprocess.TimeoutExpired:
            process.kill()
            code = process.wait()
    if code != 0:
        raise ToolFailed(args[0], code)


class ToolFailed(Exception):
    """A tool whose output was being streamed did not finish well."""
