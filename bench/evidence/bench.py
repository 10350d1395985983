"""Evidence vault benchmarks: CLI ingest, browser upload, fixity verify.

    .venv/bin/python bench/evidence/bench.py ingest --size-gb 4 [--kind mp4]
    .venv/bin/python bench/evidence/bench.py upload --size-gb 2
    .venv/bin/python bench/evidence/bench.py verify --total-gb 10

Each run makes a private data dir and random test files under /tmp (or --tmp) and removes
them afterwards. Results are printed as JSON lines; README.md records the measured ones.
"""

from __future__ import annotations

import argparse
import ctypes
import functools
import http.cookiejar
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
PYTHON = sys.executable
GiB = 1024**3


def make_file(path: Path, size: int) -> None:
    """Random (incompressible) content, written in 64 MiB blocks."""
    block = 64 * 1024 * 1024
    with path.open("wb") as out:
        left = size
        while left:
            out.write(os.urandom(min(block, left)))
            left -= min(block, left)


def env_for(data_dir: Path) -> dict[str, str]:
    env = {
        **os.environ,
        "TROPA_DATA_DIR": str(data_dir),
        "DJANGO_SETTINGS_MODULE": "tropa.settings",
    }
    env.pop("TROPA_DATABASE_URL", None)
    return env


def tropa(env: dict[str, str], *args: str) -> str:
    return subprocess.run(
        [PYTHON, "-m", "tropa.cli", *args],
        env=env,
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
    ).stdout


def timed(
    args: list[str], env: dict[str, str] | None = None, stdout: Any = None
) -> tuple[float, int]:
    """Wall time and peak RSS (bytes) of one child process."""
    start = time.perf_counter()
    process = subprocess.Popen(args, env=env, cwd=ROOT, stdout=stdout or subprocess.DEVNULL)
    _, status, usage = os.wait4(process.pid, 0)
    elapsed = time.perf_counter() - start
    if status != 0:
        raise RuntimeError(f"{args[:3]} failed with status {status}")
    return elapsed, usage.ru_maxrss * 1024


def setup_instance(tmp: Path) -> tuple[dict[str, str], str]:
    data_dir = Path(tempfile.mkdtemp(prefix="tropa-bench-", dir=tmp))
    env = env_for(data_dir)
    tropa(env, "migrate", "--no-input", "-v0")
    tropa(env, "demo")
    case = tropa(env, "cases", "list", "--org", "Demo Astana").split()[0]
    return env, case


def baseline(path: Path, work: Path) -> dict[str, float]:
    """``sha256sum FILE && age -r KEY FILE > OUT`` on the same file, OUT beside it."""
    key = subprocess.run(["age-keygen"], capture_output=True, text=True, check=True).stdout
    recipient = re.search(r"age1[0-9a-z]+", key).group(0)  # type: ignore[union-attr]
    out = work / "baseline.age"
    sha, _ = timed(["sha256sum", str(path)])
    with out.open("wb") as sink:
        age, _ = timed(["age", "-r", recipient, str(path)], stdout=sink)
    out.unlink()
    return {"sha256sum_s": sha, "age_s": age, "baseline_s": sha + age}


