"""gunicorn's own error log keeps no client address and no request text (R8, issue 9 #7).

A real ``tropa run`` on a free loopback port gets a malformed request over a raw socket;
its stderr must say that an invalid request was refused, and hold no address.
"""

from __future__ import annotations

import contextlib
import os
import re
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[3]
IPV4 = re.compile(r"\b(?:\d{1,3}\.){3}\d{1,3}\b")


def _free_port(family: socket.AddressFamily, host: str) -> int:
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.bind((host, 0))
        return int(probe.getsockname()[1])


def _ipv6_loopback() -> bool:
    try:
        with socket.socket(socket.AF_INET6, socket.SOCK_STREAM) as probe:
            probe.bind(("::1", 0))
    except OSError:
        return False
    return True


def _stats() -> dict[int, list[str]]:
    found = {}
    for entry in Path("/proc").iterdir():
        with contextlib.suppress(OSError):
            if entry.name.isdigit():
                found[int(entry.name)] = (entry / "stat").read_text().rsplit(")", 1)[1].split()
    return found


def _worker_facts(master: int, facts: dict[str, Any]) -> None:
    """What the kernel says of the web worker (the master's child): its core-dump limit, and
    the niceness of its threads once one runs at 19 (the intake codenames minted ahead)."""
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        workers = [pid for pid, stat in _stats().items() if int(stat[1]) == master]
        if workers:
            task = Path(f"/proc/{workers[0]}/task")
            nices = set()
            for thread in task.iterdir():
                with contextlib.suppress(OSError):
                    nices.add(int((thread / "stat").read_text().rsplit(")", 1)[1].split()[16]))
            limits = Path(f"/proc/{workers[0]}/limits").read_text()
            facts["core"] = next(line for line in limits.splitlines() if "core" in line)
            facts["nices"] = nices
            if 19 in nices:
                return
        time.sleep(0.2)


def _serve_and_send(
    tmp_path: Path, family: socket.AddressFamily, host: str, facts: dict[str, Any] | None = None
) -> str:
    port = _free_port(family, host)
    bind = f"[{host}]:{port}" if family == socket.AF_INET6 else f"{host}:{port}"
    env = {**os.environ, "TROPA_DATA_DIR": str(tmp_path / "data")}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    env.pop("TROPA_DATABASE_URL", None)
    server = subprocess.Popen(
        [sys.executable, "-m", "tropa.cli", "run", "--no-worker", "--bind", bind, "--workers", "1"],
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        client = None
        # Until the server accepts: it migrates its fresh data dir first, which takes a
        # while when the machine is busy (the two database passes run side by side).
        deadline = time.monotonic() + 300
        while time.monotonic() < deadline:
            assert server.poll() is None, server.communicate()[1]
            try:
                client = socket.create_connection((host, port), timeout=30)
                break
            except OSError:
                with contextlib.suppress(subprocess.TimeoutExpired):
                    server.wait(timeout=0.1)
        assert client is not None
        if facts is not None:
            _worker_facts(server.pid, facts)
        answer = b""
        with client:
            client.sendall(b"GARBAGE \x01 Kanareikin\r\n\r\n")
            while chunk := client.recv(4096):
                answer += chunk
        assert answer.startswith(b"HTTP/1.1 400"), answer
    finally:
        server.terminate()
        _out, err = server.communicate(timeout=60)
    return err


def test_an_invalid_request_is_logged_without_the_client_address(tmp_path: Path) -> None:
    facts: dict[str, Any] = {}
    err = _serve_and_send(tmp_path, socket.AF_INET, "127.0.0.1", facts)
    assert "Invalid request" in err
    assert "127.0.0.1" not in err
    assert not IPV4.search(err), err
    # What the client sent is not Tropa's to keep either.
    assert "Kanareikin" not in err and "GARBAGE" not in err
    # The same server, as the kernel sees it: a web worker holds keys and (tropa/intake) the
    # codenames minted ahead in memory, so it may not dump core; and the thread minting them
    # runs at nice 19 beside the request threads at the server's own priority.
    assert facts["core"].split()[-3:] == ["0", "0", "bytes"], facts
    assert 19 in facts["nices"] and min(facts["nices"]) < 19, facts


@pytest.mark.skipif(not _ipv6_loopback(), reason="no IPv6 loopback on this machine")
def test_an_ipv6_client_address_is_not_logged_either(tmp_path: Path) -> None:
    err = _serve_and_send(tmp_path, socket.AF_INET6, "::1")
    assert "Invalid request" in err
    assert "::1" not in err, err


def test_the_filter_masks_every_address_form_and_keeps_clock_times() -> None:
    from tropa.logging import redact

    for address in (
        "10.1.2.3",
        "::1",
        "fe80::1%eth0",
        "2001:db8::8a2e:370:7334",
        "2001:0db8:0000:0000:0000:ff00:0042:8329",
        "::ffff:192.0.2.1",
    ):
        assert redact(f"from ip={address}: x") == "from ip=[ip]: x", address
    assert redact("Worker timeout at 12:34:56 (pid:42)") == "Worker timeout at 12:34:56 (pid:42)"
