"""Speed of Tropa's screening: index build and memory at 1M persons, per-query latency, CLI.

    .venv/bin/python -m bench.screening.speed --size 1000000 --queries 1000 --cli-size 250000

Everything runs on one core. Memory is the process's resident set (Linux /proc), measured
before the persons are parsed and after the index is built. Times are wall clock and CPU time
(the machine may be shared; CPU time is what one core spends).
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import orjson

from bench.screening.generate import Generator, Query, generate
from tropa.lib.screening import ScreeningIndex, make_person


def rss_mb() -> float:
    pages = int(Path("/proc/self/statm").read_text().split()[1])
    return pages * resource.getpagesize() / 2**20


def list_entries(seed: int, size: int) -> list[tuple[str, list[str], str | None]]:
    gen = Generator(seed)
    entries = []
    for number in range(size):
        person = gen.person(number)
        entries.append((person.id, gen.list_names(person), person.birth_text()))
    return entries


def measure_index(size: int, n_queries: int) -> dict[str, float]:
    entries = list_entries(3, size)
    before = rss_mb()
    started, cpu_started = time.perf_counter(), time.process_time()
    persons = [make_person(i, names, [b] if b else []) for i, names, b in entries]
    parsed, cpu_parsed = time.perf_counter(), time.process_time()
    index = ScreeningIndex.build(persons)
    built, cpu_built = time.perf_counter(), time.process_time()
    after = rss_mb()
    _, queries = generate(4, 5000, n_queries)
    wall, cpu = [], []
    for query in queries:
        person = make_person(query.id, query.names, [query.birth] if query.birth else [])
        t0, c0 = time.perf_counter(), time.thread_time()
        index.screen(person)
        wall.append((time.perf_counter() - t0) * 1000)
        cpu.append((time.thread_time() - c0) * 1000)
    return {
        "persons": size,
        "parse_seconds": round(parsed - started, 1),
        "parse_cpu_seconds": round(cpu_parsed - cpu_started, 1),
        "index_build_seconds": round(built - parsed, 1),
        "index_build_cpu_seconds": round(cpu_built - cpu_parsed, 1),
        "rss_before_mb": round(before),
        "rss_after_build_mb": round(after),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
        "queries": len(wall),
        **_percentiles("latency", wall),
        **_percentiles("latency_cpu", cpu),
    }


def _percentiles(name: str, values: list[float]) -> dict[str, float]:
    values = sorted(values)
    return {
        f"{name}_p50_ms": round(statistics.median(values), 2),
        f"{name}_p95_ms": round(values[int(0.95 * len(values))], 2),
        f"{name}_max_ms": round(values[-1], 2),
    }


def _entity(id: str, names: list[str], birth: str | None) -> bytes:
    props: dict[str, list[str]] = {"name": names}
    if birth:
        props["birthDate"] = [birth]
    return orjson.dumps({"id": id, "schema": "Person", "properties": props}) + b"\n"


def _write_files(folder: Path, size: int, queries: list[Query]) -> tuple[Path, Path]:
    listed = folder / "list.ftm.jsonl"
    with listed.open("wb") as out:
        for id, names, birth in list_entries(5, size):
            out.write(_entity(id, names, birth))
    asked = folder / "queries.jsonl"
    with asked.open("wb") as out:
        for q in queries:
            out.write(_entity(q.id, q.names, q.birth))
    return listed, asked


def measure_cli(size: int, n_queries: int) -> dict[str, float]:
    _, queries = generate(6, 5000, n_queries)
    with tempfile.TemporaryDirectory() as folder:
        listed, asked = _write_files(Path(folder), size, queries)
        command = [sys.executable, "-m", "tropa.lib.screening.cli"]
        args = ["--list", str(listed), "--queries", str(asked), "--out", f"{folder}/out.jsonl"]
        started = time.perf_counter()
        subprocess.run([*command, *args], check=True)
        elapsed = time.perf_counter() - started
        lines = len(Path(folder, "out.jsonl").read_bytes().splitlines())
    child = resource.getrusage(resource.RUSAGE_CHILDREN)
    return {
        "entities": size,
        "queries": lines,
        "seconds": round(elapsed, 1),
        "cpu_seconds": round(child.ru_utime + child.ru_stime, 1),
        "peak_rss_mb": round(child.ru_maxrss / 1024),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--size", type=int, default=1_000_000, help="0 to skip")
    parser.add_argument("--queries", type=int, default=1000)
    parser.add_argument("--cli-size", type=int, default=250_000, help="0 to skip")
    parser.add_argument("--json", help="write the figures to this file")
    args = parser.parse_args()
    report = {}
    if args.cli_size:
        report["cli"] = measure_cli(args.cli_size, args.queries)
        print(json.dumps(report), flush=True)
    if args.size:
        report["index"] = measure_index(args.size, args.queries)
    print(json.dumps(report, indent=1))
    if args.json:
        Path(args.json).write_text(json.dumps(report, indent=1))


if __name__ == "__main__":
    main()
