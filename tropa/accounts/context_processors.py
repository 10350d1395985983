from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from .permissions import caps_of


def membership(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"caps": frozenset(), "organization": None}
    return {"caps": {c.value for c in caps_of(user)}, "organization": user.organization}
