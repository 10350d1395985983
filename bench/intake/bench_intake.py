"""Intake at hotline scale: the triage queue at 40,000 submissions, and 100 people at once
on the public link against a real `tropa run`, with the weight of every page.

Run:  .venv/bin/python -u bench/intake/bench_intake.py [--submissions 40000] [--people 100]
      [--think-min 1 --think-max 3] [--mode both|burst|stress] [--workers 2]
      (PostgreSQL: scripts/test-postgres .venv/bin/python bench/intake/bench_intake.py)

It fills a throw-away data dir: one organization with 40,000 sent submissions over the last
200 days (bulk inserts, each with its own sealed answers; a fixed Argon2id string stands in
for the codename hash, which only a return visit reads), spread over the five states. It
times the queue page through Django's whole stack as a coordinator: the first page, each
state filter, a day filter and the next page (p95 of --repeat runs each). Then it starts
`tropa run --workers 2` (--workers), waits until the server is idle (its web processes mint
their intake codenames ahead at start, as a server up for a while has done; run it on a quiet
machine), opens the public link, and lets --people threads each
walk a whole interview (landing, start, codename, six pages, send: ten requests), timing
every request, twice:

- BURST (the issue's figure, "a hotline link posted in a channel"): the --people open the link
  within the same second (each at a random moment of it), then each walks the whole interview
  at a fast person's pace: before every further request he pauses a time drawn uniformly from
  --think-min to --think-max seconds (default 1 to 3: reading a short page and typing one to
  three fields; faster than a real person, so the figure errs on the pessimistic side);
- STRESS (a second figure): the same --people with zero think time, a closed loop that only
  measures the server's throughput (latency ~ people / requests per second).

It prints the p95 per page and the size of each page without attachments.
"""

from __future__ import annotations

