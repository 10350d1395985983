"""A seekable view of one sealed file for the tools, over loopback HTTP, for one run.

ffprobe and ffmpeg seek over HTTP with ``Range``; exiftool reads through the same server
(``perl/TropaRange.pm``). So an MP4 with its index at the end is read where its index is,
a 4 GiB file costs the tools a few MiB of reads, and no plaintext is written anywhere:
each range is decrypted from the sealed blob as it is asked for (``seekable.SealedFile``).

The server binds 127.0.0.1 on a port the kernel picks, answers one path (a random token)
for one file, only GET and HEAD, only with the ``Host`` it was given and only to loopback
clients; everything else is a bare 404 or 400. It logs nothing, and is shut down and its
socket closed when the ``with`` block ends.
"""

from __future__ import annotations

import re
import secrets
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from ..seekable import SealedFile
from ..vault import Corrupt

_PIECE = 256 * 1024
_RANGE = re.compile(r"bytes=(\d*)-(\d*)")


@dataclass
class Served:
    url: str
    size: int
    sealed: SealedFile
    errors: list[BaseException] = field(default_factory=list)
    requests: int = 0
    bytes_sent: int = 0


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = False

    def __init__(self, sealed: SealedFile, token: str) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.sealed = sealed
        self.path_expected = f"/{token}"
        self.host_expected = f"127.0.0.1:{self.server_address[1]}"
        self.served: Served | None = None


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    protocol_version = "HTTP/1.1"
    server_version = "tropa"
    sys_version = ""

    def log_message(self, format: str, *args: Any) -> None:
        """Nothing is logged: a path holds the token, and nothing about a file goes to logs."""

    def _refuse(self, status: int) -> None:
        self.send_response(status)
        self.send_header("Content-Length", "0")
        self.send_header("Connection", "close")
        self.end_headers()
        self.close_connection = True

    def _allowed(self) -> bool:
        if self.client_address[0] != "127.0.0.1" or self.headers.get("Host") != (
            self.server.host_expected
        ):
            self._refuse(400)
            return False
        if self.path != self.server.path_expected:
            self._refuse(404)
            return False
        return True

    def do_HEAD(self) -> None:
        self._answer(body=False)

    def do_GET(self) -> None:
        self._answer(body=True)

    def _span(self, size: int) -> tuple[int, int] | None:
        wanted = self.headers.get("Range")
        if wanted is None:
            return 0, size
        match = _RANGE.fullmatch(wanted.strip())
        if match is None or match.groups() == ("", ""):
            return None
        first, last = match.groups()
        if first == "":  # the last N bytes
            return max(0, size - int(last)), size
        start = int(first)
        end = min(size, int(last) + 1) if last else size
        return (start, end) if start < size and start < end else None

    def _answer(self, *, body: bool) -> None:
        if not self._allowed():
            return
        sealed, served = self.server.sealed, self.server.served
        assert served is not None
        served.requests += 1
        span = self._span(sealed.size)
        if span is None:
            self.send_response(416)
            self.send_header("Content-Range", f"bytes */{sealed.size}")
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        start, end = span
        self.send_response(206 if "Range" in self.headers else 200)
        self.send_header("Accept-Ranges", "bytes")
        self.send_header("Content-Type", "application/octet-stream")
        self.send_header("Content-Length", str(end - start))
        if "Range" in self.headers:
            self.send_header("Content-Range", f"bytes {start}-{end - 1}/{sealed.size}")
        self.end_headers()
        if body:
            self._send(sealed, served, start, end)

    def _send(self, sealed: SealedFile, served: Served, start: int, end: int) -> None:
        position = start
        try:
            while position < end:
                piece = sealed.read_at(position, min(_PIECE, end - position))
                self.wfile.write(piece)
                position += len(piece)
                served.bytes_sent += len(piece)
        except Corrupt as exc:
            served.errors.append(exc)
            self.close_connection = True
        except OSError:  # the tool had what it wanted and hung up
            self.close_connection = True


@contextmanager
def serve(sealed: SealedFile) -> Iterator[Served]:
    """Serve ``sealed`` until the block ends; yields its URL (``Served.url``) and counters."""
    server = _Server(sealed, secrets.token_urlsafe(24))
    served = Served(
        url=f"http://{server.host_expected}{server.path_expected}", size=sealed.size, sealed=sealed
    )
    server.served = served
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.daemon = True
    thread.start()
    try:
        yield served
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)
