"""The daily sweep of abandoned drafts, by the worker ``tropa run`` starts
(``tropa intake schedule``)."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone
from django_tasks import default_task_backend, task

RUN_EVERY = timedelta(days=1)


@task()
def daily_draft_sweep_task() -> int:
    """Delete drafts untouched for TROPA_INTAKE_DRAFT_DAYS, then queue the next run."""
    from . import services

    try:
        return services.sweep_drafts(actor=None)
    finally:
        if default_task_backend.supports_defer:
            daily_draft_sweep_task.using(run_after=timezone.now() + RUN_EVERY).enqueue()
