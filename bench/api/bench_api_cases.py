"""The API's case list at 100,000 cases: p95 per page, with CPU time and the load average.

Run:  .venv/bin/python bench/api/bench_api_cases.py [--cases 100000] [--repeat 30]
      (PostgreSQL: scripts/test-postgres .venv/bin/python bench/api/bench_api_cases.py)

The data is bench/cases' (same generator, same fresh data dir); each request goes through
the whole stack (the token middleware, its rate counter UPDATE, the JSON renderer) with
Django's test client. The machine is shared: the load average is printed before and after,
and the CPU time of this process (on SQLite it holds the database's work too) says what a
page costs whatever the others do.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "cases"))
os.environ.setdefault("TROPA_API_RATE_PER_MINUTE", "1000000")  # measure the list, not 429s

import bench_case_list as data
from django.db import connection
from django.test import Client
from django.test.utils import setup_test_environment
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from tropa.accounts.models import User
from tropa.api import services


def _token() -> str:
    user = User.objects.get(username="bench")
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    assert device is not None
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    new = services.create_token(
        actor=user, name="bench", days=1, scopes=["cases:read"], totp_code=f"{totp.token():06d}"
    )
    return new.secret


def timed(client: Client, params: dict[str, str], repeat: int) -> tuple[list[float], list[float]]:
    wall, cpu = [], []
    for _ in range(repeat):
        started, cpu_started = time.perf_counter(), time.process_time()
        response = client.get("/api/v1/cases", params)
        wall.append((time.perf_counter() - started) * 1000)
        cpu.append((time.process_time() - cpu_started) * 1000)
        assert response.status_code == 200, response.content
    return sorted(wall), sorted(cpu)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=30)
    args = parser.parse_args()
    setup_test_environment()
    load_before = os.getloadavg()
    started = time.perf_counter()
    data.build(args.cases, identities=0)
    print(f"{connection.vendor}: {args.cases} cases ready in {time.perf_counter() - started:.0f} s")
    client = Client(HTTP_AUTHORIZATION=f"Bearer {_token()}")
    first = client.get("/api/v1/cases").json()
    cursor = first["next"]
    for _ in range(998):  # walk to page 1000 by the API's own cursors
        cursor = client.get("/api/v1/cases", {"cursor": cursor}).json()["next"]
    scenarios = [
        ("first page (50)", {}),
        ("page 1000 (cursor)", {"cursor": cursor}),
        ("last page", {"cursor": "last"}),
        ("filter stage=vetting", {"stage": "vetting"}),
        ("search pseudonym 'P0123'", {"q": "P0123"}),
        ("stage + city search", {"stage": "intake", "q": "Almaty"}),
    ]
    print("| request | p50 ms | p95 ms | CPU p50 ms | CPU p95 ms |\n|---|---|---|---|---|")
    for label, params in scenarios:
        wall, cpu = timed(client, params, args.repeat)
        p95, cpu95 = (x[int(len(x) * 0.95) - 1] for x in (wall, cpu))
        print(
            f"| {label} | {statistics.median(wall):.1f} | {p95:.1f} "
            f"| {statistics.median(cpu):.1f} | {cpu95:.1f} |"
        )
    print(
        "load average (1, 5, 15 min) before: {:.1f} {:.1f} {:.1f}, after: {:.1f} {:.1f} {:.1f}; "
        "{} cores".format(*load_before, *os.getloadavg(), os.cpu_count())
    )


if __name__ == "__main__":
    main()
