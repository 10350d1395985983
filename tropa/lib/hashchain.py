"""Hash chains: each link's hash covers the previous hash and the link's own fields.

Used by the audit log (one chain) and by the evidence custody logs (one chain per item).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class ChainProblem:
    seq: int
    reason: str


@dataclass(frozen=True)
class Link:
    seq: int
    prev_hash: str
    hash: str
    fields: Mapping[str, Any]


@dataclass(frozen=True)
class Walk:
    """How far a walk got: links checked, the last good hash, and the first problem."""

    count: int
    last_hash: str
    problem: ChainProblem | None


def link_hash(prev_hash: str, fields: Mapping[str, Any]) -> str:
    canonical = json.dumps(fields, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(f"{prev_hash}\n{canonical}".encode()).hexdigest()


def walk(links: Iterable[Link], genesis: str) -> Walk:
    """Check links in order from ``genesis``: sequence numbers 1, 2, 3…, links, hashes."""
    prev_hash, count = genesis, 0
    for link in links:
        expected = count + 1
        if link.seq != expected:
            return Walk(count, prev_hash, ChainProblem(expected, "entry missing (sequence gap)"))
        if link.prev_hash != prev_hash:
            problem = ChainProblem(link.seq, "does not link to the entry before it")
            return Walk(count, prev_hash, problem)
        if link_hash(prev_hash, link.fields) != link.hash:
            problem = ChainProblem(link.seq, "content altered (hash mismatch)")
            return Walk(count, prev_hash, problem)
        prev_hash, count = link.hash, expected
    return Walk(count, prev_hash, None)
