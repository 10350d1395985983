"""Backup and restore of a data dir with 100,000 cases and N GiB of evidence.

Run:  .venv/bin/python bench/backup/bench.py [--cases 100000] [--gib 10] [--rounds 2]
      [--dir DIR] [--baseline CHECKOUT] [--compile-every-start]

Disk: the data, our backup and one plain copy at most (3 × the size: 30 GiB at --gib 10).
``--baseline DIR`` also times the tropa of an older checkout (``git worktree add DIR REV``,
then DIR) round by round, at the same moments.

It fills a fresh data dir (cases by bulk insert, as bench/cases/ does; evidence blobs as
random ciphertext-like files of 64 MiB, the size the vault's large uploads have), then times
``tropa backup create`` against ``tar -c | age -r`` on the same files, and ``tropa backup
restore`` (which also hashes, migrates and verifies) against ``age -d | tar -x``. Peak RSS is
the largest sum over the whole process tree, sampled every 50 ms from /proc.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
TROPA = [sys.executable, "-m", "tropa.cli"]
BLOB = 64 << 20


def _tree_rss(pid: int) -> int:
    children: dict[int, list[int]] = {}
    rss: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            fields = Path(f"/proc/{entry}/stat").read_text().rsplit(")", 1)[1].split()
            statm = Path(f"/proc/{entry}/statm").read_text().split()
        except OSError:
            continue
        children.setdefault(int(fields[1]), []).append(int(entry))
        rss[int(entry)] = int(statm[1]) * os.sysconf("SC_PAGE_SIZE")
    total, todo = 0, [pid]
    while todo:
        p = todo.pop()
        total += rss.get(p, 0)
        todo.extend(children.get(p, []))
    return total


def measure(command: list[str], env: dict[str, str]) -> tuple[float, int]:
    start = time.perf_counter()
    # Not from the checkout: ``python -m`` would put it before PYTHONPATH (see --baseline).
    process = subprocess.Popen(command, env=env, cwd="/")
    peak = 0
    while process.poll() is None:
        peak = max(peak, _tree_rss(process.pid))
        time.sleep(0.05)
    if process.returncode:
        raise SystemExit(f"{command[:4]} failed ({process.returncode})")
    return time.perf_counter() - start, peak


def populate(data: Path, cases: int, gib: float) -> int:
    env = {**os.environ, "TROPA_DATA_DIR": str(data), "DJANGO_SETTINGS_MODULE": "tropa.settings"}
    subprocess.run([*TROPA, "migrate", "-v0"], env=env, check=True)
    code = (
        "import importlib.util, sys;"
        "spec = importlib.util.spec_from_file_location("
        f"'b', '{ROOT}/bench/cases/bench_case_list.py');"
        "m = importlib.util.module_from_spec(spec); spec.loader.exec_module(m);"
        f"m._populate({cases})"
    )
    subprocess.run([sys.executable, "-c", code], env=env, check=True, cwd=ROOT)
    evidence = data / "evidence"
    block = os.urandom(BLOB)
    count = int(gib * (1 << 30)) // BLOB
    for n in range(count):
        blob = f"{n:032x}"
        (evidence / blob[:2]).mkdir(parents=True, exist_ok=True)
        with (evidence / blob[:2] / blob).open("wb") as out:
            out.write(n.to_bytes(8, "big") + block[8:])
    return count * BLOB + (data / "tropa.sqlite3").stat().st_size


def _tropa(env: dict[str, str], tree: str | None) -> dict[str, str]:
    """The environment that runs ``tropa`` from ``tree`` (a checkout of an older version,
    to compare at the same moment) instead of this one."""
    return {**env, "PYTHONPATH": tree} if tree else env


def one_round(
    work: Path, data: Path, key: Path, recipient: str, env: dict[str, str], args: argparse.Namespace
) -> list[tuple[str, float, int]]:
    """One of each, in an order that keeps at most three copies of the data on disk."""
    rows = []
    tar_out = work / "tar.age"
    shell = f"tar -cf - -C {data} tropa.sqlite3 evidence | age -r {recipient} > {tar_out}"
    rows.append(("tar | age", *measure(["bash", "-c", shell], env)))
    tar_out.unlink()
    ours = work / "tropa.age"
    trees = [("", None)] + ([(" (baseline)", args.baseline)] if args.baseline else [])
    for label, tree in trees:
        ours.unlink(missing_ok=True)
        create = [*TROPA, "backup", "create", "--out", str(ours), "--recipient", recipient]
        rows.append((f"tropa backup create{label}", *measure(create, _tropa(env, tree))))
    plain = work / "untar"
    plain.mkdir()
    # Our backup is a tar stream inside age: the same file serves the plain comparison.
    shell = f"age -d -i {key} {ours} | tar -xf - -C {plain}"
    rows.append(("age -d | tar -x", *measure(["bash", "-c", shell], env)))
    shutil.rmtree(plain)
    restored = work / "restored"
    for label, tree in trees:
        shutil.rmtree(restored, ignore_errors=True)
        restore = [*TROPA, "backup", "restore", str(ours), "--identity", str(key)]
        restore += ["--data-dir", str(restored)]
        rows.append((f"tropa backup restore{label}", *measure(restore, _tropa(env, tree))))
    shutil.rmtree(restored)
    ours.unlink()
    return rows


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--gib", type=float, default=10)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--dir", default=str(ROOT / "var" / "bench-backup"))
    parser.add_argument(
        "--baseline", help="a checkout of an older tropa/ to time too, round by round"
    )
    parser.add_argument(
        "--compile-every-start",
        action="store_true",
        help="keep PYTHONDONTWRITEBYTECODE as it is (each start compiles from source)",
    )
    args = parser.parse_args()
    work = Path(args.dir)
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    data = work / "data"
    size = populate(data, args.cases, args.gib)
    key = work / "key.txt"
    subprocess.run(["age-keygen", "-o", str(key)], check=True, capture_output=True)
    recipient = subprocess.run(
        ["age-keygen", "-y", str(key)], check=True, capture_output=True, text=True
    ).stdout.strip()
    env = {**os.environ, "TROPA_DATA_DIR": str(data), "DJANGO_SETTINGS_MODULE": "tropa.settings"}
    if not args.compile_every_start:
        # As on a server: Python's bytecode cache (here in the bench dir, removed afterwards),
        # filled by one start before the first timing. Without it (PYTHONDONTWRITEBYTECODE,
        # as in the sandbox) every ``tropa`` start compiles Django from source again.
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        env["PYTHONPYCACHEPREFIX"] = str(work / "pycache")
        for tree in [None, args.baseline] if args.baseline else [None]:
            subprocess.run([*TROPA, "check", "-v0"], env=_tropa(env, tree), cwd="/", check=True)
    print(f"data: {args.cases} cases, {size / (1 << 30):.2f} GiB; load {os.getloadavg()}")
    for number in range(args.rounds):
        rows = one_round(work, data, key, recipient, env, args)
        print(f"round {number + 1}, load average after it: {os.getloadavg()}")
        base = {
            "create": rows[0][1],
            "restore": next(r[1] for r in rows if r[0].startswith("age -d")),
        }
        for name, seconds, rss in rows:
            ratio = base["restore" if "restore" in name or "age -d" in name else "create"] / seconds
            print(
                f"  {name:33} {seconds:8.1f} s  {size / seconds / (1 << 20):7.1f} MiB/s  "
                f"{ratio:6.0%} of the plain pipe  peak RSS {rss / (1 << 20):6.0f} MiB"
            )
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
