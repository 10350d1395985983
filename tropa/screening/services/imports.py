"""Lists uploaded in the browser: queue the import, run it in the worker, re-screen after it,
show how far it got; and deleting an organization's own list.

Only an organization's own lists are uploaded in the browser; published lists (shared by
every organization) are imported on the server with ``tropa lists import``.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from typing import Any

from django.core.paginator import Page, Paginator
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from tropa.accounts.models import Organization, User
from tropa.audit.actions import Action
from tropa.audit.services import log_action
from tropa.cases.models import Case
from tropa.crypto.fields import KeyErased, seal, unseal

from .. import index_store
from ..models import (
    ChangeKind,
    HitStatus,
    ImportState,
    ListChange,
    ListImport,
    ListVersion,
    RunTrigger,
    ScreeningHit,
    WatchList,
)
from .errors import ScreeningError
from .hits import hit_facts
from .listfile import Progress
from .lists import import_stream

CHANGES_PAGE = 50


def new_import(*, actor: User, organization: Organization) -> ListImport:
    """The row an upload is received into (saved by ``queue_import`` once it arrived)."""
    return ListImport(organization=organization, by=actor, created_at=timezone.now())


def queue_import(*, actor: User, row: ListImport, name: str) -> ListImport:
    """Check the uploaded file and queue its import; a refused file is deleted at once."""
    from .. import uploads

    try:
        _check_upload(row, name.strip())
    except ScreeningError:
        uploads.discard(row)
        raise
    with transaction.atomic():
        row.name = name.strip()
        row.watchlist = WatchList.objects.filter(
            organization=row.organization, name=row.name
        ).first()
        row.save(force_insert=True)
        log_action(actor, Action.SCREENING_LIST_UPLOADED, row, size=row.size, csv=row.csv)
        from ..tasks import enqueue_import

        enqueue_import(row)
    return row


def _check_upload(row: ListImport, name: str) -> None:
    if not name:
        raise ScreeningError(_("A list needs a name."))
    if not row.sha256:
        raise ScreeningError(_("Choose a list file to upload."))
    if row.size == 0:
        raise ScreeningError(_("The file is empty."))
    other = WatchList.objects.filter(name=name).exclude(organization=row.organization).exists()
    if other:
        raise ScreeningError(
            _("A list named “%(name)s” exists already. Choose another name.") % {"name": name}
        )
    current = ListVersion.objects.filter(
        watchlist__organization=row.organization, watchlist__name=name
    ).first()
    if current is not None and current.sha256 == row.sha256:
        raise ScreeningError(
            _("This file is the list's current version (%(number)d) already.")
            % {"number": current.number}
        )
    pending = ListImport.objects.for_organization(row.organization).filter(
        name=name, sha256=row.sha256, state__in=[ImportState.QUEUED, ImportState.IMPORTING]
    )
    if pending.exists():
        raise ScreeningError(_("This file is being imported already."))


def _write_progress(row: ListImport, progress: Progress) -> None:
    from .. import uploads

    path = uploads.progress_file(row)
    temporary = path.with_suffix(".tmp")
    temporary.write_text(f"{progress.bytes_read} {progress.people}")
    temporary.replace(path)


def read_progress(row: ListImport) -> Progress:
    """How far the worker has read the file (written outside the import's transaction)."""
    from .. import uploads

    with contextlib.suppress(OSError, ValueError):
        bytes_read, people = uploads.progress_file(row).read_text().split()
        return Progress(int(bytes_read), int(people))
    return Progress()


def _rows(row: ListImport) -> Any:
    return ListImport.objects.for_organization(row.organization_id).filter(pk=row.pk)


def run_import(row: ListImport) -> None:
    """The worker's part: import the file whole or refuse it, then re-screen open cases."""
    from .. import uploads

    _rows(row).update(state=ImportState.IMPORTING)
    try:
        with uploads.open_upload(row) as stream:
            report = import_stream(
                actor=row.by,
                read=stream.read,
                is_csv=row.csv,
                sha256=row.sha256,
                name=row.name,
                organization=row.organization,
                rescreen=False,
                on_batch=lambda progress: _write_progress(row, progress),
            )
    except ScreeningError as refused:
        _fail(row, str(refused), [(e.line, e.message) for e in refused.lines])
        return
    finally:
        uploads.discard(row)
    row.watchlist, row.version = report.watchlist, report.version
    row.unchanged = report.version is None
    row.state = ImportState.DONE if row.unchanged else ImportState.SCREENING
    row.save(update_fields=["watchlist", "version", "unchanged", "state"])
    if not row.unchanged:
        rescreen(row)


def _fail(row: ListImport, message: str, lines: list[tuple[int, str]]) -> None:
    with transaction.atomic():
        row.state = ImportState.FAILED
        row.sealed_error = seal(row, "sealed_error", {"message": message, "lines": lines})
        row.save(update_fields=["state", "sealed_error"])
        log_action(row.by, Action.SCREENING_LIST_IMPORT_FAILED, row, lines=len(lines))


def read_error(row: ListImport) -> dict[str, Any]:
    return dict(unseal(row, "sealed_error", row.sealed_error) or {})


def rescreen(row: ListImport) -> None:
    """Screen every open case of the organization against the new version, counting."""
    from .screening import screen_case

    cases = Case.objects.open().filter(organization=row.organization)
    total = cases.count()
    _rows(row).update(cases_total=total, cases_done=0)
    watchlist = row.watchlist
    assert watchlist is not None
    for case in cases.select_related("person", "organization").iterator(chunk_size=200):
        screen_case(actor=None, case=case, trigger=RunTrigger.LIST_UPDATE, watchlists=[watchlist])
        _rows(row).update(cases_done=F("cases_done") + 1)
    _rows(row).update(state=ImportState.DONE)


def fail_import(import_id: Any) -> None:
    """A task given up by the worker: the page says so instead of waiting for ever."""
    row = ListImport.objects.unscoped().filter(pk=import_id).first()
    if row is not None and row.active:
        _fail(row, _("The import stopped unexpectedly. Upload the file again."), [])


def recent_imports(organization: Organization) -> list[ListImport]:
    return list(ListImport.objects.for_organization(organization).select_related("by")[:10])


@dataclass(frozen=True)
class Changes:
    version: ListVersion
    kind: str
    page: Page[str] | None  # None: the names are not for this user


def version_changes(
    *, actor: User, version: ListVersion, kind: str, page: Any, names: bool
) -> Changes:
    """One page of the names a version added, changed or removed.

    A published list's names are public; an organization's own list's are opened for a user
    who may see them (``names``), and that reading is audited.
    """
    kind = kind if kind in ChangeKind.values else ChangeKind.ADDED
    watchlist = version.watchlist
    if not watchlist.is_published and not names:
        return Changes(version, kind, None)
    rows = ListChange.objects.filter(version=version, kind=kind).order_by("caption", "id")
    paginator = Paginator(rows, CHANGES_PAGE)
    current = paginator.get_page(page)
    if watchlist.is_published:
        captions = [r.caption for r in current]
    else:
        captions = sorted(str(unseal(r, "sealed", r.sealed)) for r in current)
        log_action(
            actor,
            Action.SCREENING_LIST_CHANGES_VIEWED,
            version,
            organization=watchlist.organization,
            kind=kind,
            shown=len(captions),
        )
    return Changes(version, kind, Page(captions, current.number, paginator))  # type: ignore[arg-type]  # a page of the rows' names


def delete_list(*, actor: User, watchlist: WatchList) -> None:
    """Delete an organization's own list with its versions and entries.

    Hits already decided stay as they are, decided history (each keeps its own sealed copy of
    the entry it matched). A hit still pending on the list is dismissed with the reason
    "the list was deleted", by the person who deleted it, so that no open hit points at a
    list that no longer exists; the case's risk is not changed.
    """
    if watchlist.is_published:
        raise ScreeningError(_("A published list is removed on the server, not here."))
    organization = watchlist.organization
    reason = _("The list “%(name)s” was deleted.") % {"name": watchlist.name}
    with transaction.atomic():
        WatchList.objects.select_for_update().filter(pk=watchlist.pk).first()
        if (
            ListImport.objects.for_organization(organization)
            .filter(watchlist=watchlist, state__in=[ImportState.IMPORTING, ImportState.SCREENING])
            .exists()
        ):
            raise ScreeningError(_("An import of this list is running: wait until it is done."))
        pending = ScreeningHit.objects.for_organization(organization).filter(
            status=HitStatus.PENDING
        )
        for hit in pending.select_related("case").select_for_update():
            try:
                on_this_list = hit_facts(hit).watchlist_id == str(watchlist.pk)
            except KeyErased:  # the case was erased: nothing of the hit opens, nor needs to
                continue
            if not on_this_list:
                continue
            hit.status, hit.decided_by, hit.decided_at = HitStatus.DISMISSED, actor, timezone.now()
            hit.sealed_reason = seal(hit, "sealed_reason", reason)
            hit.save(update_fields=["status", "decided_by", "decided_at", "sealed_reason"])
            log_action(
                actor,
                Action.SCREENING_HIT_DISMISSED,
                hit.case,
                hit=str(hit.code),
                list_deleted=True,
            )
        log_action(
            actor,
            Action.SCREENING_LIST_DELETED,
            watchlist,
            organization=organization,
            list=str(watchlist.code),
            versions=watchlist.versions.count(),
        )
        watchlist_id = watchlist.pk
        watchlist.delete()
        # Its shared index files go once the deletion is committed (tropa/screening/index_store).
        transaction.on_commit(lambda: index_store.discard(watchlist_id))
