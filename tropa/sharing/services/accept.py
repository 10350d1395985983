"""Accepting a referral: the chosen parts re-sealed under the receiving organization's keys.

Every value is unsealed with the sender's row and sealed into a new row of the receiver, so
the receiver's keys open exactly the chosen fields and the sender's keys never leave. The
evidence is copied afterwards in the background (``evidence.py``).
"""

from __future__ import annotations

from typing import Any

from django.apps import apps
from django.db import transaction
from django.utils.translation import gettext as _

from tropa.accounts.models import User
from tropa.audit.actions import Action
from tropa.audit.services import log_action
from tropa.cases import services as cases
from tropa.cases.models import Case, ClosedReason, Identity, ServiceRecord, Stage
from tropa.cases.services.logistics import SERVICE_FIELDS
from tropa.crypto.fields import seal, unseal
from tropa.evidence.models import EvidenceItem
from tropa.evidence.services.quota import check_limits

from ..models import CopiedItem, CopyState, Mode, Receipt, Referral, State
from . import carry
from .common import SharingError, now, require_sharer
from .referrals import _counts, _lock_pending

# The case summary that always goes with the pseudonym.
SUMMARY_FIELDS = ("risk", "country", "city_code", "city", "arrived_on")


def accept_referral(*, actor: User | None, referral: Referral) -> Receipt:
    """Make the receiver's new case from the chosen parts; queue the evidence copy."""
    require_sharer(actor, referral.receiver, _("Only the receiver's coordinator may accept."))
    with transaction.atomic():
        locked = _lock_pending(referral)
        source = Case.objects.unscoped().select_related("person").get(pk=locked.case_id)
        items = list(
            EvidenceItem.objects.filter(
                organization=source.organization_id, case=source, code__in=locked.parts["evidence"]
            )
        )
        check_limits(locked.receiver, sum(item.size for item in items))
        case, carried = _new_case(actor, locked, source, items)
        receipt = Receipt(
            organization=locked.receiver, referral=locked, case=case, created_at=now()
        )
        receipt.sealed = seal(receipt, "sealed", _receipt_values(locked, source, carried))
        receipt.save(force_insert=True)
        locked.state, locked.decided_by, locked.decided_at = State.ACCEPTED, actor, now()
        locked.copy_state = CopyState.QUEUED if items else CopyState.NONE
        locked.copy_total = sum(item.size for item in items)
        locked.save(update_fields=["state", "decided_by", "decided_at", "copy_state", "copy_total"])
        if locked.mode == Mode.TRANSFER and source.stage != Stage.CLOSED:
            cases.move_stage(
                actor=None, case=source, to_stage=Stage.CLOSED, reason=ClosedReason.REFERRED
            )
        counts = _counts(locked.parts)
        log_action(actor, Action.REFERRAL_ACCEPTED, locked, **counts)
        log_action(actor, Action.REFERRAL_ACCEPTED, receipt, case=str(case.code), **counts)
        if items:
            from ..tasks import enqueue_copy

            enqueue_copy(locked)
    return receipt


def _new_case(
    actor: User | None, referral: Referral, source: Case, items: list[EvidenceItem]
) -> tuple[Case, dict[str, Any]]:
    """The receiver's case with the chosen parts; what the receipt tells of the rest."""
    case = cases.create_case(
        actor=actor,
        organization=referral.receiver,
        pseudonym=source.person.pseudonym,
        **{name: getattr(source, name) for name in SUMMARY_FIELDS},
    )
    _copy_identity(actor, source, case, referral.parts.get("identity", []))
    if referral.parts.get("service_record"):
        _copy_service_record(actor, source, case)
    pending = [CopiedItem(referral=referral, source=i) for i in items]
    CopiedItem.objects.bulk_create(pending)
    codes = {str(p.source.code): str(p.copy_code) for p in pending}
    carried = {
        "testimony": carry.copy_testimony(referral, source, case, codes),
        "dossier": carry.dossier_contents(referral, source),
        "requests": carry.copy_outreach(actor, referral, source, case),
    }
    return case, carried


def _copy_identity(actor: User | None, source: Case, case: Case, fields: list[str]) -> None:
    if not fields:
        return
    identity = Identity.objects.get(person=source.person)
    stored = unseal(identity, "sealed", identity.sealed) or {}
    chosen = {name: stored[name] for name in fields if name in stored}
    cases.save_identity(actor=actor, person=case.person, data=chosen)


def _copy_service_record(actor: User | None, source: Case, case: Case) -> None:
    record = ServiceRecord.objects.get(person=source.person)
    cases.save_service_record(
        actor=actor,
        person=case.person,
        **{name: getattr(record, name) for name in SERVICE_FIELDS},
    )
    for deployment in record.deployments.all():
        cases.add_deployment(
            actor=actor,
            person=case.person,
            place=deployment.place,
            start=deployment.start,
            end=deployment.end,
        )


def _receipt_values(referral: Referral, source: Case, carried: dict[str, Any]) -> dict[str, Any]:
    values: dict[str, Any] = dict(unseal(referral, "sealed", referral.sealed))
    values["testimony"] = carried["testimony"]
    values["outreach_requests"] = carried["requests"]
    if carried["dossier"] is not None:
        values["dossier"] = carried["dossier"]
    values["sender"] = referral.organization.name
    values["mode"] = referral.mode
    values["parts"] = referral.parts
    if referral.parts.get("outreach"):
        values["outreach"] = _outreach_history(source)
    if referral.parts.get("vetting"):
        values["vetting"] = _vetting_outcome(source)
    return values


def _outreach_history(source: Case) -> list[dict[str, Any]]:
    from tropa.outreach.models import Request

    history = []
    requests = Request.objects.filter(organization=source.organization_id, case=source)
    for request in requests.select_related("institution").order_by("sent_on", "created_at"):
        # ``sealed`` is the letter as every outreach reader sees it: identity masked.
        letter = unseal(request, "sealed", request.sealed) or {}
        history.append(
            {
                "institution": request.institution.name,
                "channel": request.channel,
                "sent_on": request.sent_on.isoformat(),
                "status": request.status,
                "status_on": request.status_on.isoformat(),
                "subject": letter.get("subject", ""),
                "body": letter.get("body", ""),
            }
        )
    return history


def _vetting_outcome(source: Case) -> str | None:
    if not apps.is_installed("tropa.vetting"):
        return None
    from tropa.vetting.flags import vetting_decision

    return vetting_decision(source)


def read_receipt(*, actor: User | None, receipt: Receipt) -> dict[str, Any]:
    """What came with an accepted referral, for the receiver (logged)."""
    if actor is not None and actor.organization != receipt.organization:
        raise SharingError(_("Only the receiving organization reads this."))
    values = dict(unseal(receipt, "sealed", receipt.sealed))
    log_action(actor, Action.REFERRAL_VIEWED, receipt, sections=sorted(values))
    return values
