"""Screening inside the server at full size (issue 17, point 3).

    .venv/bin/python -m bench.screening.server --size 1000000 --requests 40
    (PostgreSQL: scripts/test-postgres .venv/bin/python -m bench.screening.server ...)

In a throw-away data dir (``--data DIR`` to keep one): generate a list of ``--size`` persons
with the benchmark's generator (seed 3, FollowTheMoney JSON lines), import it with ``tropa
lists import``, build its shared index in a process of its own (time, peak memory of that
process, size of the file), then start a real ``tropa run --workers 2`` (with its background
workers and the tagger process) and measure: time from start to the first 200 of
``/healthz``; a case screened on demand through the real HTTP path (POST of the case page's
"screen" button, the response is the redirect back to the case), first and then warm (p95 of
``--requests``); and the memory of the whole process tree of ``tropa run`` (resident set of
every process summed, and PSS: shared pages counted once), sampled every 0.2 s, peak.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CLI = [sys.executable, "-m", "tropa.cli"]


def _descendants(pid: int) -> list[int]:
    found, todo = [], [pid]
    while todo:
        current = todo.pop()
        found.append(current)
        try:
            children = Path(f"/proc/{current}/task/{current}/children").read_text().split()
        except OSError:
            continue
        todo.extend(int(c) for c in children)
    return found


def tree_memory(pid: int) -> tuple[float, float, int]:
    """(RSS summed, PSS summed) in MB over ``pid`` and its descendants, and how many."""
    rss = pss = 0
    pids = _descendants(pid)
    for each in pids:
        try:
            for line in Path(f"/proc/{each}/smaps_rollup").read_text().splitlines():
                if line.startswith("Rss:"):
                    rss += int(line.split()[1])
                elif line.startswith("Pss:"):
                    pss += int(line.split()[1])
        except OSError:
            continue
    return rss / 1024, pss / 1024, len(pids)


class Sampler(threading.Thread):
    """Peak memory of a process tree while it runs."""

    def __init__(self, pid: int) -> None:
        super().__init__(daemon=True)
        self.pid, self.peak, self.stop = pid, (0.0, 0.0, 0), threading.Event()

    def run(self) -> None:
        while not self.stop.is_set():
            now = tree_memory(self.pid)
            if now[0] > self.peak[0]:
                self.peak = now
            time.sleep(0.2)


def timed(command: list[str], env: dict[str, str]) -> tuple[float, tuple[float, float, int], str]:
    began = time.perf_counter()
    process = subprocess.Popen(command, env=env, cwd=ROOT, stdout=subprocess.PIPE, text=True)
    sampler = Sampler(process.pid)
    sampler.start()
    out, _ = process.communicate()
    sampler.stop.set()
    assert process.returncode == 0, f"{command} failed"
    return time.perf_counter() - began, sampler.peak, out


def write_list(path: Path, size: int) -> tuple[str, str | None]:
    """The generated list as FtM lines; returns one listed person's Cyrillic name and birth."""
    from bench.screening.speed import list_entries

    chosen: tuple[str, str | None] = ("", None)
    with path.open("w", encoding="utf-8") as out:
        for number, (entity_id, names, born) in enumerate(list_entries(3, size)):
            properties: dict[str, list[str]] = {"name": names}
            if born:
                properties["birthDate"] = [born]
            if number == size // 2:
                chosen = (names[0], born)
            line = {"id": entity_id, "schema": "Person", "properties": properties}
            out.write(json.dumps(line, ensure_ascii=False) + "\n")
    return chosen


SETUP = """
import json, sys
import django
django.setup()
from datetime import date
from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice
from tropa.accounts import services as accounts
from tropa.cases import services as cases
name, born = json.loads(sys.argv[1])
org = accounts.create_organization(actor=None, name="Bench")
user, _ = accounts.create_user(
    actor=None, organization=org, username="bench-verifier", role="coordinator", password=None
)
case = cases.create_case(actor=user, organization=org, pseudonym="Bench", risk="low")
surname, given, *rest = name.split()
data = {"surname": surname, "given_name": given, "patronymic": " ".join(rest)}
if born and len(born) == 10:
    data["birth_date"] = date.fromisoformat(born)
cases.save_identity(actor=user, person=case.person, data=data)
client = Client()
client.force_login(user)
device = TOTPDevice.objects.create(user=user, name="bench", confirmed=True)
session = client.session
session[DEVICE_ID_SESSION_KEY] = device.persistent_id
session.save()
print(json.dumps({"session": client.cookies["tropa_session"].value, "case": str(case.code),
                  "url": case.get_absolute_url()}))
"""

BUILD = """
import json, time, django
django.setup()
from tropa.screening import engine, index_store
from tropa.screening.models import WatchList
began = time.perf_counter()
watchlist = WatchList.objects.get(name="Bench list")
index = engine.index_for(watchlist)
path = index_store.index_path(watchlist, watchlist.versions.first().pk)
print(json.dumps({"seconds": time.perf_counter() - began, "persons": len(index),
                  "bytes": path.stat().st_size, "builds": index_store.builds}))
"""


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _request(url: str, session: str, data: dict[str, str] | None = None) -> tuple[int, str, dict]:
    cookies = f"tropa_session={session}" + (f"; tropa_csrf={data['csrf']}" if data else "")
    body = None
    headers = {"Cookie": cookies, "Accept-Language": "en"}
    if data is not None:
        body = urllib.parse.urlencode({"csrfmiddlewaretoken": data["token"]}).encode()
        headers["Referer"] = url
        headers["Content-Type"] = "application/x-www-form-urlencoded"

    class _NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args: object, **kwargs: object) -> None:
            return None

    opener = urllib.request.build_opener(_NoRedirect)
    request = urllib.request.Request(url, data=body, headers=headers)  # noqa: S310
    try:
        with opener.open(request, timeout=600) as response:
            return response.status, response.read().decode(), dict(response.headers)
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode(errors="replace"), dict(exc.headers)


