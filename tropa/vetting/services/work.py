"""Opening a vetting, working its checks, writing and grading its claims."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tropa.accounts.models import User
from tropa.audit.actions import Action
from tropa.audit.services import log_action
from tropa.cases import services as cases
from tropa.cases.models import Case, Note, Stage
from tropa.crypto.fields import seal

from ..models import (
    Basis,
    Check,
    CheckRevision,
    CheckStatus,
    Claim,
    Credibility,
    Reliability,
    Vetting,
    VettingState,
)
from .checklist import active_items
from .common import VettingError, clean_text, unseal_json


def open_vetting(*, actor: User | None, case: Case) -> Vetting:
    """Open the case's vetting with a check for each active checklist item; a case still in
    intake moves to the vetting stage."""
    if case.stage == Stage.CLOSED:
        raise VettingError(_("A closed case cannot be vetted."))
    if Vetting.objects.filter(organization=case.organization_id, case=case).exists():
        raise VettingError(_("This case already has a vetting."))
    items = active_items(case.organization)
    with transaction.atomic():
        vetting: Vetting = Vetting.objects.create(
            organization_id=case.organization_id,
            case=case,
            opened_by=actor,
            opened_at=timezone.now(),
        )
        Check.objects.bulk_create(
            [Check(organization_id=case.organization_id, vetting=vetting, item=i) for i in items]
        )
        if case.stage == Stage.INTAKE:
            cases.move_stage(actor=actor, case=case, to_stage=Stage.VETTING)
        log_action(actor, Action.VETTING_OPENED, case, vetting=str(vetting.code), checks=len(items))
    return vetting


def _require_open(vetting: Vetting) -> None:
    """Checks and claims change only while no decision is in effect or awaits a sign-off
    (read afresh: the caller's copy of the vetting may be older than a sign-off)."""
    state = (
        Vetting.objects.filter(organization=vetting.organization_id, pk=vetting.pk)
        .values_list("state", flat=True)
        .first()
    )
    if state != VettingState.OPEN:
        raise VettingError(_("The vetting is decided or awaiting a sign-off: reopen it first."))


@dataclass
class Links:
    """What a check rests on: codes of evidence items and screening hits, ids of notes."""

    evidence: list[str] = field(default_factory=list)
    hits: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def _checked_links(case: Case, links: Links) -> Links:
    """The links, each verified to belong to this case (never another case's material)."""
    from tropa.evidence.models import EvidenceItem
    from tropa.screening.models import ScreeningHit

    org = case.organization_id
    known = {
        "evidence": {
            str(c)
            for c in EvidenceItem.objects.filter(organization=org, case=case).values_list(
                "code", flat=True
            )
        },
        "hits": {
            str(c)
            for c in ScreeningHit.objects.filter(organization=org, case=case).values_list(
                "code", flat=True
            )
        },
        "notes": {
            str(i)
            for i in Note.objects.filter(organization=org, case=case).values_list("id", flat=True)
        },
    }
    for kind, codes in (("evidence", links.evidence), ("hits", links.hits), ("notes", links.notes)):
        if not set(codes) <= known[kind]:
            raise VettingError(_("A linked item does not belong to this case."))
    return Links(*(sorted(set(x)) for x in (links.evidence, links.hits, links.notes)))


def update_check(
    *, actor: User, check: Check, status: str, finding: str, links: Links | None = None
) -> None:
    """Record a check's status, sealed finding and links; the old version stays as history."""
    _require_open(check.vetting)
    if status not in CheckStatus.values:
        raise VettingError(_("Choose a status."))
    finding = clean_text(finding, _("finding"), required=status == CheckStatus.NOT_APPLICABLE)
    links = _checked_links(check.vetting.case, links or Links())
    now = timezone.now()
    document = {
        "finding": finding,
        "evidence": links.evidence,
        "hits": links.hits,
        "notes": links.notes,
    }
    with transaction.atomic():
        check.status, check.updated_by, check.updated_at = status, actor, now
        check.sealed = seal(check, "sealed", document)
        check.save(update_fields=["status", "updated_by", "updated_at", "sealed"])
        revision = CheckRevision(
            organization_id=check.organization_id, check_row=check, status=status, by=actor, at=now
        )
        revision.sealed = seal(revision, "sealed", document)
        revision.save()
        log_action(
            actor,
            Action.VETTING_CHECK_UPDATED,
            check.vetting.case,
            check=str(check.code),
            status=status,
            evidence=len(links.evidence),
            hits=len(links.hits),
            notes=len(links.notes),
        )


def read_check(check: Check) -> dict[str, Any]:
    empty = {"finding": "", "evidence": [], "hits": [], "notes": []}
    return {**empty, **(unseal_json(check, "sealed") or {})}


def read_history(check: Check) -> list[tuple[CheckRevision, dict[str, Any]]]:
    return [(r, unseal_json(r, "sealed")) for r in check.revisions.select_related("by")]


def add_claim(*, actor: User, vetting: Vetting, text: str) -> Claim:
    _require_open(vetting)
    text = clean_text(text, _("claim"))
    with transaction.atomic():
        claim = Claim(organization_id=vetting.organization_id, vetting=vetting, created_by=actor)
        claim.created_at = timezone.now()
        claim.sealed = seal(claim, "sealed", {"text": text, "basis_text": ""})
        claim.save()
        log_action(actor, Action.VETTING_CLAIM_ADDED, vetting.case, claim=str(claim.code))
    return claim


def grade_claim(
    *, actor: User, claim: Claim, basis: str, reliability: str, credibility: str, basis_text: str
) -> None:
    """Grade a claim: its basis and its Admiralty code, with what the grade rests on."""
    _require_open(claim.vetting)
    if (
        basis not in Basis.values
        or reliability not in Reliability.values
        or credibility not in Credibility.values
    ):
        raise VettingError(_("Choose the basis, the source's reliability and the credibility."))
    basis_text = clean_text(basis_text, _("basis"), required=False)
    document = {**read_claim(claim), "basis_text": basis_text}
    with transaction.atomic():
        claim.basis, claim.reliability, claim.credibility = basis, reliability, credibility
        claim.graded_by, claim.graded_at = actor, timezone.now()
        claim.sealed = seal(claim, "sealed", document)
        claim.save()
        log_action(
            actor,
            Action.VETTING_CLAIM_GRADED,
            claim.vetting.case,
            claim=str(claim.code),
            grade=f"{basis}/{reliability}{credibility}",
        )


def read_claim(claim: Claim) -> dict[str, str]:
    data: dict[str, str] = unseal_json(claim, "sealed") or {}
    return {"text": data.get("text", ""), "basis_text": data.get("basis_text", "")}
