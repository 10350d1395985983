"""After a real `tropa demo` and a served session, the canary is nowhere on disk (R3), and
the server output holds no client address or identity (R8).

Runs the real commands in a fresh data dir; on PostgreSQL in a fresh database, checked
with `pg_dump`.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest

from conftest import CANARY, CANARY_LATIN

ROOT = Path(__file__).resolve().parents[3]
NEEDLES = [
    CANARY.encode(),
    CANARY_LATIN.encode(),
    CANARY_LATIN.upper().encode(),
    CANARY.encode("utf-16-le"),
    CANARY.encode("cp1251"),
]
ON_POSTGRES = bool(os.environ.get("TROPA_DATABASE_URL"))
# It makes its own database from TROPA_DATABASE_URL: on PostgreSQL too.
pytestmark = pytest.mark.database
IPV4 = re.compile(rb"\b(?:\d{1,3}\.){3}\d{1,3}\b")


@pytest.fixture
def fresh_env(tmp_path: Path) -> Iterator[dict[str, str]]:
    env = {
        **os.environ,
        "TROPA_DATA_DIR": str(tmp_path / "data"),
        "DJANGO_SETTINGS_MODULE": "tropa.settings",
    }
    if not ON_POSTGRES:
        yield env
        return
    # A database of its own, so the demo lands neither in the test database nor in
    # whatever the URL points at.
    database = f"tropa_canary_{uuid.uuid4().hex[:8]}"
    admin_url = os.environ["TROPA_DATABASE_URL"]
    with psycopg.connect(admin_url, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{database}"')
    url = urllib.parse.urlsplit(admin_url)
    env["TROPA_DATABASE_URL"] = url._replace(path=f"/{database}").geturl()
    yield env
    with psycopg.connect(admin_url, autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')


def _tropa(env: dict[str, str], *args: str) -> str:
    return subprocess.run(
        [sys.executable, "-m", "tropa.cli", *args],
        env=env,
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
    ).stdout


def _serve_a_little(env: dict[str, str], log: Path) -> None:
    """Start `tropa run`, send requests that carry the canary, stop it."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    base = f"http://127.0.0.1:{port}"
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
            env=env,
            cwd=ROOT,
            stdout=out,
            stderr=out,
        )
        try:
            deadline = time.monotonic() + 120
            while True:
                try:
                    urllib.request.urlopen(f"{base}/healthz", timeout=1)  # noqa: S310
                    break
                except OSError:
                    assert server.poll() is None and time.monotonic() < deadline
                    time.sleep(0.1)
            body = urllib.parse.urlencode({"username": CANARY, "password": CANARY}).encode()
            for url, data in (
                (f"{base}/accounts/login/", body),
                (f"{base}/{urllib.parse.quote(CANARY)}/", None),
                (f"{base}/cases/", None),
            ):
                # Error answers (a failed login, a 404) are part of what is checked.
                with contextlib.suppress(urllib.error.HTTPError):
                    urllib.request.urlopen(url, data=data, timeout=5)  # noqa: S310
        finally:
            server.terminate()
            server.wait(timeout=30)


def _hits(root: Path) -> list[str]:
    found = []
    for path in root.rglob("*"):
        if path.is_file():
            content = path.read_bytes()
            found += [f"{path.name}: {needle!r}" for needle in NEEDLES if needle in content]
    return found


def test_the_canary_never_reaches_disk_or_logs(fresh_env: dict[str, str], tmp_path: Path) -> None:
    _tropa(fresh_env, "migrate", "--no-input", "-v0")
    output = _tropa(fresh_env, "demo")
    assert "astana-coordinator" in output and CANARY not in output
    listing = _tropa(fresh_env, "cases", "list", "--org", "Demo Astana")
    assert len(listing.splitlines()) >= 12 and CANARY not in listing
    # The canary's case went to Demo Yerevan with his Latin name, re-sealed there
    # (tropa/sharing/demo.py): that copy is on disk too, and checked below.
    referrals = _tropa(fresh_env, "referrals", "list", "--org", "Demo Yerevan")
    assert "accepted" in referrals and CANARY_LATIN.upper() not in referrals
    log = tmp_path / "server.log"
    _serve_a_little(fresh_env, log)

    data_dir = Path(fresh_env["TROPA_DATA_DIR"])
    assert list(data_dir.iterdir()), "the data dir is empty: nothing was checked"
    assert _hits(data_dir) == []
    if ON_POSTGRES:
        dump = subprocess.run(
            [shutil.which("pg_dump") or "pg_dump", "--dbname", fresh_env["TROPA_DATABASE_URL"]],
            check=True,
            capture_output=True,
        ).stdout
        assert b"cases_identity" in dump
        assert [n for n in NEEDLES if n in dump] == []
    server_output = log.read_bytes()
    assert [n for n in NEEDLES if n in server_output] == []
    # The one address allowed is the bind address that `tropa run` announces.
    without_banner = b"\n".join(
        line for line in server_output.splitlines() if not line.startswith(b"Tropa serves on")
    )
    assert IPV4.findall(without_banner) == []
    for path in data_dir.rglob("*"):
        assert path.stat().st_mode & 0o077 == 0, f"{path} is readable by others"
