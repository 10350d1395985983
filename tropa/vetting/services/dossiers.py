"""Dossiers: requested for a recipient, approved by a second person, built, fetched, expired.

As with evidence exports: the requester never approves their own, the file is stored
encrypted with the case key, it expires after ``TROPA_EVIDENCE_EXPORT_DAYS`` days, and each
download is audited. A dossier exists only for a decided vetting, and only while that
decision is in effect.
"""

from __future__ import annotations

import io
import logging
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tasks import task

from tropa.accounts.models import User
from tropa.accounts.permissions import Cap, can
from tropa.audit.actions import Action
from tropa.audit.services import log_action
from tropa.cases.services import record_reveals
from tropa.crypto.fields import seal, unseal
from tropa.evidence import vault
from tropa.evidence.services.quota import export_days
from tropa.evidence.storage import get_storage

from ..models import (
    DOSSIER_IDENTITY_FIELDS,
    Decision,
    DecisionState,
    Dossier,
    DossierLanguage,
    DossierStatus,
    Recipient,
    Vetting,
    VettingState,
)
from .common import VettingError, clean_text

logger = logging.getLogger(__name__)


def decided(vetting: Vetting) -> Decision:
    """The decision in effect, or a refusal that says why there is no dossier yet."""
    decision: Decision | None = Decision.objects.filter(
        organization=vetting.organization_id, vetting=vetting, state=DecisionState.DECIDED
    ).first()
    state = (
        Vetting.objects.filter(organization=vetting.organization_id, pk=vetting.pk)
        .values_list("state", flat=True)
        .first()
    )
    if state != VettingState.DECIDED or decision is None:
        raise VettingError(
            _("A dossier can only be made once the vetting is decided by two sign-offs.")
        )
    return decision


def _check_choice(language: str, kind: str, fields: list[str]) -> None:
    if language not in DossierLanguage.values:
        raise VettingError(_("Choose the dossier's language: English, German, French or Russian."))
    if kind not in Recipient.values:
        raise VettingError(_("Choose who receives the dossier."))
    if not set(fields) <= set(DOSSIER_IDENTITY_FIELDS):
        raise VettingError(_("Only the offered identity fields can go into a dossier."))


def request_dossier(
    *,
    actor: User,
    vetting: Vetting,
    recipient_kind: str,
    recipient_name: str,
    language: str,
    identity_fields: list[str],
) -> Dossier:
    if not can(actor, Cap.VET):
        raise VettingError(_("Your role cannot work on vettings."))
    _check_choice(language, recipient_kind, identity_fields)
    name = clean_text(recipient_name, _("recipient"))[:200]
    decision = decided(vetting)
    now = timezone.now()
    with transaction.atomic():
        dossier = Dossier(
            organization_id=vetting.organization_id,
            vetting=vetting,
            decision=decision,
            recipient_kind=recipient_kind,
            language=language,
            identity_fields=sorted(set(identity_fields)),
            requested_by=actor,
            requested_at=now,
            expires_at=now + timedelta(days=export_days()),
        )
        dossier.sealed_recipient = seal(dossier, "sealed_recipient", name)
        dossier.save()
        log_action(
            actor,
            Action.VETTING_DOSSIER_REQUESTED,
            vetting.case,
            dossier=str(dossier.code),
            language=language,
            recipient=recipient_kind,
            identity_fields=dossier.identity_fields,
        )
    return dossier


def may_decide_dossier(user: User, dossier: Dossier) -> bool:
    """A second person who approves exports; never the requester (as evidence exports)."""
    return dossier.requested_by_id != user.pk and can(user, Cap.APPROVE_EXPORT)


def decide_dossier(*, actor: User, dossier: Dossier, approve: bool) -> None:
    if dossier.status != DossierStatus.PENDING or dossier.expires_at < timezone.now():
        raise VettingError(_("This dossier is no longer waiting for a decision."))
    if dossier.requested_by_id == actor.pk:
        raise VettingError(_("Someone other than the requester must approve a dossier."))
    if not may_decide_dossier(actor, dossier):
        raise VettingError(_("Your role cannot approve exports."))
    if approve:
        decided(dossier.vetting)
    with transaction.atomic():
        done = Dossier.objects.filter(
            organization=dossier.organization_id, pk=dossier.pk, status=DossierStatus.PENDING
        ).update(
            status=DossierStatus.BUILDING if approve else DossierStatus.REFUSED,
            decided_by=actor,
            decided_at=timezone.now(),
        )
        if done != 1:
            raise VettingError(_("This dossier is no longer waiting for a decision."))
        log_action(
            actor,
            Action.VETTING_DOSSIER_APPROVED if approve else Action.VETTING_DOSSIER_REFUSED,
            dossier.vetting.case,
            dossier=str(dossier.code),
        )
        if approve:
            transaction.on_commit(lambda: build_dossier_task.enqueue(str(dossier.pk)))


def _reveal(actor: User | None, dossier_code: str, vetting: Vetting, fields: list[str]) -> None:
    """Identity going into a dossier is a reveal (counted towards the hourly cap)."""
    if not fields:
        return
    record_reveals(actor=actor, people=[vetting.case.person], purpose="dossier", fields=fields)
    log_action(
        actor,
        Action.VETTING_DOSSIER_IDENTITY_INCLUDED,
        vetting.case,
        dossier=dossier_code,
        fields=fields,
    )


