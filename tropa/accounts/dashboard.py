"""The coordinator's dashboard panel: role changes that wait for their approval."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from . import services
from .models import User
from .permissions import Cap, can


def role_requests_panel(request: HttpRequest) -> dict[str, Any] | None:
    user = request.user
    if not isinstance(user, User):
        return None
    organization = user.organization
    if organization is None or not can(user, Cap.APPROVE_ROLES):
        return None
    waiting = [
        r for r in services.pending_role_requests(organization) if services.may_decide(user, r)
    ]
    return {"count": len(waiting)} if waiting else None
