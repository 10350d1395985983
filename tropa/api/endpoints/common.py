"""Shared pieces of the endpoints: error responses, rows as JSON, bodies as form data."""

from __future__ import annotations

from datetime import date
from typing import Any

from ninja import Schema

from tropa.cases.models import Alert, Case, Task

from .. import schemas as s

ERRORS: dict[int, Any] = {
    400: s.Error,
    401: s.Error,
    403: s.Error,
    404: s.Error,
    409: s.Error,
    429: s.Error,
}


def form_data(payload: Schema) -> dict[str, Any]:
    """A body as a browser form would post it: absent values left out, the rest as text."""
    data: dict[str, Any] = {}
    for name, value in payload.dict().items():
        if value is None or value == "":
            continue
        if isinstance(value, bool):
            if not value:
                continue
            value = "on"
        data[name] = str(value)
    return data


def case_out(case: Case) -> dict[str, Any]:
    return {
        "code": case.code,
        "pseudonym": case.person.pseudonym,
        "stage": case.stage,
        "risk": case.risk,
        "country": case.country,
        "city": case.city_name,
        "has_active_alert": case.has_active_alert,
        "assignee": case.assignee.code if case.assignee else None,
        "next_action": case.next_action,
        "next_action_on": case.next_action_on,
        "arrived_on": case.arrived_on,
        "created_at": case.created_at,
        "updated_at": case.updated_at,
    }


def task_out(task: Task, today: date) -> dict[str, Any]:
    return {
        "code": task.code,
        "case": task.case.code,
        "title": task.title,
        "due_on": task.due_on,
        "assignee": task.assignee.code if task.assignee else None,
        "done": task.done_at is not None,
        "overdue": task.is_overdue(today),
    }


def alert_out(alert: Alert) -> dict[str, Any]:
    return {
        "code": alert.code,
        "case": alert.case.code,
        "kind": alert.kind,
        "raised_at": alert.raised_at,
        "resolved_at": alert.resolved_at,
    }
