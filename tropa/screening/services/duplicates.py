"""Duplicate people: the search, its run rows, and the decisions on pairs."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from tropa.accounts.models import Organization, User
from tropa.audit.actions import Action
from tropa.audit.services import log_action
from tropa.cases import services as cases
from tropa.cases.models import Person
from tropa.crypto.fields import seal, unseal

from ..models import (
    DuplicateCandidate,
    DuplicateStatus,
    RunKind,
    RunState,
    RunTrigger,
    ScreeningRun,
)
from .decisions import decide
from .screening import _unit_of


def _ordered(a: str, b: str) -> tuple[str, str]:
    return (a, b) if a < b else (b, a)


# People read between two progress updates of a duplicate search.
PROGRESS_EVERY = 25


def start_duplicate_search(*, actor: User, organization: Organization) -> ScreeningRun:
    """Queue a search for duplicate people; while one is queued or running, that one.

    The search itself is ``run_duplicate_search``, in the background (``tasks.py``): it
    decrypts every identity of the organization, one audited reveal each.
    """
    with transaction.atomic():
        Organization.objects.select_for_update().filter(pk=organization.pk).first()
        pending = active_duplicate_run(organization)
        if pending is not None:
            return pending
        run = ScreeningRun.objects.create(
            organization=organization,
            kind=RunKind.DUPLICATES,
            trigger=RunTrigger.MANUAL,
            at=timezone.now(),
            by=actor,
            state=RunState.QUEUED,
        )
        from ..tasks import enqueue_duplicate_search  # tasks.py calls back into this module

        enqueue_duplicate_search(run)
    return run


def find_duplicate_people(*, actor: User | None, organization: Organization) -> ScreeningRun:
    """Search for duplicates now, in this process (shell, tests): ``run_duplicate_search``."""
    run = ScreeningRun.objects.create(
        organization=organization,
        kind=RunKind.DUPLICATES,
        trigger=RunTrigger.MANUAL,
        at=timezone.now(),
        by=actor,
        state=RunState.QUEUED,
    )
    return run_duplicate_search(run)


def _read_queries(run: ScreeningRun, people: list[Person]) -> list[Any]:
    """One engine query per person (an audited reveal each), progress on the run as it goes."""
    from .. import engine

    queries = []
    for number, person in enumerate(people, 1):
        identity = cases.reveal_identity(actor=run.by, person=person, purpose="duplicates")
        queries.append(
            engine.identity_query(
                str(person.pk), identity, unit=_unit_of(person), pseudonym=person.pseudonym
            )
        )
        if number % PROGRESS_EVERY == 0:
            run.done = number
            run.save(update_fields=["done"])
    return queries


def _store_candidates(organization: Organization, results: list[Any], now: datetime) -> int:
    """Create or refresh a candidate per pair (in the caller's transaction); returns new ones.

    A pair already decided keeps its decision: only its screening time moves.
    """
    existing = {
        (str(c.person_a_id), str(c.person_b_id)): c
        for c in DuplicateCandidate.objects.for_organization(organization).select_for_update()
    }
    new = 0
    for result in results:
        a, b = _ordered(result.query_id, result.candidate_id)
        candidate = existing.get((a, b))
        if candidate is None:
            candidate = DuplicateCandidate(
                organization=organization, person_a_id=a, person_b_id=b, found_at=now
            )
            new += 1
        elif candidate.is_decided:
            candidate.screened_at = now
            candidate.save(update_fields=["screened_at"])
            continue
        candidate.score, candidate.decision = result.score, result.decision
        candidate.screened_at = now
        explanation = {"query_person": result.query_id, **result.explanation()}
        candidate.sealed = seal(candidate, "sealed", explanation)
        candidate.save()
    return new


def run_duplicate_search(run: ScreeningRun) -> ScreeningRun:
    """Look for people registered twice (under other spellings) and offer them for review.

    Each identity is decrypted in memory for the run only (an audited reveal, in its own short
    transaction: nothing is held locked while the engine works). Progress is written to the
    run every ``PROGRESS_EVERY`` people. A pair already decided keeps its decision; nothing is
    ever merged.
    """
    from tropa.lib.screening.index import find_duplicates

    organization, actor = run.organization, run.by
    people = list(Person.objects.filter(organization=organization).order_by("pk"))
    run.state, run.total, run.done = RunState.RUNNING, len(people), 0
    run.save(update_fields=["state", "total", "done"])
    results = find_duplicates(_read_queries(run, people))
    now = timezone.now()
    with transaction.atomic():
        Organization.objects.select_for_update().filter(pk=organization.pk).first()
        new = _store_candidates(organization, results, now)
        run.state, run.done, run.candidates = RunState.DONE, len(people), len(results)
        run.save(update_fields=["state", "done", "candidates"])
        run.found = len(results)
        log_action(
            actor,
            Action.SCREENING_DUPLICATES_RUN,
            organization=organization,
            candidates=len(results),
            new=new,
        )
    return run


def fail_duplicate_search(run_id: Any) -> None:
    """A search that raised or whose worker gave up on it: the page says so, a new one may start."""
    ScreeningRun.objects.filter(pk=run_id, state__in=[RunState.QUEUED, RunState.RUNNING]).update(
        state=RunState.FAILED
    )


def active_duplicate_run(organization: Organization) -> ScreeningRun | None:
    return ScreeningRun.objects.filter(
        organization=organization,
        kind=RunKind.DUPLICATES,
        state__in=[RunState.QUEUED, RunState.RUNNING],
    ).first()


def read_duplicate(*, actor: User, candidate: DuplicateCandidate) -> dict[str, Any]:
    log_action(
        actor,
        Action.SCREENING_DUPLICATE_VIEWED,
        organization=candidate.organization,
        candidate=str(candidate.code),
    )
    explanation: dict[str, Any] = unseal(candidate, "sealed", candidate.sealed)
    return explanation


def decide_duplicate(
    *, actor: User, candidate: DuplicateCandidate, same: bool, reason: str
) -> None:
    """Record that two people are the same man or two different men.

    "Same person" only records the link for the people working the cases; both people, their
    cases and identities stay as they are.
    """
    with transaction.atomic():
        candidate = decide(
            actor=actor,
            obj=candidate,
            status=DuplicateStatus.SAME if same else DuplicateStatus.DIFFERENT,
            reason=reason,
            already_decided=_("This pair has already been decided."),
        )
        log_action(
            actor,
            Action.SCREENING_DUPLICATE_DECIDED,
            organization=candidate.organization,
            candidate=str(candidate.code),
            status=candidate.status,
        )


def open_duplicates(organization: Organization | None) -> QuerySet[DuplicateCandidate]:
    return DuplicateCandidate.objects.for_organization(organization).select_related(
        "person_a", "person_b", "decided_by"
    )


def last_duplicate_run(organization: Organization | None) -> ScreeningRun | None:
    """The latest duplicate search that finished (or failed)."""
    runs = ScreeningRun.objects.filter(organization=organization, kind=RunKind.DUPLICATES)
    return runs.filter(state__in=[RunState.DONE, RunState.FAILED]).select_related("by").first()
