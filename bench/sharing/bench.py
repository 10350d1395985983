"""A referral of a case with large evidence against `tropa evidence add` on the same data.

    .venv/bin/python bench/sharing/bench.py --size-gb 2 [--tmp DIR]

In a private data dir (SQLite): two organizations and a case; one random file of the size
added with `tropa evidence add --defer-metadata` (hash + encrypt, the ingest itself); then a
referral of that case with the item, accepted, and its copy run by the real background
worker (`tropa worker --batch`: open with the sender's case key, write with the receiver's,
SHA-256 checked). The added item's deferred metadata job runs in a worker of its own before
the referral, measured apart, so that it is not counted as the copy's. Wall time and peak
memory summed over each command's process tree (sampled from /proc every 50 ms), the load
average around each run; the worker's own start-up is measured on an empty queue and
reported apart. Prints JSON lines.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
PYTHON = sys.executable
GiB = 1024**3

SETUP = """
from tropa.accounts import services as accounts
from tropa.cases import services as cases
astana = accounts.create_organization(actor=None, name="Bench Astana")
accounts.create_organization(actor=None, name="Bench Yerevan")
case = cases.create_case(actor=None, organization=astana, pseudonym="Bench")
print(case.code)
"""

REFER = """
from django.utils import timezone
from tropa.accounts.models import Organization
from tropa.cases.models import Case
from tropa.evidence.models import EvidenceItem
from tropa.sharing import services
astana = Organization.objects.get(name="Bench Astana")
case = Case.objects.for_organization(astana).get()
items = [str(i.code) for i in EvidenceItem.objects.filter(organization=astana)]
referral = services.refer_case(
    actor=None, case=case, receiver=Organization.objects.get(name="Bench Yerevan"),
    mode="share", consent=services.Consent(timezone.localdate(), "signed", "bench"),
    parts=services.Parts(evidence=items),
)
services.accept_referral(actor=None, referral=referral)
print(referral.code)
"""

CHECK = """
from tropa.evidence import custody
from tropa.evidence.models import EvidenceItem
from tropa.sharing.models import Referral
referral = Referral.objects.unscoped().get()
pairs = [(c.source, c.copy) for c in referral.items.select_related("source", "copy")]
print(referral.copy_state, all(s.sha256 == c.sha256 for s, c in pairs),
      all(custody.verify_chain(i) is None for pair in pairs for i in pair))
"""


def env_for(data_dir: Path) -> dict[str, str]:
    env = {
        **os.environ,
        "TROPA_DATA_DIR": str(data_dir),
        "DJANGO_SETTINGS_MODULE": "tropa.settings",
    }
    env.pop("TROPA_DATABASE_URL", None)
    return env


def shell(env: dict[str, str], code: str) -> str:
    args = [PYTHON, "-m", "tropa.cli", "shell", "--no-imports", "-c", code]
    return subprocess.run(
        args, env=env, cwd=ROOT, check=True, capture_output=True, text=True
    ).stdout


def _tree_rss(root: int) -> int:
    """Resident memory of ``root`` and all its descendants, in bytes."""
    parents: dict[int, int] = {}
    rss: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            status = Path(f"/proc/{entry}/status").read_text()
        except OSError:
            continue
        fields = dict(line.split(":", 1) for line in status.splitlines() if ":" in line)
        parents[int(entry)] = int(fields.get("PPid", "0").strip())
        rss[int(entry)] = int(fields.get("VmRSS", "0 kB").split()[0]) * 1024
    tree, changed = {root}, True
    while changed:
        changed = False
        for pid, parent in parents.items():
            if parent in tree and pid not in tree:
                tree.add(pid)
                changed = True
    return sum(rss.get(pid, 0) for pid in tree)


def measured(args: list[str], env: dict[str, str]) -> dict[str, Any]:
    load_before = os.getloadavg()[0]
    start = time.perf_counter()
    process = subprocess.Popen(
        args, env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=sys.stderr
    )
    peak = 0
    while process.poll() is None:
        peak = max(peak, _tree_rss(process.pid))
        time.sleep(0.05)
    elapsed = time.perf_counter() - start
    if process.returncode != 0:
        raise RuntimeError(f"{args[2:5]} failed with status {process.returncode}")
    return {
        "seconds": round(elapsed, 2),
        "tree_peak_mb": round(peak / 1e6),
        "load_before": round(load_before, 1),
        "load_after": round(os.getloadavg()[0], 1),
    }


def make_file(path: Path, size: int) -> None:
    block = 64 * 1024 * 1024
    with path.open("wb") as out:
        left = size
        while left:
            out.write(os.urandom(min(block, left)))
            left -= min(block, left)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--size-gb", type=float, default=2)
    parser.add_argument("--tmp", default=tempfile.gettempdir())
    options = parser.parse_args()
    size = int(options.size_gb * GiB)
    work = Path(tempfile.mkdtemp(prefix="tropa-bench-sharing-", dir=options.tmp))
    try:
        env = env_for(work / "data")
        subprocess.run(
            [PYTHON, "-m", "tropa.cli", "migrate", "--no-input", "-v0"],
            env=env,
            cwd=ROOT,
            check=True,
        )
        case = shell(env, SETUP).strip()
        source = work / "evidence.bin"
        make_file(source, size)
        tropa = [PYTHON, "-m", "tropa.cli"]
        add = measured([*tropa, "evidence", "add", case, str(source), "--defer-metadata"], env)
        source.unlink()
        worker = [*tropa, "worker", "--batch", "--no-startup-delay", "--queue-name", "default"]
        # The deferred metadata job of the added item (exiftool, ffprobe, mat2 over the
        # whole file) runs in the worker too: drained first, so that the copy's own peak is
        # what is measured (before, it was counted with the copy and grew with the size).
        metadata = measured(worker, env)
        shell(env, REFER)
        copy = measured(worker, env)
        idle = measured(worker, env)  # the same worker on an empty queue: its start-up
        state = shell(env, CHECK).split()
        runs = (
            ("evidence add", add),
            ("metadata job (worker)", metadata),
            ("referral copy (worker)", copy),
        )
        for name, run in runs:
            run["MB_per_s"] = round(size / 1e6 / run["seconds"], 1)
            print(json.dumps({"run": name, "size_gib": options.size_gb, **run}))
        net = copy["seconds"] - idle["seconds"]
        print(
            json.dumps(
                {
                    "run": "summary",
                    "worker_startup_s": idle["seconds"],
                    "copy_without_startup_s": round(net, 2),
                    "ratio_to_add": round(add["seconds"] / copy["seconds"], 2),
                    "ratio_to_add_without_startup": round(add["seconds"] / net, 2),
                    "copy_state": state[0],
                    "sha256_equal": state[1] == "True",
                    "custody_verify": state[2] == "True",
                }
            )
        )
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
