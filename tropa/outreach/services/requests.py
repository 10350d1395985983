"""Requests: recording one (with its file, in one transaction), its answers, its files."""

from __future__ import annotations

import base64
import re
from datetime import date, timedelta
from typing import Any

import filetype
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tropa.accounts.models import Organization, User
from tropa.audit.actions import Action
from tropa.audit.services import log_action
from tropa.cases.models import Case, Identity
from tropa.crypto.fields import seal, unseal, unseal_or

from .. import identity
from ..models import (
    ANSWERED,
    Attachment,
    Channel,
    Contact,
    Institution,
    Request,
    Status,
    StatusChange,
)
from .base import OutreachError, statistics_changed
from .followups import followup_days

MAX_ATTACHMENT_BYTES = 5 * 1024 * 1024


def record_request(
    *,
    actor: User | None,
    organization: Organization,
    institution: Institution,
    channel: str,
    sent_on: date,
    subject: str,
    body: str = "",
    contact: Contact | None = None,
    case: Case | None = None,
    group: str = "",
    language: str = "",
    attachment: bytes | None = None,
) -> Request:
    """Record one attempt to reach ``institution``; its answer is expected within the period.

    A file sent with it (``attachment``) is kept in the same transaction: if keeping it
    fails, no request is left behind either.
    """
    _check_request(organization, institution, contact, case, channel, sent_on, subject)
    days = followup_days(organization)[institution.kind]
    with transaction.atomic():
        request = Request(
            organization=organization,
            institution=institution,
            contact=contact,
            case=case,
            group=group.strip(),
            channel=channel,
            language=language,
            sent_on=sent_on,
            sent_by=actor if getattr(actor, "is_authenticated", False) else None,
            status=Status.PENDING,
            status_on=sent_on,
            answer_due_on=sent_on + timedelta(days=days),
        )
        seal_letter(request, subject.strip(), body.strip(), identity_pattern(case))
        request.save(force_insert=True)
        statistics_changed(organization.pk)
        log_action(
            actor,
            Action.OUTREACH_REQUEST_SENT,
            request,
            organization=organization,
            institution=str(institution.code),
            case=str(case.code) if case else "",
            channel=channel,
        )
        if attachment is not None:
            add_attachment(actor=actor, request=request, data=attachment)
    return request


def _check_request(
    organization: Organization,
    institution: Institution,
    contact: Contact | None,
    case: Case | None,
    channel: str,
    sent_on: date,
    subject: str,
) -> None:
    if institution.organization_id != organization.pk or (
        case is not None and case.organization_id != organization.pk
    ):
        raise OutreachError(_("This request mixes organizations."))
    if contact is not None and contact.institution_id != institution.pk:
        raise OutreachError(_("The contact person does not belong to this institution."))
    if channel not in Channel.values:
        raise OutreachError(_("Unknown channel."))
    if sent_on > timezone.localdate():
        raise OutreachError(_("A request cannot be sent in the future."))
    if not subject.strip():
        raise OutreachError(_("A request needs a subject."))


def identity_pattern(case: Case | None) -> re.Pattern[str] | None:
    """What the case's identity looks like in a text; opened in memory to be compared,
    never shown (so not a reveal), and never stored."""
    if case is None:
        return None
    row = Identity.objects.filter(person_id=case.person_id).first()
    return identity.pattern_of(unseal(row, "sealed", row.sealed)) if row else None


def seal_letter(
    request: Request, subject: str, body: str, pattern: re.Pattern[str] | None, sender: str = ""
) -> None:
    """Seal the letter; one that names the person is kept apart, readers get it masked.

    ``sender``: who sent an imported letter, as the spreadsheet names them (a person's name,
    so sealed with the letter)."""
    masked, names_person = identity.mask_letter(subject, body, pattern)
    letter = {"subject": subject, "body": body}
    if sender:
        masked["sender"] = letter["sender"] = sender
    request.sealed = seal(request, "sealed", masked if names_person else letter)
    request.identity_sealed = seal(request, "identity_sealed", letter) if names_person else None


