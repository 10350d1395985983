"""Getting a data dir ready to serve: the database schema and the static files.

``tropa demo`` and ``tropa run`` on a fresh data dir used to end in "no such table". Now they
set the data dir up themselves; in production mode a pending migration is named instead,
because an operator migrates on purpose, after a backup.
"""

from __future__ import annotations

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError, OutputWrapper
from django.db import connection
from django.db.migrations.executor import MigrationExecutor


def pending_migrations() -> int:
    executor = MigrationExecutor(connection)
    return len(executor.migration_plan(executor.loader.graph.leaf_nodes()))


def ensure_ready(stdout: OutputWrapper, *, static: bool) -> None:
    """Apply pending migrations (refused in production) and, with ``static``, collect the
    static files if they were never collected."""
    pending = pending_migrations()
    if pending:
        if settings.PRODUCTION:
            raise CommandError(
                f"the database has {pending} migration(s) not applied yet: back it up, then run "
                "'tropa migrate'"
            )
        stdout.write(f"Setting up the database in {settings.DATA_DIR} ({pending} migrations)…")
        call_command("migrate", interactive=False, verbosity=0)
    if static and not (settings.STATIC_ROOT / "staticfiles.json").exists():
        stdout.write("Collecting the static files…")
        call_command("collectstatic", interactive=False, verbosity=0)
