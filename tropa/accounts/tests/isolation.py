"""Another organization's accounts, for the isolation test (R1)."""

from __future__ import annotations

from typing import Any

from tropa.accounts.models import Role

POST_DATA: dict[str, dict[str, Any]] = {"accounts:user_role": {"role": Role.VOLUNTEER}}


def isolation_kwargs(world: Any) -> dict[str, dict[str, Any]]:
    code = {"code": world.outsider.code}
    return {
        name: code
        for name in ("accounts:user_role", "accounts:user_active", "accounts:user_reset_2fa")
    }
