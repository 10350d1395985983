"""The coordinators' side: the queue, reading a submission, and deciding on it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db import transaction
from django.db.models import Count, QuerySet
from django.db.models.functions import TruncDate
from django.utils import timezone
from django.utils.translation import gettext as _

from tropa.accounts.models import Organization, User
from tropa.audit.actions import Action
from tropa.audit.services import log_action
from tropa.cases import services as cases
from tropa.cases.models import Case, Person

from ..models import DocumentNeeded, RejectReason, Status, Submission
from .common import IntakeError, read_answers
from .exchange import release_held, reseal_for_case
from .submissions import definition_of

OPEN = (Status.NEW, Status.IN_REVIEW)


def queue(
    organization: Organization, *, status: str = "", day: date | None = None
) -> QuerySet[Submission]:
    """Sent submissions of the organization, newest first; drafts are never listed."""
    rows = Submission.objects.for_organization(organization).exclude(status=Status.DRAFT)
    if status in Status.values and status != Status.DRAFT:
        rows = rows.filter(status=status)
    if day is not None:
        # The day in the reader's zone, as a range the queue's index serves (``__date``
        # would convert every row's time first: a scan of the whole queue).
        start = timezone.make_aware(datetime.combine(day, time.min))
        rows = rows.filter(submitted_at__gte=start, submitted_at__lt=start + timedelta(days=1))
    return rows.order_by("-submitted_at", "-id")


def counts_per_day(organization: Organization, *, days: int = 14) -> list[dict[str, Any]]:
    since = timezone.now() - timedelta(days=days)
    return list(
        Submission.objects.for_organization(organization)
        .filter(submitted_at__gte=since)
        .annotate(day=TruncDate("submitted_at"))
        .values("day")
        .annotate(count=Count("*"))
        .order_by("-day")
    )


def counts_by_status(organization: Organization) -> dict[str, int]:
    rows = (
        Submission.objects.for_organization(organization)
        .values("status")
        .annotate(count=Count("*"))
        .order_by()
    )
    return {row["status"]: row["count"] for row in rows}


@dataclass
class Reading:
    submission: Submission
    sections: list[dict[str, Any]]  # each: title, answers [(label, shown value)]
    held: int


def _shown(question: dict[str, Any], value: str) -> str:
    labels = {c["value"]: c["label"] for c in question.get("choices", [])}
    return str(labels.get(value, value))


def read_submission(*, actor: User, submission: Submission) -> Reading:
    """The answers in the words of the definition they were given under; an audited read."""
    answers = read_answers(submission)
    sections = []
    for section in definition_of(submission)["sections"]:
        rows = [
            (q["label"], _shown(q, answers[q["id"]]))
            for q in section["questions"]
            if answers.get(q["id"])
        ]
        if rows:
            sections.append({"title": section["title"], "answers": rows})
    log_action(actor, Action.INTAKE_VIEWED, submission, answers=len(answers))
    return Reading(
        submission=submission, sections=sections, held=submission.held_attachments.count()
    )


def _locked_open(submission: Submission) -> Submission:
    locked: Submission = Submission.objects.unscoped().select_for_update().get(pk=submission.pk)
    if locked.status not in OPEN:
        raise IntakeError(_("This submission was already decided."))
    return locked


def start_review(*, actor: User, submission: Submission) -> None:
    with transaction.atomic():
        locked = _locked_open(submission)
        locked.status, locked.assignee = Status.IN_REVIEW, actor
        locked.save(update_fields=["status", "assignee"])
        submission.status, submission.assignee = locked.status, actor
        log_action(actor, Action.INTAKE_REVIEW_STARTED, submission)


def request_documents(*, actor: User, submission: Submission, documents: list[str]) -> None:
    unknown = set(documents) - set(DocumentNeeded.values)
    if unknown:
        raise IntakeError(_("Choose documents from the list."))
    with transaction.atomic():
        locked = _locked_open(submission)
        locked.documents_needed = sorted(set(documents))
        locked.save(update_fields=["documents_needed"])
        submission.documents_needed = locked.documents_needed
        log_action(
            actor, Action.INTAKE_DOCUMENTS_REQUESTED, submission, documents=locked.documents_needed
        )


def reject(*, actor: User, submission: Submission, reason: str) -> None:
    if reason not in RejectReason.values:
        raise IntakeError(_("Choose why the submission is rejected."))
    with transaction.atomic():
        locked = _locked_open(submission)
        locked.status, locked.reject_reason = Status.REJECTED, reason
        locked.decided_at, locked.decided_by = timezone.now(), actor
        locked.save(update_fields=["status", "reject_reason", "decided_at", "decided_by"])
        locked.held_attachments.all().delete()
        submission.status = Status.REJECTED
        log_action(actor, Action.INTAKE_REJECTED, submission, reason=reason)


def mapped_fields(submission: Submission) -> dict[str, dict[str, Any]]:
    """The answers that fill case fields, by target: identity, case, service, and note lines."""
    answers = read_answers(submission)
    found: dict[str, dict[str, Any]] = {"identity": {}, "case": {}, "service": {}, "note": {}}
    for section in definition_of(submission)["sections"]:
        for question in section["questions"]:
            value, target = answers.get(question["id"]), question.get("maps_to")
            if not value or not target:
                continue
            group, _dot, name = target.partition(".")
            if group == "note":
                found["note"][question["label"]] = _shown(question, value)
            else:
                found[group][name] = value
    return found


def _fill_case(actor: User, case: Case, fields: dict[str, dict[str, Any]], code: str) -> None:
    if fields["identity"]:
        identity = cases.reveal_identity(actor=actor, person=case.person, purpose="edit") or {}
        merged = {**fields["identity"], **{k: v for k, v in identity.items() if v}}
        if isinstance(merged.get("birth_date"), date):
            merged["birth_date"] = merged["birth_date"].isoformat()
        cases.save_identity(actor=actor, person=case.person, data=merged)
    service = dict(fields["service"])
    if service:
        cases.save_service_record(actor=actor, person=case.person, **service)
    lines = [f"{label}: {value}" for label, value in fields["note"].items()]
    if lines:
        cases.add_note(actor=actor, case=case, text="\n".join([_("From intake"), *lines]))


def _case_fields(raw: dict[str, Any]) -> dict[str, Any]:
    fields = {k: v for k, v in raw.items() if k in ("country", "city")}
    if raw.get("arrived_on"):
        fields["arrived_on"] = date.fromisoformat(raw["arrived_on"])
    return fields


def accept(*, actor: User, submission: Submission, pseudonym: str) -> Case:
    """A new case from the submission: identity sealed, answers mapped to its fields."""
    if not pseudonym.strip() or len(pseudonym.strip()) > 80:
        raise IntakeError(_("Give the new case a pseudonym (at most 80 characters)."))
    with transaction.atomic():
        locked = _locked_open(submission)
        if locked.case_id is not None:
            raise IntakeError(_("This submission is for an existing case: merge it instead."))
        fields = mapped_fields(locked)
        case = cases.create_case(
            actor=actor,
            organization=locked.organization,
            pseudonym=pseudonym,
            **_case_fields(fields["case"]),
        )
        _fill_case(actor, case, {**fields, "case": {}}, str(locked.code))
        held = release_held(actor=actor, submission=locked, case=case)
        reseal_for_case(submission=locked, case=case)
        _decide(actor, locked, Status.ACCEPTED, case)
        submission.status, submission.case = Status.ACCEPTED, case
        submission.sealed_answers = locked.sealed_answers
        log_action(actor, Action.INTAKE_ACCEPTED, submission, case=str(case.code), files=held)
    return case


def merge(*, actor: User, submission: Submission, case: Case) -> None:
    """Add the submission's answers to an existing case (identity fields already there win)."""
    if case.organization_id != submission.organization_id:
        raise IntakeError(_("This case is not of your organization."))
    with transaction.atomic():
        locked = _locked_open(submission)
        fields = mapped_fields(locked)
        _fill_case(actor, case, fields, str(locked.code))
        held = release_held(actor=actor, submission=locked, case=case)
        reseal_for_case(submission=locked, case=case)
        _decide(actor, locked, Status.MERGED, case)
        submission.status, submission.case = Status.MERGED, case
        submission.sealed_answers = locked.sealed_answers
        log_action(actor, Action.INTAKE_MERGED, submission, case=str(case.code), files=held)


