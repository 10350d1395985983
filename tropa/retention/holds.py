"""Dual control of bulk reads (R18): finding a case by identity, and bulk exports.

With the organization's dual control on, such a read is a request (``HeldAction``) that a
coordinator other than the requester approves before it expires; the requester then runs it
once, within ``TROPA_DUAL_CONTROL_REVEAL_MINUTES`` of the approval. A coordinator may break
the glass for a search, with a reason: it runs at once and waits for review, as emergency
reveals do. The gate (registered with ``tropa.cases.registry``) is where the reading pages
ask: without an approval of ``actor`` for exactly this payload, it refuses.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from tropa.accounts.models import Organization, Role, User
from tropa.audit.actions import Action
from tropa.audit.services import log_action
from tropa.crypto.fields import seal, unseal

from .dual_control import ControlError, RevealHeld, approval_refusal, policy_of
from .erasure import org_id_of
from .models import HeldAction, HeldKind, Status

SEARCH = "identity_search"


class ActionHeld(RevealHeld):
    """Dual control is on and this read has no approved request; ``url`` is where to ask."""

    def __init__(self, message: str, url: str) -> None:
        super().__init__(message)
        self.url = url


def held_on(organization_id: int | None) -> bool:
    return organization_id is not None and policy_of(organization_id).dual_control


def hold_gate(
    actor: Any, organization: Any, what: str, payload: dict[str, Any], approval: str | None
) -> None:
    """Registered with ``tropa.cases.registry``: holds back a bulk read without approval."""
    if not isinstance(actor, User) or organization is None or not held_on(organization.pk):
        return
    if approval and _use(actor, organization, what, payload, approval):
        return
    log_action(actor, Action.CONTROL_HELD, organization=organization, what=what)
    query = {"what": what} if what == SEARCH else {"what": what, **payload}
    url = reverse("retention:held_new") + "?" + urlencode(query)
    if what == SEARCH:
        message = _(
            "Finding a case by identity needs a second coordinator's approval in your "
            "organization. Ask for it here; you run the search once it is approved."
        )
    else:
        message = _(
            "Bulk exports need a second coordinator's approval in your organization. Ask for "
            "it here; you download the export once it is approved."
        )
    raise ActionHeld(message, url)


def _use(actor: User, organization: Organization, what: str, payload: Any, code: str) -> bool:
    """Mark an approved, unused request of ``actor`` for this read as used; False if none."""
    since = timezone.now() - timedelta(minutes=settings.TROPA_DUAL_CONTROL_REVEAL_MINUTES)
    with transaction.atomic():
        held = (
            HeldAction.objects.filter(
                organization=organization,
                code=code,
                what=what,
                requested_by=actor,
                status__in=[Status.APPROVED, Status.BREAK_GLASS],
                used_at=None,
                decided_at__gt=since,
            )
            .select_for_update()
            .first()
        )
        if held is None or payload_of(held) != payload:
            return False
        held.used_at = timezone.now()
        if held.status == Status.APPROVED:
            held.status = Status.USED
        held.sealed_payload = b""  # what was typed goes once it has served
        held.save(update_fields=["used_at", "status", "sealed_payload"])
        log_action(actor, Action.CONTROL_HELD_RUN, held, what=what)
    return True


def ask(*, actor: User, what: str, payload: dict[str, Any], reason: str) -> HeldAction:
    """Ask a second coordinator to approve ``what`` (with its payload) for ``actor``."""
    return _create(actor=actor, what=what, payload=payload, reason=reason, status=Status.PENDING)


def break_glass(*, actor: User, payload: dict[str, Any], reason: str) -> HeldAction:
    """An emergency search: runs at once, shown to every admin and coordinator for review."""
    if actor.role != Role.COORDINATOR:
        raise ControlError(_("Only a coordinator can make an emergency search."))
    return _create(
        actor=actor, what=SEARCH, payload=payload, reason=reason, status=Status.BREAK_GLASS
    )


def _create(
    *, actor: User, what: str, payload: dict[str, Any], reason: str, status: str
) -> HeldAction:
    if not reason.strip():
        raise ControlError(_("Say why: a second person decides on your reason."))
    org_id = org_id_of(actor)
    if org_id is None:
        raise ControlError(_("Only a coordinator of the organization can approve this request."))
    if what == SEARCH and not str(payload.get("who", "")).strip():
        raise ControlError(_("Write a document number or a legal name."))
    now = timezone.now()
    hours = policy_of(org_id).approval_hours
    broken = status == Status.BREAK_GLASS
    with transaction.atomic():
        held = HeldAction(
            organization_id=org_id,
            kind=HeldKind.SEARCH if what == SEARCH else HeldKind.EXPORT,
            what=what,
            requested_by=actor,
            status=status,
            created_at=now,
            expires_at=now if broken else now + timedelta(hours=hours),
            decided_by=actor if broken else None,
            decided_at=now if broken else None,
        )
        held.sealed_reason = seal(held, "sealed_reason", reason.strip())
        held.sealed_payload = seal(held, "sealed_payload", payload)
        held.save()
        action = Action.CONTROL_BREAK_GLASS if broken else Action.CONTROL_REQUESTED
        log_action(actor, action, held, kind=held.kind, what=what)
    return held


def decide(*, actor: User, held: HeldAction, approve: bool) -> HeldAction:
    """Approve or refuse; self-approval and approval after expiry are refused, on record."""
    with transaction.atomic():
        locked: HeldAction = (
            HeldAction.objects.filter(organization=held.organization_id, pk=held.pk)
            .select_for_update()
            .get()
        )
        refusal = approval_refusal(actor, locked)
        if refusal is None:
            locked.status = Status.APPROVED if approve else Status.REFUSED
            locked.decided_by, locked.decided_at = actor, timezone.now()
            if not approve:
                locked.sealed_payload = b""
            locked.save(update_fields=["status", "decided_by", "decided_at", "sealed_payload"])
            action = Action.CONTROL_APPROVED if approve else Action.CONTROL_REFUSED
            log_action(actor, action, locked, kind=locked.kind, what=locked.what)
    if refusal is not None:
        log_action(actor, Action.CONTROL_APPROVAL_REFUSED, locked, kind=locked.kind)
        raise ControlError(refusal)
    return locked


def mark_reviewed(*, actor: User, held: HeldAction) -> None:
    if actor.role not in (Role.ADMIN, Role.COORDINATOR) or held.requested_by_id == actor.pk:
        raise ControlError(_("Another admin or coordinator reviews an emergency reveal."))
    with transaction.atomic():
        held.reviewed_by = actor
        held.save(update_fields=["reviewed_by"])
        log_action(actor, Action.CONTROL_REVIEWED, held)


def payload_of(held: HeldAction) -> Any:
    return unseal(held, "sealed_payload", held.sealed_payload)


def reason_of(held: HeldAction) -> str:
    return str(unseal(held, "sealed_reason", held.sealed_reason) or "")


def pending(organization: Organization) -> Any:
    return HeldAction.objects.filter(
        organization=organization, status=Status.PENDING
    ).select_related("requested_by")


def unreviewed(organization: Organization) -> Any:
    return HeldAction.objects.filter(
        organization=organization, status=Status.BREAK_GLASS, reviewed_by=None
    ).select_related("requested_by")


def mine(actor: User) -> Any:
    return HeldAction.objects.filter(organization=org_id_of(actor), requested_by=actor)[:20]


def runnable(held: HeldAction) -> bool:
    since = timezone.now() - timedelta(minutes=settings.TROPA_DUAL_CONTROL_REVEAL_MINUTES)
    return (
        held.status in (Status.APPROVED, Status.BREAK_GLASS)
        and held.used_at is None
        and held.decided_at is not None
        and held.decided_at > since
    )
