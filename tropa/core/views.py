"""View helpers every app shares: a form and its service call, form errors as messages, and
one button, one service call."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.forms import BaseForm
from django.http import HttpRequest

from .errors import ServiceError


def form_errors(request: HttpRequest, form: BaseForm) -> None:
    """Every error of ``form`` as a message, each named by its field's label."""
    for field, errors in form.errors.items():
        label = form.fields[field].label if field in form.fields else ""
        for error in errors:
            messages.error(request, f"{label}: {error}" if label else str(error))


def run_action(request: HttpRequest, action: Callable[[], Any], success: str) -> bool:
    """Run one service call for a form button; its refusal or ``success`` as a message.

    Returns whether it succeeded, so that the view can choose where to go next.
    """
    try:
        action()
    except ServiceError as exc:
        messages.error(request, str(exc))
        return False
    messages.success(request, success)
    return True


def submit(
    request: HttpRequest, form: BaseForm, action: Callable[[dict[str, Any]], Any], success: str
) -> bool:
    """Validate ``form`` and run ``action(form.cleaned_data)``; ``success`` as a message.

    On a form error, or a service's refusal (added to the form as an error of the whole
    form), nothing is flashed and False comes back: the view renders its page again with
    this bound form, so that each error stands next to its field (``{% form_fields %}``)
    and what the user typed is still there. Never redirect away from a bound form.
    """
    if not form.is_valid():
        return False
    try:
        action(form.cleaned_data)
    except ServiceError as exc:
        form.add_error(None, str(exc))
        return False
    messages.success(request, success)
    return True
