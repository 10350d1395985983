"""Housekeeping: orphans, abandoned uploads, expired bundles, the daily fixity run."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.module_loading import import_string
from django_tasks import default_task_backend, task

from .. import tools
from ..models import (
    DerivedObject,
    EvidenceItem,
    ExportRequest,
    ExportStatus,
    UploadPart,
    UploadSession,
)
from ..storage import get_storage
from .derivatives import make_stripped_task, mark_processing_failed, process_item_task
from .exports import abandon_export_build, build_export_task, expire_export
from .fixity import verify_all

VERIFY_EVERY = timedelta(days=1)


@dataclass
class SweepResult:
    orphans: int
    abandoned_uploads: int
    expired_exports: int
    scratch: int = 0
    requeued_tasks: int = 0
    failed_tasks: int = 0


def sweep(*, older_than: float = 3600) -> SweepResult:
    """Remove blobs no row refers to, uploads left for a week, expired bundles, and what
    dead workers left: their scratch files in RAM and their tasks (re-queued or failed)."""
    from tropa.core import workers

    scratch = tools.clean_scratch()
    recovered = workers.recover_dead_tasks()
    storage = get_storage()
    cutoff = timezone.now() - timedelta(days=7)
    abandoned = list(
        UploadSession.objects.unscoped()
        .filter(item__isnull=True, created_at__lt=cutoff)
        .values_list("pk", flat=True)
    )
    for session_id in abandoned:
        with transaction.atomic():
            UploadPart.objects.filter(session_id=session_id).delete()
            UploadSession.objects.unscoped().filter(pk=session_id).delete()
    expired = 0
    for export in (
        ExportRequest.objects.unscoped()
        .filter(expires_at__lt=timezone.now())
        .exclude(status__in=[ExportStatus.EXPIRED, ExportStatus.REFUSED])
    ):
        expire_export(export)
        expired += 1
    known = {
        *EvidenceItem.objects.unscoped().values_list("blob", flat=True),
        *DerivedObject.objects.unscoped().values_list("blob", flat=True),
        *UploadPart.objects.values_list("blob", flat=True),
        *ExportRequest.objects.unscoped().exclude(blob="").values_list("blob", flat=True),
    }
    orphans = sum(1 for _ in storage.orphans(known, older_than))
    return SweepResult(
        orphans,
        len(abandoned),
        expired,
        scratch=scratch,
        requeued_tasks=recovered.requeued,
        failed_tasks=recovered.failed,
    )


@task()
def scheduled_verify_task() -> dict[str, int]:
    """Re-hash every item, sweep, and queue the next run a day later.

    ``tropa evidence schedule`` queues the first run; a backend that cannot defer tasks
    (the immediate one in tests) runs it once.
    """
    checked = failed = 0
    for result in verify_all(actor=None):
        checked += 1
        failed += not result.ok
    sweep()
    if default_task_backend.supports_defer:
        scheduled_verify_task.using(run_after=timezone.now() + VERIFY_EVERY).enqueue()
    return {"checked": checked, "failed": failed}


def task_abandoned(*, task_path: str, args: list[object], **_kwargs: object) -> None:
    """A task given up after its worker died on it again and again (``tropa.core.workers``).

    The path is resolved, so a task queued under an older import path is still recognized.
    """
    if not args:
        return
    try:
        given_up = import_string(task_path)
    except ImportError:
        return
    if given_up is process_item_task or given_up is make_stripped_task:
        item = EvidenceItem.objects.unscoped().filter(pk=str(args[0])).first()
        if item is not None:
            mark_processing_failed(item, reason="worker_died")
    elif given_up is build_export_task:
        export = (
            ExportRequest.objects.unscoped().select_related("case").filter(pk=str(args[0])).first()
        )
        if export is not None:
            abandon_export_build(export)
