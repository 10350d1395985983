"""rigour's name tagger (Wikidata given-name symbols), in this process or in one tagger process.

Loading the tagger costs about 12 s and 490 MB. A process that screens now and then (``tropa
screen``, a test) loads it here, on first use. A server does not let each web worker do so:
``tropa run`` starts one tagger process (``python -m tropa.lib.screening.tagger SOCKET``) and
names its Unix socket in ``TROPA_TAGGER_SOCKET``; every process it starts then asks that one.
A request is a JSON line (a list of words), the answer one JSON line (a list of symbol lists).
Words travel only through the socket, in memory; nothing is written.
"""

from __future__ import annotations

import json
import os
import socket
import socketserver
import sys
import time
from collections.abc import Sequence
from pathlib import Path

SOCKET_ENV = "TROPA_TAGGER_SOCKET"
# How long a client waits for a tagger that is still loading (it listens once loaded): 12 s
# on a quiet machine, minutes on a loaded one.
WAIT_SECONDS = 600.0
_MAX_REQUEST = 64 * 2**20


class TaggerUnavailable(RuntimeError):
    pass


def tag_here(tokens: Sequence[str]) -> list[frozenset[str]]:
    from rigour.names import NameTypeTag, SymbolCategory, analyze_names

    out = []
    for token in tokens:
        symbols: set[str] = set()
        for name in analyze_names(NameTypeTag.PER, [token], phonetics=False, numerics=False):
            for span in name.spans:
                if span.symbol.category == SymbolCategory.NAME:
                    symbols.add(span.symbol.id)
        out.append(frozenset(symbols))
    return out


def tag_tokens(tokens: Sequence[str]) -> list[frozenset[str]]:
    """Symbols per word: asked of the tagger process when there is one, else computed here."""
    path = os.environ.get(SOCKET_ENV)
    if not path:
        return tag_here(tokens)
    return ask(path, tokens)


def _connect(path: str, wait: float) -> socket.socket:
    deadline = time.monotonic() + wait
    while True:
        client = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            client.connect(path)
            return client
        except (FileNotFoundError, ConnectionRefusedError) as exc:
            client.close()
            if time.monotonic() > deadline:
                raise TaggerUnavailable(f"no name tagger answers on {path}") from exc
            time.sleep(0.1)  # the tagger is still loading: it listens once it is ready


def ask(path: str, tokens: Sequence[str], *, wait: float = WAIT_SECONDS) -> list[frozenset[str]]:
    with _connect(path, wait) as client:
        client.sendall(json.dumps(list(tokens), ensure_ascii=False).encode() + b"\n")
        with client.makefile("rb") as answer:
            line = answer.readline()
    if not line:
        raise TaggerUnavailable(f"the name tagger on {path} closed the connection")
    return [frozenset(symbols) for symbols in json.loads(line)]


class _Handler(socketserver.StreamRequestHandler):
    def handle(self) -> None:
        line = self.rfile.readline(_MAX_REQUEST)
        try:
            tokens = json.loads(line)
            if not isinstance(tokens, list) or not all(isinstance(t, str) for t in tokens):
                return
        except ValueError:
            return
        answer = [sorted(s) for s in tag_here(tokens)]
        self.wfile.write(json.dumps(answer).encode() + b"\n")


class _Server(socketserver.ThreadingUnixStreamServer):
    daemon_threads = True


def serve(path: str | Path) -> None:
    """Load the tagger, then listen on ``path`` (created private) until killed."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    tag_here(["Иван"])  # loads the tagger: the socket appears only once answers are quick
    path.unlink(missing_ok=True)
    os.umask(0o077)
    with _Server(str(path), _Handler) as server:
        server.serve_forever()


if __name__ == "__main__":
    serve(sys.argv[1])
