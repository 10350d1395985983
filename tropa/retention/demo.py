"""Demo for dual control: a second coordinator (English interface) who can approve what the
first asks for, and a retention rule (protected cases erased after 24 months)."""

from __future__ import annotations

from base64 import b32encode

from tropa.accounts.models import Organization, Role, User

from .erasure import save_rule
from .models import RetentionRule

ACCOUNTS = [("astana-coordinator-2", Role.COORDINATOR, "en")]


def load_retention_demo(org: Organization) -> list[tuple[str, str, str, str, str]]:
    from tropa.core.demo import _ensure_account

    rows = []
    for username, role, language in ACCOUNTS:
        _user, password, device = _ensure_account(org, username, role, language)
        secret = b32encode(device.bin_key).decode().rstrip("=")
        rows.append((org.name, username, str(Role(role).label), password, secret))
    if not RetentionRule.objects.filter(organization=org).exists():
        admin = User.objects.get(username="astana-admin")
        save_rule(actor=admin, organization=org, stage="protected", months=24)
    return rows
