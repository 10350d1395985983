"""``tropa backup create|verify|restore|schedule``: encrypted backups of the whole server.

``create`` writes one age-encrypted file (database snapshot, evidence blobs, manifest; never
the master keyset nor the key store). ``verify`` decrypts and checks every hash without
writing anything. ``restore`` fills a new data dir (or an empty PostgreSQL database), checks
every hash, migrates, and runs ``tropa audit verify`` and ``tropa evidence verify`` there.
``schedule`` queues the daily backup to TROPA_BACKUP_DIR for the worker (``tropa run``).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from tropa.ops import backup, restore, services
from tropa.ops.errors import BackupError


def _read_key(path: str) -> str:
    try:
        return Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise CommandError(f"cannot read the identity file {path} ({type(exc).__name__})") from None


class Command(BaseCommand):
    help = "Encrypted backups of the database and the evidence: create, verify, restore."
    # The system checks cost seconds at every start and guard nothing a backup reads; a
    # restore runs them in the restored data (``migrate``) anyway.
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        create = sub.add_parser("create", help="write an age-encrypted backup to a new file")
        create.add_argument("--out", required=True)
        create.add_argument(
            "--recipient", required=True, help="age public key (age1…); its key is kept off"
        )
        verify = sub.add_parser("verify", help="decrypt and check every hash; restore nothing")
        verify.add_argument("file")
        verify.add_argument("--identity", required=True, help="age identity file")
        rest = sub.add_parser("restore", help="restore into a new data dir")
        rest.add_argument("file")
        rest.add_argument("--identity", required=True, help="age identity file")
        rest.add_argument("--data-dir", required=True, help="a new or empty directory")
        rest.add_argument(
            "--keyset",
            default=str(settings.KEYSET_FILE),
            help="the master keyset, restored apart (default: this server's)",
        )
        rest.add_argument(
            "--database-url", default="", help="an empty PostgreSQL database (postgres:// URL)"
        )
        sub.add_parser("schedule", help="queue the daily backup to TROPA_BACKUP_DIR")
        record = sub.add_parser("record-restore", help="(used by restore) audit the restore")
        record.add_argument("--created-at", required=True)
        finish = sub.add_parser(
            "finish-restore",
            help="(used by restore) migrate, audit the restore, verify the audit chain and "
            "the evidence, in one start of the interpreter",
        )
        finish.add_argument("--created-at", required=True)

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            getattr(self, f"_{options['action'].replace('-', '_')}")(options)
        except BackupError as exc:
            raise CommandError(str(exc)) from None

    def _create(self, options: dict[str, Any]) -> None:
        summary = services.create_backup_file(Path(options["out"]), options["recipient"])
        self.stdout.write(
            f"backup written: {options['out']} ({summary.engine} database, "
            f"{summary.files} files, {summary.bytes} bytes); the master keyset is not in it"
        )

    def _verify(self, options: dict[str, Any]) -> None:
        with Path(options["file"]).open("rb") as handle:
            summary = backup.read_backup(handle, _read_key(options["identity"]), lambda n: None)
        self.stdout.write(
            f"backup intact: made {summary.created_at}, {summary.engine} database, "
            f"{summary.files} files, {summary.bytes} bytes, every SHA-256 matches"
        )

    def _restore(self, options: dict[str, Any]) -> None:
        summary = restore.restore(
            Path(options["file"]),
            _read_key(options["identity"]),
            Path(options["data_dir"]),
            keyset=Path(options["keyset"]),
            database_url=options["database_url"],
        )
        self.stdout.write(
            f"restored into {options['data_dir']}: backup of {summary.created_at}, "
            f"{summary.files} files checked, migrated, audit chain and evidence verified"
        )

    def _record_restore(self, options: dict[str, Any]) -> None:
        services.record_restore(options["created_at"])

    def _finish_restore(self, options: dict[str, Any]) -> None:
        from django.core.management import call_command

        steps: list[tuple[str, Any]] = [
            ("migrate", lambda: call_command("migrate", interactive=False, verbosity=0)),
            ("record-restore", lambda: services.record_restore(options["created_at"])),
            ("audit verify", lambda: call_command("audit", "verify", stdout=self.stdout)),
            ("evidence verify", lambda: call_command("evidence", "verify", stdout=self.stdout)),
        ]
        for name, step in steps:
            try:
                step()
            except (CommandError, SystemExit) as exc:
                raise CommandError(f"'tropa {name}' failed in the restored data: {exc}") from None

    def _schedule(self, options: dict[str, Any]) -> None:
        from django_tasks_db.models import DBTaskResult

        from tropa.ops.tasks import daily_backup_task

        if not services.is_configured():
            self.stdout.write(
                "backups are not scheduled: set TROPA_BACKUP_DIR and TROPA_BACKUP_RECIPIENT"
            )
            return
        func = daily_backup_task.func
        path = f"{func.__module__}.{func.__qualname__}"
        if DBTaskResult.objects.filter(task_path=path, status__in=["READY", "RUNNING"]).exists():
            self.stdout.write("the daily backup is already scheduled")
            return
        daily_backup_task.enqueue()
        self.stdout.write(f"daily backup queued into {settings.TROPA_BACKUP_DIR}")
