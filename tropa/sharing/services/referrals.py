"""Referring a case: what the sender chooses, and the decisions on it (withdraw, decline).

Nothing of the case is copied before acceptance (``accept.py``): the receiving organization
has no row of it, so its keys open nothing; it sees the referral's kind and its sender.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.apps import apps
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tropa.accounts.models import Organization, User
from tropa.accounts.permissions import Cap, can
from tropa.audit.actions import Action
from tropa.audit.services import log_action
from tropa.cases.models import Case, Identity, ServiceRecord, Stage
from tropa.cases.services.identity import IDENTITY_FIELDS
from tropa.crypto.fields import seal, unseal
from tropa.evidence.models import EvidenceItem

from ..models import ConsentHow, Mode, Referral, State
from .common import SharingError, now, require_sharer


@dataclass
class Consent:
    """The man's consent: when, how, and for what he agreed to the referral."""

    on: date
    how: str
    purpose: str

    def clean(self) -> Consent:
        if self.how not in ConsentHow.values:
            raise SharingError(_("Say how the person gave his consent."))
        if not self.purpose.strip():
            raise SharingError(_("Say what the person agreed to."))
        if self.on > timezone.localdate():
            raise SharingError(_("The consent cannot be dated in the future."))
        self.purpose = self.purpose.strip()[:2000]
        return self


@dataclass
class Parts:
    """What goes with the pseudonym and the case summary, which always go."""

    identity: list[str] = field(default_factory=list)
    service_record: bool = False
    evidence: list[str] = field(default_factory=list)
    outreach: bool = False
    vetting: bool = False
    # Interviews (testimony codes); the evidence items they cite go with them.
    testimony: list[str] = field(default_factory=list)
    # The vetting dossier's contents (checks, claims, screening, the decision's reasons).
    vetting_dossier: bool = False
    # The person's consent names his testimony: needed to send a restricted statement.
    testimony_consent: bool = False

    def as_dict(self) -> dict[str, Any]:
        return {
            "identity": sorted(self.identity),
            "service_record": self.service_record,
            "evidence": sorted(self.evidence),
            "outreach": self.outreach,
            "vetting": self.vetting,
            "testimony": sorted(self.testimony),
            "vetting_dossier": self.vetting_dossier,
            "testimony_consent": self.testimony_consent,
        }


def _check_parts(actor: User | None, case: Case, parts: Parts) -> Parts:
    unknown = set(parts.identity) - set(IDENTITY_FIELDS)
    if unknown:
        raise SharingError(_("Unknown identity field."))
    if parts.identity:
        identity = Identity.objects.filter(person=case.person).first()
        stored = unseal(identity, "sealed", identity.sealed) if identity else {}
        if not set(parts.identity) <= set(stored or {}):
            raise SharingError(_("A chosen identity field is empty for this person."))
    if parts.service_record and not ServiceRecord.objects.filter(person=case.person).exists():
        raise SharingError(_("This person has no service record to send."))
    cited = _testimony_evidence(actor, case, parts.testimony, parts.testimony_consent)
    parts.evidence = sorted(set(parts.evidence) | cited)
    if parts.vetting_dossier and not _decided_vetting(case):
        raise SharingError(_("This case has no decided vetting whose dossier could go."))
    if parts.evidence:
        found = EvidenceItem.objects.filter(
            organization=case.organization_id, case=case, code__in=parts.evidence
        ).count()
        if found != len(set(parts.evidence)):
            raise SharingError(_("A chosen evidence item is not one of this case's."))
    return parts


def restricted_testimony(case: Case) -> bool:
    """Is the case's witness flagged "may be implicated" (his statements restricted)?"""
    if not apps.is_installed("tropa.testimony"):
        return False
    from tropa.testimony.flags import implicated_flag

    return implicated_flag(case) is not None


def _testimony_evidence(
    actor: User | None, case: Case, codes: list[str], named: bool = False
) -> set[str]:
    """The evidence items the chosen interviews cite (recordings, scans): they go too.
    A flagged witness's statements (E13) may be sent unread by a coordinator, who would
    read them were he not flagged, when the person's consent names his testimony."""
    if not codes:
        return set()
    if not apps.is_installed("tropa.testimony"):
        raise SharingError(_("A chosen interview is not one of this case's."))
    from tropa.testimony.access import may_see_case_testimony
    from tropa.testimony.models import Testimony
    from tropa.testimony.services import current

    restricted = restricted_testimony(case)
    unread = actor is not None and not may_see_case_testimony(actor, case)
    if unread and not (restricted and can(actor, Cap.VIEW_TESTIMONY)):
        raise SharingError(_("You may not read this case's testimony, so you cannot send it."))
    if restricted_testimony(case) and not named:
        raise SharingError(
            _("A restricted statement goes only if the person's consent names his testimony.")
        )

    chosen = list(
        Testimony.objects.filter(organization=case.organization_id, case=case, code__in=codes)
    )
    if len(chosen) != len(set(codes)):
        raise SharingError(_("A chosen interview is not one of this case's."))
    cited: set[str] = set()
    for testimony in chosen:
        cited.update(str(code) for code in current(testimony).get("evidence") or [])
    known = EvidenceItem.objects.filter(
        organization=case.organization_id, case=case, code__in=cited
    ).values_list("code", flat=True)
    return {str(code) for code in known}


