"""Background work: reading metadata after ingest, building bundles, the fixity schedule.

Tasks take ids, not model instances, and are enqueued on commit.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.utils import timezone
from django_tasks import TaskContext, default_task_backend, task

from . import services
from .models import EvidenceItem, ExportRequest

VERIFY_EVERY = timedelta(days=1)


@task()
def process_item_task(item_id: str) -> None:
    item = EvidenceItem.objects.select_related("case").filter(pk=item_id).first()
    if item is None:
        return
    try:
        services.process_item(item)
    except Exception:
        # Shown on the item page, with a button to try again; the task fails as well.
        services.mark_processing_failed(item, reason="error")
        raise


def _path(task_object: Any) -> str:
    return f"{task_object.func.__module__}.{task_object.func.__qualname__}"


def abandoned(*, task_path: str, args: list[object], **_kwargs: object) -> None:
    """A task given up after its worker died on it again and again (``tropa.core.workers``)."""
    if not args:
        return
    if task_path == _path(process_item_task):
        item = EvidenceItem.objects.filter(pk=str(args[0])).first()
        if item is not None:
            services.mark_processing_failed(item, reason="worker_died")
    elif task_path == _path(build_export_task):
        export = ExportRequest.objects.select_related("case").filter(pk=str(args[0])).first()
        if export is not None:
            services.abandon_export_build(export)


@task(takes_context=True)
def build_export_task(context: TaskContext, export_id: str) -> None:
    export = ExportRequest.objects.select_related("case").filter(pk=export_id).first()
    if export is not None:
        # A second or third run is this task again after its worker died (tropa.core.workers).
        services.build_export(export, resume=context.attempt > 1)


@task()
def scheduled_verify_task() -> dict[str, int]:
    """Re-hash every item, sweep, and queue the next run a day later.

    ``tropa evidence schedule`` queues the first run; a backend that cannot defer tasks
    (the immediate one in tests) runs it once.
    """
    checked = failed = 0
    for result in services.verify_all(actor=None):
        checked += 1
        failed += not result.ok
    services.sweep()
    if default_task_backend.supports_defer:
        scheduled_verify_task.using(run_after=timezone.now() + VERIFY_EVERY).enqueue()
    return {"checked": checked, "failed": failed}
