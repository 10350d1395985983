"""``tropa notify schedule|tick``: notifications from the shell.

``schedule`` queues the five-minute tick in the worker (``tropa run`` calls it); ``tick`` runs
escalations, digests and retries once, for a cron job or systemd timer where no worker runs.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from tropa.notify import mail, services


class Command(BaseCommand):
    help = "E-mail notifications: queue the periodic run, or run it once."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("schedule", help="queue the five-minute notification run for the worker")
        sub.add_parser("tick", help="run escalations, digests and retries once")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "tick":
            if not mail.is_configured():
                self.stdout.write(
                    "e-mail is not configured (TROPA_EMAIL_HOST, _FROM): nothing sent"
                )
                return
            counts = services.tick()
            self.stdout.write(", ".join(f"{key}: {n}" for key, n in counts.items()))
            return
        self._schedule()

    def _schedule(self) -> None:
        from django_tasks_db.models import DBTaskResult

        from tropa.notify.tasks import notify_tick_task

        func = notify_tick_task.func
        path = f"{func.__module__}.{func.__qualname__}"
        if DBTaskResult.objects.filter(task_path=path, status__in=["READY", "RUNNING"]).exists():
            self.stdout.write("the notification run is already scheduled")
            return
        notify_tick_task.enqueue()
        configured = "" if mail.is_configured() else " (e-mail is not configured: it sends nothing)"
        self.stdout.write(
            "notification run queued every 5 minutes; 'tropa worker' (started by 'tropa run') "
            f"runs it{configured}"
        )
