"""Screening: the hits of a case, by code and decision only (never the list or the entry)."""

from __future__ import annotations

import uuid
from typing import Any

from django.http import HttpRequest
from ninja import Router

from tropa.cases.access import access_case
from tropa.screening.access import READ_CAPS, require
from tropa.screening.models import ScreeningHit

from .. import schemas as s
from ..api import need
from ..scopes import Scope
from .common import ERRORS

router = Router(tags=["screening"])


@router.get("/cases/{uuid:code}/hits", response={200: list[s.HitOut], **ERRORS}, url_name="hits")
def hits(request: HttpRequest, code: uuid.UUID) -> list[dict[str, Any]]:
    """A case's screening hits and their decisions, as on the case page's panel: no names."""
    user = need(request, Scope.SCREENING_READ)
    case = access_case(user, code)
    require(user, *READ_CAPS)
    found = ScreeningHit.objects.for_organization(case.organization).filter(person=case.person)
    return [{"code": h.code, "status": h.status} for h in found.order_by("code")]
