"""Every API refusal as one JSON shape: a stable ``code``, a ``message`` in the user's language,
and, for bad input, the ``fields`` it names. Nothing of the request is echoed back."""

from __future__ import annotations

from typing import Any

from django.http import JsonResponse
from django.utils.functional import Promise


class ApiError(Exception):
    """An API refusal raised in an endpoint; the handler turns it into ``error_response``."""

    def __init__(self, status: int, code: str, message: str | Promise, fields: Any = None) -> None:
        super().__init__(code)
        self.status, self.code, self.message, self.fields = status, code, message, fields


def error_response(
    status: int,
    code: str,
    message: str | Promise,
    fields: dict[str, list[str]] | None = None,
    headers: dict[str, str] | None = None,
) -> JsonResponse:
    body: dict[str, Any] = {"code": code, "message": str(message)}
    if fields:
        body["fields"] = fields
    response = JsonResponse(body, status=status, headers=headers)
    response["Cache-Control"] = "no-store"
    return response
