"""A page refreshing itself is not the user being there.

The dashboard reloads itself (a meta refresh without JavaScript, htmx polling with it). Every
request renews the session (``SESSION_SAVE_EVERY_REQUEST``), so without this a dashboard left
open on an unattended computer would never reach the idle timeout. This middleware keeps the
time of the last request that was *not* an automatic refresh (``?auto=1``) in the session and
signs the user out once that is older than ``SESSION_COOKIE_AGE``, whatever refreshed since.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from django.conf import settings
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse
from django.urls import reverse

LAST_ACTIVE = "tropa_last_active"


def is_auto_refresh(request: HttpRequest) -> bool:
    return request.method == "GET" and request.GET.get("auto") == "1"


class AutoRefreshIsNotActivityMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated:
            now = int(time.time())
            last = request.session.get(LAST_ACTIVE)
            if isinstance(last, int) and now - last > settings.SESSION_COOKIE_AGE:
                logout(request)
            elif not is_auto_refresh(request) or last is None:
                request.session[LAST_ACTIVE] = now
        verified = request.user.is_authenticated and getattr(request.user, "is_verified", bool)()
        if request.headers.get("HX-Request") and not verified:
            # A poll of a session that ended: htmx loads the sign-in as a whole page (instead
            # of swapping the sign-in form into the dashboard).
            return HttpResponse(headers={"HX-Redirect": reverse(settings.LOGIN_URL)})
        return self.get_response(request)
