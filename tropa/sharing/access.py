"""Who may reach a referral or a grant. Anything else is a 404 (``cases.access.deny``).

A referral is seen by coordinators of its two organizations: the sender's see all of it,
the receiver's only its kind and sender until they accept. A third organization gets 404.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q
from django.utils import timezone

from tropa.accounts.models import Organization, User
from tropa.accounts.permissions import Cap, can
from tropa.cases.access import Viewer, deny
from tropa.core.access import forbid

from .models import AdvocateGrant, Referral


def granted_case_filter(user: Any, case_path: str = "pk") -> Q:
    """The cases of ``user``'s active grants (registered with ``cases.registry``)."""
    if not isinstance(user, User):
        return Q(pk__in=[])
    case_ids = AdvocateGrant.objects.filter(
        organization=user.organization,
        advocate=user,
        revoked_at__isnull=True,
        expires_at__gt=timezone.now(),
    ).values("case_id")
    return Q(**{f"{case_path}__in": case_ids})


def _organization(user: Viewer) -> Organization | None:
    return user.organization if isinstance(user, User) else None


def access_referral(user: Viewer, code: Any, *, write: bool = False) -> Referral:
    """A referral of the user's organization, sent or received; 404 otherwise."""
    organization = _organization(user)
    referral: Referral | None = None
    if organization is not None and (can(user, Cap.SHARE_CASES) or can(user, Cap.MANAGE_USERS)):
        referral = (
            Referral.objects.unscoped()
            .filter(Q(organization=organization) | Q(receiver=organization), code=code)
            .select_related("organization", "receiver", "case__person")
            .first()
        )
    if referral is None:
        raise deny(user, code, "referral")
    if write and not can(user, Cap.SHARE_CASES):
        forbid(user, Cap.SHARE_CASES, referral)
    return referral


def access_grant(user: Viewer, code: Any) -> AdvocateGrant:
    """A grant of the user's organization, for a coordinator to renew or revoke."""
    organization = _organization(user)
    grant: AdvocateGrant | None = None
    if organization is not None and can(user, Cap.VIEW_CASES) and can(user, Cap.SEE_ALL_CASES):
        grant = (
            AdvocateGrant.objects.filter(organization=organization, code=code)
            .select_related("case", "advocate")
            .first()
        )
    if grant is None:
        raise deny(user, code, "advocategrant")
    if not can(user, Cap.SHARE_CASES):
        forbid(user, Cap.SHARE_CASES, grant)
    return grant


def access_own_grant(user: Viewer, code: Any) -> AdvocateGrant:
    """An advocate's own active grant; anything else is a 404."""
    organization = _organization(user)
    grant: AdvocateGrant | None = None
    if organization is not None and can(user, Cap.SEE_GRANTED_CASES):
        grant = (
            AdvocateGrant.objects.filter(
                organization=organization,
                code=code,
                advocate=user,
                revoked_at__isnull=True,
                expires_at__gt=timezone.now(),
            )
            .select_related("case__person")
            .first()
        )
    if grant is None:
        raise deny(user, code, "advocategrant")
    return grant
