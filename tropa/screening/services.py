"""Every write of the screening app, each audited: list imports, screening runs, decisions.

Names are decrypted only in memory, for the length of a run; what is stored of a match (the
engine's explanation) is sealed, and the audit records codes and counts, never names.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from django.conf import settings
from django.core.paginator import Page, Paginator
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from tropa.accounts.models import Organization, User
from tropa.audit.actions import Action
from tropa.audit.services import log_action
from tropa.cases import services as cases
from tropa.cases.models import RISK_ORDER, Case, Person, Risk, ServiceRecord
from tropa.core.errors import ServiceError
from tropa.crypto.fields import blind_index, seal, unseal

from .models import (
    DuplicateCandidate,
    DuplicateStatus,
    HitStatus,
    ListEntry,
    ListVersion,
    ReviewableDecision,
    RunKind,
    RunState,
    RunTrigger,
    ScreeningHit,
    ScreeningRun,
    WatchList,
)

if TYPE_CHECKING:
    from tropa.lib.screening.lists import LineError
    from tropa.lib.screening.model import Person as EnginePerson
    from tropa.lib.screening.score import MatchResult

# The name engine (tropa.lib.screening, followthemoney, rigour: about 1.6 s to import) is
# imported by the functions that run it, never at start-up: every `tropa` command, worker and
# page would pay for it otherwise (tropa/screening/tests/test_startup.py).

# Candidates kept per list and person: more than this is a list of namesakes, not a lead.
HITS_PER_LIST = 20
# The risk a confirmed hit gives a case: a man on a sanctions or war-crimes list changes
# everything about how (and whether) an organization can vouch for him.
CONFIRMED_HIT_RISK = Risk.CRITICAL


class ScreeningError(ServiceError):
    """A request that cannot be carried out; the message is shown to the user.

    ``lines`` names the bad lines of a refused list file.
    """

    def __init__(self, message: str, lines: Iterable[LineError] = ()) -> None:
        super().__init__(message)
        self.lines = tuple(lines)


# Lists -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ImportReport:
    watchlist: WatchList
    version: ListVersion | None  # None: the file is the list's current version
    entries: int
    added: int
    changed: int
    removed: int


def visible_lists(organization: Organization | None) -> QuerySet[WatchList]:
    """Published lists and the organization's own lists."""
    if organization is None:
        return WatchList.objects.none()
    return WatchList.objects.filter(Q(organization__isnull=True) | Q(organization=organization))


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _read(path: Path) -> list[EnginePerson]:
    from tropa.lib.screening.lists import ListError, read_list

    try:
        persons = read_list(path)
    except ListError as exc:
        message = str(exc).split("\n", 1)[0].removeprefix(f"{exc.path}: ")
        raise ScreeningError(message, exc.errors) from exc
    counts = Counter(p.id for p in persons)
    repeated = sorted(i for i, n in counts.items() if n > 1)
    if repeated:
        raise ScreeningError(
            f"entity id(s) appear more than once, nothing was loaded: {', '.join(repeated[:10])}"
        )
    if not persons:
        raise ScreeningError("no Person entities in the file, nothing was loaded")
    return persons


def _canonical(data: dict[str, Any]) -> str:
    return json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def import_list(
    *, actor: User | None, path: str | Path, name: str, organization: Organization | None = None
) -> ImportReport:
    """Store a list file as a new version of the list ``name``; all or nothing.

    1. Read the whole file with the engine's reader: a bad line refuses the file.
    2. Compare entity by entity with the current version (by entity id and a content
       digest): new entities are added, different ones changed, missing ones removed.
    3. After the commit, every open case that can see the list is screened against it.
    """
    path = Path(path)
    name = name.strip()
    if not name:
        raise ScreeningError("a list needs a name")
    persons = _read(path)
    sha256 = _sha256(path)
    with transaction.atomic():
        watchlist = WatchList.objects.select_for_update().filter(name=name).first()
        if watchlist is None:
            watchlist = WatchList.objects.create(name=name, organization=organization)
        elif watchlist.organization_id != (organization.pk if organization else None):
            raise ScreeningError(
                f"the list {name!r} exists already "
                + ("as a published list" if watchlist.is_published else "for an organization")
            )
        current = ListVersion.objects.filter(watchlist=watchlist).first()
        if current is not None and current.sha256 == sha256:
            return ImportReport(watchlist, None, current.entries, 0, 0, 0)
        version = ListVersion.objects.create(
            watchlist=watchlist,
            number=(current.number + 1) if current else 1,
            imported_at=timezone.now(),
            imported_by=actor if getattr(actor, "is_authenticated", False) else None,
            sha256=sha256,
            entries=len(persons),
        )
        added, changed, removed = _store_entries(watchlist, version, persons)
        version.added, version.changed, version.removed = added, changed, removed
        version.save(update_fields=["added", "changed", "removed"])
        log_action(
            actor,
            Action.SCREENING_LIST_IMPORTED,
            version,
            organization=organization,
            list=str(watchlist.code),
            version=version.number,
            entries=len(persons),
            added=added,
            changed=changed,
            removed=removed,
        )
        from .tasks import enqueue_list_screening  # tasks.py calls back into this module

        enqueue_list_screening(watchlist)
    return ImportReport(watchlist, version, len(persons), added, changed, removed)


