"""``tropa retention run``: apply every organization's retention rules now;
``tropa retention schedule``: queue the daily run in the worker (``tropa run`` does)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser


class Command(BaseCommand):
    help = "Apply the organizations' retention rules (crypto-erasure of what is due)."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("run", help="erase every case that a retention rule says is due, now")
        sub.add_parser("schedule", help="queue the daily run (runs in 'tropa worker')")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "run":
            from tropa.retention.erasure import run_retention

            erased = run_retention(actor=None)
            self.stdout.write(f"{erased} case(s) erased by the retention rules")
            return
        from django_tasks_db.models import DBTaskResult

        from tropa.retention.tasks import daily_retention_task

        func = daily_retention_task.func
        path = f"{func.__module__}.{func.__qualname__}"
        if DBTaskResult.objects.filter(task_path=path, status__in=["READY", "RUNNING"]).exists():
            self.stdout.write("the daily retention run is already scheduled")
            return
        daily_retention_task.enqueue()
        self.stdout.write("daily retention run queued; 'tropa worker' runs it")
