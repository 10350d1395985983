"""Dual control (R18): with it on, an identity reveal is a request a second person approves.

The requester asks with a reason; a coordinator other than the requester approves it before
it expires; the approved request then lets its requester see that case's identity for
``TROPA_DUAL_CONTROL_REVEAL_MINUTES``. A coordinator may "break the glass" in an emergency,
with a reason: the reveal happens at once, and every admin and coordinator sees it in the
review list until one of them marks it reviewed.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from tropa.accounts.models import Organization, Role, User
from tropa.accounts.permissions import Cap, can
from tropa.audit.actions import Action
from tropa.audit.services import log_action
from tropa.cases.models import Case, Person
from tropa.cases.services import RevealLimitReached
from tropa.core.errors import ServiceError
from tropa.crypto.fields import seal, unseal

from .erasure import org_id_of
from .models import HeldAction, Kind, Policy, Request, Status


class ControlError(ServiceError):
    """A request or an approval that cannot be carried out; the message is for the user."""


class RevealHeld(RevealLimitReached, ControlError):
    """Dual control is on and this reveal has no approved request. A RevealLimitReached, so
    that every page that reveals (letters, hits, exports) refuses it the way it refuses a
    reveal past the hourly cap."""


def policy_of(organization_id: int) -> Policy:
    return Policy.objects.get_or_create(organization_id=organization_id)[0]


def set_policy(
    *, actor: User, organization: Organization, dual_control: bool, approval_hours: int
) -> Policy:
    if not 1 <= approval_hours <= 168:
        raise ControlError(_("A request waits between 1 and 168 hours for its approval."))
    with transaction.atomic():
        policy = policy_of(organization.pk)
        policy.dual_control, policy.approval_hours = dual_control, approval_hours
        policy.save()
        log_action(
            actor,
            Action.CONTROL_POLICY_CHANGED,
            organization=organization,
            dual_control=dual_control,
            approval_hours=approval_hours,
        )
    return policy


def _window() -> timedelta:
    return timedelta(minutes=settings.TROPA_DUAL_CONTROL_REVEAL_MINUTES)


def usable_reveal(actor: User, case: Case) -> Request | None:
    """An approved (or emergency) reveal of ``case`` for ``actor`` still within its window."""
    since = timezone.now() - _window()
    return (
        Request.objects.filter(
            organization=case.organization_id,
            case=case,
            kind=Kind.REVEAL,
            requested_by=actor,
            decided_at__gt=since,
        )
        .filter(Q(status=Status.APPROVED) | Q(status=Status.BREAK_GLASS))
        .first()
    )


def reveal_gate(actor: Any, people: list[Person], purpose: str) -> None:
    """Registered with ``tropa.cases.registry``: holds back a reveal without approval."""
    if not people or not isinstance(actor, User):
        return
    on = Policy.objects.filter(organization_id=people[0].organization_id).values_list(
        "dual_control", flat=True
    )
    if not on.first():
        return
    for person in people:
        case = Case.objects.filter(organization=person.organization_id, person=person).first()
        if case is None or usable_reveal(actor, case) is None:
            log_action(actor, Action.IDENTITY_REVEAL_HELD, person, purpose=purpose)
            raise RevealHeld(
                _(
                    "Identity reveals need a second person's approval in your organization. "
                    "Ask for a reveal on the case page; a coordinator approves it."
                )
            )


def request_reveal(*, actor: User, case: Case, reason: str) -> Request:
    return _request(actor=actor, case=case, kind=Kind.REVEAL, reason=reason)


def request_erasure(*, actor: User, case: Case, reason: str) -> Request:
    """A coordinator asks to erase ``case`` now; a second coordinator's approval erases it."""
    from .erasure import erasure_refusal

    if actor.role != Role.COORDINATOR:
        raise ControlError(_("Only a coordinator can ask for a case to be erased."))
    refusal = erasure_refusal(case)
    if refusal:
        raise ControlError(refusal)
    return _request(actor=actor, case=case, kind=Kind.ERASE, reason=reason)


