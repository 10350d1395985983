"""Background screening: when a list gets a new version, every open case that can see it is
screened against it (by the worker that ``tropa run`` starts, or ``tropa worker``)."""

from __future__ import annotations

from django.db import transaction
from django_tasks import task

from . import services
from .models import WatchList


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