def make_mp4(path: Path, size: int, work: Path) -> None:
    """A phone-like MP4 with its index (moov) at the end, as ffmpeg writes by default: a
    20 s 1080p clip with a creation time and a position, repeated (stream copy) to ``size``."""
    clip = work / "clip.mp4"
    subprocess.run(
        [
            *("ffmpeg", "-v", "error", "-y", "-f", "lavfi", "-i"),
            "testsrc2=size=1920x1080:rate=30",
            *("-f", "lavfi", "-i", "anoisesrc=d=20", "-t", "20"),
            *("-c:v", "libx264", "-preset", "ultrafast", "-qp", "0", "-pix_fmt", "yuv420p"),
            *("-c:a", "aac", "-metadata", "creation_time=2026-03-04T05:06:07Z"),
            *("-metadata", "location=+43.2567+076.9286/", str(clip)),
        ],
        check=True,
    )
    loops = max(0, size // clip.stat().st_size - 1)
    subprocess.run(
        [
            *("ffmpeg", "-v", "error", "-y", "-stream_loop", str(loops), "-i", str(clip)),
            *("-c", "copy", "-map_metadata", "0", str(path)),
        ],
        check=True,
    )
    clip.unlink()


# Runs the command and reports the largest peak RSS among it and everything it waited for
# (RUSAGE_CHILDREN), which no sampling can miss; its own few MB are left out of the sum.
_WRAP = """
import resource, subprocess, sys
code = subprocess.call(sys.argv[2:])
open(sys.argv[1], "w").write(str(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss))
sys.exit(code)
"""


def tree_peak(args: list[str], env: dict[str, str], work: Path) -> dict[str, Any]:
    """Run ``args``; wall time, and the peak of the summed RSS of it and every process it
    started (Tropa, exiftool, ffprobe, ffmpeg, mat2…), sampled every 5 ms from /proc, with
    each process's RSS in the sample that made the peak (``at_peak``: which one to look at);
    also the largest single peak (``ru_maxrss`` of the command and its waited-for
    descendants)."""
    report = work / "maxrss"
    start = time.perf_counter()
    wrapper = subprocess.Popen(
        [PYTHON, "-c", _WRAP, str(report), *args], env=env, cwd=ROOT, stdout=subprocess.PIPE
    )
    peak, names, at_peak = 0, set(), {}
    while wrapper.poll() is None:
        total, sample = 0, {}
        for pid in _descendants(wrapper.pid)[1:]:
            try:
                status = Path(f"/proc/{pid}/status").read_text()
            except OSError:
                continue
            match = re.search(r"VmRSS:\s+(\d+) kB", status)
            rss = int(match.group(1)) * 1024 if match else 0
            name = status.split("\n", 1)[0].split()[-1]
            parent = re.search(r"PPid:\s+(\d+)", status)
            if parent and _same_memory(pid, int(parent.group(1))):
                continue  # a child between vfork and exec: its parent's pages, counted once
            total += rss
            names.add(name)
            sample[f"{name}[{pid}]"] = round(rss / 1e6, 1)
        if total > peak:
            peak, at_peak = total, sample
        time.sleep(0.005)
    elapsed = time.perf_counter() - start
    output = wrapper.stdout.read().decode() if wrapper.stdout else ""
    if wrapper.returncode != 0:
        raise RuntimeError(f"{args[:3]} failed with status {wrapper.returncode}")
    return {
        "elapsed": elapsed,
        "tree_peak": peak,
        "largest_single": int(report.read_text()) * 1024,
        "processes": sorted(names),
        "at_peak": at_peak,
        "output": output,
    }


_CHECK = """
import django, json, sys; django.setup()
from tropa.evidence.models import EvidenceItem
from tropa.evidence.services import read_metadata
item = EvidenceItem.objects.unscoped().get(code=sys.argv[1])
normalized = read_metadata(item)["normalized"]
print(json.dumps({"metadata_status": item.metadata_status, "mime": item.mime,
    "derived": sorted(d.kind for d in item.derived.all()),
    "captured_at": normalized["captured_at"], "gps": normalized["gps"]}))
"""


_COPY = """
import sys
import django; django.setup()
from tropa.evidence.models import EvidenceItem
from tropa.evidence.services.derivatives import make_stripped_task
item = EvidenceItem.objects.unscoped().get(code=sys.argv[1])
if item.stripped_pending:
    make_stripped_task.call(str(item.pk))
"""


def bench_ingest(args: argparse.Namespace) -> None:
    """``tropa evidence add`` end to end (hash, encryption, custody entry, metadata and
    poster), then the worker's copy without metadata, timed apart (the task, run as the
    worker runs it, in a process of its own)."""
    work = Path(tempfile.mkdtemp(prefix="tropa-bench-", dir=args.tmp))  # 0700
    try:
        env, case = setup_instance(work)
        path = work / ("bench.mp4" if args.kind == "mp4" else "bench.bin")
        size = int(args.size_gb * GiB)
        make_mp4(path, size, work) if args.kind == "mp4" else make_file(path, size)
        subprocess.run(["cat", str(path)], stdout=subprocess.DEVNULL, check=True)  # warm cache
        base = baseline(path, work)
        startup, _ = timed([PYTHON, "-m", "tropa.cli", "evidence", "--help"], env)
        command = [PYTHON, "-m", "tropa.cli", "evidence", "add", case, str(path)]
        if args.defer_metadata:
            command.append("--defer-metadata")
        run = tree_peak(command, env, work)
        code = run["output"].split()[0]
        # The copy without metadata is the worker's (issue 19): its own time and tree peak.
        # The task itself, not ``tropa worker --batch``: that would run the demo's queue too.
        copy = None
        if not args.defer_metadata:
            copy = tree_peak([PYTHON, "-c", _COPY, code], env, work)
        check = subprocess.run(
            [PYTHON, "-c", _CHECK, code], env=env, cwd=ROOT, capture_output=True, text=True
        )
        size = path.stat().st_size
        result = {
            "bench": "ingest",
            "kind": args.kind,
            "size_bytes": size,
            **base,
            "tropa_add_s": run["elapsed"],
            "tropa_startup_s": startup,
            "ratio_whole_command": base["baseline_s"] / run["elapsed"],
            "tropa_MBps": size / run["elapsed"] / 1e6,
            "tree_peak_rss_MB": run["tree_peak"] / 1e6,
            "largest_single_process_peak_MB": run["largest_single"] / 1e6,
            "processes_seen": run["processes"],
            "at_tree_peak_MB": run["at_peak"],
            "worker_copy_s": copy["elapsed"] if copy else None,
            "worker_copy_tree_peak_rss_MB": copy["tree_peak"] / 1e6 if copy else None,
            "worker_processes_seen": copy["processes"] if copy else None,
            "worker_at_tree_peak_MB": copy["at_peak"] if copy else None,
            "item": json.loads(check.stdout) if check.returncode == 0 else check.stderr[-500:],
        }
        print(json.dumps(result))
    finally:
        shutil.rmtree(work, ignore_errors=True)


_KCMP_VM = 1
_SYS_KCMP = {"x86_64": 312, "aarch64": 272}.get(os.uname().machine)


def _same_memory(pid: int, other: int) -> bool:
    """Whether two processes share one address space (``kcmp(KCMP_VM)``). Python starts
    every tool with vfork: until the child's exec, /proc shows it with its parent's whole
    RSS, the same pages, which a sample taken in that moment would count twice. Where
    kcmp cannot answer, the two count apart (the larger figure)."""
    if _SYS_KCMP is None:
        return False
    return bool(_libc().syscall(_SYS_KCMP, pid, other, _KCMP_VM, 0, 0) == 0)


@functools.cache
def _libc() -> Any:
    return ctypes.CDLL(None, use_errno=True)


def _descendants(pid: int) -> list[int]:
    """``pid`` and every process under it. Parents are read first, then the tree is walked
    from ``pid``: once process ids wrap around, a child can have a smaller id than its
    parent (a walk in /proc's order missed every tool then)."""
    parents: dict[int, list[int]] = {}
    for child in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = child.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        parents.setdefault(int(fields[1]), []).append(int(child.parent.name))
    found = [pid]
    for parent in found:  # grows while it is walked
        found.extend(c for c in parents.get(parent, []) if c not in found)
    return found


def _peak_rss(pids: list[int]) -> dict[int, int]:
    peaks = {}
    for pid in pids:
        try:
            status = Path(f"/proc/{pid}/status").read_text()
        except OSError:
            continue
        match = re.search(r"VmHWM:\s+(\d+) kB", status)
        if match:
            peaks[pid] = int(match.group(1)) * 1024
    return peaks


def bench_upload(args: argparse.Namespace) -> None:
    """The browser path: sign in, start a session, POST 8 MiB chunks, finish."""
    tmp = Path(args.tmp)
    env, case = setup_instance(tmp)
    tropa(env, "collectstatic", "--no-input", "-v0")
    passwords = dict(re.findall(r"\s+(\S+)\s+([a-z]+(?:-[a-z]+){5})\s+TOTP", tropa(env, "demo")))
    port = 8765
    server = subprocess.Popen(
        [
            PYTHON,
            "-m",
            "tropa.cli",
            "run",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "2",
            "--no-worker",
        ],
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base_url = f"http://127.0.0.1:{port}"
    path = tmp / "tropa-bench-upload.bin"
    try:
        make_file(path, int(args.size_gb * GiB))
        jar = http.cookiejar.CookieJar()
        opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
        deadline = time.monotonic() + 120
        while True:
            try:
                opener.open(f"{base_url}/healthz", timeout=2)
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.5)

        def csrf() -> str:
            return next(c.value for c in jar if c.name == "tropa_csrf")

        def post(url: str, data: bytes, headers: dict[str, str]) -> Any:
            request = urllib.request.Request(  # noqa: S310 (http://127.0.0.1 only)
                base_url + url,
                data=data,
                headers={"X-CSRFToken": csrf(), "Referer": base_url, **headers},
            )
            return opener.open(request, timeout=600)

        def form(url: str, fields: dict[str, str]) -> Any:
            return post(
                url,
                urllib.parse.urlencode(fields).encode(),
                {"Content-Type": "application/x-www-form-urlencoded"},
            )

        opener.open(f"{base_url}/accounts/login/")
        user = "astana-coordinator"
        form("/accounts/login/", {"username": user, "password": passwords[user]})
        form("/accounts/verify/", {"token": tropa(env, "demo", "--code", user).strip()})
        # Signing in hashes the password with Argon2id (100 MiB of memory by design): that
        # peak is the sign-in's, so it is recorded, then the peak is reset for the upload.
        server_pids = _descendants(server.pid)
        sign_in_peaks = _peak_rss(server_pids)
        for pid in server_pids:
            Path(f"/proc/{pid}/clear_refs").write_text("5")
        size = path.stat().st_size
        start = time.perf_counter()
        started = json.load(
            form(
                f"/evidence/cases/{case}/upload/",
                {
                    "method": "phone",
                    "received_at": "2026-01-01T10:00",
                    "name": "bench.bin",
                    "size": str(size),
                },
            )
        )["upload"]
        chunk = 8 * 1024 * 1024
        with path.open("rb") as handle:
            offset = 0
            while block := handle.read(chunk):
                post(
                    started["chunk"],
                    block,
                    {
                        "Content-Type": "application/octet-stream",
                        "Content-Range": f"bytes {offset}-{offset + len(block) - 1}/{size}",
                    },
                )
                offset += len(block)
        upload_done = time.perf_counter()
        done = json.load(post(started["finish"], b"", {}))
        finished = time.perf_counter()
        peaks = _peak_rss(server_pids)
        print(
            json.dumps(
                {
                    "bench": "browser_upload",
                    "size_bytes": size,
                    "chunks_s": upload_done - start,
                    "finish_s": finished - upload_done,
                    "total_s": finished - start,
                    "MBps_total": size / (finished - start) / 1e6,
                    "server_peak_rss_MB_per_process": sorted(p / 1e6 for p in peaks.values()),
                    "sign_in_peak_rss_MB_per_process": sorted(
                        p / 1e6 for p in sign_in_peaks.values()
                    ),
                    "sha256_ok": done["sha256"]
                    == subprocess.run(
                        ["sha256sum", str(path)], capture_output=True, text=True
                    ).stdout.split()[0],
                }
            )
        )
    finally:
        server.terminate()
        server.wait(timeout=60)
        path.unlink(missing_ok=True)
        shutil.rmtree(env["TROPA_DATA_DIR"], ignore_errors=True)


def bench_verify(args: argparse.Namespace) -> None:
    tmp = Path(args.tmp)
    env, case = setup_instance(tmp)
    count = int(args.total_gb / args.file_gb)
    paths = [tmp / f"tropa-bench-verify-{i}.bin" for i in range(count)]
    try:
        for path in paths:
            make_file(path, int(args.file_gb * GiB))
            tropa(env, "evidence", "add", case, str(path), "--defer-metadata")
        total = sum(p.stat().st_size for p in paths)
        sha, _ = timed(["sha256sum", *map(str, paths)])
        elapsed, rss = timed([PYTHON, "-m", "tropa.cli", "evidence", "verify"], env)
        print(
            json.dumps(
                {
                    "bench": "verify",
                    "total_bytes": total,
                    "files": count,
                    "sha256sum_s": sha,
                    "tropa_verify_s": elapsed,
                    "ratio": sha / elapsed,
                    "tropa_MBps": total / elapsed / 1e6,
                    "peak_rss_MB": rss / 1e6,
                }
            )
        )
    finally:
        for path in paths:
            path.unlink(missing_ok=True)
        shutil.rmtree(env["TROPA_DATA_DIR"], ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--tmp", default=tempfile.gettempdir())
    sub = parser.add_subparsers(dest="bench", required=True)
    ingest = sub.add_parser("ingest")
    ingest.add_argument("--size-gb", type=float, default=4)
    ingest.add_argument("--kind", choices=["random", "mp4"], default="random")
    ingest.add_argument("--defer-metadata", action="store_true", help="ingest alone, as before")
    upload = sub.add_parser("upload")
    upload.add_argument("--size-gb", type=float, default=2)
    verify = sub.add_parser("verify")
    verify.add_argument("--total-gb", type=float, default=10)
    verify.add_argument("--file-gb", type=float, default=2)
    args = parser.parse_args()
    {"ingest": bench_ingest, "upload": bench_upload, "verify": bench_verify}[args.bench](args)


if __name__ == "__main__":
    main()
