"""Ingest: a stream hashed and encrypted block by block, then one committed item (E1, E2).

Order of a write (R5): ciphertext to a temporary file, fsync, atomic rename, then the
database transaction that refers to it. A crash before the commit leaves only an orphan
blob for ``sweep``; a committed row always has its complete blob.
"""

from __future__ import annotations

from typing import Any, BinaryIO

import filetype
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tropa.accounts.models import User
from tropa.audit.actions import Action
from tropa.audit.services import log_action
from tropa.cases.models import Case
from tropa.crypto.fields import seal

from .. import custody, vault
from ..errors import EvidenceError
from ..models import (
    CustodyAction,
    EvidenceItem,
)
from ..records import CollectionRecord, seal_summary
from ..storage import get_storage
from .quota import check_limits, max_file_bytes, quota_bytes, used_bytes


def _detect(head: bytes) -> tuple[str, str]:
    """Type from content, never from the name (R16)."""
    kind = filetype.guess(head)
    if kind is not None:
        return kind.mime, kind.extension
    if head and b"\x00" not in head and _is_utf8(head):
        return "text/plain", "txt"
    return "application/octet-stream", "bin"


def _is_utf8(head: bytes) -> bool:
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as exc:
        # The head (the first 8 KiB) may end inside a multi-byte character.
        return exc.reason == "unexpected end of data" and exc.start >= len(head) - 3
    return True


# Ingest ---------------------------------------------------------------------------------------


def _commit_item(
    *, actor: User | None, case: Case, written: vault.Written, record: CollectionRecord, via: str
) -> EvidenceItem:
    mime, extension = _detect(written.head)
    item = EvidenceItem(
        organization_id=case.organization_id,
        case=case,
        blob=written.blob,
        sha256=written.sha256,
        size=written.size,
        mime=mime,
        extension=extension,
        method=record.method,
        received_at=record.received_at,
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
        created_at=timezone.now(),
    )
    item.sealed_record = seal(item, "sealed_record", record.sealed_dict())
    item.sealed_summary = seal_summary(item, record.original_name, None)
    try:
        with transaction.atomic():
            item.save(force_insert=True)
            custody.append(item, CustodyAction.INGEST, actor, size=item.size, via=via)
            log_action(
                actor,
                Action.EVIDENCE_ADDED,
                item,
                organization=case.organization,
                case=str(case.code),
                size=item.size,
                via=via,
            )
    except BaseException:
        get_storage().delete(written.blob)
        raise
    return item


def _writable_key(case: Case) -> Any:
    try:
        return vault.case_key(case, create=True)
    except vault.KeyErased:
        raise EvidenceError(
            _("This case's encryption key was destroyed; no evidence can be added to it.")
        ) from None


def add_evidence(
    *,
    actor: User | None,
    case: Case,
    source: BinaryIO,
    record: CollectionRecord,
    size_hint: int | None = None,
    via: str = "cli",
) -> EvidenceItem:
    """Ingest a stream: hashed and encrypted block by block, then committed.

    The SHA-256 is over exactly the bytes read from ``source``, before anything else
    looks at them (E1, E2).
    """
    record.clean()
    check_limits(case.organization, size_hint or 0)
    key = _writable_key(case)
    limit = min(max_file_bytes(), quota_bytes(case.organization) - used_bytes(case.organization))
    try:
        written = vault.write_encrypted(get_storage(), key, source.read, limit=limit)
    except vault.TooLarge:
        check_limits(case.organization, limit + 1)
        raise
    return _commit_item(actor=actor, case=case, written=written, record=record, via=via)