def _store_entries(
    watchlist: WatchList, version: ListVersion, persons: list[EnginePerson]
) -> tuple[int, int, int]:
    from . import engine

    org_id = watchlist.organization_id

    def key_of(entity_id: str) -> str:
        return entity_id if org_id is None else blind_index(org_id, "screening.entity", entity_id)

    def digest_of(canonical: str) -> str:
        if org_id is None:
            return hashlib.sha256(canonical.encode()).hexdigest()
        return blind_index(org_id, "screening.entry", canonical)

    existing = {e.key: e for e in ListEntry.objects.filter(watchlist=watchlist)}
    to_create: list[ListEntry] = []
    to_update: list[ListEntry] = []
    added = changed = 0
    seen: set[str] = set()
    for person in persons:
        data = engine.entry_data(person, person.id)
        canonical = _canonical(data)
        key, digest = key_of(person.id), digest_of(canonical)
        seen.add(key)
        entry = existing.get(key)
        if entry is not None and entry.removed_in_id is None and entry.digest == digest:
            continue
        if entry is None:
            entry = ListEntry(
                watchlist=watchlist,
                organization_id=org_id,
                key=key,
                added_in=version,
                changed_in=version,
            )
            to_create.append(entry)
            added += 1
        else:
            # An entity back on the list after a removal counts as added.
            if entry.removed_in_id is None:
                changed += 1
            else:
                added += 1
            entry.removed_in, entry.changed_in = None, version
            to_update.append(entry)
        entry.digest = digest
        if org_id is None:
            entry.data, entry.sealed = data, None
        else:
            entry.data, entry.sealed = None, seal(entry, "sealed", data)
    ListEntry.objects.bulk_create(to_create, batch_size=1000)
    ListEntry.objects.bulk_update(
        to_update, ["digest", "data", "sealed", "changed_in", "removed_in"], batch_size=1000
    )
    gone = [e.pk for k, e in existing.items() if k not in seen and e.removed_in_id is None]
    # Hits keep their own sealed copy of what they matched: a removed entry can go.
    ListEntry.objects.filter(pk__in=gone).delete()
    return added, changed, len(gone)


def entry_caption(data: dict[str, Any]) -> str:
    """The name a list gives an entry (its first), for reviewers."""
    names = data.get("names") or []
    return str(names[0]) if names else "—"


# What a hit holds, sealed ----------------------------------------------------------------


def hit_index(org_id: int, person_id: Any, watchlist_id: Any, key: str) -> str:
    """The blind index of "this man, this list, this entry": the one lookup of a hit.

    The entry key (entity id or its blind index) and not the entry's row id, so that an
    entity dropped from a list and put back finds the same hit. Migration 0003 computes it
    the same way.
    """
    return blind_index(org_id, "screening.hit", f"{person_id}\x00{watchlist_id}\x00{key}")


@dataclass(frozen=True)
class HitFacts:
    """A hit's sealed part, opened: which entry it matched, how, and when."""

    watchlist_id: str
    entry_key: str
    digest: str  # the entry's digest when the man was last screened against it
    entry: dict[str, Any]  # the hit's copy of the entry, as it was then
    score: float
    match: bool
    decision: str
    explanation: dict[str, Any]
    found_at: datetime
    screened_at: datetime
    decided_digest: str  # the entry's digest at the last decision: a dismissal holds till then

    def as_json(self) -> dict[str, Any]:
        return {
            "watchlist": self.watchlist_id,
            "key": self.entry_key,
            "digest": self.digest,
            "entry": self.entry,
            "score": self.score,
            "match": self.match,
            "decision": self.decision,
            "explanation": self.explanation,
            "found_at": self.found_at.isoformat(),
            "screened_at": self.screened_at.isoformat(),
            "decided_digest": self.decided_digest,
        }


