"""Who may reach submissions and invitations: coordinators of their organization only.

A submission is not yet a case and holds a man's whole story in his own words, so it is
seen only by those who triage (``Cap.TRIAGE_INTAKE``: coordinators). Anyone else, and
another organization's submission, gets the audited 404 of ``tropa.cases.access.deny``.
"""

from __future__ import annotations

from typing import Any

from tropa.accounts.models import Organization, User
from tropa.accounts.permissions import Cap, can
from tropa.cases.access import Viewer, deny

from .models import Invitation, Submission


def may_triage(user: Viewer) -> bool:
    return isinstance(user, User) and can(user, Cap.TRIAGE_INTAKE)


def triage_organization(user: Viewer) -> Organization:
    """The organization whose queue ``user`` works, or a 404."""
    if not may_triage(user) or not isinstance(user, User) or user.organization is None:
        raise deny(user, "", "intake")
    return user.organization


def access_submission(user: Viewer, code: Any) -> Submission:
    if not may_triage(user) or not isinstance(user, User):
        raise deny(user, code, "submission")
    found: Submission | None = (
        Submission.objects.filter(organization=user.organization, code=code)
        .exclude(status="draft")
        .select_related("case__person", "assignee")
        .first()
    )
    if found is None:
        raise deny(user, code, "submission")
    return found


def access_invitation(user: Viewer, code: Any) -> Invitation:
    if not may_triage(user) or not isinstance(user, User):
        raise deny(user, code, "invitation")
    found: Invitation | None = Invitation.objects.filter(
        organization=user.organization, code=code
    ).first()
    if found is None:
        raise deny(user, code, "invitation")
    return found