def subjects_of(requests: list[Request]) -> dict[Any, str]:
    """Subjects for a page of a list, as every reader may see them (identity masked)."""
    erased = {"subject": _("(erased)")}  # a request of an erased case stays in the list
    return {
        r.pk: (unseal_or(r, "sealed", r.sealed, erased) or {}).get("subject", "") for r in requests
    }


def record_answer(
    *,
    actor: User | None,
    request: Request,
    status: str,
    on: date,
    referred_to: str = "",
    note: str = "",
) -> StatusChange:
    """A change of status with its date; the first answer of any kind fixes the answer time."""
    if status not in Status.values or status == Status.PENDING:
        raise OutreachError(_("Choose what the answer was."))
    if on < request.sent_on:
        raise OutreachError(_("An answer cannot come before the request was sent."))
    if on > timezone.localdate():
        raise OutreachError(_("This date is in the future."))
    if status == Status.REFERRED and not referred_to.strip():
        raise OutreachError(_("Say where the request was referred to."))
    with transaction.atomic():
        change = StatusChange(
            organization_id=request.organization_id,
            request=request,
            status=status,
            on=on,
            referred_to=referred_to.strip() if status == Status.REFERRED else "",
            by=actor if getattr(actor, "is_authenticated", False) else None,
        )
        change.sealed = seal(change, "sealed", note.strip()) if note.strip() else None
        change.save(force_insert=True)
        fields = ["status", "status_on", "referred_to"]
        request.status, request.status_on = status, on
        request.referred_to = change.referred_to or request.referred_to
        if status in ANSWERED and (request.first_answer_on is None or on < request.first_answer_on):
            request.first_answer_on = on
            request.days_to_answer = (on - request.sent_on).days
            fields += ["first_answer_on", "days_to_answer"]
        if status in ANSWERED and request.followup_done_at is None:
            # An answer settles any follow-up that was due.
            request.followup_done_at = timezone.now()
            fields.append("followup_done_at")
        request.save(update_fields=fields)
        statistics_changed(request.organization_id)
        log_action(actor, Action.OUTREACH_ANSWER_RECORDED, request, status=status)
    return change


def note_of(change: StatusChange) -> str:
    return str(unseal(change, "sealed", change.sealed) or "")


def add_attachment(*, actor: User | None, request: Request, data: bytes) -> Attachment:
    """Keep a file with its request, sealed in the database.

    Attachments are letters and scans of a few pages: a size limit keeps them in the
    database, where they are sealed like the letter itself and deleted with the request,
    instead of in a second store with its own crash-safety and deletion rules.
    """
    if not data:
        raise OutreachError(_("The file is empty."))
    if len(data) > MAX_ATTACHMENT_BYTES:
        raise OutreachError(_("A file kept with a request may be at most 5 MB."))
    kind = filetype.guess(data)
    with transaction.atomic():
        attachment = Attachment(
            organization_id=request.organization_id,
            request=request,
            extension=kind.extension if kind else "bin",
            size=len(data),
            added_by=actor if getattr(actor, "is_authenticated", False) else None,
        )
        attachment.sealed = seal(attachment, "sealed", base64.b64encode(data).decode("ascii"))
        attachment.save(force_insert=True)
        log_action(
            actor,
            Action.OUTREACH_ATTACHMENT_ADDED,
            request,
            attachment=str(attachment.code),
            size=len(data),
        )
    return attachment


def read_attachment(*, actor: User | None, attachment: Attachment) -> bytes:
    log_action(
        actor,
        Action.OUTREACH_ATTACHMENT_DOWNLOADED,
        attachment.request,
        attachment=str(attachment.code),
    )
    return base64.b64decode(unseal(attachment, "sealed", attachment.sealed))
