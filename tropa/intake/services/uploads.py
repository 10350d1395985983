"""An admin's upload of a new interview definition: validated whole, or nothing is saved."""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from tropa.accounts.models import Organization, User
from tropa.audit.actions import Action
from tropa.audit.services import log_action

from .. import definitions
from ..models import Definition
from .common import IntakeError


def upload_definition(
    *, actor: User | None, organization: Organization, language: str, raw: bytes
) -> Definition:
    """Store a new version; a ``DefinitionError`` names the wrong element's path."""
    if language not in definitions.LANGUAGES:
        raise IntakeError(_("Choose Russian, Ukrainian or English."))
    content = definitions.parse_upload(raw, language=language)
    try:
        with transaction.atomic():
            row: Definition = Definition.objects.create(
                organization=organization,
                language=language,
                form=content["form"],
                version=content["version"],
                content=content,
                uploaded_by=actor,
            )
            log_action(
                actor,
                Action.INTAKE_DEFINITION_UPLOADED,
                row,
                language=language,
                version=content["version"],
                sections=len(content["sections"]),
            )
    except IntegrityError:
        raise IntakeError(
            _("Version %(version)s was already uploaded: give the new file a new version.")
            % {"version": content["version"]}
        ) from None
    return row