def _decide(actor: User, locked: Submission, status: str, case: Case) -> None:
    locked.status, locked.case = status, case
    locked.decided_at, locked.decided_by = timezone.now(), actor
    if locked.assignee_id is None:
        locked.assignee = actor
    locked.save(update_fields=["status", "case", "decided_at", "decided_by", "assignee"])


def propose_candidates(*, actor: User, submission: Submission) -> list[tuple[Person, float]]:
    """People already on record who may be the man of this submission, best first.

    The screening app's duplicate check decides: the keyed name index narrows the people to
    those sharing a name key, then the name engine (``find_duplicates``) scores each against
    the submission's identity, as it does for pairs of people. Each candidate's identity is
    an audited reveal for that purpose, like the duplicate search.
    """
    from tropa.lib.screening.index import find_duplicates
    from tropa.screening import engine

    identity = mapped_fields(submission)["identity"]
    name = " ".join(identity.get(k, "") for k in ("surname", "given_name")).strip()
    if not name:
        return []
    people = cases.find_by_name(actor=actor, organization=submission.organization, name=name)
    if not people and identity.get("surname"):
        people = cases.find_by_name(
            actor=actor, organization=submission.organization, name=identity["surname"]
        )
    query_id = f"submission:{submission.code}"
    birth = identity.get("birth_date")
    birth_date = date.fromisoformat(birth) if birth else None
    queries = [engine.identity_query(query_id, {**identity, "birth_date": birth_date})]
    by_id = {}
    for person in people[:50]:
        revealed = cases.reveal_identity(actor=actor, person=person, purpose="duplicates") or {}
        queries.append(engine.identity_query(str(person.pk), revealed))
        by_id[str(person.pk)] = person
    found = []
    for result in find_duplicates(queries):
        other = result.candidate_id if result.query_id == query_id else result.query_id
        if query_id in (result.query_id, result.candidate_id) and other in by_id:
            found.append((by_id[other], float(result.score)))
    log_action(actor, Action.INTAKE_CANDIDATES_PROPOSED, submission, found=len(found))
    return found
