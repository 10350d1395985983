"""``tropa pathways load-starter|remind|schedule``: pathways from the shell."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from tropa.accounts.cli import find_organization
from tropa.pathways import services


class Command(BaseCommand):
    help = "Pathways: load the starter set, make deadline reminders, queue them for the worker."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        load = sub.add_parser("load-starter", help="add the starter countries, pathways and facts")
        load.add_argument("--org", required=True, help="organization name or code")
        sub.add_parser("remind", help="make the reminder tasks of deadlines 14, 7 and 3 days away")
        sub.add_parser("schedule", help="queue the reminders for the worker (every 6 hours)")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "load-starter":
            added = services.load_starter(
                actor=None, organization=find_organization(options["org"])
            )
            self.stdout.write(
                "{countries} countries, {pathways} pathways and {facts} facts added.".format(
                    **added
                )
            )
        elif options["action"] == "remind":
            self.stdout.write(f"{services.remind_deadlines()} reminder tasks made.")
        else:
            self._schedule()

    def _schedule(self) -> None:
        from django_tasks_db.models import DBTaskResult

        from tropa.pathways.tasks import daily_reminders_task

        func = daily_reminders_task.func
        path = f"{func.__module__}.{func.__qualname__}"
        if DBTaskResult.objects.filter(task_path=path, status__in=["READY", "RUNNING"]).exists():
            self.stdout.write("the deadline reminders are already scheduled")
            return
        daily_reminders_task.enqueue()
        self.stdout.write(
            "deadline reminders queued; 'tropa worker' (started by 'tropa run') runs them"
        )