def _request(*, actor: User, case: Case, kind: str, reason: str) -> Request:
    if not reason.strip():
        raise ControlError(_("Say why: a second person decides on your reason."))
    if kind == Kind.REVEAL and not can(actor, Cap.VIEW_IDENTITY):
        raise ControlError(_("Your role cannot see identities."))
    now = timezone.now()
    with transaction.atomic():
        request = Request(
            organization_id=case.organization_id,
            kind=kind,
            case=case,
            requested_by=actor,
            created_at=now,
            expires_at=now + timedelta(hours=policy_of(case.organization_id).approval_hours),
        )
        request.sealed_reason = seal(request, "sealed_reason", reason.strip())
        request.save()
        log_action(actor, Action.CONTROL_REQUESTED, request, kind=kind, case=str(case.code))
    return request


def approval_role(user: User) -> bool:
    """Whether ``user``'s role approves requests (and reads their reasons)."""
    return user.role == Role.COORDINATOR


def approval_refusal(actor: User, request: Request | HeldAction) -> str | None:
    """Why ``actor`` may not approve ``request`` (or a held bulk read); None if they may.
    Pages hide the button with it, the services refuse with it."""
    if actor.role != Role.COORDINATOR or org_id_of(actor) != request.organization_id:
        return _("Only a coordinator of the organization can approve this request.")
    if request.requested_by_id == actor.pk:
        return _("You cannot approve your own request: a second person must.")
    if request.status != Status.PENDING:
        return _("This request has already been decided.")
    if request.expires_at <= timezone.now():
        return _("This request has expired: it must be asked for again.")
    return None


def decide_request(*, actor: User, request: Request, approve: bool) -> Request:
    """Approve or refuse ``request``; a refused attempt (self, expired) stays on record."""
    with transaction.atomic():
        locked: Request = (
            Request.objects.filter(organization=request.organization_id, pk=request.pk)
            .select_for_update()
            .get()
        )
        refusal = approval_refusal(actor, locked)
        if refusal is None:
            locked.status = Status.APPROVED if approve else Status.REFUSED
            locked.decided_by, locked.decided_at = actor, timezone.now()
            locked.save(update_fields=["status", "decided_by", "decided_at"])
            action = Action.CONTROL_APPROVED if approve else Action.CONTROL_REFUSED
            log_action(actor, action, locked, kind=locked.kind, case=str(locked.case.code))
            if approve and locked.kind == Kind.ERASE:
                from .erasure import erase_case
                from .models import Trigger

                erase_case(actor=actor, case=locked.case, trigger=Trigger.DECISION)
    if refusal is not None:
        log_action(actor, Action.CONTROL_APPROVAL_REFUSED, locked, kind=locked.kind)
        raise ControlError(refusal)
    return locked


def break_glass(*, actor: User, case: Case, reason: str) -> Request:
    """An emergency reveal: at once, with a reason, shown to every admin and coordinator."""
    if actor.role != Role.COORDINATOR:
        raise ControlError(_("Only a coordinator can make an emergency reveal."))
    if not reason.strip():
        raise ControlError(_("Say why: every admin and coordinator will read your reason."))
    now = timezone.now()
    with transaction.atomic():
        request = Request(
            organization_id=case.organization_id,
            kind=Kind.REVEAL,
            case=case,
            requested_by=actor,
            status=Status.BREAK_GLASS,
            created_at=now,
            expires_at=now,
            decided_by=actor,
            decided_at=now,
        )
        request.sealed_reason = seal(request, "sealed_reason", reason.strip())
        request.save()
        log_action(actor, Action.CONTROL_BREAK_GLASS, request, case=str(case.code))
    return request


def mark_reviewed(*, actor: User, request: Request) -> None:
    if actor.role not in (Role.ADMIN, Role.COORDINATOR) or request.requested_by_id == actor.pk:
        raise ControlError(_("Another admin or coordinator reviews an emergency reveal."))
    with transaction.atomic():
        request.reviewed_by = actor
        request.save(update_fields=["reviewed_by"])
        log_action(actor, Action.CONTROL_REVIEWED, request)


def reason_of(request: Request) -> str:
    return str(unseal(request, "sealed_reason", request.sealed_reason) or "")


def unreviewed(organization: Organization) -> Any:
    """Emergency reveals no second admin or coordinator has reviewed yet."""
    return Request.objects.filter(
        organization=organization, status=Status.BREAK_GLASS, reviewed_by=None
    ).select_related("case", "requested_by")


def pending(organization: Organization) -> Any:
    return Request.objects.filter(organization=organization, status=Status.PENDING).select_related(
        "case", "requested_by"
    )
