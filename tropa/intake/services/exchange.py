"""What passes between the coordinator and the person: sealed messages and attached files."""

from __future__ import annotations

import base64
import io
from dataclasses import dataclass
from datetime import datetime
from typing import IO

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tropa.accounts.models import User
from tropa.audit.actions import Action
from tropa.audit.services import log_action
from tropa.cases.models import Case
from tropa.crypto.fields import seal, unseal

from ..models import Direction, HeldAttachment, Message, Status, Submission
from .common import IntakeError

MAX_MESSAGE = 4000
INTAKE_NOTE = "uploaded by the person, via intake"


def _clean(text: str) -> str:
    text = text.replace("\x00", "").strip()
    if not text:
        raise IntakeError(_("Write a message first."))
    if len(text) > MAX_MESSAGE:
        raise IntakeError(_("A message has at most 4000 characters."))
    return text


def _add(submission: Submission, direction: str, text: str, **fields: object) -> Message:
    message = Message(
        organization_id=submission.organization_id,
        submission=submission,
        direction=direction,
        **fields,
    )
    message.sealed = seal(message, "sealed", text)
    message.save(force_insert=True)
    return message


def send_to_person(
    *, actor: User | None, submission: Submission, text: str, question: bool = False
) -> Message:
    """A message (or a follow-up question) the person reads when he comes back."""
    text = _clean(text)
    if submission.status == Status.REJECTED:
        raise IntakeError(_("This submission was rejected; the person no longer sees it."))
    with transaction.atomic():
        message = _add(submission, Direction.TO_PERSON, text, is_question=question, author=actor)
        log_action(actor, Action.INTAKE_MESSAGE_SENT, submission, question=question)
    return message


def reply_from_person(*, submission: Submission, text: str) -> Message:
    text = _clean(text)
    with transaction.atomic():
        message = _add(submission, Direction.FROM_PERSON, text)
        log_action(None, Action.INTAKE_MESSAGE_RECEIVED, submission)
    return message


@dataclass
class ShownMessage:
    direction: str
    is_question: bool
    text: str
    at: datetime


def read_messages(submission: Submission) -> list[ShownMessage]:
    return [
        ShownMessage(m.direction, m.is_question, str(unseal(m, "sealed", m.sealed)), m.created_at)
        for m in submission.messages.all()
    ]


def _ingest(*, actor: User | None, case: Case, data: bytes, name: str, at: datetime) -> None:
    from tropa.evidence import services as evidence

    record = evidence.CollectionRecord(
        method="other",
        received_at=at,
        source="the person",
        original_name=name,
        note=INTAKE_NOTE,
        tool="intake",
    )
    evidence.add_evidence(
        actor=actor, case=case, source=io.BytesIO(data), record=record, via="intake"
    )


def attach_file(*, submission: Submission, upload: IO[bytes], name: str, size: int) -> None:
    """A photo of a document from the person: into the case's evidence vault if there is a
    case, else sealed and held until the submission becomes a case."""
    limit = int(settings.TROPA_INTAKE_MAX_FILE_BYTES)
    if size > limit:
        raise IntakeError(_("This file is too large (at most %(mb)d MB).") % {"mb": limit >> 20})
    if submission.status in (Status.ACCEPTED, Status.MERGED, Status.REJECTED):
        raise IntakeError(_("Files can no longer be added here."))
    data = upload.read(limit + 1)
    if not data or len(data) > limit:
        raise IntakeError(_("Choose a file that is not empty."))
    now = timezone.now()
    with transaction.atomic():
        if submission.case_id is not None:
            _ingest(actor=None, case=submission.case, data=data, name=name, at=now)  # type: ignore[arg-type]  # case_id set: case exists
        else:
            held = HeldAttachment(
                organization_id=submission.organization_id,
                submission=submission,
                size=len(data),
                received_at=now,
            )
            payload = {"name": name[:255], "data": base64.b64encode(data).decode()}
            held.sealed = seal(held, "sealed", payload)
            held.save(force_insert=True)
        log_action(None, Action.INTAKE_ATTACHMENT_RECEIVED, submission, size=len(data))


def release_held(*, actor: User | None, submission: Submission, case: Case) -> int:
    """Ingest the held files into ``case``'s vault (in the caller's transaction)."""
    count = 0
    for held in submission.held_attachments.all():
        payload = unseal(held, "sealed", held.sealed)
        _ingest(
            actor=actor,
            case=case,
            data=base64.b64decode(payload["data"]),
            name=str(payload.get("name", "")),
            at=held.received_at,
        )
        held.delete()
        count += 1
    return count


def reseal_for_case(*, submission: Submission, case: Case) -> None:
    """Move the submission's answers and messages under ``case``'s key (docs/retention.md).

    In the caller's transaction, on the locked row, before the case is saved on it: each
    value is opened with the key it has now (the organization's, or an earlier case's) and
    sealed again for ``case``, so erasing that case erases them too. Held files are gone
    by now (``release_held``); any left are re-sealed the same way.
    """
    answers = unseal(submission, "sealed_answers", submission.sealed_answers)
    messages = [(m, unseal(m, "sealed", m.sealed)) for m in submission.messages.all()]
    held = [(h, unseal(h, "sealed", h.sealed)) for h in submission.held_attachments.all()]
    submission.case = case
    submission.sealed_answers = seal(submission, "sealed_answers", answers)
    submission.save(update_fields=["case", "sealed_answers"])
    for message, text in messages:
        message.submission = submission  # the subject is found through the row in hand
        message.sealed = seal(message, "sealed", text)
    Message.objects.unscoped().bulk_update([m for m, _text in messages], ["sealed"])
    for file, payload in held:
        file.submission = submission
        file.sealed = seal(file, "sealed", payload)
    HeldAttachment.objects.unscoped().bulk_update([f for f, _payload in held], ["sealed"])
