"""A page that reaches a value of an erased case says "erased" (410), never a 500.

Erasure destroys the case key and overwrites the live values with ``fields.TOMBSTONE``:
reading either raises ``KeyErased``, wherever the page is (tropa/retention/erasure.py).
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from tropa.crypto.fields import KeyErased


class ErasedCaseMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not isinstance(exception, KeyErased):
            return None
        return render(request, "retention/erased.html", status=410)
