"""Outreach: the directory of institutions, requests sent, and recording an answer."""

from __future__ import annotations

import uuid
from typing import Any

from django.http import HttpRequest
from ninja import Router

from tropa.outreach import services
from tropa.outreach.access import access_request, outreach_organization, visible_requests
from tropa.outreach.forms import AnswerForm
from tropa.outreach.models import Institution, Request

from .. import schemas as s
from ..api import need, valid
from ..scopes import Scope
from .common import ERRORS, form_data

router = Router(tags=["outreach"])
MAX = 500


def _request_out(item: Request) -> dict[str, Any]:
    return {
        "code": item.code,
        "institution": item.institution.code,
        "case": item.case.code if item.case else None,
        "status": item.status,
        "sent_on": item.sent_on,
        "answered_on": item.first_answer_on,
    }


@router.get(
    "/institutions", response={200: list[s.InstitutionOut], **ERRORS}, url_name="institutions"
)
def institutions(request: HttpRequest) -> list[dict[str, Any]]:
    """The organization's directory, by name (at most 500)."""
    user = need(request, Scope.OUTREACH_READ)
    organization = outreach_organization(user)
    rows = Institution.objects.filter(organization=organization).order_by("name")[:MAX]
    return [
        {"code": i.code, "name": i.name, "kind": i.kind, "country": i.country, "city": i.city}
        for i in rows
    ]


@router.get("/requests", response={200: list[s.RequestOut], **ERRORS}, url_name="requests")
def requests(request: HttpRequest) -> list[dict[str, Any]]:
    """Requests sent, newest first (at most 500); letters and subjects are not served."""
    user = need(request, Scope.OUTREACH_READ)
    outreach_organization(user)
    rows = visible_requests(user).select_related("institution", "case").order_by("-sent_on")
    return [_request_out(r) for r in rows[:MAX]]


@router.post(
    "/requests/{uuid:code}/answer",
    response={200: s.RequestOut, **ERRORS},
    url_name="request_answer",
)
def request_answer(request: HttpRequest, code: uuid.UUID, payload: s.AnswerIn) -> dict[str, Any]:
    """Record the institution's answer (its date, and where it was referred)."""
    user = need(request, Scope.OUTREACH_WRITE)
    item = access_request(user, code, write=True)
    data = valid(AnswerForm(form_data(payload)))
    services.record_answer(actor=user, request=item, **data)
    item.refresh_from_db()
    return _request_out(item)
