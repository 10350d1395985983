"""Vetting objects of another organization for the URL-walking isolation test (R1)."""

from __future__ import annotations

from typing import Any

from tropa.accounts.models import Role
from tropa.accounts.services import create_user
from tropa.cases import services as cases
from tropa.vetting import services
from tropa.vetting.models import CheckStatus


def isolation_kwargs(world: Any) -> dict[str, dict[str, Any]]:
    org = world.other_org
    opener = world.outsider
    first, _ = create_user(
        actor=None, organization=org, username="iso-v1", role=Role.VERIFIER, password=None
    )
    second, _ = create_user(
        actor=None, organization=org, username="iso-v2", role=Role.VERIFIER, password=None
    )
    case = cases.create_case(actor=opener, organization=org, pseudonym="Elsewhere vetted")
    vetting = services.open_vetting(actor=opener, case=case)
    for check in vetting.checks.all():
        services.update_check(actor=first, check=check, status=CheckStatus.SATISFIED, finding="ok")
    claim = services.add_claim(actor=first, vetting=vetting, text="A claim elsewhere")
    decision = services.propose_decision(actor=first, vetting=vetting, outcome="defer", reasons="r")
    services.sign_decision(actor=second, decision=decision)
    dossier = services.request_dossier(
        actor=first,
        vetting=vetting,
        recipient_kind="ngo",
        recipient_name="NGO",
        language="en",
        identity_fields=[],
    )
    item = services.checklist(org)[0]
    by_vetting = {"code": vetting.code}
    return {
        "vetting:open": {"code": case.code},
        "vetting:detail": by_vetting,
        "vetting:claim_add": by_vetting,
        "vetting:propose": by_vetting,
        "vetting:sign": by_vetting,
        "vetting:withdraw": by_vetting,
        "vetting:reopen": by_vetting,
        "vetting:dossier_new": by_vetting,
        "vetting:check": {"code": vetting.checks.first().code},  # type: ignore[union-attr]  # it has checks
        "vetting:claim": {"code": claim.code},
        "vetting:dossier": {"code": dossier.code},
        "vetting:dossier_decide": {"code": dossier.code},
        "vetting:dossier_download": {"code": dossier.code},
        "vetting:checklist_item": {"code": item.code},
    }


# A valid body for each POST view, so that a 404 proves isolation and not a form error.
POST_DATA: dict[str, dict[str, Any]] = {
    "vetting:claim_add": {"text": "x"},
    "vetting:propose": {"outcome": "defer", "reasons": "x"},
    "vetting:reopen": {"reason": "x"},
    "vetting:dossier_new": {"recipient_kind": "ngo", "recipient_name": "x", "language": "en"},
    "vetting:dossier_decide": {"decision": "approve"},
    "vetting:check": {"status": "satisfied", "finding": "x"},
    "vetting:claim": {"basis": "documented", "reliability": "A", "credibility": "1"},
    "vetting:checklist_item": {"name": "x"},
}