import argparse
import os
import random
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
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("TROPA_DATA_DIR", tempfile.mkdtemp(prefix="tropa-bench-"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tropa.settings")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402
from django.utils import timezone  # noqa: E402
from django_otp import DEVICE_ID_SESSION_KEY  # noqa: E402
from django_otp.plugins.otp_totp.models import TOTPDevice  # noqa: E402

from tropa.accounts import services as accounts  # noqa: E402
from tropa.accounts.models import Organization  # noqa: E402
from tropa.crypto.fields import seal  # noqa: E402
from tropa.intake import services  # noqa: E402
from tropa.intake.models import Submission  # noqa: E402

STATES = ["new"] * 5 + ["in_review"] * 2 + ["accepted", "merged", "rejected"]
FAKE_HASH = "$argon2id$v=19$m=65536,t=3,p=2$YmVuY2g$YmVuY2hiZW5jaGJlbmNoYmVuY2g"


def _populate(org: Organization, count: int) -> None:
    rng = random.Random(14)
    now = timezone.now().replace(microsecond=0)
    for start in range(0, count, 2000):
        rows = []
        for n in range(start, min(start + 2000, count)):
            at = now - timedelta(seconds=rng.randint(0, 200 * 86400))
            row = Submission(
                organization=org,
                source=rng.choice(["public", "invitation", "bot"]),
                language="ru",
                definition_version="2026-12-01",
                codename_index=uuid.uuid4().hex + uuid.uuid4().hex,
                codename_hash=FAKE_HASH,
                status=rng.choice(STATES),
                started_at=at,
                submitted_at=at,
            )
            row.sealed_answers = seal(row, "sealed_answers", {"needs": f"bench {n}"})
            rows.append(row)
        Submission.objects.bulk_create(rows)


def _coordinator(org: Organization) -> Client:
    user, _ = accounts.create_user(
        actor=None, organization=org, username="bench-coord", role="coordinator", password=None
    )
    client = Client()
    client.force_login(user)
    device = TOTPDevice.objects.create(user=user, name="bench", confirmed=True)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return client


def _p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20)[18] if len(values) > 1 else values[0]


def _time_queue(client: Client, repeat: int) -> None:
    first = client.get("/intake/").content.decode()
    after = re.search(r'after=([^"&]+)"', first)
    day = re.search(r'\?day=(\d{4}-\d\d-\d\d)"', first)
    urls = {"first page": "/intake/"}
    urls.update({f"filter {s}": f"/intake/?status={s}" for s in sorted(set(STATES))})
    if day:
        urls["filter one day"] = f"/intake/?day={day.group(1)}"
    if after:
        urls["next page"] = f"/intake/?after={urllib.parse.unquote(after.group(1))}"
    for name, url in urls.items():
        times = []
        for _ in range(repeat):
            began = time.perf_counter()
            response = client.get(url)
            times.append((time.perf_counter() - began) * 1000)
            assert response.status_code == 200, (url, response.status_code)
        median = statistics.median(times)
        print(f"  queue {name:<18} p95 {_p95(times):6.1f} ms  median {median:6.1f} ms")


def _hidden(html: str, name: str) -> str:
    found = re.search(rf'name="{name}" value="([^"]*)"', html)
    assert found, html[:300]
    return found.group(1)


PAGES = [
    {"surname": "Соколов", "given_name": "Илья", "birth_date": "1994-03-02"},
    {"country": "KZ", "city": "Астана", "arrived_on": "2026-10-01"},
    {"served": "yes", "left_how": "deserted"},
    {"service_type": "mobilized", "unit": "в/ч 12345", "places": "Бахмут"},
    {"family_came": "no"},
    {"needs": "Жильё и юрист", "story": "Прошу помочь. " * 20},
]


def _interview(
    base: str,
    link: str,
    times: dict[str, list[float]],
    sizes: dict[str, int],
    think: tuple[float, float],
) -> None:
    rng = random.Random()
    first = [True]

    def call(name: str, path: str, data: dict[str, str] | None = None) -> str:
        if think[1] and first[0]:  # the burst: everyone opens the link within one second
            time.sleep(rng.uniform(0.0, 1.0))
        elif think[1]:  # a fast person reads the page and types
            time.sleep(rng.uniform(*think))
        first[0] = False
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        began = time.perf_counter()
        with urllib.request.urlopen(f"{base}{path}", data=body, timeout=120) as response:  # noqa: S310
            html: bytes = response.read()
        times.setdefault(name, []).append((time.perf_counter() - began) * 1000)
        sizes[name] = max(sizes.get(name, 0), len(html))
        return html.decode()

    html = call("landing", link)
    html = call("start + codename", "/f/start/", {"start": _hidden(html, "start")})
    form = _hidden(html, "form")
    html = call("page 1 (shown)", "/f/go/", {"form": form, "go": "show", "page": "0"})
    for number, answers in enumerate(PAGES):
        call(
            f"page {number + 2 if number < 5 else 'send'} (after saving {number + 1})",
            "/f/go/",
            {"form": form, "go": "next", "page": str(number), **answers},
        )
    call("sent: status", "/f/go/", {"form": form, "go": "send"})


def _tree_cpu(root: int) -> float:
    """CPU seconds used so far by ``root`` and every process under it (from /proc)."""
    stats: dict[int, tuple[int, float]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            stats[int(entry.name)] = (int(fields[1]), (int(fields[11]) + int(fields[12])))
    tree, total = {root}, 0.0
    for _ in range(4):  # gunicorn's master, its workers: a shallow tree
        tree |= {pid for pid, (ppid, _) in stats.items() if ppid in tree}
    for pid in tree:
        total += stats.get(pid, (0, 0))[1]
    return total / os.sysconf("SC_CLK_TCK")


def _settle(root: int) -> None:
    """Wait until the server is idle: each web process mints its intake codenames ahead at
    start (tropa/intake/services/ahead.py), as a server up for a while would have done."""
    began, last = time.monotonic(), _tree_cpu(root)
    while time.monotonic() - began < 120:
        time.sleep(0.5)
        now = _tree_cpu(root)
        if now - last < 0.02:
            break
        last = now
    print(f"  server idle {time.monotonic() - began:.1f} s after it answered (codenames ahead)")


@contextmanager
def _server(people: int, workers: int) -> Iterator[str]:
    """A real ``tropa run`` on a free port, as an operator starts it (no task worker)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    log = Path(os.environ["TROPA_DATA_DIR"]) / "bench-server.log"
    env = {**os.environ, "TROPA_INTAKE_PUBLIC_PER_MINUTE": str(people * 4)}
    command = [sys.executable, "-m", "tropa.cli", "run", "--bind", f"127.0.0.1:{port}"]
    with log.open("wb") as out:
        server = subprocess.Popen(
            [*command, "--workers", str(workers), "--no-worker"],
            env=env,
            cwd=ROOT,
            stdout=out,
            stderr=out,
        )
        base = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + 120
            while True:
                try:
                    urllib.request.urlopen(f"{base}/healthz", timeout=2)  # noqa: S310
                    break
                except OSError:
                    assert server.poll() is None and time.monotonic() < deadline
                    time.sleep(0.3)
            _settle(server.pid)
            yield base
        finally:
            server.terminate()
            server.wait(timeout=60)


def _crowd(base: str, path: str, people: int, think: tuple[float, float], title: str) -> None:
    urllib.request.urlopen(f"{base}{path}", timeout=30).read()  # noqa: S310  # warm up
    times: dict[str, list[float]] = {}
    sizes: dict[str, int] = {}
    errors: list[str] = []

    def one() -> None:
        try:
            _interview(base, path, times, sizes, think)
        except Exception as exc:  # a failed interview is counted, not hidden
            errors.append(type(exc).__name__ + ": " + str(exc)[:80])

    threads = [threading.Thread(target=one) for _ in range(people)]
    began = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    wall = time.perf_counter() - began
    everything = [t for values in times.values() for t in values]
    print(f"  {title}")
    print(f"  {people - len(errors)} completed in {wall:.1f} s, {len(errors)} failed {errors[:3]}")
    median = statistics.median(everything)
    print(f"  every request: p95 {_p95(everything):.0f} ms, median {median:.0f} ms")
    for name, values in times.items():
        weight = sizes[name] / 1024
        print(f"  {name:<32} p95 {_p95(values):6.0f} ms  weight {weight:5.1f} KB")


def _burst(
    org: Organization, people: int, think: tuple[float, float], mode: str, workers: int
) -> None:
    link = services.update_settings(actor=None, organization=org, public_enabled=True)
    path = f"/f/p/{link.public_slug}/"
    print(f"tropa run --workers {workers} (gthread, 4 threads each)")
    with _server(people, workers) as base:
        if mode in ("both", "burst"):
            title = (
                f"THE FIGURE (burst): {people} people open the link within one second, then"
                f" {think[0]:g}-{think[1]:g} s (uniform) before each further request"
            )
            _crowd(base, path, people, think, title)
            print(f"load average after the burst: {os.getloadavg()}")
        if mode in ("both", "stress"):
            title = f"STRESS (second figure): {people} interviews at once, zero think time"
            _crowd(base, path, people, (0.0, 0.0), title)
            print(f"load average after the stress run: {os.getloadavg()}")
    css = (ROOT / "tropa/intake/static/intake/public.css").stat().st_size
    print(f"  stylesheet intake/public.css: {css / 1024:.1f} KB")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--submissions", type=int, default=40_000)
    parser.add_argument("--people", type=int, default=100)
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--think-min", type=float, default=1.0, help="burst: least pause, s")
    parser.add_argument("--think-max", type=float, default=3.0, help="burst: longest pause, s")
    parser.add_argument("--workers", type=int, default=2, help="tropa run --workers")
    parser.add_argument("--mode", choices=["both", "burst", "stress"], default="both")
    args = parser.parse_args()
    setup_test_environment()
    call_command("migrate", verbosity=0)
    call_command("collectstatic", verbosity=0, interactive=False)
    org = accounts.create_organization(actor=None, name="Bench")
    print(f"load average before: {os.getloadavg()}")
    began = time.perf_counter()
    _populate(org, args.submissions)
    print(f"  {args.submissions} submissions inserted in {time.perf_counter() - began:.0f} s")
    _time_queue(_coordinator(org), args.repeat)
    print(f"load average after the queue: {os.getloadavg()}")
    database = "PostgreSQL" if connection.vendor == "postgresql" else "SQLite"
    print(f"database: {database}")
    _burst(org, args.people, (args.think_min, args.think_max), args.mode, args.workers)
    print(f"load average at the end: {os.getloadavg()}")


if __name__ == "__main__":
    main()
