"""Watch lists: importing a list file as a new version, entry by entry, as a stream."""

from __future__ import annotations

import hashlib
import itertools
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from tropa.accounts.models import Organization, User
from tropa.audit.actions import Action
from tropa.audit.services import log_action
from tropa.crypto.fields import blind_index, seal

from ..models import ChangeKind, ListChange, ListEntry, ListVersion, WatchList
from .errors import ScreeningError
from .listfile import Progress, read_persons

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


def _canonical(data: dict[str, Any]) -> str:
    return json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def import_list(
    *, actor: User | None, path: str | Path, name: str, organization: Organization | None = None
) -> ImportReport:
    """Store a list file as a new version of the list ``name``; all or nothing (the command)."""
    path = Path(path)
    if not path.is_file():
        raise ScreeningError(_("No such file."))
    with path.open("rb") as handle:
        return import_stream(
            actor=actor,
            read=handle.read,
            is_csv=path.suffix.lower() == ".csv",
            sha256=_sha256(path),
            name=name,
            organization=organization,
        )


def _list_for(name: str, organization: Organization | None) -> WatchList:
    """The list ``name``, locked, or a new one (inside the import's transaction)."""
    watchlist = WatchList.objects.select_for_update().filter(name=name).first()
    if watchlist is None:
        return WatchList.objects.create(name=name, organization=organization)
    if watchlist.organization_id != (organization.pk if organization else None):
        raise ScreeningError(
            _("A list named “%(name)s” exists already as a published list.") % {"name": name}
            if watchlist.is_published
            else _("A list named “%(name)s” exists already for an organization.") % {"name": name}
        )
    return watchlist


def import_stream(
    *,
    actor: User | None,
    read: Callable[[int], bytes],
    is_csv: bool,
    sha256: str,
    name: str,
    organization: Organization | None = None,
    progress: Progress | None = None,
    on_batch: Callable[[Progress], None] | None = None,
    rescreen: bool = True,
) -> ImportReport:
    """Store a list file, read as a stream, as a new version of the list ``name``.

    1. One transaction: the version is created whole or not at all. A bad line, a repeated
       entity id or a file with no person rolls everything back.
    2. Entries are compared with the stored ones batch by batch (by entity id and a content
       digest) and marked as seen; what is left unmarked at the end was removed. Memory stays
       flat whatever the file's size. Each added, changed and removed entry is recorded with
       its name (sealed on an organization's list) for the page of what changed.
    3. After the commit, every open case that can see the list is screened against it.
    """
    name = name.strip()
    if not name:
        raise ScreeningError(_("A list needs a name."))
    progress = progress or Progress()
    with transaction.atomic():
        watchlist = _list_for(name, organization)
        current = ListVersion.objects.filter(watchlist=watchlist).first()
        if current is not None and current.sha256 == sha256:
            return ImportReport(watchlist, None, current.entries, 0, 0, 0)
        version = ListVersion.objects.create(
            watchlist=watchlist,
            number=(current.number + 1) if current else 1,
            imported_at=timezone.now(),
            imported_by=actor if getattr(actor, "is_authenticated", False) else None,
            sha256=sha256,
        )
        store = _Store(watchlist, version)
        for batch in _batched(read_persons(read, is_csv=is_csv, progress=progress)):
            store.add(batch)
            if on_batch is not None:
                on_batch(progress)
        if not store.entries:
            raise ScreeningError(_("The file holds no person: nothing was imported."))
        removed = store.finish()
        version.entries, version.added = store.entries, store.added
        version.changed, version.removed = store.changed, removed
        version.save(update_fields=["entries", "added", "changed", "removed"])
        log_action(
            actor,
            Action.SCREENING_LIST_IMPORTED,
            version,
            organization=organization,
            list=str(watchlist.code),
            version=version.number,
            entries=store.entries,
            added=store.added,
            changed=store.changed,
            removed=removed,
        )
        if rescreen:
            from ..tasks import enqueue_list_screening  # tasks.py calls back into this module

            enqueue_list_screening(watchlist)
    return ImportReport(watchlist, version, store.entries, store.added, store.changed, removed)


