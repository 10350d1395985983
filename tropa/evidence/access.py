"""Which evidence a user may reach. Another organization's object is always a 404.

Built on ``scope_to_visible_cases``: evidence is visible exactly where its case is, and
only to roles with the evidence capabilities; within what a user can see, a missing
capability is a 403 (``tropa.core.access.forbid``, audited).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from tropa.accounts.models import Role, User
from tropa.accounts.permissions import Cap, can
from tropa.cases.access import Viewer, deny, scope_to_visible_cases
from tropa.core.access import forbid

from .models import EvidenceItem, ExportRequest, ExportStatus, UploadSession


def may_discard_others_uploads(user: Viewer) -> bool:
    """Coordinators clear unfinished uploads that others left (or use to hold space)."""
    return can(user, Cap.ADD_EVIDENCE) and getattr(user, "role", None) == Role.COORDINATOR


def may_decide_export(user: Viewer, export: ExportRequest) -> bool:
    """A second person who approves exports; never the requester (R18)."""
    # Only a signed-in person decides, and never the one who asked.
    return (
        isinstance(user, User)
        and export.requested_by_id != user.pk
        and can(user, Cap.APPROVE_EXPORT)
    )


def may_download_export(user: Viewer, export: ExportRequest) -> bool:
    return isinstance(user, User) and export.requested_by_id == user.pk


def may_retry_export(user: Viewer, export: ExportRequest) -> bool:
    return (isinstance(user, User) and export.requested_by_id == user.pk) or can(
        user, Cap.APPROVE_EXPORT
    )


@dataclass(frozen=True)
class ExportRights:
    """What ``user`` may do with ``export`` now (the buttons on its page)."""

    decide: bool
    download: bool
    retry: bool


def export_rights(user: Viewer, export: ExportRequest) -> ExportRights:
    """The same rules the services apply when the button is pressed."""
    return ExportRights(
        decide=export.status == ExportStatus.PENDING and may_decide_export(user, export),
        download=export.status == ExportStatus.READY and may_download_export(user, export),
        retry=export.status == ExportStatus.FAILED and may_retry_export(user, export),
    )


# Each lookup reads by code with ``unscoped()`` and is scoped at once by
# ``scope_to_visible_cases`` (the user's organization, and their cases for a volunteer).


def access_item(user: Viewer, code: Any, *, cap: Cap = Cap.VIEW_EVIDENCE) -> EvidenceItem:
    item: EvidenceItem | None = scope_to_visible_cases(
        user,
        EvidenceItem.objects.unscoped()
        .select_related("case__person", "organization")
        .filter(code=code),
    ).first()
    if item is None:
        raise deny(user, code, "evidence_item")
    if not can(user, cap):
        forbid(user, cap, item)
    return item


def access_upload(user: Viewer, code: Any) -> UploadSession:
    """An unfinished upload, reachable only by the person who started it."""
    session: UploadSession | None = scope_to_visible_cases(
        user,
        UploadSession.objects.unscoped().select_related("case").filter(code=code, created_by=user),
    ).first()
    if session is None:
        raise deny(user, code, "evidence_upload")
    if not can(user, Cap.ADD_EVIDENCE):
        forbid(user, Cap.ADD_EVIDENCE, session.case)
    return session


def access_upload_to_discard(user: Viewer, code: Any) -> UploadSession:
    """An unfinished upload its owner, or a coordinator of its case, may discard."""
    sessions = scope_to_visible_cases(
        user,
        UploadSession.objects.unscoped().select_related("case", "created_by").filter(code=code),
    )
    if not may_discard_others_uploads(user):
        sessions = sessions.filter(created_by=user)
    session: UploadSession | None = sessions.first()
    if session is None:
        raise deny(user, code, "evidence_upload")
    if not can(user, Cap.ADD_EVIDENCE):
        forbid(user, Cap.ADD_EVIDENCE, session.case)
    return session


def access_export(user: Viewer, code: Any) -> ExportRequest:
    export: ExportRequest | None = scope_to_visible_cases(
        user,
        ExportRequest.objects.unscoped()
        .select_related("case__person", "requested_by", "decided_by")
        .filter(code=code),
    ).first()
    if export is None:
        raise deny(user, code, "evidence_export")
    if not can(user, Cap.VIEW_EVIDENCE):
        forbid(user, Cap.VIEW_EVIDENCE, export.case)
    return export
