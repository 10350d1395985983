"""Evaluate Tropa's screening, nomenklatura logic-v2 and a naive baseline on one generated set.

    .venv/bin/python -m bench.screening.run --seed 2 --list-size 5000 --queries 2000

Tropa screens with its own index. The naive baseline (unidecode + rapidfuzz token_sort_ratio)
ranks every list name. logic-v2 is a scorer without retrieval, so it scores the union of the
naive top 20 and Tropa's candidates, which gives it at least the candidates of both.
A prediction on a listed person who cannot be told apart from the truth with the evidence in
the query (same names, no birth date to compare) is neither right nor wrong; it is counted
as "ambiguous" and left out.
"""

from __future__ import annotations

import argparse
import json
import time
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from followthemoney import EntityProxy, model
from nomenklatura.matching import LogicV2
from rapidfuzz import fuzz, process
from unidecode import unidecode

from bench.screening.generate import Person, Query, generate
from tropa.lib.screening import ScreeningIndex, person_from_proxy

NAIVE_THRESHOLD = 88.0
LOGIC_V2_THRESHOLD = 0.7
TOP_K = 20


def entity(id: str, names: Iterable[str], birth: str | None) -> EntityProxy:
    proxy = model.make_entity("Person")
    proxy.id = id
    proxy.add("name", list(names))
    if birth:
        proxy.add("birthDate", birth)
    return proxy


@dataclass
class Tally:
    tp: int = 0
    fp: int = 0
    fn: int = 0
    ambiguous: int = 0
    candidates_hit: int = 0
    positives: int = 0
    seconds: float = 0.0
    slices: dict[str, list[int]] = field(default_factory=lambda: defaultdict(lambda: [0, 0, 0]))
    kinds: dict[str, list[int]] = field(default_factory=lambda: defaultdict(lambda: [0, 0]))

    def add(self, query: Query, predicted: set[str], acceptable: set[str], retrieved: bool) -> None:
        hit = query.target is not None and query.target in predicted
        false = len(predicted - acceptable - {query.target})
        self.ambiguous += len((predicted & acceptable) - {query.target})
        self.tp += hit
        self.fp += false
        row = self.slices[query.scheme]
        row[0] += hit
        row[2] += false
        self.kinds[query.kind][0] += 1
        self.kinds[query.kind][1] += false
        if query.target is not None:
            self.positives += 1
            self.fn += not hit
            self.candidates_hit += retrieved
            row[1] += 1

    def figures(self) -> dict[str, float]:
        p = self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0
        r = self.tp / self.positives if self.positives else 0.0
        f1 = 2 * p * r / (p + r) if p + r else 0.0
        return {
            "precision": round(p, 4),
            "recall": round(r, 4),
            "f1": round(f1, 4),
            "candidate_recall": round(self.candidates_hit / max(1, self.positives), 4),
            "tp": self.tp,
            "fp": self.fp,
            "fn": self.fn,
            "ambiguous": self.ambiguous,
            "seconds": round(self.seconds, 1),
        }


def acceptable_entities(query: Query, by_name: dict[tuple[int, ...], list[Person]]) -> set[str]:
    """Listed persons whom the query's evidence cannot tell apart from the truth."""
    truth = query.truth
    found = set()
    query_year = int(query.birth[:4]) if query.birth else None
    for other in by_name.get((truth.female, truth.surname, truth.given), []):
        other_year = other.birth[0] if other.birth else None
        if other.id == truth.id or (query.has_patronymic and other.father != truth.father):
            continue
        if query_year is None or other_year in (None, query_year):
            found.add(other.id)
    return found


class Naive:
    def __init__(self, persons: list[Person]) -> None:
        self.ids = [p.id for p in persons for _ in p.names]
        self.names = [unidecode(n).lower() for p in persons for n in p.names]

    def top(self, name: str) -> list[tuple[str, float]]:
        found = process.extract(
            unidecode(name).lower(), self.names, scorer=fuzz.token_sort_ratio, limit=TOP_K
        )
        return [(self.ids[i], score) for _, score, i in found]


