"""Sharing objects out of reach for the URL-walking isolation test (R1).

The referral goes from the other organization to a third one, so the walker (of neither)
must get 404; the grant is the other organization's.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from tropa.accounts import services as accounts
from tropa.accounts.models import Role
from tropa.cases import services as cases
from tropa.sharing import services


def isolation_kwargs(world: Any) -> dict[str, dict[str, Any]]:
    org, actor = world.other_org, world.outsider
    third = accounts.create_organization(actor=None, name="Elsewhere Third")
    case = cases.create_case(actor=actor, organization=org, pseudonym="Elsewhere referred")
    referral = services.refer_case(
        actor=actor,
        case=case,
        receiver=third,
        mode="share",
        consent=services.Consent(date(2026, 1, 5), "in_person", "x"),
        parts=services.Parts(),
    )
    advocate, _ = accounts.create_user(
        actor=None, organization=org, username="iso-advocate", role=Role.ADVOCATE, password=None
    )
    grant = services.grant_advocate(actor=actor, case=case, advocate=advocate, summary="s")
    by_referral = {"code": referral.code}
    return {
        "sharing:refer": {"code": case.code},
        "sharing:referral": by_referral,
        "sharing:accept": by_referral,
        "sharing:decline": by_referral,
        "sharing:withdraw": by_referral,
        "sharing:grant_new": {"code": case.code},
        "sharing:grant_renew": {"code": grant.code},
        "sharing:grant_revoke": {"code": grant.code},
        "sharing:advocate_case": {"code": grant.code},
    }


POST_DATA: dict[str, dict[str, Any]] = {
    "sharing:decline": {"reason": "x"},
    "sharing:grant_new": {"summary": "x", "days": "90"},
}
