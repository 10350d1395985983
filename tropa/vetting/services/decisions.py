"""Decisions: proposed with a first sign-off, in effect with a second, reopened with a reason.

The two-person rule lives here and only here, so that no page, form or command can go
around it: two different people with the right to sign (a verifier and a verifier, or a
verifier and a lawyer), neither the case's assignee nor the person who opened the vetting.
A recommend is refused while a check is failed or unfinished, a screening hit is open or the
man "may be implicated" without a satisfied exclusion check, unless both state an override.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tropa.accounts.models import Role, User
from tropa.accounts.permissions import Cap, can
from tropa.audit.actions import Action
from tropa.audit.services import log_action
from tropa.crypto.fields import seal

from ..models import Decision, DecisionState, Outcome, SignOff, Vetting, VettingState
from .common import VettingError, blockers, clean_text

T = TypeVar("T")


def signoff_refusal(actor: User, vetting: Vetting, decision: Decision | None) -> str | None:
    """Why ``actor`` may not sign (propose, or second) a decision on ``vetting``; None if
    they may. The pages use it to show the button; the services refuse with it."""
    if not can(actor, Cap.SIGN_VETTING):
        return _("Only a verifier or a lawyer can sign a vetting decision.")
    if vetting.case.assignee_id == actor.pk:
        return _("The case's assignee cannot sign its vetting decision.")
    if vetting.opened_by_id == actor.pk:
        return _("The person who opened the vetting cannot sign its decision.")
    if decision is None:
        return None
    signed = list(decision.signoffs.all())
    if any(s.user_id == actor.pk for s in signed):
        return _("You have already signed this decision: a second person must sign it.")
    if all(s.role == Role.LAWYER for s in signed) and actor.role == Role.LAWYER:
        return _("Two lawyers cannot decide alone: one of the two must be a verifier.")
    return None


class _Refused(VettingError):
    """A sign-off refused by the two-person rule; logged once its transaction is undone."""

    def __init__(self, message: str, why: str) -> None:
        super().__init__(message)
        self.why = why


def _refuse(actor: User, vetting: Vetting, message: str, why: str) -> VettingError:
    return _Refused(message, why)


def _logging_refusals(actor: User, vetting: Vetting, action: Callable[[], T]) -> T:
    """Run ``action``; a refusal is written to the audit log outside its transaction, so
    that the attempt stays on record."""
    try:
        return action()
    except _Refused as exc:
        log_action(actor, Action.VETTING_SIGNOFF_REFUSED, vetting.case, reason=exc.why)
        raise VettingError(str(exc)) from None


def _locked(vetting: Vetting) -> Vetting:
    locked: Vetting = (
        Vetting.objects.for_organization(vetting.organization_id)
        .select_for_update()
        .select_related("case")
        .get(pk=vetting.pk)
    )
    return locked


def _check_override(actor: User, vetting: Vetting, outcome: str, override: str) -> str:
    override = clean_text(override, _("override reason"), required=False)
    if outcome == Outcome.RECOMMEND and blockers(vetting) and not override:
        raise _refuse(
            actor,
            vetting,
            _(
                "A recommend needs every check finished and none failed, and no open "
                "screening hit; otherwise each sign-off must state an override reason."
            ),
            "blocked",
        )
    return override


def _sign(actor: User, decision: Decision, override: str) -> SignOff:
    signoff = SignOff(
        organization_id=decision.organization_id,
        decision=decision,
        user=actor,
        role=actor.role or "",
        at=timezone.now(),
    )
    signoff.sealed_override = seal(signoff, "sealed_override", override) if override else None
    signoff.save()
    return signoff


def propose_decision(
    *, actor: User, vetting: Vetting, outcome: str, reasons: str, override: str = ""
) -> Decision:
    """The first sign-off: the proposer's, with the outcome and the reasons."""
    return _logging_refusals(
        actor, vetting, lambda: _propose(actor, vetting, outcome, reasons, override)
    )


def _propose(actor: User, vetting: Vetting, outcome: str, reasons: str, override: str) -> Decision:
    if outcome not in Outcome.values:
        raise VettingError(_("Choose a decision."))
    reasons = clean_text(reasons, _("reasons"))
    with transaction.atomic():
        vetting = _locked(vetting)
        if vetting.state != VettingState.OPEN:
            raise VettingError(_("This vetting already has a decision, or one awaits a sign-off."))
        refusal = signoff_refusal(actor, vetting, None)
        if refusal:
            raise _refuse(actor, vetting, refusal, "not_eligible")
        override = _check_override(actor, vetting, outcome, override)
        decision = Decision(
            organization_id=vetting.organization_id,
            vetting=vetting,
            outcome=outcome,
            proposed_at=timezone.now(),
        )
        decision.sealed_reasons = seal(decision, "sealed_reasons", reasons)
        decision.save()
        _sign(actor, decision, override)
        Vetting.objects.filter(organization=vetting.organization_id, pk=vetting.pk).update(
            state=VettingState.PROPOSED
        )
        log_action(
            actor,
            Action.VETTING_DECISION_PROPOSED,
            vetting.case,
            decision=str(decision.code),
            outcome=outcome,
            override=bool(override),
        )
    return decision