def hit_facts(hit: ScreeningHit) -> HitFacts:
    """Open a hit's sealed part (in memory; what is read of it is the caller's to audit)."""
    data: dict[str, Any] = unseal(hit, "sealed", hit.sealed)
    return HitFacts(
        watchlist_id=str(data["watchlist"]),
        entry_key=str(data["key"]),
        digest=str(data["digest"]),
        entry=dict(data.get("entry") or {}),
        score=float(data["score"]),
        match=bool(data["match"]),
        decision=str(data["decision"]),
        explanation=dict(data.get("explanation") or {}),
        found_at=datetime.fromisoformat(data["found_at"]),
        screened_at=datetime.fromisoformat(data["screened_at"]),
        decided_digest=str(data.get("decided_digest") or ""),
    )


@dataclass(frozen=True)
class HitRow:
    """A hit with its facts opened, its list, and whether the entry is still on it."""

    hit: ScreeningHit
    facts: HitFacts
    watchlist: WatchList | None
    listed: bool


def hit_rows(hits: Iterable[ScreeningHit]) -> list[HitRow]:
    """Open hits for display, strongest first (the score is sealed: sorted here)."""
    opened = [(hit, hit_facts(hit)) for hit in hits]
    lists = WatchList.objects.in_bulk({uuid.UUID(f.watchlist_id) for _h, f in opened})
    current: set[tuple[str, str]] = set()
    for watchlist_id in lists:
        keys = {f.entry_key for _h, f in opened if f.watchlist_id == str(watchlist_id)}
        current |= {
            (str(watchlist_id), key)
            for key in ListEntry.objects.filter(
                watchlist_id=watchlist_id, key__in=keys, removed_in__isnull=True
            ).values_list("key", flat=True)
        }
    rows = [
        HitRow(
            hit=hit,
            facts=facts,
            watchlist=lists.get(uuid.UUID(facts.watchlist_id)),
            listed=(facts.watchlist_id, facts.entry_key) in current,
        )
        for hit, facts in opened
    ]
    rows.sort(key=lambda r: (-r.facts.score, r.facts.found_at))
    return rows


# Screening cases ---------------------------------------------------------------------------


def _unit_of(person: Person) -> str:
    record = ServiceRecord.objects.filter(person=person).only("unit").first()
    return record.unit if record else ""


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
    from tropa.lib.screening.score import REVIEW_THRESHOLD

    from . import engine

    organization = case.organization
    lists = list(watchlists if watchlists is not None else visible_lists(organization))
    identity = cases.reveal_identity(actor=actor, person=case.person, purpose="screening")
    results: dict[str, tuple[MatchResult, ListEntry, WatchList]] = {}
    if identity:
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
    now = timezone.now()
    with transaction.atomic():
        # One screening of a person at a time (on demand and after an import may overlap):
        # each must see the other's hits, or both would add the same one.
        Person.objects.select_for_update().filter(
            organization_id=case.organization_id, pk=case.person_id
        ).first()
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
    """Screen every open case of every organization that sees ``watchlist``; returns how many."""
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


# Reviewing hits ----------------------------------------------------------------------------


def read_hit(*, actor: User, hit: ScreeningHit) -> HitRow:
    """A hit's sealed part, for its page: an audited read.

    Its names are identity: the page shows them only after ``cases.reveal_identity``.
    """
    log_action(actor, Action.SCREENING_HIT_VIEWED, hit.case, hit=str(hit.code))
    return hit_rows([hit])[0]


def read_reason(obj: ReviewableDecision) -> str:
    return str(unseal(obj, "sealed_reason", obj.sealed_reason) or "")


def _clean_reason(reason: str) -> str:
    reason = reason.strip()
    if not reason:
        raise ScreeningError(_("Give a reason for the decision."))
    return reason


D = TypeVar("D", bound=ReviewableDecision)


