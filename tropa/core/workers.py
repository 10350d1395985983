"""Background-task workers: which are alive, and what happens to a dead one's tasks.

The database queue (django-tasks-db) marks a task RUNNING when a worker claims it and
never looks again: a worker killed with SIGKILL (or by the OOM killer, or a power cut)
leaves its task RUNNING for ever. ``tropa worker`` therefore holds, for its whole life, an
exclusive lock (``flock``) on a file named after its worker id in ``DATA_DIR/workers``.
The kernel drops the lock when the process dies, however it dies, so "the lock can be
taken" means "that worker is dead", without any timeout.

``recover_dead_tasks`` (run when a worker starts and by ``tropa evidence sweep``) puts a
dead worker's task back in the queue, up to ``MAX_ATTEMPTS`` runs in all, and then marks
it failed and tells the app that owns it (``task_abandoned``), which shows it.

Worker ids are ``tropa-<node>-<random>``; the node names this machine and data dir, and
only tasks of this node's workers are judged here (a worker on another machine holds its
lock there). A task claimed under another kind of id (a plain ``db_worker``, or a version
of Tropa before the locks) has no lock to ask and counts as dead.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import secrets
import socket
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.dispatch import Signal
from django.utils import timezone

MAX_ATTEMPTS = 3

# Sent by ``tropa worker`` before it takes its first task (apps clean up after dead workers).
worker_started = Signal()
# Sent with ``task_path``, ``args``, ``kwargs`` and ``attempts`` when a task is given up.
task_abandoned = Signal()


class WorkerDied(Exception):
    """Recorded as the error of a task whose worker died while running it."""


_held: list[int] = []  # this process's lock, open until it exits


def lock_dir() -> Path:
    return Path(settings.DATA_DIR) / "workers"


def node() -> str:
    where = f"{socket.gethostname()}\0{Path(settings.DATA_DIR).resolve()}"
    return hashlib.sha256(where.encode()).hexdigest()[:12]


def new_worker_id() -> str:
    return f"tropa-{node()}-{secrets.token_hex(12)}"


def _lock_path(worker_id: str) -> Path:
    if not worker_id.replace("-", "").isalnum():
        raise ValueError("not a worker id")
    return lock_dir() / f"{worker_id}.lock"


def hold_liveness(worker_id: str) -> None:
    """Take this worker's lock for the rest of the process's life.

    The file is locked under a name the cleaner ignores and only then renamed into place,
    so no cleaner can ever find it unlocked while this worker lives.
    """
    folder = lock_dir()
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    target = _lock_path(worker_id)
    temporary = folder / f".{target.name}.new"
    fd = os.open(temporary, os.O_RDWR | os.O_CREAT | os.O_EXCL, 0o600)
    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    os.rename(temporary, target)
    _held.append(fd)


def is_dead(worker_id: str) -> bool | None:
    """True for a worker of this node that is gone, None for another node's worker."""
    if not worker_id.startswith("tropa-"):
        return True  # no lock to ask: a plain db_worker, or Tropa before the locks
    if not worker_id.startswith(f"tropa-{node()}-"):
        return None
    try:
        fd = os.open(_lock_path(worker_id), os.O_RDWR)
    except (FileNotFoundError, ValueError):
        return True  # never registered here, or its lock already cleared
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    finally:
        os.close(fd)  # releases the lock if it was taken
    return True


def clear_dead_locks() -> int:
    """Remove the lock files of workers that are gone."""
    folder, removed = lock_dir(), 0
    if not folder.is_dir():
        return 0
    for path in folder.glob("tropa-*.lock"):
        try:
            fd = os.open(path, os.O_RDWR)
        except FileNotFoundError:  # another cleaner was quicker
            continue
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            continue
        else:
            path.unlink(missing_ok=True)
            removed += 1
        finally:
            os.close(fd)
    return removed


@dataclass
class Recovery:
    requeued: int = 0
    failed: int = 0


def recover_dead_tasks() -> Recovery:
    """Re-queue (or, after ``MAX_ATTEMPTS`` runs, fail) every task whose worker died."""
    from django_tasks_db.models import DBTaskResult

    result = Recovery()
    running = DBTaskResult.objects.filter(status="RUNNING").only(
        "pk", "worker_ids", "started_at", "task_path", "args_kwargs"
    )
    for task in running:
        worker_ids = list(task.worker_ids or [])
        if not worker_ids or is_dead(str(worker_ids[-1])) is not True:
            continue
        # Conditional on the claim we judged, so a task claimed again meanwhile stays.
        claimed = DBTaskResult.objects.filter(
            pk=task.pk, status="RUNNING", started_at=task.started_at
        )
        attempts = len(worker_ids)
        if attempts < MAX_ATTEMPTS:
            if claimed.update(status="READY", started_at=None):
                result.requeued += 1
            continue
        if claimed.update(
            status="FAILED",
            finished_at=timezone.now(),
            exception_class_path=f"{WorkerDied.__module__}.{WorkerDied.__qualname__}",
            traceback=f"The worker running this task died, {attempts} times; given up.",
            return_value=None,
        ):
            result.failed += 1
            arguments: dict[str, Any] = task.args_kwargs or {}
            task_abandoned.send(
                sender=Recovery,
                task_path=task.task_path,
                args=list(arguments.get("args", [])),
                kwargs=dict(arguments.get("kwargs", {})),
                attempts=attempts,
            )
    clear_dead_locks()
    return result
