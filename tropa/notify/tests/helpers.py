from __future__ import annotations

from tropa.accounts.models import User
from tropa.notify import services


def opt_in(user: User, address: str, *, alerts: bool = False, digest: bool = False) -> None:
    services.save_preferences(actor=user, address=address, new_alerts=alerts, daily_digest=digest)
