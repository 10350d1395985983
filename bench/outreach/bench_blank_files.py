"""Files built to exhaust the importer: time and peak memory of reading them.

Run:  .venv/bin/python bench/outreach/bench_blank_files.py [--before REF] [--timeout 600]

Makes two files (issue 9, finding 5) and reads each with ``importer.read_table`` in a fresh
child process, reporting wall time, the child's peak resident memory (ru_maxrss) and the
outcome (refused with which message, or how many rows were read):

- ``blank.xlsx``: a header and 1,000,000 blank rows (``<row r="N" spans="1:16384"/>``) in
  a sheet that claims the full width (A1:XFD…), 2.4 MB on disk;
- ``empty-lines.csv``: a header and 40 MB of empty lines;
- ``tiny.csv``: two rows, for the child's own footprint (Python, Django, openpyxl).

``--before REF`` reads them a second time with ``tropa/outreach/importer.py`` as it was at
git revision REF (loaded from ``git show``), for before/after figures. ``--timeout`` ends a
child that takes longer (and says so). Nothing is written outside a temporary directory.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

CHILD = r"""
import importlib.util, json, os, resource, sys, time
sys.path.insert(0, os.environ["BENCH_ROOT"])
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tropa.settings")
import django
django.setup()
source = os.environ.get("BENCH_IMPORTER_SOURCE")
if source:
    spec = importlib.util.spec_from_loader("tropa.outreach.importer_before", loader=None)
    importer = importlib.util.module_from_spec(spec)
    importer.__package__ = "tropa.outreach"
    sys.modules[spec.name] = importer  # dataclasses look their module up there
    exec(compile(open(source).read(), source, "exec"), importer.__dict__)
else:
    from tropa.outreach import importer
data = open(sys.argv[1], "rb").read()
start = time.monotonic()
try:
    table = importer.read_table(data)
    outcome = f"read: {len(table.rows)} rows"
except importer.ImportFileError as exc:
    outcome = f"refused: {exc}"
except Exception as exc:
    outcome = f"error: {type(exc).__name__}"
seconds = time.monotonic() - start
peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps({"seconds": seconds, "peak_mb": peak_mb, "outcome": outcome}))
"""


def write_files(directory: Path) -> dict[str, Path]:
    sys.path.insert(0, str(ROOT))
    from tropa.outreach.tests.bombs import blank_workbook

    xlsx = directory / "blank.xlsx"
    xlsx.write_bytes(blank_workbook(1_000_000, numbered=True))
    csv = directory / "empty-lines.csv"
    with csv.open("wb") as out:
        out.write(b"Date;Institution\n")
        line = b"\n" * (1024 * 1024)
        for _ in range(40):
            out.write(line)
        out.truncate(40 * 1024 * 1024 - 1)  # just under the 40 MB upload limit
    tiny = directory / "tiny.csv"  # the child's own footprint (Python, Django, openpyxl)
    tiny.write_bytes("Дата;Организация\n01.03.2023;Pro Asyl\n".encode())
    return {"tiny.csv": tiny, "blank.xlsx": xlsx, "empty-lines.csv": csv}


def _peak_kib(pid: int) -> int:
    """The process's resident peak so far (VmHWM), in KiB; 0 once it is gone."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def measure(path: Path, source: str | None, timeout: float, data_dir: str) -> dict[str, object]:
    """Read ``path`` in a child; its peak memory is sampled from outside every 0.1 s, so a
    child that is ended for taking too long still has a figure."""
    env = {**os.environ, "BENCH_ROOT": str(ROOT), "TROPA_DATA_DIR": data_dir}
    if source:
        env["BENCH_IMPORTER_SOURCE"] = source
    start = time.monotonic()
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD, str(path)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    peak = 0
    while child.poll() is None:
        peak = max(peak, _peak_kib(child.pid))
        if time.monotonic() - start > timeout:
            child.kill()
            child.wait()
            return {
                "seconds": time.monotonic() - start,
                "peak_mb": peak / 1024,
                "outcome": f"ended after {timeout:.0f} s, still reading",
            }
        time.sleep(0.1)
    out, err = child.communicate()
    if child.returncode != 0:
        return {
            "seconds": time.monotonic() - start,
            "peak_mb": peak / 1024 or None,
            "outcome": f"child died (exit {child.returncode}): {err.strip()[-200:]}",
        }
    result = dict(json.loads(out.strip().splitlines()[-1]))
    result["peak_mb"] = max(float(result["peak_mb"]), peak / 1024)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--before", help="git revision whose importer to measure as well")
    parser.add_argument("--timeout", type=float, default=600.0)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="tropa-bench-") as tmp:
        directory = Path(tmp)
        files = write_files(directory)
        versions: list[tuple[str, str | None]] = [("after", None)]
        if args.before:
            source = directory / "importer_before.py"
            source.write_text(
                subprocess.run(
                    ["git", "show", f"{args.before}:tropa/outreach/importer.py"],
                    cwd=ROOT,
                    capture_output=True,
                    text=True,
                    check=True,
                ).stdout
            )
            versions.insert(0, (f"before ({args.before})", str(source)))
        for name, path in files.items():
            size = path.stat().st_size / (1024 * 1024)
            for label, src in versions:
                result = measure(path, src, args.timeout, str(directory / "data"))
                peak = result["peak_mb"]
                peak_text = f"{peak:.0f} MB" if isinstance(peak, float) else "—"
                print(
                    f"{name} ({size:.1f} MB) {label}: {result['seconds']:.1f} s, "
                    f"peak {peak_text}, {result['outcome']}",
                    flush=True,
                )


if __name__ == "__main__":
    main()
