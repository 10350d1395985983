"""Who reaches a request: admins and coordinators of its organization; anyone else, 404."""

from __future__ import annotations

from typing import Any

from tropa.accounts.models import Role, User
from tropa.cases.access import deny

from .erasure import org_id_of
from .models import HeldAction, Request

REVIEWERS = (Role.ADMIN, Role.COORDINATOR)


def is_reviewer(user: User) -> bool:
    return user.role in REVIEWERS


def access_request(user: User, code: Any) -> Request:
    org_id = org_id_of(user)
    found: Request | None = (
        Request.objects.filter(organization=org_id, code=code).select_related("case").first()
        if org_id is not None and is_reviewer(user)
        else None
    )
    if found is None:
        raise deny(user, code, "control_request")
    return found


def access_held(user: User, code: Any) -> HeldAction:
    """A held bulk read, for the admins and coordinators who decide and review it."""
    org_id = org_id_of(user)
    found: HeldAction | None = (
        HeldAction.objects.filter(organization=org_id, code=code).first()
        if org_id is not None and is_reviewer(user)
        else None
    )
    if found is None:
        raise deny(user, code, "held_action")
    return found


def access_own_held(user: User, code: Any) -> HeldAction:
    """A held bulk read, for the one who asked for it (who runs it once approved)."""
    org_id = org_id_of(user)
    found: HeldAction | None = (
        HeldAction.objects.filter(organization=org_id, code=code, requested_by=user).first()
        if org_id is not None
        else None
    )
    if found is None:
        raise deny(user, code, "held_action")
    return found
