"""Demo data of the case desk's issue-19 parts: Astana counts in tenge, and an alert that was
resolved with an outcome after a step was unticked."""

from __future__ import annotations

from tropa.accounts import services as accounts
from tropa.accounts.models import User

from . import services
from .models import AlertOutcome, Case, ChecklistItem


def enrich_case_desk(by_name: dict[str, Case], staff: dict[str, User]) -> None:
    coordinator = staff["astana-coordinator"]
    funker = by_name["Funker"]
    accounts.set_organization_settings(
        actor=None, organization=funker.organization, default_currency="KZT"
    )
    alert = services.raise_alert(
        actor=coordinator,
        case=funker,
        kind="threatened",
        details="Звонок с угрозами на номер жены",
    )
    services.tick_alert_item(actor=coordinator, alert=alert, item=ChecklistItem.FAMILY)
    services.tick_alert_item(actor=coordinator, alert=alert, item=ChecklistItem.CONSULATE)
    services.untick_alert_item(actor=coordinator, alert=alert, item=ChecklistItem.CONSULATE)
    services.resolve_alert(
        actor=coordinator,
        alert=alert,
        outcome=AlertOutcome.FALSE_ALARM,
        note="Звонил бывший сосед, угроз не было",
    )
