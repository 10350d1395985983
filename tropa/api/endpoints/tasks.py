"""Your tasks: open ones, overdue ones, and marking one done (as on "My tasks")."""

from __future__ import annotations

import uuid
from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from ninja import Router

from tropa.cases import services
from tropa.cases.access import access_task, scope_to_visible_cases
from tropa.cases.models import Task

from .. import schemas as s
from ..api import need
from ..scopes import Scope
from .common import ERRORS, task_out

router = Router(tags=["tasks"])
MAX = 500


def _open_tasks(request: HttpRequest) -> Any:
    user = need(request, Scope.TASKS)
    mine = Task.objects.filter(assignee=user, done_at__isnull=True)
    return scope_to_visible_cases(user, mine).select_related("case", "assignee")


@router.get("/mine", response={200: list[s.TaskOut], **ERRORS}, url_name="tasks_mine")
def tasks_mine(request: HttpRequest) -> list[dict[str, Any]]:
    """Your open tasks, soonest due first."""
    today = timezone.localdate()
    tasks = _open_tasks(request).order_by("due_on", "created_at")[:MAX]
    return [task_out(t, today) for t in tasks]


@router.get("/overdue", response={200: list[s.TaskOut], **ERRORS}, url_name="tasks_overdue")
def tasks_overdue(request: HttpRequest) -> list[dict[str, Any]]:
    """Your open tasks whose day has passed."""
    today = timezone.localdate()
    tasks = _open_tasks(request).filter(due_on__lt=today).order_by("due_on", "created_at")[:MAX]
    return [task_out(t, today) for t in tasks]


@router.post("/{uuid:code}/done", response={200: s.TaskOut, **ERRORS}, url_name="task_done")
def task_done(request: HttpRequest, code: uuid.UUID) -> dict[str, Any]:
    """Mark a task done."""
    user = need(request, Scope.TASKS)
    task = access_task(user, code)
    if task.done_at is None:
        services.set_task_done(actor=user, task=task, done=True)
    return task_out(task, timezone.localdate())
