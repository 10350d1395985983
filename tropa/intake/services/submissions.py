"""Submissions from the person's side: start, answer page by page, finish, come back.

The person has no account. What carries him from page to page is a signed form token naming
his submission (in a hidden field, never in a URL or a cookie); what brings him back later is
his codename, looked up by its keyed blind index and verified against its Argon2id hash.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.core import signing
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tropa.accounts.models import Organization, User
from tropa.audit.actions import Action
from tropa.audit.services import log_action
from tropa.cases.models import Case

from .. import definitions
from ..models import (
    Definition,
    DocumentNeeded,
    IntakeSettings,
    Invitation,
    Source,
    Status,
    Submission,
)
from .ahead import CODENAMES
from .common import (
    IntakeError,
    codename_index,
    codename_matches,
    read_answers,
    write_answers,
)
from .invitations import take_from_budget

_FORM_SALT = "tropa.intake.form"
FORM_TOKEN_SECONDS = 3 * 3600


def definition_for(organization: Organization, language: str) -> dict[str, Any]:
    """The newest definition the organization uploaded for ``language``, else the shipped one."""
    uploaded = (
        Definition.objects.filter(organization=organization, language=language, form="default")
        .order_by("-uploaded_at")
        .values_list("content", flat=True)
        .first()
    )
    return uploaded if uploaded is not None else definitions.shipped(language)


def definition_of(submission: Submission) -> dict[str, Any]:
    """The definition the submission is answered under (its recorded version).

    A version is uploaded once and never changed, so the row keeps what it found for the
    rest of the request (a page save and the next page read it once)."""
    kept: dict[str, Any] | None = getattr(submission, "_definition", None)
    if kept is not None:
        return kept
    uploaded = (
        Definition.objects.filter(
            organization_id=submission.organization_id,
            language=submission.language,
            form=submission.form,
            version=submission.definition_version,
        )
        .values_list("content", flat=True)
        .first()
    )
    found = uploaded if uploaded is not None else definitions.shipped(submission.language)
    submission._definition = found  # type: ignore[attr-defined]  # a per-request memo
    return found


@dataclass
class Started:
    submission: Submission
    codename: str  # shown once, never stored


def _new_submission(
    organization: Organization,
    *,
    language: str,
    source: str,
    case: Case | None,
    invitation: Invitation | None,
) -> Started:
    """A new draft, not saved yet. Call it BEFORE opening the transaction that saves it: when
    no codename minted ahead is ready (``ahead.py``), the Argon2id hash takes tens of
    milliseconds of CPU, and on SQLite a transaction holds the one write lock of the whole
    database from its first statement (``BEGIN IMMEDIATE``), so hashing inside it made every
    other person's page wait for it."""
    definition = definition_for(organization, language)
    codename, hashed = CODENAMES.take()
    submission = Submission(
        organization=organization,
        invitation=invitation,
        source=source,
        case=case,
        language=language,
        definition_version=definition["version"],
        codename_index=codename_index(organization.pk, codename),
        codename_hash=hashed,
        started_at=timezone.now().replace(microsecond=0),
    )
    submission.touched_at = submission.started_at
    write_answers(submission, {})
    return Started(submission=submission, codename=codename)


def start_from_invitation(*, invitation: Invitation) -> Started:
    """Start the interview an invitation opens; the token is spent by this call."""
    started = _new_submission(
        invitation.organization,
        language=invitation.language,
        source=Source.INVITATION,
        case=invitation.case,
        invitation=invitation,
    )
    with transaction.atomic():
        claimed = (
            Invitation.objects.unscoped()
            .filter(
                pk=invitation.pk,
                started_at__isnull=True,
                revoked_at__isnull=True,
                expires_at__gt=timezone.now(),
            )
            .update(started_at=timezone.now())
        )
        if not claimed:
            raise IntakeError(_("This link does not work."))
        started.submission.save(force_insert=True)
        log_action(None, Action.INTAKE_STARTED, started.submission, source=Source.INVITATION)
    return started


def start_from_public_link(
    *, link: IntakeSettings, language: str | None = None, budget: int | None = None
) -> Started | None:
    """Start an interview on the public link; None when this minute's ``budget`` of starts
    is spent. The budget is taken in the same transaction as the start: one commit."""
    language = language if language in definitions.LANGUAGES else link.public_language
    started = _new_submission(
        link.organization, language=language, source=Source.PUBLIC, case=None, invitation=None
    )
    with transaction.atomic():
        if budget is not None and not take_from_budget(budget, kind="start"):
            return None
        started.submission.save(force_insert=True)
        log_action(None, Action.INTAKE_STARTED, started.submission, source=Source.PUBLIC)
    return started


def form_token(submission: Submission) -> str:
    return signing.dumps(str(submission.code), salt=_FORM_SALT, compress=True)


def submission_from_token(token: str) -> Submission | None:
    """The submission a form token names, while it may still be changed or read by him."""
    try:
        code = signing.loads(token, salt=_FORM_SALT, max_age=FORM_TOKEN_SECONDS)
    except signing.BadSignature:
        return None
    return (
        Submission.objects.unscoped()
        .select_related("organization")
        .filter(code=code)
        .exclude(status=Status.REJECTED)
        .first()
    )


