from __future__ import annotations

import zoneinfo
from collections.abc import Callable
from urllib.parse import urlencode

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils import timezone, translation

from .models import User

_OPEN_PREFIXES = (
    "/accounts/login/",
    "/accounts/verify/",
    "/accounts/setup/",
    "/accounts/enrol/",
    "/i18n/",
    "/static/",
    "/healthz",
    # The person's intake pages (tropa/intake): no account, nothing else of Tropa behind them.
    "/f/",
)


class RequireVerifiedLoginMiddleware:
    """Every page needs a user who completed both factors; the rest goes to the login.

    The user's own language preference, if set, wins over the browser's; times are shown
    in the user's time zone (stored in UTC).
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        verified = user.is_authenticated and getattr(user, "is_verified", bool)()
        if not verified and not request.path.startswith(_OPEN_PREFIXES):
            target = reverse(settings.LOGIN_URL)
            if request.method == "GET":
                target += "?" + urlencode({"next": request.get_full_path()})
            return HttpResponseRedirect(target)
        zone = settings.TROPA_DEFAULT_USER_TIMEZONE
        if verified and isinstance(user, User):
            if user.language:
                translation.activate(user.language)
                request.LANGUAGE_CODE = translation.get_language()
            zone = user.time_zone or zone
        timezone.activate(zoneinfo.ZoneInfo(zone))
        try:
            return self.get_response(request)
        finally:
            # The zone belongs to this request only: work that runs next on this thread
            # (another request, a task) must not inherit it.
            timezone.deactivate()


class NoStoreMiddleware:
    """Pages with case data must not be kept in browser or proxy caches (R19)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if not request.path.startswith("/static/"):
            response["Cache-Control"] = "no-store"
        return response
