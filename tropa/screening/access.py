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

from .models import DuplicateCandidate, ScreeningHit, WatchList
from .services import visible_lists

# Reading screening results: case staff who screen, and the reviewers.
READ_CAPS = (Cap.SCREEN, Cap.REVIEW_SCREENING)


def require(user: Viewer, *caps: Cap) -> None:
    """403 (audited) unless the user holds one of ``caps``."""
    if not any(can(user, cap) for cap in caps):
        forbid(user, caps[0])


def access_watchlist(user: Viewer, code: Any) -> WatchList:
    watchlist = visible_lists(getattr(user, "organization", None)).filter(code=code).first()
    if watchlist is None:
        raise deny(user, code, "watchlist")
    require(user, *READ_CAPS)
    return watchlist


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
