"""Which screening objects a user may reach.

Hits and duplicate candidates of another organization, and another organization's own
lists, are a 404. Within the organization, a role without the capability gets a 403.
Published lists are shared by every organization by design.
"""

from __future__ import annotations

from typing import Any

from tropa.accounts.permissions import Cap, can
from tropa.cases.access import Viewer, deny, scope_to_visible_cases
from tropa.core.access import forbid

from .models import DuplicateCandidate, ListImport, ListVersion, ScreeningHit, WatchList
from .services import visible_lists

# Reading screening results: case staff who screen, and the reviewers.
READ_CAPS = (Cap.SCREEN, Cap.REVIEW_SCREENING)
# Uploading and deleting the organization's own lists: its administrators and coordinators
# (those who decide on hits). They also read the list pages.
MANAGE_CAPS = (Cap.MANAGE_USERS, Cap.REVIEW_SCREENING)
LIST_CAPS = (*READ_CAPS, Cap.MANAGE_USERS)
# The names on an organization's own list: those who decide on its hits.
LIST_NAMES_CAP = Cap.REVIEW_SCREENING


def require(user: Viewer, *caps: Cap) -> None:
    """403 (audited) unless the user holds one of ``caps``."""
    if not any(can(user, cap) for cap in caps):
        forbid(user, caps[0])


def access_watchlist(user: Viewer, code: Any) -> WatchList:
    watchlist = visible_lists(getattr(user, "organization", None)).filter(code=code).first()
    if watchlist is None:
        raise deny(user, code, "watchlist")
    require(user, *LIST_CAPS)
    return watchlist


def may_manage_lists(user: Viewer) -> bool:
    return any(can(user, cap) for cap in MANAGE_CAPS)


def access_own_list(user: Viewer, code: Any) -> WatchList:
    """An organization's own list, to delete or add a version to; a published one is a 403."""
    watchlist = access_watchlist(user, code)
    require(user, *MANAGE_CAPS)
    if watchlist.is_published:
        forbid(user, MANAGE_CAPS[0])
    return watchlist


def access_version(user: Viewer, code: Any) -> ListVersion:
    lists = visible_lists(getattr(user, "organization", None))
    version = (
        ListVersion.objects.filter(code=code, watchlist__in=lists)
        .select_related("watchlist", "imported_by")
        .first()
    )
    if version is None:
        raise deny(user, code, "list_version")
    require(user, *LIST_CAPS)
    return version


def access_import(user: Viewer, code: Any) -> ListImport:
    organization = getattr(user, "organization", None)
    row: ListImport | None = (
        ListImport.objects.for_organization(organization)
        .filter(code=code)
        .select_related("by", "watchlist", "version", "organization")
        .first()
        if organization is not None
        else None
    )
    if row is None:
        raise deny(user, code, "list_import")
    require(user, *MANAGE_CAPS)
    return row


def access_hit(user: Viewer, code: Any, *, decide: bool = False) -> ScreeningHit:
    # By code across organizations: scope_to_visible_cases narrows it to the user's own.
    hits = ScreeningHit.objects.unscoped().filter(code=code)
    visible = scope_to_visible_cases(user, hits).select_related("case__person", "decided_by")
    hit: ScreeningHit | None = visible.first()
    if hit is None:
        raise deny(user, code, "screening_hit")
    require(user, *((Cap.REVIEW_SCREENING,) if decide else READ_CAPS))
    return hit


def access_duplicate(user: Viewer, code: Any, *, decide: bool = False) -> DuplicateCandidate:
    organization = getattr(user, "organization", None)
    candidate: DuplicateCandidate | None = (
        DuplicateCandidate.objects.for_organization(organization)
        .filter(code=code)
        .select_related("person_a", "person_b", "decided_by", "organization")
        .first()
        if organization is not None
        else None
    )
    if candidate is None:
        raise deny(user, code, "duplicate_candidate")
    require(user, *((Cap.REVIEW_SCREENING,) if decide else READ_CAPS))
    return candidate
