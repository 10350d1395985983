"""The one way a view refuses an action the role may not take: audited, then a 403.

Reaching an object of another organization is not this: that is a 404 that looks exactly like
an unknown code (``tropa.cases.access.deny``).
"""

from __future__ import annotations

from typing import NoReturn

from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.db import models

from tropa.accounts.models import User
from tropa.accounts.permissions import Cap
from tropa.audit.actions import Action
from tropa.audit.services import log_action


def forbid(
    user: User | AnonymousUser | None, capability: Cap, obj: models.Model | None = None
) -> NoReturn:
    """Log ``access.forbidden`` (who, which capability, on what) and answer 403."""
    log_action(user, Action.ACCESS_FORBIDDEN, obj, capability=capability.value)
    raise PermissionDenied