def save_page(*, submission: Submission, number: int, raw: dict[str, str]) -> dict[str, str]:
    """Store the answers of page ``number`` (sealed); returns errors by question id.

    Nothing is stored when any answer on the page is wrong, so that the page comes back
    whole with its errors.
    """
    if submission.status != Status.DRAFT and number >= 0:
        raise IntakeError(_("This interview was already sent."))
    with transaction.atomic():
        locked = (
            Submission.objects.unscoped()
            .select_related("organization")
            .select_for_update(of=("self",))
            .get(pk=submission.pk)
        )
        answers = read_answers(locked)
        pages = definitions.pages(definition_of(submission), answers)
        if not 0 <= number < len(pages):
            raise IntakeError(_("This page does not exist."))
        errors: dict[str, str] = {}
        for question in pages[number]["questions"]:
            value, error = definitions.clean_answer(question, raw.get(question["id"], ""))
            if error:
                errors[question["id"]] = error
            answers[question["id"]] = value
        if errors:
            return errors
        write_answers(locked, answers)
        locked.page = number + 1
        locked.touched_at = timezone.now().replace(microsecond=0)
        locked.save(update_fields=["sealed_answers", "page", "touched_at"])
        answered = sum(1 for q in pages[number]["questions"] if answers.get(q["id"]))
        log_action(None, Action.INTAKE_PAGE_SAVED, locked, page=number, answered=answered)
    submission.sealed_answers, submission.page = locked.sealed_answers, locked.page
    return {}


def finish(*, submission: Submission) -> None:
    with transaction.atomic():
        now = timezone.now().replace(microsecond=0)
        done = (
            Submission.objects.unscoped()
            .filter(pk=submission.pk, status=Status.DRAFT)
            .update(status=Status.NEW, submitted_at=now)
        )
        if not done:
            raise IntakeError(_("This interview was already sent."))
        if submission.invitation_id:
            Invitation.objects.unscoped().filter(pk=submission.invitation_id).update(
                submitted_at=now
            )
        submission.status, submission.submitted_at = Status.NEW, now
        log_action(None, Action.INTAKE_SUBMITTED, submission, source=submission.source)


def _checked_answers(definition: dict[str, Any], answers: dict[str, Any]) -> dict[str, Any]:
    questions = {q["id"]: q for s in definition["sections"] for q in s["questions"]}
    clean: dict[str, Any] = {}
    for key, raw in answers.items():
        if key not in questions:
            raise IntakeError(_("%(key)s: no such question in this interview") % {"key": key})
        if not isinstance(raw, str):
            raise IntakeError(_("%(key)s: an answer must be text") % {"key": key})
        value, error = definitions.clean_answer(questions[key], raw)
        if error:
            raise IntakeError(f"{key}: {error}")
        clean[key] = value
    return clean


def create_submission(
    *,
    organization: Organization,
    answers: dict[str, Any],
    language: str,
    actor: User | None = None,
    source: str = Source.BOT,
) -> Started:
    """A finished submission from a trusted channel (a bot, the JSON API), straight into the
    queue. ``answers`` maps question ids of the organization's current definition for
    ``language`` to text; a wrong one refuses the whole call (``IntakeError``) and nothing is
    stored. The codename comes back once, for the channel to hand to the person."""
    if language not in definitions.LANGUAGES:
        raise IntakeError(_("Choose Russian, Ukrainian or English."))
    if source not in Source.values:
        raise IntakeError(_("Unknown source of a submission."))
    clean = _checked_answers(definition_for(organization, language), answers)
    started = _new_submission(
        organization, language=language, source=source, case=None, invitation=None
    )
    submission = started.submission
    write_answers(submission, clean)
    submission.status = Status.NEW
    submission.submitted_at = submission.started_at
    with transaction.atomic():
        submission.save(force_insert=True)
        log_action(actor, Action.INTAKE_SUBMITTED, submission, source=source, answers=len(clean))
    return started


def find_by_codename(codename: str) -> Submission | None:
    """The submission a codename opens, or None. One indexed lookup (a blind index per
    organization; there are few), then one Argon2id verification of the row found."""
    from tropa.accounts.models import Organization

    text = codename.strip()
    if not text or len(text) > 200:
        return None
    digests = [codename_index(pk, text) for pk in Organization.objects.values_list("pk", flat=True)]
    found: Submission | None = (
        Submission.objects.unscoped()
        .select_related("organization")
        .filter(codename_index__in=digests)
        .exclude(status=Status.REJECTED)
        .first()
    )
    if found is None or not codename_matches(found.codename_hash, text):
        return None
    log_action(None, Action.INTAKE_RETURNED, found)
    return found


@dataclass
class PersonStatus:
    received: bool
    assigned: bool
    documents: list[str]
    closed: bool


def person_status(submission: Submission) -> PersonStatus:
    """What the person may see of his submission: never notes, names or decisions' reasons."""
    labels = dict(DocumentNeeded.choices)
    return PersonStatus(
        received=submission.status != Status.DRAFT,
        assigned=submission.assignee_id is not None
        or submission.status in (Status.IN_REVIEW, Status.ACCEPTED, Status.MERGED),
        documents=[str(labels[c]) for c in submission.documents_needed if c in labels],
        closed=submission.status in (Status.ACCEPTED, Status.MERGED),
    )


WITHDRAWABLE = (Status.DRAFT, Status.NEW, Status.IN_REVIEW)


def withdraw(*, submission: Submission) -> None:
    """The person deletes his own submission (its answers, messages and held files), as
    long as no coordinator has made it a case; afterwards his codename opens nothing."""
    with transaction.atomic():
        locked = (
            Submission.objects.unscoped()
            .select_for_update()
            .filter(pk=submission.pk, status__in=WITHDRAWABLE)
            .first()
        )
        if locked is None:
            raise IntakeError(
                _("Your story is already part of a case. Write to the coordinator to remove it.")
            )
        messages, files = locked.messages.count(), locked.held_attachments.count()
        log_action(
            None,
            Action.INTAKE_WITHDRAWN,
            submission,
            status=locked.status,
            messages=messages,
            files=files,
        )
        locked.delete()