def build_dossier(dossier: Dossier) -> None:
    """Build the approved dossier and store it encrypted with the case key."""
    from ..dossier.build import build_dossier as build

    vetting = dossier.vetting
    try:
        decision = decided(vetting)
        if decision.pk != dossier.decision_id:
            raise VettingError(_("The decision was reopened."))
        _reveal(dossier.requested_by, str(dossier.code), vetting, list(dossier.identity_fields))
        made = build(
            vetting=vetting,
            decision=decision,
            language=dossier.language,
            recipient={
                "kind": dossier.recipient_kind,
                "name": unseal(dossier, "sealed_recipient", bytes(dossier.sealed_recipient)),
            },
            identity_fields=list(dossier.identity_fields),
            dossier_code=str(dossier.code),
            requested_by=dossier.requested_by,
            approved_by=dossier.decided_by,
        )
        key = vault.case_key(vetting.case, create=True)
        written = vault.write_encrypted(
            get_storage(), key, io.BytesIO(made.tar_bytes()).read, limit=2**40
        )
    except Exception as exc:
        logger.error("dossier %s: building failed (%s)", dossier.code, type(exc).__name__)
        Dossier.objects.filter(organization=dossier.organization_id, pk=dossier.pk).update(
            status=DossierStatus.FAILED
        )
        return
    with transaction.atomic():
        Dossier.objects.filter(
            organization=dossier.organization_id, pk=dossier.pk, status=DossierStatus.BUILDING
        ).update(
            status=DossierStatus.READY, blob=written.blob, sha256=written.sha256, size=written.size
        )
        log_action(None, Action.VETTING_DOSSIER_BUILT, vetting.case, dossier=str(dossier.code))


@task()
def build_dossier_task(dossier_id: str) -> None:
    dossier = (
        Dossier.objects.unscoped()
        .select_related("vetting__case__person", "vetting__case__organization")
        .filter(pk=dossier_id, status=DossierStatus.BUILDING)
        .first()
    )
    if dossier is not None:
        build_dossier(dossier)


def download_dossier(*, actor: User, dossier: Dossier) -> Iterator[bytes]:
    """The dossier's bytes, for its requester only, while it has not expired."""
    if dossier.status != DossierStatus.READY or dossier.expires_at < timezone.now():
        raise VettingError(_("This dossier is not available (not ready, or expired)."))
    if dossier.requested_by_id != actor.pk:
        raise VettingError(_("Only the person who requested the dossier can download it."))
    if dossier.decision.state != DecisionState.DECIDED:
        raise VettingError(_("The decision this dossier states was reopened: request a new one."))
    key = vault.case_key(dossier.vetting.case)
    log_action(
        actor, Action.VETTING_DOSSIER_DOWNLOADED, dossier.vetting.case, dossier=str(dossier.code)
    )
    return vault.iter_plaintext(get_storage(), key, dossier.blob)


def export_dossier(
    *,
    actor: User | None,
    vetting: Vetting,
    language: str,
    identity_fields: list[str],
    path: str,
    recipient_name: str = "",
) -> dict[str, Any]:
    """The shell's export (``tropa dossier export``): refused unless the vetting is decided."""
    from tropa.evidence.bundle import write_to_file

    from ..dossier.build import build_dossier as build

    _check_choice(language, Recipient.EMBASSY, identity_fields)
    decision = decided(vetting)
    _reveal(actor, "cli", vetting, identity_fields)
    made = build(
        vetting=vetting,
        decision=decision,
        language=language,
        recipient={"kind": "", "name": recipient_name},
        identity_fields=identity_fields,
        dossier_code="cli",
        requested_by=actor,
        approved_by=None,
    )
    write_to_file(made.plan, path)
    log_action(
        actor,
        Action.VETTING_DOSSIER_EXPORTED,
        vetting.case,
        language=language,
        identity_fields=identity_fields,
    )
    return made.manifest


def dossier_recipient(dossier: Dossier) -> str:
    return str(unseal(dossier, "sealed_recipient", bytes(dossier.sealed_recipient)))


def expire_dossiers() -> int:
    """Dossiers past their expiry: marked expired, their stored file deleted (the sweep)."""
    now = timezone.now()
    expired = list(
        Dossier.objects.unscoped()
        .select_related("vetting__case")
        .filter(expires_at__lt=now)
        .exclude(status__in=[DossierStatus.EXPIRED, DossierStatus.REFUSED])
    )
    storage = get_storage()
    for dossier in expired:
        with transaction.atomic():
            Dossier.objects.filter(organization=dossier.organization_id, pk=dossier.pk).update(
                status=DossierStatus.EXPIRED, blob=""
            )
            log_action(
                None,
                Action.VETTING_DOSSIER_EXPIRED,
                dossier.vetting.case,
                dossier=str(dossier.code),
            )
        if dossier.blob:
            storage.delete(dossier.blob)
    return len(expired)
