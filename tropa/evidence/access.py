"""Which evidence a user may reach. Another organization's object is always a 404.

Built on ``visible_cases``: evidence is visible exactly where its case is, and only to
roles with the evidence capabilities; within what a user can see, a missing capability
is a 403.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied

from tropa.accounts.permissions import Cap, can
from tropa.audit.services import log_action
from tropa.cases.access import deny, visible_cases

from .models import EvidenceItem, ExportRequest, UploadSession


def _check(user: Any, obj: Any, cap: Cap) -> None:
    if not can(user, cap):
        log_action(user, "access.forbidden", obj, capability=cap.value)
        raise PermissionDenied


def access_item(user: Any, code: Any, *, cap: Cap = Cap.VIEW_EVIDENCE) -> EvidenceItem:
    item = (
        EvidenceItem.objects.select_related("case__person", "organization")
        .filter(code=code, case__in=visible_cases(user))
        .first()
    )
    if item is None:
        raise deny(user, code, "evidence_item")
    _check(user, item, cap)
    return item


def access_upload(user: Any, code: Any) -> UploadSession:
    """An unfinished upload, reachable only by the person who started it."""
    session = (
        UploadSession.objects.select_related("case")
        .filter(code=code, created_by=user, case__in=visible_cases(user))
        .first()
    )
    if session is None:
        raise deny(user, code, "evidence_upload")
    _check(user, session.case, Cap.ADD_EVIDENCE)
    return session


def access_upload_to_discard(user: Any, code: Any) -> UploadSession:
    """An unfinished upload its owner, or a coordinator of its case, may discard."""
    from .services import may_discard_others_uploads  # services imports this module's models

    sessions = UploadSession.objects.select_related("case", "created_by").filter(
        code=code, case__in=visible_cases(user)
    )
    if not may_discard_others_uploads(user):
        sessions = sessions.filter(created_by=user)
    session = sessions.first()
    if session is None:
        raise deny(user, code, "evidence_upload")
    _check(user, session.case, Cap.ADD_EVIDENCE)
    return session


def access_export(user: Any, code: Any) -> ExportRequest:
    export = (
        ExportRequest.objects.select_related("case__person", "requested_by", "decided_by")
        .filter(code=code, case__in=visible_cases(user))
        .first()
    )
    if export is None:
        raise deny(user, code, "evidence_export")
    _check(user, export.case, Cap.VIEW_EVIDENCE)
    return export
