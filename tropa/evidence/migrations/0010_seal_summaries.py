"""Seal a summary for every existing evidence item (issue 10, item 7).

The case page's evidence panel showed each item's original name and GPS flag by opening
its collection record and its metadata; it now opens the small ``sealed_summary`` that
ingest and the metadata reading write. This fills it for the items that came before, with
the master keyset (``tropa.crypto.fields``), as every Tropa command does. The name stays
sealed: it is never written in plaintext.

A row whose record or metadata does not open keeps no summary; the panel then falls back to
opening both, as it always did. Reversing leaves nothing to undo (0009 drops the column).
"""

from __future__ import annotations

from typing import Any

from django.db import migrations

from tropa.crypto.fields import DecryptionError, seal, unseal


def _summary(item: Any) -> dict[str, Any]:
    # As tropa.evidence.records.summary_values.
    record = unseal(item, "sealed_record", item.sealed_record) or {}
    metadata = unseal(item, "sealed_metadata", item.sealed_metadata) or {}
    return {
        "name": str(record.get("original_name") or ""),
        "gps": bool((metadata.get("normalized") or {}).get("gps")),
    }


def seal_summaries(apps: Any, schema_editor: Any) -> None:
    EvidenceItem = apps.get_model("evidence", "EvidenceItem")
    items = EvidenceItem._default_manager.filter(sealed_summary__isnull=True)
    for item in items.only("id", "organization_id", "sealed_record", "sealed_metadata").iterator(
        chunk_size=500
    ):
        try:
            summary = _summary(item)
        except DecryptionError:
            continue
        item.sealed_summary = seal(item, "sealed_summary", summary)
        item.save(update_fields=["sealed_summary"])


class Migration(migrations.Migration):
    dependencies = [("evidence", "0009_evidence_sealed_summary"), ("crypto", "0001_initial")]

    operations = [
        migrations.RunPython(seal_summaries, migrations.RunPython.noop, elidable=False)
    ]
