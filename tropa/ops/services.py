"""Backups as the server makes them: to a file, daily to a directory, and their record."""

from __future__ import annotations

import os
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from tropa.audit.actions import Action
from tropa.audit.models import AuditEntry
from tropa.audit.services import log_action

from . import backup
from .errors import BackupError

# The admin's page warns when the server's last backup is older than this.
STALE_AFTER = timedelta(hours=25)
NAME = re.compile(r"^tropa-backup-\d{8}T\d{6}Z\.age$")


def create_backup_file(path: Path, recipient: str) -> backup.Summary:
    """Write an encrypted backup to ``path`` (never overwritten), atomically; audited."""
    if path.exists():
        raise BackupError(f"{path} exists; a backup never overwrites a file")
    temp = path.with_name(f".{path.name}.partial")
    try:
        with temp.open("xb") as out:
            summary = backup.write_backup(out, recipient)
            out.flush()
            os.fsync(out.fileno())
        os.rename(temp, path)
    except BaseException:
        temp.unlink(missing_ok=True)
        raise
    with transaction.atomic():
        log_action(
            None,
            Action.BACKUP_CREATED,
            engine=summary.engine,
            files=summary.files,
            bytes=summary.bytes,
        )
    return summary


def is_configured() -> bool:
    return bool(settings.TROPA_BACKUP_DIR and settings.TROPA_BACKUP_RECIPIENT)


def backup_to_directory(now: datetime | None = None) -> Path | None:
    """The scheduled backup: a new file in TROPA_BACKUP_DIR, then keep the newest N."""
    if not is_configured():
        return None
    directory = Path(settings.TROPA_BACKUP_DIR)
    directory.mkdir(parents=True, exist_ok=True, mode=0o700)
    stamp = (now or datetime.now(UTC)).strftime("%Y%m%dT%H%M%SZ")
    path = directory / f"tropa-backup-{stamp}.age"
    create_backup_file(path, settings.TROPA_BACKUP_RECIPIENT)
    prune(directory, settings.TROPA_BACKUP_KEEP)
    return path


def prune(directory: Path, keep: int) -> list[Path]:
    """Remove all but the newest ``keep`` backups the schedule wrote (other files stay)."""
    ours = sorted(p for p in directory.iterdir() if NAME.match(p.name) and p.is_file())
    old = ours[: max(len(ours) - max(keep, 1), 0)]
    for path in old:
        path.unlink()
    return old


def last_backup_at() -> datetime | None:
    """When the server's last backup succeeded (the same for every organization)."""
    entry = AuditEntry.objects.filter(action=Action.BACKUP_CREATED.value).order_by("-seq").first()
    return entry.at if entry is not None else None


def backup_is_stale(at: datetime | None) -> bool:
    return at is None or timezone.now() - at > STALE_AFTER


def record_restore(created_at: str) -> None:
    """In the restored database: the entry that says from which backup it came."""
    with transaction.atomic():
        log_action(None, Action.BACKUP_RESTORED, backup_created_at=created_at)
