"""Reading: the item page, downloads and deletion requests (E5)."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tropa.accounts.models import User
from tropa.audit.actions import Action
from tropa.audit.services import log_action
from tropa.crypto.fields import seal, unseal

from .. import custody, vault
from ..errors import EvidenceError
from ..models import (
    CustodyAction,
    DeletionRequest,
    DerivedObject,
    EvidenceItem,
)
from ..records import read_summary
from ..storage import BlobMissing, get_storage
from .fixity import _record_failure


@dataclass(frozen=True)
class ItemSummary:
    """What tells one item from another when choosing or approving an export."""

    item: EvidenceItem
    name: str
    has_position: bool


def summarize(items: Iterable[EvidenceItem]) -> list[ItemSummary]:
    """Original names and whether each file records a position (decrypted, one sealed
    summary per item; the caller audits the page that shows them)."""
    summaries = []
    for item in items:
        summary = read_summary(item)
        summaries.append(ItemSummary(item=item, name=summary["name"], has_position=summary["gps"]))
    return summaries


def log_item_viewed(*, actor: User | None, item: EvidenceItem) -> None:
    with transaction.atomic():
        custody.append(item, CustodyAction.VIEW, actor)
        log_action(actor, Action.EVIDENCE_VIEWED, item)


def download(
    *, actor: User | None, item: EvidenceItem, derived: DerivedObject | None = None
) -> Iterator[bytes]:
    """The plaintext of an original or a derived copy, as a stream of blocks.

    The custody entry is committed before the first byte leaves; the hash is checked as
    the bytes stream, and a mismatch cuts the download and is recorded (E2).
    """
    target_sha = derived.sha256 if derived else item.sha256
    blob = derived.blob if derived else item.blob
    detail = {"derived": str(derived.code), "kind": derived.kind} if derived else {}
    key = vault.case_key(item.case)  # KeyErased before anything is logged as having left
    with transaction.atomic():
        custody.append(item, CustodyAction.DOWNLOAD, actor, object_sha256=target_sha, **detail)
        log_action(actor, Action.EVIDENCE_DOWNLOADED, item, **detail)

    def stream() -> Iterator[bytes]:
        digest = hashlib.sha256()
        try:
            for block in vault.iter_plaintext(get_storage(), key, blob):
                digest.update(block)
                yield block
            ok = digest.hexdigest() == target_sha
        except (vault.Corrupt, BlobMissing):
            ok = False
        if not ok:
            _record_failure(item, ["download: stored bytes do not match the recorded SHA-256"])
            raise vault.Corrupt("evidence does not match its hash")

    return stream()


def request_deletion(*, actor: User | None, item: EvidenceItem, reason: str) -> DeletionRequest:
    """Record a wish to delete, with its reason; deleting evidence is a decision for later,
    never silent."""
    reason = reason.strip()
    if not reason:
        raise EvidenceError(_("Say why the item should be deleted."))
    request = DeletionRequest(
        organization_id=item.organization_id,
        item=item,
        requested_by=actor if getattr(actor, "is_authenticated", False) else None,
        requested_at=timezone.now(),
    )
    request.sealed_reason = seal(request, "sealed_reason", reason)
    with transaction.atomic():
        request.save(force_insert=True)
        custody.append(item, CustodyAction.DELETE_REQUEST, actor, reason_given=True)
        log_action(actor, Action.EVIDENCE_DELETE_REQUESTED, item)
    return request


def deletion_requests(item: EvidenceItem) -> list[tuple[DeletionRequest, str]]:
    """The item's deletion requests with their reasons (decrypted for the item page)."""
    return [
        (request, str(unseal(request, "sealed_reason", request.sealed_reason) or ""))
        for request in item.deletion_requests.select_related("requested_by")
    ]
