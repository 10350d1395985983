"""The daily retention run, by the worker ``tropa run`` starts (``tropa retention schedule``)."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone
from django_tasks import default_task_backend, task

from . import erasure

RUN_EVERY = timedelta(days=1)


@task()
def daily_retention_task() -> int:
    """Erase what the organizations' rules say is due, then queue the next run a day later."""
    try:
        return erasure.run_retention(actor=None)
    finally:
        if default_task_backend.supports_defer:
            daily_retention_task.using(run_after=timezone.now() + RUN_EVERY).enqueue()
