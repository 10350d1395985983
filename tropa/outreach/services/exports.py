"""Exports: their audit entries, and the reveals an export with identities counts."""

from __future__ import annotations

from typing import Any

from tropa.accounts.models import Organization, User
from tropa.audit.actions import Action
from tropa.audit.services import log_action
from tropa.cases import services as cases
from tropa.cases.models import Person


def log_export_reveals(*, actor: User | None, requests: Any) -> int:
    """Before an export that carries identities: one ``identity.revealed`` per person named
    in it (``purpose=outreach_export``). Returns how many people that is."""
    people = list(
        # The requests were reached through the access helpers: their organization is checked.
        Person.objects.unscoped()
        .filter(pk__in=requests.filter(identity_sealed__isnull=False).values("case__person"))
        .order_by("pk")
    )
    # All or none, within the hourly cap; past it, RevealLimitReached and no export.
    cases.record_reveals(actor=actor, people=people, purpose="outreach_export")
    return len(people)


def export_logged(
    *, actor: User | None, organization: Organization, what: str, fmt: str, **detail: Any
) -> None:
    log_action(
        actor, Action.OUTREACH_EXPORTED, organization=organization, what=what, format=fmt, **detail
    )
