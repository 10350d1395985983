"""Screening cases: a person against the lists, and every open case against a new list."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import datetime
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.utils import timezone

from tropa.accounts.models import Organization, User
from tropa.audit.actions import Action
from tropa.audit.services import log_action
from tropa.cases import services as cases
from tropa.cases.models import Case, Person, ServiceRecord
from tropa.crypto.fields import seal

from ..models import (
    HitStatus,
    ListEntry,
    RunKind,
    RunTrigger,
    ScreeningHit,
    ScreeningRun,
    WatchList,
)
from .hits import HitFacts, hit_facts, hit_index
from .lists import visible_lists

if TYPE_CHECKING:
    from tropa.lib.screening.score import MatchResult


# Candidates kept per list and person: more than this is a list of namesakes, not a lead.
HITS_PER_LIST = 20


def _unit_of(person: Person) -> str:
    record = ServiceRecord.objects.filter(person=person).only("unit").first()
    return record.unit if record else ""


def _find_hits(
    organization: Organization, case: Case, identity: dict[str, Any], lists: list[WatchList]
) -> dict[str, tuple[MatchResult, ListEntry, WatchList]]:
    """Match every spelling of the person's name against each list: candidates by hit index."""
    from tropa.lib.screening.score import REVIEW_THRESHOLD

    from .. import engine

    results: dict[str, tuple[MatchResult, ListEntry, WatchList]] = {}
    query = engine.identity_query(str(case.person.pk), identity, unit=_unit_of(case.person))
    for watchlist in lists:
        found = engine.index_for(watchlist).screen(
            query, threshold=REVIEW_THRESHOLD, limit=HITS_PER_LIST
        )
        entries = ListEntry.objects.in_bulk([uuid.UUID(r.candidate_id) for r in found])
        for result in found:
            entry = entries.get(uuid.UUID(result.candidate_id))
            if entry is None:  # dropped from the list since the index was built
                continue
            index = hit_index(organization.pk, case.person_id, watchlist.pk, entry.key)
            results[index] = (result, entry, watchlist)
    return results


def _store_hits(
    case: Case,
    results: dict[str, tuple[MatchResult, ListEntry, WatchList]],
    now: datetime,
) -> tuple[int, int]:
    """Create or update one hit per candidate (inside the caller's transaction): (new, reopened).

    A dismissed hit is reopened only if the list entry changed since the dismissal.
    """
    from .. import engine

    organization = case.organization
    known = {
        h.entry_index: h
        for h in ScreeningHit.objects.select_for_update().filter(
            organization=organization, person=case.person, entry_index__in=list(results)
        )
    }
    new = reopened = 0
    for index, (result, entry, watchlist) in results.items():
        hit = known.get(index)
        found_at, decided = now, ""
        if hit is None:
            hit = ScreeningHit(
                organization=organization, case=case, person=case.person, entry_index=index
            )
            new += 1
        else:
            before = hit_facts(hit)
            found_at, decided = before.found_at, before.decided_digest
            if hit.status == HitStatus.DISMISSED and decided != entry.digest:
                hit.reopen()
                reopened += 1
        facts = HitFacts(
            watchlist_id=str(watchlist.pk),
            entry_key=entry.key,
            digest=entry.digest,
            entry=engine.read_entry(entry),
            score=result.score,
            match=result.match,
            decision=result.decision,
            explanation=result.explanation(),
            found_at=found_at,
            screened_at=now,
            decided_digest=decided,
        )
        hit.case = case
        hit.sealed = seal(hit, "sealed", facts.as_json())
        hit.save()
    return new, reopened


def screen_case(
    *,
    actor: User | None,
    case: Case,
    trigger: str = RunTrigger.MANUAL,
    watchlists: Iterable[WatchList] | None = None,
) -> ScreeningRun:
    """Screen the case's person (every spelling of his name) against lists; store the hits.

    Without ``watchlists``, every list the organization can see. A hit already known for the
    same person and entry is updated, not duplicated; a dismissed hit comes back for review
    only if the list entry changed since the dismissal.
    """
    organization = case.organization
    lists = list(watchlists if watchlists is not None else visible_lists(organization))
    identity = cases.reveal_identity(actor=actor, person=case.person, purpose="screening")
    results = _find_hits(organization, case, identity, lists) if identity else {}
    now = timezone.now()
    with transaction.atomic():
        # One screening of a person at a time (on demand and after an import may overlap):
        # each must see the other's hits, or both would add the same one.
        Person.objects.select_for_update().filter(
            organization_id=case.organization_id, pk=case.person_id
        ).first()
        new, reopened = _store_hits(case, results, now)
        run = ScreeningRun.objects.create(
            organization=organization,
            case=case,
            kind=RunKind.CASE,
            trigger=trigger,
            at=now,
            by=actor if getattr(actor, "is_authenticated", False) else None,
            lists=len(lists),
            screened=bool(identity),
        )
        # No hit counts in the log or on the run: next to the time of a list import they
        # would tell which list (and, for a small list, which entry) the man is on.
        log_action(actor, Action.SCREENING_RUN, case, lists=len(lists), trigger=trigger)
    run.found, run.new, run.reopened = len(results), new, reopened
    return run


def screen_cases_for_list(watchlist: WatchList) -> int:
    """Screen every open case of every organization that sees ``watchlist``; returns how many.

    The new version's shared index is built first, here in the background worker, even when
    no case is open: a screening on demand then never waits for it.
    """
    from .. import engine

    engine.index_for(watchlist)
    organizations = Organization.objects.all()
    if not watchlist.is_published:
        organizations = organizations.filter(watchlists=watchlist)
    count = 0
    for case in (
        Case.objects.open()
        .filter(organization__in=organizations)
        .select_related("person", "organization")
    ):
        screen_case(actor=None, case=case, trigger=RunTrigger.LIST_UPDATE, watchlists=[watchlist])
        count += 1
    return count


def last_run(case: Case) -> ScreeningRun | None:
    return ScreeningRun.objects.filter(case=case, kind=RunKind.CASE).first()
