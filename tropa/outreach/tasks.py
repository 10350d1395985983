"""Background work of the outreach tracker: the follow-up rule.

Writes happen here or on a POST, never on a page load. How the rule runs (any of these is
enough, together they are safe because every request is claimed with a conditional UPDATE,
see ``services.run_followups``):

- every hour in the worker ``tropa run`` starts: ``tropa outreach schedule`` (called by
  ``tropa run``) queues ``hourly_followups_task`` once, and each run queues the next, so a
  request past its period shows as "no answer" on the dashboard within the hour;
- when a request is recorded in the browser, a check is queued for the day after its answer
  date (the database task backend supports deferred tasks);
- ``tropa outreach followups`` does the same for every organization, for a daily cron job or
  systemd timer where no worker runs.
"""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

from django.db import transaction
from django.utils import timezone
from django_tasks import default_task_backend, task

from tropa.accounts.models import Organization

from . import services
from .models import Request

FOLLOWUPS_EVERY = timedelta(hours=1)


@task()
def evaluate_followups(organization_id: int | None = None) -> int:
    organization = (
        Organization.objects.filter(pk=organization_id).first() if organization_id else None
    )
    return services.run_followups(organization=organization)


@task()
def hourly_followups_task() -> int:
    """Run the rule for every organization and queue the next run an hour later.

    A backend that cannot defer tasks (the immediate one in tests) runs it once.
    """
    try:
        return services.run_followups()
    finally:
        if default_task_backend.supports_defer:
            hourly_followups_task.using(run_after=timezone.now() + FOLLOWUPS_EVERY).enqueue()


def schedule_followup_check(request: Request) -> None:
    """Queue a run of the rule for just after the request's answer date, if the queue can wait."""
    backend = evaluate_followups.get_backend()
    if not backend.supports_defer:
        return  # the immediate backend (tests): the hourly task and the command cover it
    when = datetime.combine(request.answer_due_on + timedelta(days=1), time(0, 10), tzinfo=UTC)
    organization_id = request.organization_id
    transaction.on_commit(lambda: evaluate_followups.using(run_after=when).enqueue(organization_id))
