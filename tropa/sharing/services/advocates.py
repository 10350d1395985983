"""An advocate's access to a case: granted for a limited time, renewed, revoked at once."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from tropa.accounts.models import Role, User
from tropa.audit.actions import Action
from tropa.audit.services import log_action
from tropa.cases.models import Case, Stage
from tropa.crypto.fields import seal, unseal

from ..models import AdvocateGrant
from .common import SharingError, now, require_sharer


def grant_days() -> int:
    return int(getattr(settings, "TROPA_ADVOCATE_GRANT_DAYS", 90))


def active_grants(user: User) -> QuerySet[AdvocateGrant]:
    """The user's grants that are neither revoked nor expired."""
    return AdvocateGrant.objects.filter(
        organization=user.organization, advocate=user, revoked_at__isnull=True, expires_at__gt=now()
    )


def grant_advocate(
    *, actor: User | None, case: Case, advocate: User, summary: str, days: int | None = None
) -> AdvocateGrant:
    require_sharer(actor, case.organization, _("Only a coordinator may give an advocate access."))
    if advocate.organization != case.organization or advocate.role != Role.ADVOCATE:
        raise SharingError(_("Choose an advocate of your organization."))
    if not summary.strip():
        raise SharingError(_("Write the public summary the advocate will read."))
    if case.stage == Stage.CLOSED:
        raise SharingError(_("A closed case cannot be given to an advocate."))
    days = grant_days() if days is None else days
    if not 1 <= days <= 366:
        raise SharingError(_("Access lasts between 1 and 366 days."))
    with transaction.atomic():
        if active_grants(advocate).filter(case=case).exists():
            raise SharingError(_("This advocate already has access to this case."))
        at = now()
        grant = AdvocateGrant(
            organization=case.organization,
            case=case,
            advocate=advocate,
            granted_by=actor,
            granted_at=at,
            expires_at=at + timedelta(days=days),
        )
        grant.sealed_summary = seal(grant, "sealed_summary", summary.strip()[:4000])
        grant.save(force_insert=True)
        log_action(
            actor,
            Action.ADVOCATE_GRANTED,
            grant,
            case=str(case.code),
            advocate=str(advocate.code),
            days=days,
        )
    return grant


def renew_grant(*, actor: User | None, grant: AdvocateGrant, days: int | None = None) -> None:
    require_sharer(actor, grant.organization, _("Only a coordinator may renew access."))
    if grant.revoked_at is not None:
        raise SharingError(_("Revoked access cannot be renewed; give it again."))
    days = grant_days() if days is None else days
    with transaction.atomic():
        grant.expires_at = now() + timedelta(days=days)
        grant.save(update_fields=["expires_at"])
        log_action(actor, Action.ADVOCATE_GRANT_RENEWED, grant, days=days)


def revoke_grant(*, actor: User | None, grant: AdvocateGrant) -> None:
    require_sharer(actor, grant.organization, _("Only a coordinator may revoke access."))
    if grant.revoked_at is not None:
        raise SharingError(_("This access is already revoked."))
    with transaction.atomic():
        grant.revoked_at, grant.revoked_by = now(), actor
        grant.save(update_fields=["revoked_at", "revoked_by"])
        log_action(actor, Action.ADVOCATE_GRANT_REVOKED, grant, advocate=str(grant.advocate.code))


def read_grant(*, actor: User, grant: AdvocateGrant) -> str:
    """The public summary, for the advocate's case page (logged)."""
    summary = str(unseal(grant, "sealed_summary", grant.sealed_summary) or "")
    log_action(actor, Action.ADVOCATE_CASE_VIEWED, grant, case=str(grant.case.code))
    return summary


def read_summary(grant: AdvocateGrant) -> str:
    """The public summary for the coordinator's panel (read with the case page)."""
    return str(unseal(grant, "sealed_summary", grant.sealed_summary) or "")
