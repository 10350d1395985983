"""The daily signed checkpoint of the audit chain, run by the worker ``tropa run`` starts."""

from __future__ import annotations

from dataclasses import asdict
from datetime import timedelta
from typing import Any

from django.utils import timezone
from django_tasks import default_task_backend, task

from . import checkpoints

CHECKPOINT_EVERY = timedelta(days=1)


@task()
def daily_checkpoint_task() -> dict[str, Any]:
    """Write today's checkpoint and queue the next run a day later.

    ``tropa audit schedule`` (called by ``tropa run``) queues the first run; a backend that
    cannot defer tasks (the immediate one in tests) runs it once.
    """
    try:
        return asdict(checkpoints.daily())
    finally:
        if default_task_backend.supports_defer:
            daily_checkpoint_task.using(run_after=timezone.now() + CHECKPOINT_EVERY).enqueue()
