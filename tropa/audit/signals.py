"""Logins, logouts and failed logins go into the audit log, without the attempted name."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from .actions import Action
from .services import log_action


@receiver(user_logged_in)
def _logged_in(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    log_action(user, Action.AUTH_LOGIN, user, organization=user.organization)


@receiver(user_logged_out)
def _logged_out(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    if user is not None:
        log_action(user, Action.AUTH_LOGOUT, user, organization=user.organization)


@receiver(user_login_failed)
def _login_failed(sender: Any, credentials: Any, request: Any = None, **kwargs: Any) -> None:
    # The attempted user name is not stored: it may be a mistyped password.
    log_action(None, Action.AUTH_LOGIN_FAILED)
