from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from django.http import HttpRequest
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme

from .permissions import caps_of


def language_next(request: HttpRequest) -> str:
    """Where the language switch in the header returns to: a page that answers GET.

    The answer to a POST (a reveal, a one-time link) has an address that takes no GET:
    the switch goes back to the page whose form was sent (the Referer, if it is ours), else
    to the dashboard. A view may name the page itself (``language_next`` in its context).
    """
    if request.method in ("GET", "HEAD"):
        return request.get_full_path()
    referer = str(request.META.get("HTTP_REFERER", ""))
    if referer and url_has_allowed_host_and_scheme(
        referer, {request.get_host()}, require_https=request.is_secure()
    ):
        parts = urlsplit(referer)
        if parts.path != request.path:
            return parts.path + (f"?{parts.query}" if parts.query else "")
    return reverse("cases:dashboard")


def membership(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"caps": frozenset(), "organization": None, "language_next": language_next(request)}
    return {
        "caps": {c.value for c in caps_of(user)},
        "organization": user.organization,
        "language_next": language_next(request),
    }
