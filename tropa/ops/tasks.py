"""The daily backup in the worker ``tropa run`` starts (queued once by ``tropa backup
schedule``; each run queues the next, like the evidence fixity check)."""

from __future__ import annotations

import logging
from datetime import timedelta

from django.utils import timezone
from django_tasks import default_task_backend, task

from . import services

logger = logging.getLogger(__name__)

EVERY = timedelta(days=1)


@task()
def daily_backup_task() -> str:
    """One backup to TROPA_BACKUP_DIR, then the next one a day after this one started."""
    started = timezone.now()
    try:
        path = services.backup_to_directory()
        return path.name if path is not None else ""
    except Exception as exc:  # the admin's page shows the backup is late; the next day retries
        logger.warning("backup: the daily backup failed (%s)", type(exc).__name__)
        return ""
    finally:
        if default_task_backend.supports_defer:
            daily_backup_task.using(run_after=started + EVERY).enqueue()
