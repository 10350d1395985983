"""Background screening (by the worker that ``tropa run`` starts, or ``tropa worker``): when a
list gets a new version, every open case that can see it is screened against it; a search for
duplicate people runs here, not in the request that starts it.

Tasks take ids, not model instances, and are enqueued on commit.
"""

from __future__ import annotations

from django.db import transaction
from django_tasks import task

from . import services
from .models import ListImport, ScreeningRun, WatchList


@task()
def screen_after_list_update(watchlist_id: str) -> int:
    watchlist = WatchList.objects.filter(pk=watchlist_id).first()
    if watchlist is None:
        return 0
    return services.screen_cases_for_list(watchlist)


def enqueue_list_screening(watchlist: WatchList) -> None:
    """Queue the screening for after the commit of the import, so that it sees the new entries."""
    watchlist_id = str(watchlist.pk)
    transaction.on_commit(lambda: screen_after_list_update.enqueue(watchlist_id))


@task()
def search_duplicates(run_id: int) -> int:
    """A queued duplicate search (``services.start_duplicate_search``); returns the pairs."""
    run = ScreeningRun.objects.select_related("organization", "by").filter(pk=run_id).first()
    if run is None:
        return 0
    try:
        return services.run_duplicate_search(run).candidates
    except Exception:
        services.fail_duplicate_search(run_id)  # the page offers a new search
        raise


def enqueue_duplicate_search(run: ScreeningRun) -> None:
    run_id = run.pk
    transaction.on_commit(lambda: search_duplicates.enqueue(run_id))


@task()
def import_uploaded_list(import_id: str) -> str:
    """A list file uploaded in the browser: import it, then re-screen the open cases."""
    row = ListImport.objects.unscoped().select_related("organization", "by").filter(pk=import_id)
    found = row.first()
    if found is None:
        return "gone"
    try:
        services.run_import(found)
    except Exception:
        services.fail_import(import_id)  # the page says so instead of waiting
        raise
    return "done"


def enqueue_import(row: ListImport) -> None:
    import_id = str(row.pk)
    transaction.on_commit(lambda: import_uploaded_list.enqueue(import_id))


def abandoned(*, task_path: str, args: list[object], **_kwargs: object) -> None:
    """A task given up after its worker died on it again and again (``tropa.core.workers``)."""
    func = search_duplicates.func
    if args and task_path == f"{func.__module__}.{func.__qualname__}":
        services.fail_duplicate_search(args[0])
    importing = import_uploaded_list.func
    if args and task_path == f"{importing.__module__}.{importing.__qualname__}":
        services.fail_import(args[0])