def evaluate(
    persons: list[Person], queries: list[Query], baselines: bool = True
) -> dict[str, dict[str, Any]]:
    by_name: dict[tuple[int, ...], list[Person]] = defaultdict(list)
    for p in persons:
        by_name[(p.female, p.surname, p.given)].append(p)
    proxies = {p.id: entity(p.id, p.names, p.birth_text()) for p in persons}
    query_proxies = [entity(q.id, q.names, q.birth) for q in queries]

    started = time.perf_counter()
    index = ScreeningIndex.build(person_from_proxy(proxies[p.id]) for p in persons)
    build_seconds = time.perf_counter() - started
    naive = Naive(persons)
    tallies = {"tropa": Tally(), "logic-v2": Tally(), "naive": Tally()}
    config = LogicV2.default_config()
    for query, proxy in zip(queries, query_proxies, strict=True):
        person = person_from_proxy(proxy)
        acceptable = acceptable_entities(query, by_name)

        t0 = time.perf_counter()
        retrieved = {index.persons[i].id for i in index.candidates(person)}
        results = index.screen(person)
        tallies["tropa"].seconds += time.perf_counter() - t0
        predicted = {r.candidate_id for r in results if r.match}
        tallies["tropa"].add(query, predicted, acceptable, query.target in retrieved)
        if not baselines:
            continue

        t0 = time.perf_counter()
        top = naive.top(query.names[0])
        tallies["naive"].seconds += time.perf_counter() - t0
        naive_ids = {i for i, _ in top}
        predicted = {i for i, score in top if score >= NAIVE_THRESHOLD}
        tallies["naive"].add(query, predicted, acceptable, query.target in naive_ids)

        t0 = time.perf_counter()
        pool = naive_ids | retrieved
        predicted = {
            i
            for i in pool
            if LogicV2.compare(proxy, proxies[i], config).score >= LOGIC_V2_THRESHOLD
        }
        tallies["logic-v2"].seconds += time.perf_counter() - t0
        tallies["logic-v2"].add(query, predicted, acceptable, query.target in pool)
    report: dict[str, dict[str, Any]] = {}
    for name, tally in tallies.items():
        if name != "tropa" and not baselines:
            continue
        report[name] = {
            **tally.figures(),
            "kinds": {k: {"queries": v[0], "false": v[1]} for k, v in sorted(tally.kinds.items())},
            "slices": {
                s: {"hits": v[0], "positives": v[1], "false": v[2]}
                for s, v in sorted(tally.slices.items())
            },
        }
    report["tropa"]["index_build_seconds"] = round(build_seconds, 1)
    return report


def markdown(report: dict[str, dict[str, Any]]) -> str:
    """The figures as the two tables of README.md."""
    lines = [
        "| matcher | precision | recall | F1 | candidate recall | TP | FP | FN | ambiguous | s |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for name, r in report.items():
        lines.append(
            f"| {name} | {r['precision']:.3f} | {r['recall']:.3f} | {r['f1']:.3f} "
            f"| {r['candidate_recall']:.3f} | {r['tp']} | {r['fp']} | {r['fn']} "
            f"| {r['ambiguous']} | {r['seconds']} |"
        )
    names = list(report)
    lines += [
        "",
        "| scheme | positives | "
        + " | ".join(f"recall {n}" for n in names)
        + " | "
        + " | ".join(f"false {n}" for n in names)
        + " |",
        "|---|---|" + "---|" * (2 * len(names)),
    ]
    for scheme, row in report[names[0]]["slices"].items():
        slices = [report[n]["slices"][scheme] for n in names]
        recalls = [f"{s['hits'] / max(1, s['positives']):.3f}" for s in slices]
        falses = [str(s["false"]) for s in slices]
        lines.append(f"| {scheme} | {row['positives']} | " + " | ".join(recalls + falses) + " |")
    lines += [
        "",
        "| query kind | queries | " + " | ".join(f"false {n}" for n in names) + " |",
        "|---|---|" + "---|" * len(names),
    ]
    for kind, row in report[names[0]]["kinds"].items():
        falses = [str(report[n]["kinds"][kind]["false"]) for n in names]
        lines.append(f"| {kind} | {row['queries']} | " + " | ".join(falses) + " |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seed", type=int, default=2)
    parser.add_argument("--list-size", type=int, default=5000)
    parser.add_argument("--queries", type=int, default=2000)
    parser.add_argument("--json", help="write the figures to this file")
    parser.add_argument(
        "--tropa-only", action="store_true", help="skip logic-v2 and the naive baseline"
    )
    args = parser.parse_args()
    persons, queries = generate(args.seed, args.list_size, args.queries)
    report = evaluate(persons, queries, baselines=not args.tropa_only)
    print(markdown(report))
    if args.json:
        with open(args.json, "w", encoding="utf-8") as out:
            json.dump(report, out, indent=1)


if __name__ == "__main__":
    main()
