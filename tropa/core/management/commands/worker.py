"""``tropa worker``: run background tasks (the database queue) until stopped."""

from typing import Any

from django_tasks_db.management.commands.db_worker import Command as DatabaseWorker

from tropa.core import workers


class Command(DatabaseWorker):
    help = "Run Tropa's background tasks (the same as db_worker, and it recovers after crashes)."

    def handle(self, *args: Any, **options: Any) -> None:
        # An id whose lock tells later workers whether this one is still alive; then the
        # leftovers of workers that died (scratch files, tasks stuck as running) are dealt with.
        options["worker_id"] = workers.new_worker_id()
        workers.hold_liveness(options["worker_id"])
        workers.worker_started.send(sender=Command)
        workers.recover_dead_tasks()
        super().handle(*args, **options)
