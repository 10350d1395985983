"""What the vetting pages decrypt, each read through one function that also logs it."""

from __future__ import annotations

from typing import Any

from django.utils import formats, timezone

from tropa.accounts.models import Role, User
from tropa.accounts.permissions import Cap, can
from tropa.audit.actions import Action
from tropa.audit.services import log_action
from tropa.cases.models import Case, Note
from tropa.crypto.fields import unseal

from . import services
from .models import Check, Claim, Decision, Dossier, DossierStatus, Vetting, VettingState


def link_choices(case: Case) -> dict[str, list[tuple[str, str]]]:
    """What a check can rest on, named by code, type and date (never by content)."""
    from tropa.evidence.models import EvidenceItem
    from tropa.screening.models import ScreeningHit

    org = case.organization_id
    items = EvidenceItem.objects.filter(organization=org, case=case).order_by("created_at")
    hits = ScreeningHit.objects.filter(organization=org, case=case).order_by("code")
    notes = Note.objects.filter(organization=org, case=case).order_by("created_at")

    def when(value: Any) -> str:
        return str(formats.date_format(timezone.localtime(value), "SHORT_DATETIME_FORMAT"))

    return {
        "evidence": [
            (str(i.code), f"{str(i.code)[:8]} · {i.mime} · {when(i.created_at)}")
            for i in items.only("code", "mime", "created_at")
        ],
        "hits": [
            (str(h.code), f"{str(h.code)[:8]} · {h.get_status_display()}")
            for h in hits.only("code", "status")
        ],
        "notes": [(str(n.id), f"{str(n.id)[:8]} · {when(n.created_at)}") for n in notes],
    }


def _decision_row(decision: Decision) -> dict[str, Any]:
    signoffs = [
        {
            "user": s.user,
            "role": dict(Role.choices).get(s.role, s.role),
            "at": s.at,
            "override": unseal(s, "sealed_override", bytes(s.sealed_override))
            if s.sealed_override
            else "",
        }
        for s in decision.signoffs.all()
    ]
    reopen = (
        unseal(decision, "sealed_reopen_reason", bytes(decision.sealed_reopen_reason))
        if decision.sealed_reopen_reason
        else ""
    )
    reasons = unseal(decision, "sealed_reasons", bytes(decision.sealed_reasons))
    return {"decision": decision, "reasons": reasons, "signoffs": signoffs, "reopen": reopen}


def read_vetting_page(*, actor: User, vetting: Vetting) -> dict[str, Any]:
    """Everything the vetting page shows: checks with findings, claims, decisions, dossiers."""
    checks = [
        (c, services.read_check(c))
        for c in Check.objects.filter(
            organization=vetting.organization_id, vetting=vetting
        ).select_related("item", "updated_by")
    ]
    claims = [
        (c, services.read_claim(c))
        for c in Claim.objects.filter(
            organization=vetting.organization_id, vetting=vetting
        ).select_related("graded_by")
    ]
    decisions = [
        _decision_row(d)
        for d in Decision.objects.filter(
            organization=vetting.organization_id, vetting=vetting
        ).prefetch_related("signoffs__user")
    ]
    current = next((d for d in decisions if d["decision"].state in ("proposed", "decided")), None)
    dossiers = Dossier.objects.filter(organization=vetting.organization_id, vetting=vetting)
    dossier_rows = [
        (d, services.dossier_recipient(d)) for d in dossiers.select_related("requested_by")
    ]
    log_action(
        actor,
        Action.VETTING_VIEWED,
        vetting.case,
        vetting=str(vetting.code),
        sections=["checks", "claims", "decisions", "dossiers"],
    )
    decision = current["decision"] if current else None
    return {
        "checks": checks,
        "claims": claims,
        "current": current,
        "history": [d for d in decisions if d is not current],
        "dossiers": dossier_rows,
        "blockers": services.blockers(vetting),
        "implicated": services.implicated(vetting.case),
        "may_work": can(actor, Cap.VET) and vetting.state == VettingState.OPEN,
        "sign_refusal": services.signoff_refusal(actor, vetting, decision),
        "may_vet": can(actor, Cap.VET),
    }


def read_check_page(*, actor: User, check: Check) -> dict[str, Any]:
    data = services.read_check(check)
    history = services.read_history(check)
    log_action(
        actor, Action.VETTING_VIEWED, check.vetting.case, check=str(check.code), sections=["check"]
    )
    return {
        "check": check,
        "vetting": check.vetting,
        "case": check.vetting.case,
        "data": data,
        "history": history,
        "initial": {"status": check.status, **data},
        "may_work": can(actor, Cap.VET) and check.vetting.state == VettingState.OPEN,
    }


def read_claim_page(*, actor: User, claim: Claim) -> dict[str, Any]:
    data = services.read_claim(claim)
    log_action(
        actor, Action.VETTING_VIEWED, claim.vetting.case, claim=str(claim.code), sections=["claim"]
    )
    return {
        "claim": claim,
        "vetting": claim.vetting,
        "case": claim.vetting.case,
        "data": data,
        "initial": {
            "basis": claim.basis,
            "reliability": claim.reliability,
            "credibility": claim.credibility,
            "basis_text": data["basis_text"],
        },
        "may_work": can(actor, Cap.VET) and claim.vetting.state == VettingState.OPEN,
    }


def read_dossier_page(*, actor: User, dossier: Dossier) -> dict[str, Any]:
    log_action(
        actor,
        Action.VETTING_VIEWED,
        dossier.vetting.case,
        dossier=str(dossier.code),
        sections=["dossier"],
    )
    expired = dossier.expires_at < timezone.now()
    return {
        "dossier": dossier,
        "vetting": dossier.vetting,
        "case": dossier.vetting.case,
        "recipient": services.dossier_recipient(dossier),
        "expired": expired,
        "may_decide": dossier.status == DossierStatus.PENDING
        and not expired
        and services.may_decide_dossier(actor, dossier),
        "may_download": dossier.status == DossierStatus.READY
        and not expired
        and dossier.requested_by_id == actor.pk,
    }
