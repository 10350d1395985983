"""``tropa worker``: run background tasks (the database queue) until stopped."""

from django_tasks_db.management.commands.db_worker import Command as DatabaseWorker


class Command(DatabaseWorker):
    help = "Run Tropa's background tasks (the same as db_worker)."
