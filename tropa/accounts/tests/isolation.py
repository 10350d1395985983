"""Another organization's accounts, for the isolation test (R1)."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from tropa.accounts import services
from tropa.accounts.models import Enrolment, Role, RoleRequest

POST_DATA: dict[str, dict[str, Any]] = {"accounts:user_role": {"role": Role.VOLUNTEER}}


def isolation_kwargs(world: Any) -> dict[str, dict[str, Any]]:
    code = {"code": world.outsider.code}
    other_admin, token, _ = services.invite_user(
        actor=world.outsider,
        organization=world.other_org,
        username=f"iso-{world.outsider.code.hex[:8]}",
        role=Role.CASEWORKER,
    )
    request = RoleRequest.objects.get(subject=other_admin)
    # An enrolment link is for its user alone: once spent, it is a 404 like an unknown one.
    Enrolment.objects.filter(user=other_admin).update(used_at=timezone.now())
    return {
        **{
            name: code
            for name in ("accounts:user_role", "accounts:user_active", "accounts:user_reset_2fa")
        },
        "accounts:enrol_start": {"token": token},
        "accounts:approval_approve": {"code": request.code},
        "accounts:approval_refuse": {"code": request.code},
        "accounts:role_request_withdraw": {"code": request.code},
    }
