"""Recording that a man was given the safety briefing of a country."""

from __future__ import annotations

from datetime import date

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tropa.accounts.models import User
from tropa.audit.actions import Action
from tropa.audit.services import log_action
from tropa.cases.models import Case

from ..errors import PathwayError
from ..models import BriefingGiven


def record_briefing(
    *, actor: User | None, case: Case, country: str, given_on: date
) -> BriefingGiven:
    if given_on > timezone.localdate():
        raise PathwayError(_("A briefing cannot have been given in the future."))
    with transaction.atomic():
        given: BriefingGiven = BriefingGiven.objects.create(
            organization_id=case.organization_id,
            case=case,
            country=country,
            given_on=given_on,
            given_by=actor,
        )
        log_action(actor, Action.BRIEFING_GIVEN, case, country=country)
    return given
