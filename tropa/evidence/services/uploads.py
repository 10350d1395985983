"""Resumable browser uploads: each chunk encrypted and committed as it arrives."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator
from datetime import datetime
from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tropa.accounts.models import User
from tropa.audit.actions import Action
from tropa.audit.services import log_action
from tropa.cases.models import Case
from tropa.crypto.fields import seal

from .. import vault
from ..access import may_discard_others_uploads
from ..errors import EvidenceError
from ..models import (
    EvidenceItem,
    UploadPart,
    UploadSession,
)
from ..records import CollectionRecord, read_record
from ..storage import BlobMissing, get_storage
from .derivatives import queue_processing
from .ingest import _commit_item, _writable_key
from .quota import check_limits, max_open_uploads


def start_upload(*, actor: User, case: Case, size: int, record: CollectionRecord) -> UploadSession:
    record.clean()
    if size <= 0:
        raise EvidenceError(_("The file is empty."))
    check_limits(case.organization, size)
    _writable_key(case)  # refused before any byte is sent, not at the first chunk
    with transaction.atomic():
        # One start at a time per user, so that two at once cannot pass the limit together.
        get_user_model().objects.select_for_update().filter(pk=actor.pk).first()
        open_uploads = UploadSession.objects.filter(
            organization=case.organization_id, created_by=actor, item__isnull=True
        ).count()
        if open_uploads >= max_open_uploads():
            raise EvidenceError(
                _(
                    "You have %(count)s unfinished uploads, as many as this server allows at "
                    "a time. Finish or discard one of them (each is listed on the upload page "
                    "of its case) before starting another."
                )
                % {"count": open_uploads}
            )
        session = UploadSession(
            organization_id=case.organization_id,
            case=case,
            created_by=actor,
            size=size,
            method=record.method,
            received_at=record.received_at,
            created_at=timezone.now(),
        )
        session.sealed_record = seal(session, "sealed_record", record.sealed_dict())
        session.save(force_insert=True)
        log_action(actor, Action.EVIDENCE_UPLOAD_STARTED, case, upload=str(session.code), size=size)
    return session


def _check_chunk(session: UploadSession, offset: int, length: int) -> None:
    """Refuse a chunk that is not the next one, does not fit the file, or exceeds the space."""
    if session.item_id is not None:
        raise EvidenceError(_("This upload is already finished."))
    if offset != session.received:
        raise EvidenceError(
            _("Expected the upload to continue at byte %(offset)s.") % {"offset": session.received}
        )
    if length <= 0 or offset + length > session.size:
        raise EvidenceError(_("The chunk does not fit the announced file size."))
    # Space is taken by what arrives, so it is checked as it arrives: the rest of the file.
    check_limits(session.case.organization, 0, rest_of=session.size - offset)


def _write_chunk(
    session: UploadSession, length: int, read: Callable[[int], bytes]
) -> vault.Written:
    """Encrypt exactly ``length`` bytes from ``read`` into a new blob; a short one is dropped."""
    remaining = length

    def bounded(n: int) -> bytes:
        nonlocal remaining
        data = read(min(n, remaining)) if remaining else b""
        remaining -= len(data)
        return data

    written = vault.write_encrypted(
        get_storage(), _writable_key(session.case), bounded, limit=length
    )
    if written.size != length:
        get_storage().delete(written.blob)
        raise EvidenceError(_("The chunk arrived incomplete; send it again."))
    return written


def _record_part(session: UploadSession, offset: int, length: int, written: vault.Written) -> None:
    """Commit the chunk as the session's next part, unless another request got there first."""
    with transaction.atomic():
        locked: UploadSession | None = (
            UploadSession.objects.select_for_update()
            .filter(organization=session.organization_id, pk=session.pk)
            .first()
        )
        if locked is None:
            raise EvidenceError(_("This upload was discarded."))
        if locked.received != offset:
            raise EvidenceError(
                _("Expected the upload to continue at byte %(offset)s.")
                % {"offset": locked.received}
            )
        UploadPart.objects.create(
            session=locked,
            index=locked.parts.count(),
            offset=offset,
            size=length,
            sha256=written.sha256,
            blob=written.blob,
        )
        locked.received = offset + length
        locked.save(update_fields=["received"])


def receive_chunk(
    *, actor: Any, session: UploadSession, offset: int, length: int, read: Callable[[int], bytes]
) -> int:
    """Store one chunk at ``offset`` (encrypted, fsynced, renamed, committed); the new offset.

    A chunk at any other offset than the next expected one is refused, so a client that
    lost track asks for the offset and resumes from there.
    """
    _check_chunk(session, offset, length)
    written = _write_chunk(session, length, read)
    try:
        _record_part(session, offset, length, written)
    except BaseException:
        get_storage().delete(written.blob)
        raise
    session.received = offset + length
    return session.received


