"""Letters: reading a request's letter (masked, or revealed and audited), and templates."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from tropa.accounts.models import Organization, User
from tropa.accounts.permissions import Cap, can
from tropa.audit.actions import Action
from tropa.audit.services import log_action
from tropa.cases import services as cases
from tropa.core.access import forbid
from tropa.crypto.fields import unseal

from ..models import (
    LetterTemplate,
    Request,
)
from .base import OutreachError


def read_letter(*, actor: User | None, request: Request) -> dict[str, Any]:
    """The subject and text of a request as any reader of it may see them: with the
    identity masked (``identity`` says whether it was). An audited read for a case."""
    letter: dict[str, str] = unseal(request, "sealed", request.sealed) or {}
    case = request.case
    if case is not None:
        log_action(actor, Action.OUTREACH_LETTER_READ, request, case=str(case.code))
    return {
        "subject": letter.get("subject", ""),
        "body": letter.get("body", ""),
        "sender": letter.get("sender", ""),
        "identity": request.names_person,
    }


def reveal_letter(*, actor: User | None, request: Request) -> dict[str, Any]:
    """The letter as written, identity included: only for a user who may see identities,
    and logged as the case desk logs every reveal (``identity.revealed`` on the person)."""
    if not request.names_person:
        return read_letter(actor=actor, request=request)
    assert request.case is not None  # only a case's letter can name its person
    if not can(actor, Cap.VIEW_IDENTITY):
        forbid(actor, Cap.VIEW_IDENTITY, request)
    # Counted towards the hourly cap like every reveal; past it, RevealLimitReached.
    cases.record_reveals(
        actor=actor,
        people=[request.case.person],
        purpose="outreach_letter",
        request=str(request.code),
    )
    letter: dict[str, str] = unseal(request, "identity_sealed", request.identity_sealed)
    return {
        "subject": letter["subject"],
        "body": letter["body"],
        "sender": letter.get("sender", ""),
        "identity": True,
    }


def save_template(
    *,
    actor: User | None,
    organization: Organization,
    name: str,
    language: str,
    subject: str,
    body: str,
    template: LetterTemplate | None = None,
) -> LetterTemplate:
    duplicate = LetterTemplate.objects.filter(
        organization=organization, name=name.strip(), language=language
    )
    if template is not None:
        duplicate = duplicate.exclude(pk=template.pk)
    if duplicate.exists():
        raise OutreachError(_("A template with this name and language already exists."))
    with transaction.atomic():
        if template is None:
            template = LetterTemplate(organization=organization)
        template.name, template.language = name.strip(), language
        template.subject, template.body = subject.strip(), body.strip()
        template.save()
        log_action(actor, Action.OUTREACH_TEMPLATE_SAVED, template, language=language)
    return template