def sign_decision(*, actor: User, decision: Decision, override: str = "") -> None:
    """The second sign-off: the decision takes effect."""
    _logging_refusals(actor, decision.vetting, lambda: _second(actor, decision, override))


def _second(actor: User, decision: Decision, override: str) -> None:
    with transaction.atomic():
        vetting = _locked(decision.vetting)
        decision = Decision.objects.for_organization(vetting.organization_id).get(pk=decision.pk)
        if decision.state != DecisionState.PROPOSED or vetting.state != VettingState.PROPOSED:
            raise VettingError(_("This decision is no longer waiting for a sign-off."))
        refusal = signoff_refusal(actor, vetting, decision)
        if refusal:
            raise _refuse(actor, vetting, refusal, "not_eligible")
        override = _check_override(actor, vetting, decision.outcome, override)
        first = decision.signoffs.get()
        if (
            decision.outcome == Outcome.RECOMMEND
            and blockers(vetting)
            and not first.sealed_override
        ):
            raise _refuse(
                actor,
                vetting,
                _("The first sign-off states no override reason: withdraw it and propose again."),
                "blocked",
            )
        _sign(actor, decision, override)
        now = timezone.now()
        decision.state, decision.decided_at = DecisionState.DECIDED, now
        decision.save(update_fields=["state", "decided_at"])
        Vetting.objects.filter(organization=vetting.organization_id, pk=vetting.pk).update(
            state=VettingState.DECIDED, decided_at=now, outcome=decision.outcome
        )
        log_action(
            actor,
            Action.VETTING_DECISION_SIGNED,
            vetting.case,
            decision=str(decision.code),
            outcome=decision.outcome,
            override=bool(override),
        )


def withdraw_decision(*, actor: User, decision: Decision) -> None:
    """A proposal that no second person signed goes back; the vetting is open again."""
    if not can(actor, Cap.VET):
        raise VettingError(_("Your role cannot work on vettings."))
    with transaction.atomic():
        vetting = _locked(decision.vetting)
        done = Decision.objects.filter(
            organization=vetting.organization_id, pk=decision.pk, state=DecisionState.PROPOSED
        ).update(state=DecisionState.WITHDRAWN)
        if done != 1:
            raise VettingError(_("This decision is no longer waiting for a sign-off."))
        Vetting.objects.filter(organization=vetting.organization_id, pk=vetting.pk).update(
            state=VettingState.OPEN
        )
        log_action(
            actor, Action.VETTING_DECISION_WITHDRAWN, vetting.case, decision=str(decision.code)
        )


def reopen_decision(*, actor: User, decision: Decision, reason: str) -> None:
    """Reopen a decided vetting with a reason; the old decision stays in the history."""
    if not can(actor, Cap.VET):
        raise VettingError(_("Your role cannot work on vettings."))
    reason = clean_text(reason, _("reason"))
    with transaction.atomic():
        vetting = _locked(decision.vetting)
        decision = Decision.objects.for_organization(vetting.organization_id).get(pk=decision.pk)
        if decision.state != DecisionState.DECIDED:
            raise VettingError(_("Only a decision in effect can be reopened."))
        decision.state, decision.reopened_by, decision.reopened_at = (
            DecisionState.REOPENED,
            actor,
            timezone.now(),
        )
        decision.sealed_reopen_reason = seal(decision, "sealed_reopen_reason", reason)
        decision.save(update_fields=["state", "reopened_by", "reopened_at", "sealed_reopen_reason"])
        Vetting.objects.filter(organization=vetting.organization_id, pk=vetting.pk).update(
            state=VettingState.OPEN, decided_at=None, outcome=""
        )
        log_action(
            actor, Action.VETTING_DECISION_REOPENED, vetting.case, decision=str(decision.code)
        )


def current_decision(vetting: Vetting) -> Decision | None:
    """The decision in effect or awaiting its second sign-off."""
    found: Decision | None = (
        Decision.objects.filter(
            organization=vetting.organization_id,
            vetting=vetting,
            state__in=[DecisionState.PROPOSED, DecisionState.DECIDED],
        )
        .prefetch_related("signoffs__user")
        .first()
    )
    return found