def finish_upload(*, actor: User | None, session: UploadSession) -> EvidenceItem:
    """Join the encrypted chunks into one original and commit the item.

    The item's SHA-256 is taken over the received bytes as they come out of the
    authenticated chunks, before any processing; each chunk's own hash is checked too.
    """
    if session.item_id is not None:
        return session.item  # type: ignore[return-value]
    if session.received != session.size:
        raise EvidenceError(_("The upload is not complete yet."))
    storage = get_storage()
    parts = list(session.parts.order_by("index"))
    joined = _join_parts(session, parts)
    if isinstance(joined, EvidenceItem):
        return joined
    written = joined
    record_data = read_record(session)
    record = CollectionRecord(
        **{
            **record_data,
            "received_at": datetime.fromisoformat(record_data["received_at"]),
        }
    )
    with transaction.atomic():
        locked: UploadSession | None = (
            UploadSession.objects.select_for_update()
            .filter(organization=session.organization_id, pk=session.pk)
            .first()
        )
        if locked is None:  # discarded while it was being joined
            storage.delete(written.blob)
            raise EvidenceError(_("This upload was discarded."))
        if locked.item_id is not None:
            # Another request finished the same upload first: keep its item.
            storage.delete(written.blob)
            return locked.item  # type: ignore[return-value]  # set: item_id is not None
        item = _commit_item(
            actor=actor, case=session.case, written=written, record=record, via="browser"
        )
        locked.item = item
        locked.save(update_fields=["item"])
        UploadPart.objects.filter(session=session).delete()
        queue_processing(item)  # metadata and copies, once the item is committed
    for part in parts:
        storage.delete(part.blob)
    return item


def _join_parts(session: UploadSession, parts: list[UploadPart]) -> vault.Written | EvidenceItem:
    """The parts decrypted, checked and re-encrypted as one original; or the item a finish
    that ran at the same time already made of them."""
    storage = get_storage()

    def blocks(key: Any) -> Iterator[bytes]:
        for part in parts:
            digest = hashlib.sha256()
            for block in vault.iter_plaintext(storage, key, part.blob):
                digest.update(block)
                yield block
            if digest.hexdigest() != part.sha256:
                raise vault.Corrupt(f"upload part {part.index} changed in storage")

    try:
        key = vault.case_key(session.case)
        stream = _BlockReader(blocks(key))
        return vault.write_encrypted(storage, key, stream.read, limit=session.size)
    except (BlobMissing, vault.Corrupt) as exc:
        # A finish that ran at the same time may have joined the parts and removed them.
        done: UploadSession | None = (
            UploadSession.objects.filter(organization=session.organization_id, pk=session.pk)
            .select_related("item")
            .first()
        )
        if done is not None and done.item is not None:
            return done.item
        if isinstance(exc, vault.KeyErased):
            raise EvidenceError(
                _("This case's encryption key was destroyed; no evidence can be added to it.")
            ) from None
        raise EvidenceError(
            _("The pieces of this upload could not be read back intact; upload the file again.")
        ) from None


def others_open_uploads(*, actor: User | None, case: Case) -> list[UploadSession]:
    """The unfinished uploads other people left on ``case``, for a coordinator to review."""
    if not may_discard_others_uploads(actor):
        return []
    return list(
        UploadSession.objects.filter(
            organization=case.organization_id, case=case, item__isnull=True
        )
        .exclude(created_by=actor)
        .select_related("created_by")
        .order_by("created_at")
    )


def discard_upload(*, actor: User, session: UploadSession) -> None:
    """Give up an unfinished upload: its pieces are deleted and its space is free again.

    Its owner may, and a coordinator may discard anyone's (the owner is in the audit entry).
    """
    if session.created_by_id != actor.pk and not may_discard_others_uploads(actor):
        raise EvidenceError(_("Only the person who started an upload can discard it."))
    with transaction.atomic():
        locked: UploadSession | None = (
            UploadSession.objects.select_for_update()
            .filter(organization=session.organization_id, pk=session.pk)
            .first()
        )
        if locked is None:
            raise EvidenceError(_("This upload was discarded."))
        if locked.item_id is not None:
            raise EvidenceError(_("This upload is already finished."))
        blobs = list(locked.parts.values_list("blob", flat=True))
        UploadPart.objects.filter(session=locked).delete()
        locked.delete()
        log_action(
            actor,
            Action.EVIDENCE_UPLOAD_DISCARDED,
            session.case,
            upload=str(session.code),
            received=locked.received,
            owner=str(session.created_by.code),
            by_owner=session.created_by_id == actor.pk,
        )
    storage = get_storage()
    for blob in blobs:
        storage.delete(blob)


class _BlockReader:
    """A ``read(n)`` over an iterator of blocks."""

    def __init__(self, blocks: Iterator[bytes]) -> None:
        self._blocks = blocks
        self._buffer = b""

    def read(self, n: int) -> bytes:
        while len(self._buffer) < n:
            block = next(self._blocks, None)
            if block is None:
                break
            self._buffer += block
        data, self._buffer = self._buffer[:n], self._buffer[n:]
        return data
