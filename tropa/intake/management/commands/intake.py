"""``tropa intake invite --org ORG [--case CODE] [--lang ru] [--hours 72]`` prints a one-time
interview link once (and its QR code); ``tropa intake list --org ORG`` lists submissions by
state (codes, states and dates only: no answers); ``tropa intake sweep [--days N]`` deletes
drafts untouched for N days (default TROPA_INTAKE_DRAFT_DAYS); ``tropa intake schedule``
queues that sweep daily in the worker (``tropa run`` does)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.urls import reverse

from tropa.accounts.cli import find_organization
from tropa.audit.actions import Action
from tropa.audit.services import log_action
from tropa.cases.models import Case
from tropa.intake import qr, services
from tropa.intake.models import Status


class Command(BaseCommand):
    help = "Invite a person to the intake interview, or list an organization's submissions."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        invite = sub.add_parser("invite", help="create a one-time interview link")
        invite.add_argument("--org", required=True, help="the organization (exact name)")
        invite.add_argument("--case", help="code of an existing case the answers are for")
        invite.add_argument("--lang", default="ru", choices=["ru", "uk", "en"])
        invite.add_argument("--hours", type=int, default=None, help="lifetime (default 72)")
        invite.add_argument("--no-qr", action="store_true", help="print the link only")
        listing = sub.add_parser("list", help="list submissions by state")
        listing.add_argument("--org", required=True, help="the organization (exact name)")
        sweep = sub.add_parser("sweep", help="delete drafts nobody touched for N days")
        sweep.add_argument("--days", type=int, default=None, help="default 30")
        sub.add_parser("schedule", help="queue the daily sweep (runs in 'tropa worker')")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "sweep":
            self._sweep(options["days"])
            return
        if options["action"] == "schedule":
            self._schedule()
            return
        organization = find_organization(options["org"])
        if options["action"] == "invite":
            self._invite(organization, options)
        else:
            self._list(organization)

    def _invite(self, organization: Any, options: dict[str, Any]) -> None:
        case = None
        if options["case"]:
            case = Case.objects.filter(organization=organization, code=options["case"]).first()
            if case is None:
                raise CommandError("no such case in this organization")
        try:
            made = services.create_invitation(
                actor=None,
                organization=organization,
                case=case,
                language=options["lang"],
                hours=options["hours"],
            )
        except services.IntakeError as exc:
            raise CommandError(str(exc)) from None
        path = reverse("intake:invitation", kwargs={"token": made.token})
        url = f"{settings.TROPA_SITE_URL.rstrip('/')}{path}" if settings.TROPA_SITE_URL else path
        self.stdout.write(url)
        if not options["no_qr"]:
            self.stdout.write(qr.terminal(url))
        self.stdout.write(
            f"expires {made.invitation.expires_at:%Y-%m-%d %H:%M} UTC; shown once, not stored"
        )

    def _list(self, organization: Any) -> None:
        counts = services.counts_by_status(organization)
        log_action(
            None,
            Action.INTAKE_LISTED_FROM_SHELL,
            organization=organization,
            count=sum(counts.values()),
        )
        for status, label in Status.choices:
            self.stdout.write(f"{status:<10} {counts.get(status, 0):>7}  {label}")
        for row in services.queue(organization)[:50]:
            self.stdout.write(f"{row.code}  {row.status:<10} {row.submitted_at:%Y-%m-%d %H:%M}")

    def _sweep(self, days: int | None) -> None:
        try:
            count = services.sweep_drafts(actor=None, days=days)
        except services.IntakeError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(f"{count} abandoned draft(s) deleted")

    def _schedule(self) -> None:
        from django_tasks_db.models import DBTaskResult

        from tropa.intake.tasks import daily_draft_sweep_task

        func = daily_draft_sweep_task.func
        path = f"{func.__module__}.{func.__qualname__}"
        if DBTaskResult.objects.filter(task_path=path, status__in=["READY", "RUNNING"]).exists():
            self.stdout.write("the daily sweep of drafts is already scheduled")
            return
        daily_draft_sweep_task.enqueue()
        self.stdout.write("daily sweep of drafts queued; 'tropa worker' runs it")
