"""Follow-ups: the period per institution type, the rule that turns silence into "no answer"
(run by ``tasks``, never by a page), and marking a follow-up as done."""

from __future__ import annotations

from datetime import date, timedelta

from django.db import transaction
from django.db.models import Q
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


def reminder_on(request: Request) -> bool:
    """Whether an imported (or referred) request is armed for a follow-up: its owner
    turned "remind me to follow up" on and it has not been followed up since."""
    return request.imported and request.followup_done_at is None


def set_followup_reminder(*, actor: User | None, request: Request, on: bool) -> None:
    """ "Remind me to follow up" on an imported request (or one carried by a referral),
    which is history and never due unless someone says so. On: the answer is expected
    again from today, within the organization's usual period for the institution's type,
    and the hourly rule claims it after that. Off: history again, never due."""
    if not request.imported:
        raise OutreachError(_("Only an imported request waits for this switch."))
    now = timezone.now()
    if on:
        days = followup_days(request.organization)[request.institution.kind]
        values: dict[str, object] = {
            "answer_due_on": timezone.localdate() + timedelta(days=days),
            "followup_created_at": None,
            "followup_done_at": None,
        }
    else:
        values = {
            "followup_created_at": request.followup_created_at or now,
            "followup_done_at": now,
        }
    with transaction.atomic():
        Request.objects.filter(organization_id=request.organization_id, pk=request.pk).update(
            **values
        )
        log_action(actor, Action.OUTREACH_FOLLOWUP_SWITCHED, request, on=on)
    statistics_changed(request.organization_id)


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
    # Waiting, or an imported "no answer" its owner asked to be reminded of.
    waiting = Q(status=Status.PENDING) | Q(status=Status.NO_ANSWER, imported=True)
    due = Request.objects.unscoped().filter(
        waiting, answer_due_on__lt=today, followup_created_at__isnull=True
    )
    if organization is not None:
        due = due.filter(organization=organization)
    claimed = 0
    for request in due.select_related("institution", "case", "sent_by").iterator():
        with transaction.atomic():
            won = Request.objects.filter(
                organization_id=request.organization_id,
                pk=request.pk,
                status=request.status,
                followup_created_at__isnull=True,
            ).update(status=Status.NO_ANSWER, status_on=today, followup_created_at=timezone.now())
            if won != 1:
                continue  # another process got there first
            if request.status == Status.PENDING:  # an imported "no answer" has its change
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
