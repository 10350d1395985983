"""The canary surname typed into a real interview, served by a real `tropa run`, is nowhere
on disk in plaintext: not in the data dir, the temp dir, /dev/shm, the server's output, nor
a `pg_dump` (R3 for intake). Reuses the whole-site canary test's fresh environment."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

from conftest import CANARY
from tropa.core.tests.test_canary_on_disk import (  # the house's canary pattern
    NEEDLES,
    ON_POSTGRES,
    ROOT,
    _tropa,
    fresh_env,  # noqa: F401  # a fixture, used by name
)

# It makes its own database from TROPA_DATABASE_URL: on PostgreSQL too.
pytestmark = pytest.mark.database


def _post(base: str, path: str, fields: dict[str, str]) -> str:
    body = urllib.parse.urlencode(fields).encode()
    with urllib.request.urlopen(f"{base}{path}", data=body, timeout=30) as response:  # noqa: S310
        assert "Set-Cookie" not in response.headers
        return response.read().decode()


def _hidden(html: str, name: str) -> str:
    found = re.search(rf'name="{name}" value="([^"]*)"', html)
    assert found, html[:500]
    return found.group(1)


def _interview(base: str, invite_path: str) -> None:
    with urllib.request.urlopen(f"{base}{invite_path}", timeout=30) as response:  # noqa: S310
        assert "Set-Cookie" not in response.headers
        landing = response.read().decode()
    html = _post(base, "/f/start/", {"start": _hidden(landing, "start")})
    codename = re.search(r'id="codename">([^<]+)<', html).group(1)  # type: ignore[union-attr]  # the page shows it
    form = _hidden(html, "form")
    pages = [
        {"surname": CANARY, "given_name": "Алексей", "contact": f"@{CANARY}"},
        {"country": "KZ", "city": "Астана"},
        {"served": "yes"},
        {"unit": "в/ч 12345", "places": f"{CANARY} был под Бахмутом"},
        {"family_came": "no"},
        {"needs": f"Помогите {CANARY}", "story": CANARY * 3},
    ]
    for number, answers in enumerate(pages):
        html = _post(base, "/f/go/", {"form": form, "go": "next", "page": str(number), **answers})
    _post(base, "/f/go/", {"form": form, "go": "send"})
    back = urllib.request.urlopen(f"{base}/f/return/", timeout=30).read().decode()  # noqa: S310
    status = _post(base, "/f/return/", {"ret": _hidden(back, "ret"), "codename": codename})
    _post(base, "/f/go/", {"form": _hidden(status, "form"), "go": "reply", "text": CANARY})


def _scan(roots: list[Path], since: float) -> list[str]:
    hits = []
    for root in roots:
        for dirpath, _dirs, files in os.walk(root):
            for name in files:
                path = Path(dirpath) / name
                try:
                    if root != roots[0] and path.stat().st_mtime < since:
                        continue
                    content = path.read_bytes()
                except OSError:
                    continue
                hits += [f"{path}: {n!r}" for n in NEEDLES if n in content or n in name.encode()]
    return hits


def test_the_canary_typed_into_an_interview_never_reaches_the_disk(
    fresh_env: dict[str, str],  # noqa: F811  # the imported fixture
    tmp_path: Path,
) -> None:
    since = time.time() - 1
    _tropa(fresh_env, "migrate", "--no-input", "-v0")
    _tropa(fresh_env, "demo")
    link = _tropa(fresh_env, "intake", "invite", "--org", "Demo Astana", "--no-qr")
    invite_path = urllib.parse.urlsplit(link.splitlines()[0]).path
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    log = tmp_path / "server.log"
    with log.open("wb") as out:
        server = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "tropa.cli",
                "run",
                "--bind",
                f"127.0.0.1:{port}",
                "--workers",
                "1",
                "--no-worker",
            ],
            env=fresh_env,
            cwd=ROOT,
            stdout=out,
            stderr=out,
        )
        try:
            base = f"http://127.0.0.1:{port}"
            deadline = time.monotonic() + 120
            while True:
                try:
                    urllib.request.urlopen(f"{base}/healthz", timeout=1)  # noqa: S310
                    break
                except OSError:
                    assert server.poll() is None and time.monotonic() < deadline
                    time.sleep(0.2)
            _interview(base, invite_path)
        finally:
            server.terminate()
            server.wait(timeout=30)
    listing = _tropa(fresh_env, "intake", "list", "--org", "Demo Astana")
    assert re.search(r"^new\s+[1-9]", listing, re.M) and CANARY not in listing
    data_dir = Path(fresh_env["TROPA_DATA_DIR"])
    roots = [data_dir, Path(tempfile.gettempdir()), Path("/dev/shm")]
    assert _scan(roots, since) == []
    assert [n for n in NEEDLES if n in log.read_bytes()] == []
    if ON_POSTGRES:
        dump = subprocess.run(
            ["pg_dump", "--dbname", fresh_env["TROPA_DATABASE_URL"]],
            check=True,
            capture_output=True,
        ).stdout
        assert b"intake_submission" in dump
        assert [n for n in NEEDLES if n in dump] == []