def _batched(items: Iterator[EnginePerson], size: int = 500) -> Iterator[tuple[EnginePerson, ...]]:
    while batch := tuple(itertools.islice(items, size)):
        yield batch


class _Store:
    """The entries of one import, written batch by batch inside its transaction."""

    def __init__(self, watchlist: WatchList, version: ListVersion) -> None:
        self.watchlist, self.version = watchlist, version
        self.org_id = watchlist.organization_id
        self.entries = self.added = self.changed = 0

    def key_of(self, entity_id: str) -> str:
        if self.org_id is None:
            return entity_id
        return blind_index(self.org_id, "screening.entity", entity_id)

    def digest_of(self, canonical: str) -> str:
        if self.org_id is None:
            return hashlib.sha256(canonical.encode()).hexdigest()
        return blind_index(self.org_id, "screening.entry", canonical)

    def change(self, kind: str, data: dict[str, Any]) -> ListChange:
        row = ListChange(version=self.version, organization_id=self.org_id, kind=kind)
        caption = entry_caption(data)[:300]
        if self.org_id is None:
            row.caption = caption
        else:
            row.sealed = seal(row, "sealed", caption)
        return row

    def add(self, persons: tuple[EnginePerson, ...]) -> None:
        from .. import engine

        keyed = {self.key_of(p.id): p for p in persons}
        existing = {
            e.key: e for e in ListEntry.objects.filter(watchlist=self.watchlist, key__in=keyed)
        }
        repeated = len(keyed) < len(persons) or any(
            e.seen_in_id == self.version.pk for e in existing.values()
        )
        if repeated:
            raise ScreeningError(
                _("An entity id appears more than once in the file: nothing was imported.")
            )
        to_create: list[ListEntry] = []
        to_update: list[ListEntry] = []
        unchanged: list[Any] = []
        changes: list[ListChange] = []
        for key, person in keyed.items():
            data = engine.entry_data(person, person.id)
            digest = self.digest_of(_canonical(data))
            entry = existing.get(key)
            if entry is not None and entry.removed_in_id is None and entry.digest == digest:
                unchanged.append(entry.pk)
                continue
            if entry is None or entry.removed_in_id is not None:
                self.added += 1
                changes.append(self.change(ChangeKind.ADDED, data))
            else:
                self.changed += 1
                changes.append(self.change(ChangeKind.CHANGED, data))
            if entry is None:
                entry = ListEntry(
                    watchlist=self.watchlist,
                    organization_id=self.org_id,
                    key=key,
                    added_in=self.version,
                )
                to_create.append(entry)
            else:
                to_update.append(entry)
            entry.removed_in, entry.changed_in, entry.seen_in = None, self.version, self.version
            entry.digest = digest
            if self.org_id is None:
                entry.data, entry.sealed = data, None
            else:
                entry.data, entry.sealed = None, seal(entry, "sealed", data)
        self.entries += len(keyed)
        ListEntry.objects.bulk_create(to_create)
        fields = ["digest", "data", "sealed", "changed_in", "removed_in", "seen_in"]
        ListEntry.objects.bulk_update(to_update, fields)
        ListEntry.objects.filter(pk__in=unchanged).update(seen_in=self.version)
        ListChange.objects.bulk_create(changes)

    def finish(self) -> int:
        """Delete the entries the file no longer holds (hits keep their own sealed copy)."""
        from .. import engine

        gone = ListEntry.objects.filter(watchlist=self.watchlist).exclude(seen_in=self.version)
        removed = 0
        while batch := list(gone.exclude(removed_in__isnull=False)[:500]):
            changes = [self.change(ChangeKind.REMOVED, engine.read_entry(e)) for e in batch]
            ListChange.objects.bulk_create(changes)
            ListEntry.objects.filter(pk__in=[e.pk for e in batch]).delete()
            removed += len(batch)
        gone.delete()  # rows an old installation marked removed
        return removed


def entry_caption(data: dict[str, Any]) -> str:
    """The name a list gives an entry (its first), for reviewers."""
    names = data.get("names") or []
    return str(names[0]) if names else "—"
