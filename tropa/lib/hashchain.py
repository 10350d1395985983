"""Hash chains: each link's hash covers the previous hash and the link's own fields.

Used by the audit log (one chain, keyed: see ``keyed_digest``) and by the evidence custody
logs (one chain per item, plain SHA-256 so that an investigator can check a bundle's
custody.json without any of the server's keys).
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

Digest = Callable[[str, Mapping[str, Any]], str]
"""How a link's hash is computed from the previous hash and the link's fields."""


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


def canonical(prev_hash: str, fields: Mapping[str, Any]) -> bytes:
    """The bytes a link's hash covers: the previous hash and the fields as canonical JSON."""
    text = json.dumps(fields, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return f"{prev_hash}\n{text}".encode()


def link_hash(prev_hash: str, fields: Mapping[str, Any]) -> str:
    """Plain SHA-256: anyone can recompute it, so it proves nothing against a writer."""
    return hashlib.sha256(canonical(prev_hash, fields)).hexdigest()


def keyed_digest(mac: Callable[[bytes], bytes]) -> Digest:
    """A digest through ``mac`` (an HMAC or PRF): without its key nobody can recompute it."""

    def digest(prev_hash: str, fields: Mapping[str, Any]) -> str:
        return mac(canonical(prev_hash, fields)).hex()

    return digest


def walk(links: Iterable[Link], genesis: str, digest: Digest = link_hash) -> Walk:
    """Check links in order from ``genesis``: sequence numbers 1, 2, 3…, links, hashes."""
    prev_hash, count = genesis, 0
    for link in links:
        expected = count + 1
        if link.seq != expected:
            return Walk(count, prev_hash, ChainProblem(expected, "entry missing (sequence gap)"))
        if link.prev_hash != prev_hash:
            problem = ChainProblem(link.seq, "does not link to the entry before it")
            return Walk(count, prev_hash, problem)
        if not hmac.compare_digest(digest(prev_hash, link.fields).encode(), link.hash.encode()):
            problem = ChainProblem(link.seq, "content altered (hash mismatch)")
            return Walk(count, prev_hash, problem)
        prev_hash, count = link.hash, expected
    return Walk(count, prev_hash, None)
