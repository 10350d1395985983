"""What a hit holds, sealed: its blind index, its facts opened, its rows for display."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from tropa.crypto.fields import KeyErased, blind_index, unseal

from ..models import ListEntry, ScreeningHit, WatchList


def hit_index(org_id: int, person_id: Any, watchlist_id: Any, key: str) -> str:
    """The blind index of "this man, this list, this entry": the one lookup of a hit.

    The entry key (entity id or its blind index) and not the entry's row id, so that an
    entity dropped from a list and put back finds the same hit. Migration 0003 computes it
    the same way.
    """
    return blind_index(org_id, "screening.hit", f"{person_id}\x00{watchlist_id}\x00{key}")


@dataclass(frozen=True)
class HitFacts:
    """A hit's sealed part, opened: which entry it matched, how, and when."""

    watchlist_id: str
    entry_key: str
    digest: str  # the entry's digest when the man was last screened against it
    entry: dict[str, Any]  # the hit's copy of the entry, as it was then
    score: float
    match: bool
    decision: str
    explanation: dict[str, Any]
    found_at: datetime
    screened_at: datetime
    decided_digest: str  # the entry's digest at the last decision: a dismissal holds till then

    def as_json(self) -> dict[str, Any]:
        return {
            "watchlist": self.watchlist_id,
            "key": self.entry_key,
            "digest": self.digest,
            "entry": self.entry,
            "score": self.score,
            "match": self.match,
            "decision": self.decision,
            "explanation": self.explanation,
            "found_at": self.found_at.isoformat(),
            "screened_at": self.screened_at.isoformat(),
            "decided_digest": self.decided_digest,
        }


def hit_facts(hit: ScreeningHit) -> HitFacts:
    """Open a hit's sealed part (in memory; what is read of it is the caller's to audit)."""
    data: dict[str, Any] = unseal(hit, "sealed", hit.sealed)
    return HitFacts(
        watchlist_id=str(data["watchlist"]),
        entry_key=str(data["key"]),
        digest=str(data["digest"]),
        entry=dict(data.get("entry") or {}),
        score=float(data["score"]),
        match=bool(data["match"]),
        decision=str(data["decision"]),
        explanation=dict(data.get("explanation") or {}),
        found_at=datetime.fromisoformat(data["found_at"]),
        screened_at=datetime.fromisoformat(data["screened_at"]),
        decided_digest=str(data.get("decided_digest") or ""),
    )


@dataclass(frozen=True)
class HitRow:
    """A hit with its facts opened, its list, and whether the entry is still on it."""

    hit: ScreeningHit
    facts: HitFacts
    watchlist: WatchList | None
    listed: bool


def hit_rows(hits: Iterable[ScreeningHit]) -> list[HitRow]:
    """Open hits for display, strongest first (the score is sealed: sorted here). Hits of
    an erased case open no more: left out (their rows stay, for the counts)."""
    opened = []
    for hit in hits:
        try:
            opened.append((hit, hit_facts(hit)))
        except KeyErased:
            continue
    lists = WatchList.objects.in_bulk({uuid.UUID(f.watchlist_id) for _h, f in opened})
    current: set[tuple[str, str]] = set()
    for watchlist_id in lists:
        keys = {f.entry_key for _h, f in opened if f.watchlist_id == str(watchlist_id)}
        current |= {
            (str(watchlist_id), key)
            for key in ListEntry.objects.filter(
                watchlist_id=watchlist_id, key__in=keys, removed_in__isnull=True
            ).values_list("key", flat=True)
        }
    rows = [
        HitRow(
            hit=hit,
            facts=facts,
            watchlist=lists.get(uuid.UUID(facts.watchlist_id)),
            listed=(facts.watchlist_id, facts.entry_key) in current,
        )
        for hit, facts in opened
    ]
    rows.sort(key=lambda r: (-r.facts.score, r.facts.found_at))
    return rows
