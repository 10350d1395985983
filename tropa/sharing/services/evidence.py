"""Copying a referral's evidence into the receiver's case, one stream per item.

The original is read as a plaintext stream with the sender's case key and written with the
receiver's (``vault.open_plaintext`` into ``vault.write_encrypted``: one block in memory at
a time). The copy must hash to the SHA-256 taken at ingestion, or it is thrown away. Both
custody chains get a "transferred" entry naming the other item.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import F
from django.utils.translation import gettext as _

from tropa.accounts.models import User
from tropa.audit.actions import Action
from tropa.audit.services import log_action
from tropa.crypto.fields import seal
from tropa.evidence import custody, vault
from tropa.evidence.models import CustodyAction, DerivedObject, EvidenceItem
from tropa.evidence.records import read_metadata, read_record, read_summary
from tropa.evidence.storage import get_storage

from ..models import CopiedItem, CopyState, Referral
from .common import SharingError, now


def copy_evidence(referral: Referral) -> int:
    """Copy every item of ``referral`` not copied yet; returns how many were copied now.

    A run claims the referral with a conditional UPDATE; a rerun after a dead worker
    resumes with the items left.
    """
    claimed = (
        Referral.objects.unscoped()
        .filter(pk=referral.pk, copy_state__in=[CopyState.QUEUED, CopyState.RUNNING])
        .update(copy_state=CopyState.RUNNING)
    )
    if not claimed:
        return 0
    referral = Referral.objects.unscoped().select_related("receipt__case").get(pk=referral.pk)
    copied = 0
    try:
        for pending in referral.items.filter(copy__isnull=True).select_related("source__case"):
            _copy_item(referral, pending)
            copied += 1
    except Exception as exc:
        Referral.objects.unscoped().filter(pk=referral.pk).update(copy_state=CopyState.FAILED)
        log_action(
            referral.decided_by, Action.REFERRAL_COPY_FAILED, referral, error=type(exc).__name__
        )
        raise
    Referral.objects.unscoped().filter(pk=referral.pk).update(copy_state=CopyState.DONE)
    return copied


def _copy_item(referral: Referral, pending: CopiedItem) -> EvidenceItem:
    source, target_case = pending.source, referral.receipt.case
    storage = get_storage()
    reader = vault.case_key(source.case)
    writer = vault.case_key(target_case, create=True)
    made: list[str] = []
    try:
        written = _stream(storage, reader, writer, source.blob, source.size, source.sha256)
        made.append(written.blob)
        derived = []
        # Thumbnails, posters, copies without metadata: streams like the original.
        for obj in DerivedObject.objects.filter(
            organization=source.organization_id, derived_from=source
        ).order_by("created_at"):
            copy = _stream(storage, reader, writer, obj.blob, obj.size, obj.sha256)
            made.append(copy.blob)
            derived.append((obj, copy))
        return _commit_copy(referral, pending, written, derived, referral.decided_by)
    except BaseException:
        for blob in made:
            storage.delete(blob)
        raise


def _stream(
    storage: Any, reader: Any, writer: Any, blob: str, size: int, sha256: str
) -> vault.Written:
    """One blob read with the sender's key and written with the receiver's; its hash and
    size must be those recorded, or the new blob is deleted and the copy refused."""
    with vault.open_plaintext(storage, reader, blob) as plaintext:
        written = vault.write_encrypted(storage, writer, plaintext.read, limit=size)
    if written.sha256 != sha256 or written.size != size:
        storage.delete(written.blob)
        raise SharingError(_("A copied file does not match its SHA-256 at ingestion."))
    return written


def _commit_copy(
    referral: Referral,
    pending: CopiedItem,
    written: vault.Written,
    derived: list[tuple[DerivedObject, vault.Written]],
    actor: User | None,
) -> EvidenceItem:
    source, target_case = pending.source, referral.receipt.case
    item = EvidenceItem(
        code=pending.copy_code,
        organization_id=target_case.organization_id,
        case=target_case,
        blob=written.blob,
        sha256=written.sha256,
        size=written.size,
        mime=source.mime,
        extension=source.extension,
        method=source.method,
        received_at=source.received_at,
        metadata_status=source.metadata_status,
        missing_tools=source.missing_tools,
        created_by=None,
        created_at=now(),
    )
    # Unsealed with the sender's row, sealed into the receiver's.
    item.sealed_record = seal(item, "sealed_record", read_record(source))
    item.sealed_summary = seal(item, "sealed_summary", read_summary(source))
    if source.sealed_metadata:
        item.sealed_metadata = seal(item, "sealed_metadata", read_metadata(source))
    with transaction.atomic():
        item.save(force_insert=True)
        where = {"referral": str(referral.code)}
        custody.append(
            item, CustodyAction.TRANSFERRED, actor, direction="in", source=str(source.code), **where
        )
        custody.append(
            source, CustodyAction.TRANSFERRED, actor, direction="out", copy=str(item.code), **where
        )
        for obj, copy in derived:
            _record_derived(item, obj, copy)
        pending.copy = item
        pending.save(update_fields=["copy"])
        Referral.objects.unscoped().filter(pk=referral.pk).update(
            copy_done=F("copy_done") + item.size
        )
        log_action(actor, Action.REFERRAL_EVIDENCE_COPIED, referral, item=str(source.code))
        log_action(actor, Action.REFERRAL_EVIDENCE_COPIED, item, referral=str(referral.code))
    return item


def _record_derived(item: EvidenceItem, obj: DerivedObject, written: vault.Written) -> None:
    """The copy's derived object, and its custody entry as the evidence app writes one."""
    derived = DerivedObject.objects.create(
        organization_id=item.organization_id,
        derived_from=item,
        kind=obj.kind,
        blob=written.blob,
        sha256=written.sha256,
        size=written.size,
        mime=obj.mime,
        tool=obj.tool,
        created_at=now(),
    )
    custody.append(
        item,
        CustodyAction.DERIVE,
        None,
        object_sha256=derived.sha256,
        derived=str(derived.code),
        kind=derived.kind,
        tool=derived.tool,
    )
