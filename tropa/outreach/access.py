"""Which outreach objects a user may reach. Isolation lives here, not in each view.

Another organization's object, or an unknown code, is a 404 logged as ``access.denied``
(the case desk's ``deny``); an object of the user's own organization that the role may not
act on is a 403. Requests about a case are reached only if the case itself is visible.
"""

from __future__ import annotations

import uuid
from typing import Any, TypeVar

from django.db import models
from django.db.models import Q
from django.http import Http404

from tropa.accounts.models import Organization
from tropa.accounts.permissions import Cap, can
from tropa.audit.actions import Action
from tropa.audit.services import log_action
from tropa.cases.access import Viewer, deny, visible_cases
from tropa.core.access import forbid

from .models import Attachment, Contact, ImportStaging, Institution, LetterTemplate, Request

M = TypeVar("M", bound=models.Model)


def outreach_organization(user: Viewer, cap: Cap = Cap.VIEW_OUTREACH) -> Organization:
    """The user's organization, for pages without an object; 403 without ``cap``."""
    organization: Organization | None = getattr(user, "organization", None)
    if organization is None or not can(user, cap):
        forbid(user, cap)
    return organization


def query_code(user: Viewer, params: Any, name: str) -> uuid.UUID | None:
    """The code in query parameter ``name`` (``?case=…``), or None when it is absent.

    A value that is no code at all is a 404 before it reaches a query (a database would
    refuse it with an error quoting it, and that error would be logged). The denial is
    audited by kind only: the submitted text itself goes into no log.
    """
    value = params.get(name)
    if not value:
        return None
    try:
        return uuid.UUID(str(value)) if len(value) <= 36 else _malformed(user, name)
    except ValueError:
        return _malformed(user, name)


def _malformed(user: Viewer, name: str) -> uuid.UUID:
    log_action(user, Action.ACCESS_DENIED, requested="malformed", kind=name)
    raise Http404


def _access(user: Viewer, queryset: models.QuerySet[M], code: Any, cap: Cap) -> M:
    organization = getattr(user, "organization", None)
    item = queryset.filter(organization=organization, code=code).first() if organization else None
    if item is None:
        raise deny(user, code, queryset.model._meta.model_name or "item")
    if not can(user, cap):
        forbid(user, cap, item)
    return item


def _cap(write: bool) -> Cap:
    return Cap.WRITE_OUTREACH if write else Cap.VIEW_OUTREACH


def access_institution(user: Viewer, code: Any, *, write: bool = False) -> Institution:
    return _access(user, Institution.objects.all(), code, _cap(write))


def access_contact(user: Viewer, code: Any) -> Contact:
    return _access(user, Contact.objects.select_related("institution"), code, Cap.WRITE_OUTREACH)


def _case_visible(user: Viewer) -> Q:
    # A request's case is always of the request's organization (``record_request``), so a
    # role that sees every case of it needs no subquery.
    if can(user, Cap.SEE_ALL_CASES):
        return Q()
    if can(user, Cap.SEE_GRANTED_CASES):  # an advocate: only their cases' requests
        return Q(case__in=visible_cases(user))
    return Q(case__isnull=True) | Q(case__in=visible_cases(user))


def visible_requests(user: Viewer) -> models.QuerySet[Request]:
    organization = getattr(user, "organization", None)
    if organization is None or not can(user, Cap.VIEW_OUTREACH):
        return Request.objects.none()
    return Request.objects.filter(_case_visible(user), organization=organization)


def access_request(user: Viewer, code: Any, *, write: bool = False) -> Request:
    queryset: models.QuerySet[Request] = Request.objects.filter(_case_visible(user))
    return _access(
        user,
        queryset.select_related("institution", "contact", "case__person", "sent_by"),
        code,
        _cap(write),
    )


def access_attachment(user: Viewer, code: Any) -> Attachment:
    queryset: models.QuerySet[Attachment] = Attachment.objects.select_related("request")
    attachment = _access(user, queryset, code, Cap.VIEW_OUTREACH)
    # The attachment is as visible as its request (and so as its case).
    access_request(user, attachment.request.code)
    return attachment


def access_template(user: Viewer, code: Any, *, write: bool = False) -> LetterTemplate:
    return _access(user, LetterTemplate.objects.all(), code, _cap(write))


def access_staging(user: Viewer, code: Any) -> ImportStaging:
    """An upload waiting for confirmation: only its uploader may see or confirm it."""
    queryset: models.QuerySet[ImportStaging] = ImportStaging.objects.filter(
        created_by=user
    ).select_related("case", "organization")
    return _access(user, queryset, code, Cap.WRITE_OUTREACH)
