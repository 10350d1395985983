"""What `PRAGMA synchronous=FULL` costs: audited single-row writes, NORMAL against FULL.

Run:  .venv/bin/python bench/durability/bench_durability.py [--writes 2000] [--rounds 3]

Each mode runs in its own process with a fresh data dir under bench/durability/data/ (on the
same disk as the work tree: /dev/shm or a tmpfs would make fsync free and the comparison
meaningless). A write is what a coordinator's "add note" does: one transaction that seals
the note and appends its audit entry (keyed HMAC chain, head row update), committed. The
modes alternate round by round so that a noisy neighbour hurts both alike. At the end the
same process times `tropa audit verify` over the log it wrote.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DATA = Path(__file__).resolve().parent / "data"


def child(mode: str, writes: int) -> dict[str, object]:
    sys.path.insert(0, str(ROOT))
    os.environ["DJANGO_SETTINGS_MODULE"] = "tropa.settings"
    from tropa import settings as tropa_settings

    options = tropa_settings.DATABASES["default"]["OPTIONS"]
    assert isinstance(options, dict)
    options["init_command"] = str(options["init_command"]).replace(
        "synchronous=FULL", f"synchronous={mode}"
    )
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from tropa.accounts import services as accounts
    from tropa.audit.services import verify_chain
    from tropa.cases import services as cases

    call_command("migrate", verbosity=0)
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA synchronous")
        synchronous = cursor.fetchone()[0]
        cursor.execute("PRAGMA journal_mode")
        journal = cursor.fetchone()[0]
    org = accounts.create_organization(actor=None, name="Bench")
    user, _ = accounts.create_user(
        actor=None, organization=org, username="bench", role="coordinator"
    )
    case = cases.create_case(actor=user, organization=org, pseudonym="Bench", city="Astana")
    for _ in range(20):  # warm-up: keys unwrapped, statements prepared
        cases.add_note(actor=user, case=case, text="warm-up")
    timings = []
    started = time.perf_counter()
    for n in range(writes):
        t0 = time.perf_counter()
        cases.add_note(actor=user, case=case, text=f"note {n}: the family arrived in Astana")
        timings.append(time.perf_counter() - t0)
    total = time.perf_counter() - started
    t0 = time.perf_counter()
    entries, problem = verify_chain()
    verify_s = time.perf_counter() - t0
    assert problem is None
    timings.sort()
    return {
        "mode": mode,
        "pragma_synchronous": synchronous,
        "journal_mode": journal,
        "writes": writes,
        "writes_per_s": writes / total,
        "p50_ms": statistics.median(timings) * 1000,
        "p95_ms": timings[int(len(timings) * 0.95)] * 1000,
        "p99_ms": timings[int(len(timings) * 0.99)] * 1000,
        "verify_entries": entries,
        "verify_s": verify_s,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--writes", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--child", choices=["NORMAL", "FULL"], help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child(args.child, args.writes)))
        return
    DATA.mkdir(exist_ok=True)
    results: dict[str, list[dict[str, float]]] = {"NORMAL": [], "FULL": []}
    for round_ in range(args.rounds):
        for mode in ("NORMAL", "FULL") if round_ % 2 == 0 else ("FULL", "NORMAL"):
            data_dir = Path(tempfile.mkdtemp(prefix=f"{mode.lower()}-", dir=DATA))
            env = {k: v for k, v in os.environ.items() if not k.startswith("TROPA_")}
            env["TROPA_DATA_DIR"] = str(data_dir)
            out = subprocess.run(
                [sys.executable, __file__, "--child", mode, "--writes", str(args.writes)],
                env=env,
                check=True,
                capture_output=True,
                text=True,
            ).stdout
            shutil.rmtree(data_dir)
            result = json.loads(out.strip().splitlines()[-1])
            results[mode].append(result)
            print(
                f"round {round_ + 1} {mode:6} (PRAGMA synchronous={result['pragma_synchronous']},"
                f" {result['journal_mode']}): {result['writes_per_s']:7.1f} writes/s, "
                f"p50 {result['p50_ms']:.2f} ms, p95 {result['p95_ms']:.2f} ms, "
                f"p99 {result['p99_ms']:.2f} ms; verify {result['verify_entries']} entries "
                f"in {result['verify_s']:.2f} s",
                flush=True,
            )
    print()
    print("| mode | writes/s (median of rounds) | p50 ms | p95 ms | p99 ms |")
    print("|---|---|---|---|---|")
    for mode, runs in results.items():
        med = {
            k: statistics.median(float(r[k]) for r in runs)
            for k in runs[0]
            if k.endswith(("_s", "_ms"))
        }
        print(
            f"| {mode} | {med['writes_per_s']:.0f} | {med['p50_ms']:.2f} | "
            f"{med['p95_ms']:.2f} | {med['p99_ms']:.2f} |"
        )


if __name__ == "__main__":
    main()
