"""Seal what links a hit to its list entry (issue 9, finding 1).

Every existing hit's entry reference, score, finding, explanation, times and last-decision
digest go into one sealed value with a copy of the entry, and the hit gets its blind index;
0004 then drops the plaintext columns and entries that had been kept only for their hits.
Runs with the master keyset (``tropa.crypto.fields``), as every Tropa command does.

Reversible only while there are no hits: the old columns are exactly the link this removes,
and this migration will not write it back.
"""

from __future__ import annotations

from typing import Any

from django.db import migrations

from tropa.crypto.fields import blind_index, seal, unseal


def _entry_data(entry: Any) -> dict[str, Any]:
    if entry.sealed is not None:
        data: dict[str, Any] = unseal(entry, "sealed", entry.sealed)
        return data
    return dict(entry.data or {})


def seal_hit_links(apps: Any, schema_editor: Any) -> None:
    ScreeningHit = apps.get_model("screening", "ScreeningHit")
    for hit in ScreeningHit.objects.select_related("entry").iterator(chunk_size=500):
        entry = hit.entry
        explanation = unseal(hit, "sealed", hit.sealed) or {}
        facts = {
            "watchlist": str(entry.watchlist_id),
            "key": entry.key,
            "digest": entry.digest,
            "entry": _entry_data(entry),
            "score": hit.score,
            "match": hit.match,
            "decision": hit.decision,
            "explanation": explanation,
            "found_at": hit.found_at.isoformat(),
            "screened_at": hit.screened_at.isoformat(),
            "decided_digest": hit.decided_digest,
        }
        # As tropa.screening.services.hit_index.
        hit.entry_index = blind_index(
            hit.organization_id,
            "screening.hit",
            f"{hit.person_id}\x00{entry.watchlist_id}\x00{entry.key}",
        )
        hit.sealed = seal(hit, "sealed", facts)
        hit.save(update_fields=["entry_index", "sealed"])


def refuse_with_hits(apps: Any, schema_editor: Any) -> None:
    if apps.get_model("screening", "ScreeningHit").objects.exists():
        raise RuntimeError(
            "screening hits are sealed and cannot be turned back into plaintext links to list "
            "entries; delete the hits (they come back on the next screening) to roll back"
        )


class Migration(migrations.Migration):
    dependencies = [("screening", "0002_hit_entry_index"), ("crypto", "0001_initial")]

    operations = [migrations.RunPython(seal_hit_links, refuse_with_hits, elidable=False)]
