"""Background work of pathways: the daily deadline reminders.

``tropa pathways schedule`` (called by ``tropa run``) queues ``daily_reminders_task`` once;
each run queues the next a day later. ``tropa pathways remind`` does the same work once, for a
cron job where no worker runs. Reminders are claimed with a conditional UPDATE, so two runs on
the same day make each task once.
"""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone
from django_tasks import default_task_backend, task

from . import services

REMINDERS_EVERY = timedelta(hours=6)


@task()
def daily_reminders_task() -> int:
    try:
        return services.remind_deadlines()
    finally:
        if default_task_backend.supports_defer:
            daily_reminders_task.using(run_after=timezone.now() + REMINDERS_EVERY).enqueue()
