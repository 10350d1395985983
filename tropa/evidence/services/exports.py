"""Exports (E6): requested, decided by a second person, built in the background, fetched."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from datetime import timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tasks import TaskContext, task

from tropa.accounts.models import User
from tropa.audit.actions import Action
from tropa.audit.services import log_action
from tropa.cases.models import Case

from .. import bundle, custody, vault
from ..access import may_decide_export, may_download_export, may_retry_export
from ..errors import EvidenceError
from ..models import (
    CustodyAction,
    DerivedKind,
    EvidenceItem,
    ExportFailure,
    ExportRequest,
    ExportStatus,
)
from ..storage import get_storage
from .fixity import _record_failure
from .quota import export_days

logger = logging.getLogger(__name__)


def request_export(
    *, actor: User | None, case: Case, selection: dict[str, str], recipient: str = ""
) -> ExportRequest:
    selection = {code: variant for code, variant in selection.items() if variant != "exclude"}
    if not selection:
        raise EvidenceError(_("Choose at least one item to export."))
    codes = {
        str(c)
        for c in EvidenceItem.objects.filter(
            organization=case.organization_id, case=case
        ).values_list("code", flat=True)
    }
    if not set(selection) <= codes or not set(selection.values()) <= {"original", "stripped"}:
        raise EvidenceError(_("The selection does not match this case's evidence."))
    recipient = recipient.strip()
    if recipient:
        bundle.parse_recipient(recipient)
    now = timezone.now()
    with transaction.atomic():
        export: ExportRequest = ExportRequest.objects.create(
            organization_id=case.organization_id,
            case=case,
            requested_by=actor,
            requested_at=now,
            selection=selection,
            recipient=recipient,
            expires_at=now + timedelta(days=export_days()),
        )
        log_action(
            actor,
            Action.EVIDENCE_EXPORT_REQUESTED,
            case,
            export=str(export.code),
            items=len(selection),
            encrypted=bool(recipient),
        )
    return export


def decide_export(*, actor: User, export: ExportRequest, approve: bool) -> None:
    """A second person approves or refuses; the requester never decides their own (R18)."""
    if export.status != ExportStatus.PENDING or export.expires_at < timezone.now():
        raise EvidenceError(_("This export request is no longer waiting for a decision."))
    if export.requested_by_id == actor.pk:
        log_action(
            actor,
            Action.EVIDENCE_EXPORT_SELF_APPROVAL_REFUSED,
            export.case,
            export=str(export.code),
        )
        raise EvidenceError(_("Someone other than the requester must decide on an export."))
    if not may_decide_export(actor, export):
        raise EvidenceError(_("Your role cannot approve exports."))
    with transaction.atomic():
        status = ExportStatus.APPROVED if approve else ExportStatus.REFUSED
        decided = ExportRequest.objects.filter(
            organization=export.organization_id, pk=export.pk, status=ExportStatus.PENDING
        ).update(status=status, decided_by=actor, decided_at=timezone.now())
        if decided != 1:  # a second approver decided a moment earlier
            raise EvidenceError(_("This export request is no longer waiting for a decision."))
        export.refresh_from_db()
        log_action(
            actor,
            Action.EVIDENCE_EXPORT_APPROVED if approve else Action.EVIDENCE_EXPORT_REFUSED,
            export.case,
            export=str(export.code),
        )
        if approve:
            transaction.on_commit(lambda: build_export_task.enqueue(str(export.pk)))


def _claim(export: ExportRequest, *, resume: bool) -> bool:
    """Move the export from approved (or, on resume, being built) to being built, once."""
    statuses = [ExportStatus.APPROVED]
    if resume:
        # The same task run again after its worker died mid-build: what that run recorded
        # as leaving is answered first, then the bundle is built afresh.
        statuses.append(ExportStatus.BUILDING)
        _abort_unfinished_build(export)
    claimed = ExportRequest.objects.filter(
        organization=export.organization_id,
        pk=export.pk,
        status__in=statuses,
        expires_at__gt=timezone.now(),
    ).update(status=ExportStatus.BUILDING)
    return claimed == 1


def build_export(export: ExportRequest, *, resume: bool = False) -> None:
    """Write the approved bundle, encrypted with the case key, for the requester to fetch.

    The build claims the export first (approved → being built), so two workers or two
    retries never build it twice. A build that cannot finish marks the export as failed
    with the reason and the item (shown on its page, where it can be retried), records
    in each item's custody log that nothing left, and records a missing or altered file
    as failing its fixity check.
    """
    if not _claim(export, resume=resume):
        return
    items = {
        str(item.code): item
        for item in EvidenceItem.objects.filter(
            organization=export.organization_id, case=export.case, code__in=list(export.selection)
        )
    }
    storage = get_storage()
    plan = None
    try:
        plan = bundle.prepare_bundle(
            case=export.case,
            variants={item: export.selection[code] for code, item in items.items()},
            actor=export.requested_by,
            approved_by=export.decided_by,
            export_code=str(export.code),
        )
        reader = bundle.thread_pipe(bundle.encrypted_stream(plan, export.recipient))
        written = vault.write_encrypted(storage, plan.key, reader.read, limit=2**62)
        try:
            reader.finish()
        except BaseException:
            storage.delete(written.blob)
            raise
    except Exception as exc:
        if plan is not None:  # prepare_bundle records its own aborts
            bundle.record_aborted(plan.items, export.requested_by, str(export.code))
        _build_failed(export, items, exc)
        return
    with transaction.atomic():
        done = ExportRequest.objects.filter(
            organization=export.organization_id, pk=export.pk, status=ExportStatus.BUILDING
        ).update(
            status=ExportStatus.READY, blob=written.blob, sha256=written.sha256, size=written.size
        )
        if done != 1:  # expired (and swept) while it was being built
            transaction.on_commit(lambda: storage.delete(written.blob))
            return
        log_action(None, Action.EVIDENCE_EXPORT_BUILT, export.case, export=str(export.code))


def _build_failed(export: ExportRequest, items: dict[str, EvidenceItem], exc: Exception) -> None:
    """Mark the export failed with its reason; an unreadable item also fails its fixity."""
    if isinstance(exc, bundle.ItemUnreadable):
        _record_failure(items[exc.item_code], [f"export {export.code}: {exc}"])
        _export_failed(export, ExportFailure(exc.kind), exc.item_code)
    elif isinstance(exc, vault.KeyErased):
        _export_failed(export, ExportFailure.KEY)
    elif isinstance(exc, bundle.NoStrippedCopy):
        _export_failed(export, ExportFailure.NO_STRIPPED)
    else:
        # The type only: an exception's text could quote data (R9).
        logger.error("export %s: building failed (%s)", export.code, type(exc).__name__)
        _export_failed(export, ExportFailure.ERROR)


def _abort_unfinished_build(export: ExportRequest) -> None:
    """Items whose custody log says they left in this export's bundle, with no "not built"
    after it (a build whose worker died), get that entry now."""
    code = str(export.code)
    dangling = [
        item
        for item in EvidenceItem.objects.filter(
            organization=export.organization_id, case=export.case, code__in=list(export.selection)
        )
        if item.custody.filter(action=CustodyAction.EXPORT, detail__export=code).count()
        > item.custody.filter(action=CustodyAction.EXPORT_ABORTED, detail__export=code).count()
    ]
    if dangling:
        bundle.record_aborted(dangling, export.requested_by, code)


def abandon_export_build(export: ExportRequest) -> None:
    """The build's worker died again and again: the export fails visibly (and can be
    started again from its page), and no custody log claims that anything left."""
    _abort_unfinished_build(export)
    _export_failed(export, ExportFailure.ERROR)


def _export_failed(export: ExportRequest, failure: ExportFailure, item_code: str = "") -> None:
    with transaction.atomic():
        ExportRequest.objects.filter(
            organization=export.organization_id, pk=export.pk, status=ExportStatus.BUILDING
        ).update(status=ExportStatus.FAILED, failure=failure, failed_item=item_code)
        log_action(
            None,
            Action.EVIDENCE_EXPORT_FAILED,
            export.case,
            export=str(export.code),
            reason=str(failure.value),
            item=item_code,
        )


def retry_export(*, actor: User | None, export: ExportRequest) -> None:
    """Build a failed export again (after the cause was dealt with), keeping its approval."""
    if export.status != ExportStatus.FAILED or export.expires_at < timezone.now():
        raise EvidenceError(_("Only a failed export that has not expired can be built again."))
    if not may_retry_export(actor, export):
        raise EvidenceError(_("Only the requester or someone who approves exports can retry."))
    with transaction.atomic():
        reopened = ExportRequest.objects.filter(
            organization=export.organization_id, pk=export.pk, status=ExportStatus.FAILED
        ).update(status=ExportStatus.APPROVED, failure="", failed_item="")
        if reopened != 1:  # someone else retried it a moment ago
            return
        log_action(actor, Action.EVIDENCE_EXPORT_RETRIED, export.case, export=str(export.code))
        transaction.on_commit(lambda: build_export_task.enqueue(str(export.pk)))


def download_export(*, actor: User | None, export: ExportRequest) -> Iterator[bytes]:
    """The bundle's bytes; each exported item's custody log records that it left."""
    if export.status != ExportStatus.READY or export.expires_at < timezone.now():
        raise EvidenceError(_("This bundle is not available (not ready, or expired)."))
    if not may_download_export(actor, export):
        raise EvidenceError(_("Only the person who requested the export can download it."))
    try:
        key = vault.case_key(export.case)
    except vault.KeyErased:
        raise EvidenceError(
            _("This file can no longer be read: the case's encryption key was destroyed.")
        ) from None
    items = EvidenceItem.objects.filter(
        organization=export.organization_id, case=export.case, code__in=list(export.selection)
    ).prefetch_related("derived")
    with transaction.atomic():
        for item in items:
            variant = export.selection[str(item.code)]
            copy = next((d for d in item.derived.all() if d.kind == DerivedKind.STRIPPED), None)
            custody.append(
                item,
                CustodyAction.DOWNLOAD,
                actor,
                object_sha256=copy.sha256 if variant == "stripped" and copy else "",
                export=str(export.code),
                variant=variant,
            )
        log_action(actor, Action.EVIDENCE_EXPORT_DOWNLOADED, export.case, export=str(export.code))
    return vault.iter_plaintext(get_storage(), key, export.blob)


def expire_export(export: ExportRequest) -> None:
    with transaction.atomic():
        blob = export.blob
        ExportRequest.objects.filter(organization=export.organization_id, pk=export.pk).update(
            status=ExportStatus.EXPIRED, blob=""
        )
        log_action(None, Action.EVIDENCE_EXPORT_EXPIRED, export.case, export=str(export.code))
    if blob:
        get_storage().delete(blob)


@task(takes_context=True)
def build_export_task(context: TaskContext, export_id: str) -> None:
    export = ExportRequest.objects.unscoped().select_related("case").filter(pk=export_id).first()
    if export is not None:
        # A second or third run is this task again after its worker died (tropa.core.workers).
        build_export(export, resume=context.attempt > 1)
