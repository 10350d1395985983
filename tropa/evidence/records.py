"""Collection records (E8): how an item came to Tropa, sealed; and reading sealed fields.

Below the services and the bundle, which both read them (so neither imports the other).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from tropa.crypto.fields import seal, unseal

from .errors import EvidenceError
from .models import EvidenceItem, Method, UploadSession


@dataclass
class CollectionRecord:
    """How an item came to Tropa; sealed, because names and sources can identify people."""

    method: str
    received_at: datetime
    source: str = ""
    original_name: str = ""
    file_modified: str = ""
    taken_on: str = ""
    note: str = ""
    tool: str = ""
    received_by: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    def clean(self) -> CollectionRecord:
        if self.method not in Method.values:
            raise EvidenceError(_("Choose how the file was received."))
        if timezone.is_naive(self.received_at):
            raise EvidenceError(_("The time of receipt needs a time zone."))
        if self.received_at > timezone.now() + timedelta(minutes=5):
            raise EvidenceError(_("The time of receipt cannot be in the future."))
        # The name is kept as data, never used as a path: only control characters go.
        self.original_name = "".join(
            c for c in self.original_name if c.isprintable() and c not in "\x00"
        )[:255]
        self.source = self.source.strip()[:80]
        self.note = self.note.strip()[:2000]
        if self.taken_on:
            try:
                date.fromisoformat(self.taken_on)
            except ValueError:
                raise EvidenceError(_("The stated date is not a valid date.")) from None
        return self

    def sealed_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["received_at"] = self.received_at.isoformat()
        return data


def read_record(item: EvidenceItem | UploadSession) -> dict[str, Any]:
    return dict(unseal(item, "sealed_record", item.sealed_record) or {})


def read_metadata(item: EvidenceItem) -> dict[str, Any]:
    return dict(unseal(item, "sealed_metadata", item.sealed_metadata) or {})


def summary_values(original_name: str, metadata: dict[str, Any] | None) -> dict[str, Any]:
    """What the case page shows of an item's sealed record and metadata: its original name
    and whether the file records a position."""
    return {
        "name": str(original_name or ""),
        "gps": bool(((metadata or {}).get("normalized") or {}).get("gps")),
    }


def seal_summary(item: EvidenceItem, original_name: str, metadata: dict[str, Any] | None) -> bytes:
    return seal(item, "sealed_summary", summary_values(original_name, metadata))


def read_summary(item: EvidenceItem) -> dict[str, Any]:
    """The item's summary: one decryption, or, on a row without one, the record and the
    metadata as before."""
    if item.sealed_summary:
        return dict(unseal(item, "sealed_summary", item.sealed_summary))
    return summary_values(read_record(item).get("original_name", ""), read_metadata(item))
