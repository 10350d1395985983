"""Watch lists: importing a list file as a new version, entry by entry."""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from tropa.accounts.models import Organization, User
from tropa.audit.actions import Action
from tropa.audit.services import log_action
from tropa.crypto.fields import blind_index, seal

from ..models import ListEntry, ListVersion, WatchList
from .errors import ScreeningError

if TYPE_CHECKING:
    from tropa.lib.screening.model import Person as EnginePerson


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
        from ..tasks import enqueue_list_screening  # tasks.py calls back into this module

        enqueue_list_screening(watchlist)
    return ImportReport(watchlist, version, len(persons), added, changed, removed)


def _store_entries(
    watchlist: WatchList, version: ListVersion, persons: list[EnginePerson]
) -> tuple[int, int, int]:
    from .. import engine

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