def _decided_vetting(case: Case) -> bool:
    if not apps.is_installed("tropa.vetting"):
        return False
    from tropa.vetting.flags import vetting_decision

    return vetting_decision(case) is not None


def refer_case(
    *,
    actor: User | None,
    case: Case,
    receiver: Organization,
    mode: str,
    consent: Consent,
    parts: Parts,
    note: str = "",
) -> Referral:
    """Offer ``case`` to ``receiver``; nothing is copied until a coordinator there accepts."""
    require_sharer(actor, case.organization, _("Only a coordinator may refer a case."))
    if receiver.pk == case.organization_id:
        raise SharingError(_("Choose another organization than your own."))
    if mode not in Mode.values:
        raise SharingError(_("Choose whether the case is transferred or shared."))
    if case.stage == Stage.CLOSED:
        raise SharingError(_("A closed case cannot be referred."))
    consent.clean()
    _check_parts(actor, case, parts)
    with transaction.atomic():
        if Referral.objects.filter(
            organization=case.organization, case=case, receiver=receiver, state=State.PENDING
        ).exists():
            raise SharingError(_("This case already waits for that organization's answer."))
        referral = Referral(
            organization=case.organization,
            case=case,
            receiver=receiver,
            mode=mode,
            parts=parts.as_dict(),
            created_by=actor,
            created_at=now(),
        )
        referral.sealed = seal(
            referral,
            "sealed",
            {
                "note": note.strip()[:4000],
                "consent_on": consent.on.isoformat(),
                "consent_how": consent.how,
                "consent_for": consent.purpose,
            },
        )
        referral.save(force_insert=True)
        counts = _counts(referral.parts)
        log_action(
            actor, Action.REFERRAL_CREATED, referral, case=str(case.code), mode=mode, **counts
        )
        if referral.parts["testimony"] and restricted_testimony(case):
            log_action(
                actor,
                Action.REFERRAL_RESTRICTED_CHOSEN,
                referral,
                statements=len(referral.parts["testimony"]),
            )
        # The receiver's log: that something came, from whom; no case code.
        log_action(
            actor,
            Action.REFERRAL_RECEIVED,
            referral,
            organization=receiver,
            sender=str(case.organization.code),
            mode=mode,
        )
    return referral


def _counts(parts: dict[str, Any]) -> dict[str, Any]:
    return {
        "identity_fields": list(parts.get("identity", [])),
        "service_record": bool(parts.get("service_record")),
        "evidence": len(parts.get("evidence", [])),
        "outreach": bool(parts.get("outreach")),
        "vetting": bool(parts.get("vetting")),
        "testimony": len(parts.get("testimony", [])),
        "vetting_dossier": bool(parts.get("vetting_dossier")),
    }


def read_referral(*, actor: User | None, referral: Referral) -> dict[str, Any]:
    """The sender's sealed note and consent, for the sender only (logged)."""
    if actor is not None and actor.organization != referral.organization:
        raise SharingError(_("Only the sending organization reads this."))
    values = dict(unseal(referral, "sealed", referral.sealed))
    if referral.sealed_reason:
        values["reason"] = unseal(referral, "sealed_reason", referral.sealed_reason)
    log_action(actor, Action.REFERRAL_VIEWED, referral, sections=sorted(values))
    return values


def _lock_pending(referral: Referral) -> Referral:
    locked: Referral = (
        Referral.objects.unscoped().select_for_update().select_related("case").get(pk=referral.pk)
    )
    if locked.state != State.PENDING:
        raise SharingError(_("This referral has already been decided."))
    return locked


def withdraw_referral(*, actor: User | None, referral: Referral) -> Referral:
    require_sharer(actor, referral.organization, _("Only the sender's coordinator may withdraw."))
    with transaction.atomic():
        locked = _lock_pending(referral)
        locked.state, locked.decided_by, locked.decided_at = State.WITHDRAWN, actor, now()
        locked.save(update_fields=["state", "decided_by", "decided_at"])
        log_action(actor, Action.REFERRAL_WITHDRAWN, locked)
        log_action(actor, Action.REFERRAL_WITHDRAWN, locked, organization=locked.receiver)
    return locked


def decline_referral(*, actor: User | None, referral: Referral, reason: str) -> Referral:
    require_sharer(actor, referral.receiver, _("Only the receiver's coordinator may decline."))
    if not reason.strip():
        raise SharingError(_("Say why the referral is declined."))
    with transaction.atomic():
        locked = _lock_pending(referral)
        locked.state, locked.decided_by, locked.decided_at = State.DECLINED, actor, now()
        # Sealed with the sender's key: the sender is who reads why.
        locked.sealed_reason = seal(locked, "sealed_reason", reason.strip()[:2000])
        locked.save(update_fields=["state", "decided_by", "decided_at", "sealed_reason"])
        log_action(actor, Action.REFERRAL_DECLINED, locked)
        log_action(actor, Action.REFERRAL_DECLINED, locked, organization=locked.receiver)
    return locked
