"""Background work of notifications: raising an alert never waits on the mail server.

- ``alert_raised_task``: queued after an alert's commit, tells whoever chose new alerts;
- ``escalation_check_task``: queued for N minutes after an alert (when the queue can wait),
  so the escalation goes out on time, not at the next tick;
- ``notify_tick_task``: every five minutes in the worker ``tropa run`` starts (queued once
  by ``tropa notify schedule``, each run queues the next): escalations, the daily digests,
  retries of failed messages.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from django.utils import timezone
from django_tasks import default_task_backend, task

from tropa.cases.models import Alert

from . import mail, services

logger = logging.getLogger(__name__)

TICK_EVERY = timedelta(minutes=5)
# Its own worker (``tropa run`` starts one): never behind a long screening or evidence task.
QUEUE = "notify"


@task(queue_name=QUEUE)
def alert_raised_task(alert_id: str) -> int:
    alert = Alert.objects.unscoped().filter(pk=alert_id).first()
    return 0 if alert is None else services.notify_new_alert(alert)


@task(queue_name=QUEUE)
def escalation_check_task(organization_id: int) -> int:
    return services.escalate(organization_id=organization_id)


@task(queue_name=QUEUE)
def notify_tick_task() -> dict[str, int]:
    """One periodic run, then the next one five minutes later.

    A backend that cannot defer tasks (the immediate one in tests) runs it once.
    """
    try:
        return services.tick()
    finally:
        if default_task_backend.supports_defer:
            notify_tick_task.using(run_after=timezone.now() + TICK_EVERY).enqueue()


def enqueue_after_alert(alert_id: str) -> None:
    """Called on commit of a new alert. A queue that fails must not fail the alert."""
    if not mail.is_configured():
        return
    try:
        alert_raised_task.enqueue(alert_id)
        if escalation_check_task.get_backend().supports_defer:
            alert = Alert.objects.unscoped().filter(pk=alert_id).first()
            if alert is not None:
                minutes = services.escalation_minutes(alert.organization_id)
                when = alert.raised_at + timedelta(minutes=minutes, seconds=5)
                escalation_check_task.using(run_after=when).enqueue(alert.organization_id)
    except Exception as exc:  # the alert stands; the tick retries escalations anyway
        logger.warning("notify: could not queue the alert notification (%s)", type(exc).__name__)