def decide(
    *,
    actor: User,
    obj: D,
    status: str,
    reason: str,
    already_decided: str,
    also: Callable[[D], list[str]] | None = None,
) -> D:
    """Record a reviewer's decision on a hit or a pair: once, by whom, when, with a sealed reason.

    Call inside the transaction of the decision; the row is locked and read again, so that of
    two reviewers deciding at once the second is refused with ``already_decided``. ``also``
    changes the locked row further and names the fields it changed. Returns the locked row.
    """
    reason = _clean_reason(reason)
    model = type(obj)
    locked: D = (
        model.objects.for_organization(obj.organization_id).select_for_update().get(pk=obj.pk)
    )
    if locked.is_decided:
        raise ScreeningError(already_decided)
    locked.status = status
    locked.decided_by, locked.decided_at = actor, timezone.now()
    locked.sealed_reason = seal(locked, "sealed_reason", reason)
    fields = ["status", "decided_by", "decided_at", "sealed_reason"]
    locked.save(update_fields=fields + (also(locked) if also else []))
    return locked


def _seal_decided_digest(hit: ScreeningHit) -> list[str]:
    """The entry as the reviewer saw it (the hit's copy): a dismissal holds until it changes."""
    facts = hit_facts(hit)
    decided = HitFacts(**{**facts.__dict__, "decided_digest": facts.digest})
    hit.sealed = seal(hit, "sealed", decided.as_json())
    return ["sealed"]


def decide_hit(*, actor: User, hit: ScreeningHit, confirm: bool, reason: str) -> None:
    """Confirm (the man is the listed person) or dismiss a pending hit, with a reason.

    A confirmation raises the case's risk to critical; nothing else about the case changes,
    and no alert is raised: what follows is the vetting team's decision.
    """
    with transaction.atomic():
        hit = decide(
            actor=actor,
            obj=hit,
            status=HitStatus.CONFIRMED if confirm else HitStatus.DISMISSED,
            reason=reason,
            already_decided=_("This hit has already been decided."),
            also=_seal_decided_digest,
        )
        raised = False
        case = hit.case
        if confirm and RISK_ORDER[Risk(case.risk)] < RISK_ORDER[CONFIRMED_HIT_RISK]:
            cases.update_case(actor=actor, case=case, risk=CONFIRMED_HIT_RISK)
            raised = True
        log_action(
            actor,
            Action.SCREENING_HIT_CONFIRMED if confirm else Action.SCREENING_HIT_DISMISSED,
            case,
            hit=str(hit.code),
            risk_raised=raised,
        )


def pending_hits(organization: Organization | None, page: Any = 1) -> Page[HitRow]:
    """One page of the hits waiting for a decision, strongest first.

    The score is sealed, so the organization's pending hits are opened and sorted here (an
    organization has few; the page size is ``SCREENING_QUEUE_PAGE``).
    """
    hits = ScreeningHit.objects.for_organization(organization).filter(status=HitStatus.PENDING)
    hits = hits.select_related("case__person")
    paginator = Paginator(hit_rows(hits), getattr(settings, "SCREENING_QUEUE_PAGE", 50))
    return paginator.get_page(page)


# Duplicates --------------------------------------------------------------------------------


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
        from .tasks import enqueue_duplicate_search  # tasks.py calls back into this module

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


def run_duplicate_search(run: ScreeningRun) -> ScreeningRun:
    """Look for people registered twice (under other spellings) and offer them for review.

    Each identity is decrypted in memory for the run only (an audited reveal, in its own short
    transaction: nothing is held locked while the engine works). Progress is written to the
    run every ``PROGRESS_EVERY`` people. A pair already decided keeps its decision; nothing is
    ever merged.
    """
    from tropa.lib.screening.index import find_duplicates

    from . import engine

    organization, actor = run.organization, run.by
    people = list(Person.objects.filter(organization=organization).order_by("pk"))
    run.state, run.total, run.done = RunState.RUNNING, len(people), 0
    run.save(update_fields=["state", "total", "done"])
    queries = []
    for number, person in enumerate(people, 1):
        identity = cases.reveal_identity(actor=actor, person=person, purpose="duplicates")
        queries.append(
            engine.identity_query(
                str(person.pk), identity, unit=_unit_of(person), pseudonym=person.pseudonym
            )
        )
        if number % PROGRESS_EVERY == 0:
            run.done = number
            run.save(update_fields=["done"])
    results = find_duplicates(queries)
    now = timezone.now()
    with transaction.atomic():
        Organization.objects.select_for_update().filter(pk=organization.pk).first()
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
