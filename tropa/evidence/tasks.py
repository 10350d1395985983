"""Where the evidence tasks were defined before they moved beside their services.

Kept so that a task queued under its old path (``tropa.evidence.tasks.process_item_task``)
still runs after an upgrade; new code imports the tasks from ``tropa.evidence.services``.
"""

from __future__ import annotations

from .services.derivatives import make_stripped_task, process_item_task
from .services.exports import build_export_task
from .services.housekeeping import VERIFY_EVERY, scheduled_verify_task

__all__ = [
    "VERIFY_EVERY",
    "build_export_task",
    "make_stripped_task",
    "process_item_task",
    "scheduled_verify_task",
]
