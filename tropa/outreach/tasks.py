"""Background work of the outreach tracker: the follow-up rule.

How the rule runs (any of these is enough, together they are safe because every request is
claimed with a conditional UPDATE, see ``services.run_followups``):

- when a request is recorded in the browser, a check is queued for the day after its answer
  date (the database task backend supports deferred tasks; ``tropa run`` starts the worker);
- the outreach dashboard evaluates due follow-ups of its organization when it loads;
- ``tropa outreach followups`` does the same for every organization, for a daily cron job or
  systemd timer where no worker runs.
"""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

from django.db import transaction
from django_tasks import task

from tropa.accounts.models import Organization

from . import services
from .models import Request


@task()
def evaluate_followups(organization_id: int | None = None) -> int:
    organization = (
        Organization.objects.filter(pk=organization_id).first() if organization_id else None
    )
    return services.run_followups(organization=organization)


def schedule_followup_check(request: Request) -> None:
    """Queue a run of the rule for just after the request's answer date, if the queue can wait."""
    backend = evaluate_followups.get_backend()
    if not backend.supports_defer:
        return  # the immediate backend (tests): the dashboard and the command cover it
    when = datetime.combine(request.answer_due_on + timedelta(days=1), time(0, 10), tzinfo=UTC)
    organization_id = request.organization_id
    transaction.on_commit(lambda: evaluate_followups.using(run_after=when).enqueue(organization_id))
