"""Intake: a trusted channel (a Telegram bot, a partner's form) files a submission.

The submission lands in the triage queue like one made on the person's own pages; the
codename comes back once, for the channel to hand to the person, and is never stored.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status

from tropa.accounts.permissions import Cap, can
from tropa.intake.models import Source
from tropa.intake.services import create_submission

from ..api import need
from ..errors import ApiError
from ..scopes import Scope
from .common import ERRORS

router = Router(tags=["intake"])


class SubmissionIn(Schema):
    language: str = Field(examples=["ru"], description="ru, uk or en: the interview's language")
    answers: dict[str, str] = Field(
        examples=[{"served": "yes", "where_now": "Astana"}],
        description="question id of the organization's current interview → answer as text",
    )


class SubmissionOut(Schema):
    code: str
    codename: str = Field(description="shown once: the person's way back; never stored")
    status: str


@router.post("/submissions", response={201: SubmissionOut, **ERRORS}, url_name="submission_add")
def submission_add(request: HttpRequest, payload: SubmissionIn) -> Status[Any]:
    """File a finished submission into the triage queue (coordinators' tokens only)."""
    user = need(request, Scope.INTAKE_WRITE)
    if not can(user, Cap.TRIAGE_INTAKE) or user.organization is None:
        raise ApiError(403, "forbidden", _("Your role may not do this."))
    started = create_submission(
        organization=user.organization,
        answers=payload.answers,
        language=payload.language,
        actor=user,
        source=Source.BOT,
    )
    submission = started.submission
    return Status(
        201,
        {"code": str(submission.code), "codename": started.codename, "status": submission.status},
    )
