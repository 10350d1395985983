"""What the outreach pages share: page size, downloads, the address picked on the page before."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.utils import timezone

from tropa.cases.access import access_case

from .. import exports
from ..access import (
    access_institution,
    access_template,
    query_code,
)

PAGE_SIZE = 50


def download(content: bytes, content_type: str, filename: str) -> HttpResponse:
    # Never inline, and a generic name: the file name must not say whom the letter is about.
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def initial_address(request: HttpRequest) -> dict[str, Any]:
    """Institution and case picked on the page the user came from (``?case=…``)."""
    initial: dict[str, Any] = {"sent_on": timezone.localdate(), "channel": "email"}
    user = request.user
    codes = {
        name: query_code(user, request.GET, name) for name in ("case", "institution", "template")
    }
    if codes["case"]:
        initial["case"] = access_case(user, codes["case"]).code
    if codes["institution"]:
        initial["institution"] = access_institution(user, codes["institution"]).code
    if codes["template"]:
        initial["template"] = access_template(user, codes["template"]).code
    return initial


def address_data(request: HttpRequest) -> tuple[Any, dict[str, Any]]:
    """(data, initial) for a form with an address: a POST with ``action=contacts`` only shows
    the chosen institution's contact persons again (the no-JS way to follow the choice), so
    it becomes an unbound form started from what was chosen."""
    if request.method == "POST" and request.POST.get("action") == "contacts":
        kept = {k: v for k, v in request.POST.items() if k not in ("csrfmiddlewaretoken", "action")}
        return None, {**initial_address(request), **kept}
    return request.POST or None, initial_address(request)


def csv_response(header: list[str], rows: Iterable[Any], filename: str) -> StreamingHttpResponse:
    response = StreamingHttpResponse(
        exports.csv_stream(header, rows), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def xlsx_response(sheets: list[tuple[str, list[str], Any]], filename: str) -> StreamingHttpResponse:
    response = StreamingHttpResponse(
        exports.xlsx_stream(sheets),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
