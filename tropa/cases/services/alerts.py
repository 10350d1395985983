"""Alerts on a case: raising them, ticking (and unticking) their checklist, resolving them
with an outcome."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from tropa.accounts.models import User
from tropa.audit.actions import Action
from tropa.audit.services import log_action
from tropa.crypto.fields import seal

from ..models import Alert, AlertAction, AlertOutcome, Case, ChecklistItem
from .common import CaseError, _now


def raise_alert(*, actor: User | None, case: Case, kind: str, details: str = "") -> Alert:
    with transaction.atomic():
        alert = Alert(
            organization_id=case.organization_id,
            case=case,
            kind=kind,
            raised_by=actor,
            raised_at=_now(),
        )
        alert.sealed = seal(alert, "sealed", details.strip()) if details.strip() else None
        alert.save(force_insert=True)
        case.has_active_alert = True
        case.save(update_fields=["has_active_alert", "updated_at"])
        log_action(actor, Action.ALERT_RAISED, case, kind=kind, alert=str(alert.code))
    return alert


def tick_alert_item(*, actor: User | None, alert: Alert, item: str) -> AlertAction:
    if item not in ChecklistItem.values:
        raise CaseError(_("Unknown checklist item."))
    if not alert.is_active:
        raise CaseError(_("This alert is already resolved."))
    with transaction.atomic():
        action, created = AlertAction.objects.get_or_create(
            alert=alert,
            item=item,
            undone_at__isnull=True,
            defaults={"done_by": actor, "done_at": _now()},
        )
        if created:
            log_action(actor, Action.ALERT_ITEM_DONE, alert.case, alert=str(alert.code), item=item)
    return action


def untick_alert_item(*, actor: User | None, alert: Alert, item: str) -> None:
    """A step ticked by mistake is unticked; the ticked row stays, marked with who unticked
    it and when (the checklist's history)."""
    if item not in ChecklistItem.values:
        raise CaseError(_("Unknown checklist item."))
    if not alert.is_active:
        raise CaseError(_("This alert is already resolved."))
    with transaction.atomic():
        undone = AlertAction.objects.filter(alert=alert, item=item, undone_at__isnull=True).update(
            undone_by=actor, undone_at=_now()
        )
        if not undone:
            raise CaseError(_("This step is not ticked."))
        log_action(actor, Action.ALERT_ITEM_UNDONE, alert.case, alert=str(alert.code), item=item)


def resolve_alert(*, actor: User | None, alert: Alert, outcome: str, note: str = "") -> None:
    """The alert is over: how it ended (``outcome``, audited as its code) and a sealed note."""
    if outcome not in AlertOutcome.values:
        raise CaseError(_("Choose how it ended."))
    if outcome == AlertOutcome.OTHER and not note.strip():
        raise CaseError(_("Say in the note how it ended."))
    with transaction.atomic():
        alert = (
            Alert.objects.select_for_update()
            .filter(organization_id=alert.organization_id)
            .get(pk=alert.pk)
        )
        if not alert.is_active:
            raise CaseError(_("This alert is already resolved."))
        alert.resolved_at, alert.resolved_by, alert.outcome = _now(), actor, outcome
        alert.sealed_outcome = seal(alert, "sealed_outcome", note.strip()) if note.strip() else None
        alert.save(update_fields=["resolved_at", "resolved_by", "outcome", "sealed_outcome"])
        case = alert.case
        case.has_active_alert = case.alerts.filter(resolved_at__isnull=True).exists()
        case.save(update_fields=["has_active_alert", "updated_at"])
        log_action(actor, Action.ALERT_RESOLVED, case, alert=str(alert.code), outcome=outcome)
