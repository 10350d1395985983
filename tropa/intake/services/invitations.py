"""Invitations, the standing public link and the organization's intake settings."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from tropa.accounts.models import Organization, User
from tropa.audit.actions import Action
from tropa.audit.services import log_action
from tropa.cases.models import Case

from ..definitions import LANGUAGES
from ..models import IntakeSettings, Invitation, InvitationState, PublicRate
from .common import IntakeError, intake_settings, invitation_hours, new_token, token_hash


@dataclass
class NewInvitation:
    invitation: Invitation
    token: str  # shown once, never stored


def create_invitation(
    *,
    actor: User | None,
    organization: Organization,
    case: Case | None = None,
    language: str = "ru",
    hours: int | None = None,
) -> NewInvitation:
    if language not in LANGUAGES:
        raise IntakeError(_("Choose Russian, Ukrainian or English."))
    if case is not None and case.organization_id != organization.pk:
        raise IntakeError(_("This case is not of your organization."))
    hours = invitation_hours(organization) if hours is None else hours
    if not 1 <= hours <= 24 * 30:
        raise IntakeError(_("An invitation lasts between 1 hour and 30 days."))
    token = new_token()
    with transaction.atomic():
        invitation = Invitation.objects.create(
            organization=organization,
            token_hash=token_hash(token),
            case=case,
            language=language,
            created_by=actor,
            expires_at=timezone.now() + timedelta(hours=hours),
        )
        log_action(
            actor,
            Action.INTAKE_INVITATION_CREATED,
            invitation,
            language=language,
            hours=hours,
            for_case=str(case.code) if case else "",
        )
    return NewInvitation(invitation=invitation, token=token)


def revoke_invitation(*, actor: User | None, invitation: Invitation) -> None:
    with transaction.atomic():
        locked = Invitation.objects.unscoped().select_for_update().get(pk=invitation.pk)
        if locked.state in (InvitationState.SUBMITTED, InvitationState.REVOKED):
            raise IntakeError(_("This invitation can no longer be revoked."))
        locked.revoked_at = timezone.now()
        locked.save(update_fields=["revoked_at"])
        invitation.revoked_at = locked.revoked_at
        log_action(actor, Action.INTAKE_INVITATION_REVOKED, invitation)


def usable_invitation(token: str) -> Invitation | None:
    """The invitation ``token`` opens if it is unused and in time; else None, whatever the
    reason (used, expired, revoked, unknown all answer alike)."""
    if not token or len(token) > 100:
        return None
    found = (
        Invitation.objects.unscoped()
        .select_related("organization")
        .filter(token_hash=token_hash(token))
        .first()
    )
    return usable_invitation_row(found) if found is not None else None


def usable_invitation_row(invitation: Invitation) -> Invitation | None:
    return invitation if invitation.state == InvitationState.UNUSED else None


def open_public_link(slug: str) -> IntakeSettings | None:
    if not slug or len(slug) > 43:
        return None
    found = IntakeSettings.objects.select_related("organization").filter(public_slug=slug).first()
    return found if found is not None and found.public_enabled else None


SETTING_FIELDS = (
    "public_enabled",
    "public_language",
    "neutral_title",
    "neutral_intro",
    "invitation_hours",
)


def update_settings(
    *, actor: User | None, organization: Organization, new_public_slug: bool = False, **fields: Any
) -> IntakeSettings:
    unknown = set(fields) - set(SETTING_FIELDS)
    if unknown:
        raise TypeError(f"unknown intake settings: {sorted(unknown)}")
    if fields.get("public_language", "ru") not in LANGUAGES:
        raise IntakeError(_("Choose Russian, Ukrainian or English."))
    with transaction.atomic():
        row = intake_settings(organization)
        changed = [name for name, value in fields.items() if getattr(row, name) != value]
        for name in changed:
            setattr(row, name, fields[name])
        if new_public_slug:
            row.public_slug = secrets.token_urlsafe(16)
            changed.append("public_slug")
        row.save()
        log_action(
            actor, Action.INTAKE_SETTINGS_CHANGED, organization=organization, fields=sorted(changed)
        )
    return row


def _minute() -> Any:
    return timezone.now().replace(second=0, microsecond=0)


def take_from_budget(limit: int, *, kind: str) -> bool:
    """One start from this minute's shared budget; False when it is spent (and logged).

    The counter row is keyed by the minute (and the kind of visit) only. Separate minutes
    of the two kinds sit a second apart so that one unique column serves both.
    """
    minute = _minute() + timedelta(seconds=0 if kind == "start" else 1)
    with transaction.atomic():
        _, new_minute = PublicRate.objects.get_or_create(minute=minute)
        if new_minute:  # old minutes go once a minute, not at every start (a write each)
            PublicRate.objects.filter(minute__lt=minute - timedelta(hours=1)).delete()
        taken = PublicRate.objects.filter(minute=minute, count__lt=limit).update(
            count=F("count") + 1
        )
        # A refusal is logged once a minute, so that a flood cannot flood the audit log.
        first_refusal = not taken and PublicRate.objects.filter(minute=minute, refused=0).update(
            refused=F("refused") + 1
        )
        if first_refusal:
            log_action(None, Action.INTAKE_THROTTLED, kind=kind, limit=limit)
    return bool(taken)
