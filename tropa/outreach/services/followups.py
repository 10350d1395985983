"""Follow-ups: the period per institution type, the rule that turns silence into "no answer"
(run by ``tasks``, never by a page), and marking a follow-up as done."""

from __future__ import annotations

from datetime import date

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tropa.accounts.models import Organization, User
from tropa.audit.actions import Action
from tropa.audit.services import log_action
from tropa.cases import services as cases

from ..models import (
    DEFAULT_FOLLOWUP_DAYS,
    FollowupPolicy,
    Kind,
    Request,
    Status,
    StatusChange,
)
from .base import OutreachError, statistics_changed


def followup_days(organization: Organization) -> dict[str, int]:
    """Days until "no answer", per institution type (default 14)."""
    days = {kind: DEFAULT_FOLLOWUP_DAYS for kind in Kind.values}
    days.update(
        FollowupPolicy.objects.filter(organization=organization).values_list("kind", "days")
    )
    return days


def set_followup_days(
    *, actor: User | None, organization: Organization, days: dict[str, int]
) -> None:
    if any(kind not in Kind.values for kind in days) or any(
        not 1 <= n <= 365 for n in days.values()
    ):
        raise OutreachError(_("A follow-up period is between 1 and 365 days."))
    with transaction.atomic():
        for kind, n in days.items():
            FollowupPolicy.objects.update_or_create(
                organization=organization, kind=kind, defaults={"days": n}
            )
        log_action(actor, Action.OUTREACH_FOLLOWUP_DAYS_SET, organization=organization, days=days)


def mark_followed_up(*, actor: User | None, request: Request) -> None:
    with transaction.atomic():
        updated = Request.objects.filter(
            organization_id=request.organization_id, pk=request.pk, followup_done_at__isnull=True
        ).update(followup_done_at=timezone.now())
        if updated:
            log_action(actor, Action.OUTREACH_FOLLOWUP_DONE, request)


def run_followups(*, organization: Organization | None = None, today: date | None = None) -> int:
    """Turn requests past their answer date into "no answer" and create follow-up tasks.

    1. Find pending requests whose answer date has passed (an indexed query).
    2. Claim each with a conditional UPDATE: only the process whose UPDATE changed the row
       goes on, so two workers, a command and a page load never create two tasks.
    3. Record the status change and, for a request about a case, add a task for its owner
       to the case through the case desk's service.
    Returns how many requests were claimed.
    """
    today = today or timezone.localdate()
    # System work: every organization unless one is given.
    due = Request.objects.unscoped().filter(
        status=Status.PENDING, answer_due_on__lt=today, followup_created_at__isnull=True
    )
    if organization is not None:
        due = due.filter(organization=organization)
    claimed = 0
    for request in due.select_related("institution", "case", "sent_by").iterator():
        with transaction.atomic():
            won = Request.objects.filter(
                organization_id=request.organization_id,
                pk=request.pk,
                status=Status.PENDING,
                followup_created_at__isnull=True,
            ).update(status=Status.NO_ANSWER, status_on=today, followup_created_at=timezone.now())
            if won != 1:
                continue  # another process got there first
            StatusChange.objects.create(
                organization_id=request.organization_id,
                request=request,
                status=Status.NO_ANSWER,
                on=today,
                by=None,
            )
            if request.case is not None:
                cases.add_task(
                    actor=None,
                    case=request.case,
                    title=_("Follow up: no answer from %(institution)s")
                    % {"institution": request.institution.name},
                    due_on=today,
                    assignee=request.sent_by,
                )
            statistics_changed(request.organization_id)
            log_action(
                None,
                Action.OUTREACH_FOLLOWUP_DUE,
                request,
                organization=request.organization,
                status=Status.NO_ANSWER,
            )
            claimed += 1
    return claimed
