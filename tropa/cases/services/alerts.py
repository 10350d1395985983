"""Alerts on a case: raising them, ticking their checklist, resolving them."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from tropa.accounts.models import User
from tropa.audit.actions import Action
from tropa.audit.services import log_action
from tropa.crypto.fields import seal

from ..models import Alert, AlertAction, Case, ChecklistItem
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
            alert=alert, item=item, defaults={"done_by": actor, "done_at": _now()}
        )
        if created:
            log_action(actor, Action.ALERT_ITEM_DONE, alert.case, alert=str(alert.code), item=item)
    return action


def resolve_alert(*, actor: User | None, alert: Alert) -> None:
    if not alert.is_active:
        raise CaseError(_("This alert is already resolved."))
    with transaction.atomic():
        alert.resolved_at, alert.resolved_by = _now(), actor
        alert.save(update_fields=["resolved_at", "resolved_by"])
        case = alert.case
        case.has_active_alert = case.alerts.filter(resolved_at__isnull=True).exists()
        case.save(update_fields=["has_active_alert", "updated_at"])
        log_action(actor, Action.ALERT_RESOLVED, case, alert=str(alert.code))