def serve_and_screen(
    env: dict[str, str], login: dict[str, str], requests: int, root: Path = ROOT
) -> None:
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    log = Path(env["TROPA_DATA_DIR"]) / "bench-server.log"
    with log.open("wb") as out:
        began = time.perf_counter()
        server = subprocess.Popen(
            [*CLI, "run", "--bind", f"127.0.0.1:{port}", "--workers", "2"],
            env=env,
            cwd=root,
            stdout=out,
            stderr=out,
        )
        sampler = Sampler(server.pid)
        sampler.start()
        try:
            while True:
                try:
                    urllib.request.urlopen(f"{base}/healthz", timeout=2)  # noqa: S310
                    break
                except OSError:
                    assert server.poll() is None, "tropa run stopped"
                    time.sleep(0.1)
            started = time.perf_counter() - began
            print(f"start to first 200 of /healthz: {started:.1f} s")
            status, page, headers = _request(base + login["url"], login["session"])
            assert status == 200, status
            token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
            csrf = re.search(r"tropa_csrf=([^;]+)", headers.get("Set-Cookie", ""))
            assert token and csrf, "no CSRF token on the case page"
            form = {"token": token.group(1), "csrf": csrf.group(1)}
            url = f"{base}/screening/cases/{login['case']}/screen/"
            times = []
            for _ in range(requests + 1):
                at = time.perf_counter()
                status, _, _ = _request(url, login["session"], form)
                times.append(time.perf_counter() - at)
                assert status == 302, f"screening answered {status}"
            warm = times[1:]
            p95 = statistics.quantiles(warm, n=20)[18] if len(warm) > 1 else warm[0]
            print(f"screen a case on demand (HTTP POST): first {times[0] * 1000:.0f} ms, warm")
            print(
                f"  p50 {statistics.median(warm) * 1000:.0f} ms, p95 {p95 * 1000:.0f} ms,"
                f" max {max(warm) * 1000:.0f} ms over {len(warm)} requests"
            )
            rss, pss, count = tree_memory(server.pid)
            print(
                f"tropa run process tree now: {count} processes, RSS {rss:.0f} MB, PSS {pss:.0f} MB"
            )
        finally:
            sampler.stop.set()
            server.terminate()
            server.wait(timeout=60)
    rss, pss, count = sampler.peak
    print(f"tropa run process tree, peak: {count} processes, RSS {rss:.0f} MB, PSS {pss:.0f} MB")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--size", type=int, default=1_000_000)
    parser.add_argument("--requests", type=int, default=40)
    parser.add_argument("--data", help="data dir (default: a new temporary one)")
    parser.add_argument(
        "--serve-only",
        metavar="TREE",
        help="only start the server of the source tree TREE (a checkout of the code before) on"
        " the --data dir of an earlier run, and screen its case",
    )
    args = parser.parse_args()
    data = Path(args.data or tempfile.mkdtemp(prefix="tropa-bench-screening-"))
    env = {**os.environ, "TROPA_DATA_DIR": str(data), "DJANGO_SETTINGS_MODULE": "tropa.settings"}
    env.pop("TROPA_TAGGER_SOCKET", None)
    if args.serve_only:
        login = json.loads((data / "bench-login.json").read_text())
        serve_and_screen(env, login, args.requests, Path(args.serve_only).resolve())
        return
    print(f"data dir {data}, {args.size} persons")
    subprocess.run([*CLI, "migrate", "--no-input", "-v", "0"], env=env, cwd=ROOT, check=True)
    # Collected once at installation: not part of a server's start.
    subprocess.run([*CLI, "collectstatic", "--no-input", "-v", "0"], env=env, cwd=ROOT, check=True)
    listed = data / "bench-list.ftm.json"
    began = time.perf_counter()
    name, born = write_list(listed, args.size)
    size_mb = listed.stat().st_size / 2**20
    print(
        f"generated {args.size} persons in {time.perf_counter() - began:.0f} s ({size_mb:.0f} MB)"
    )
    seconds, peak, _ = timed([*CLI, "lists", "import", str(listed), "--name", "Bench list"], env)
    print(f"import: {seconds:.0f} s, peak RSS {peak[0]:.0f} MB")
    seconds, peak, out = timed([sys.executable, "-c", BUILD], env)
    built = json.loads(out.splitlines()[-1])
    print(
        f"shared index build: {built['seconds']:.0f} s ({seconds:.0f} s with start-up), peak RSS"
        f" {peak[0]:.0f} MB, file {built['bytes'] / 2**20:.0f} MB, {built['persons']} persons"
    )
    out = subprocess.run(
        [sys.executable, "-c", SETUP, json.dumps([name, born])],
        env=env,
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    (data / "bench-login.json").write_text(out.splitlines()[-1])
    serve_and_screen(env, json.loads(out.splitlines()[-1]), args.requests)


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    main()
