"""The API's door: a personal token in the ``Authorization`` header, never a session cookie.

For ``/api/v1/`` the token's user becomes ``request.user`` (with the user's own role; the
login middleware after this one then applies the user's language and time zone). A call
without a token, with a bad one, or with a token in the query string is refused here, as
JSON. Only the schema and its page may be read with the browser's session instead.

Token calls are not cookie-authenticated, so CSRF does not apply to them: a cross-site page
cannot make a browser add an ``Authorization`` header. A session cookie sent along is not
used to authenticate anything.
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.utils import translation
from django.utils.translation import gettext as _

from . import services
from .errors import error_response

PREFIX = "/api/v1/"
# Readable with the browser's session too (they hold no case data).
SESSION_PAGES = ("/api/v1/docs", "/api/v1/openapi.json")
_TOKEN_PARAMETERS = {"token", "access_token", "api_key", "apikey", "key", "auth", "bearer"}


def _token_in_query(request: HttpRequest) -> bool:
    for name, values in request.GET.lists():
        if name.lower() in _TOKEN_PARAMETERS or name.lower() == "authorization":
            return True
        if any(value.strip().startswith(services.PREFIX) for value in values):
            return True
    return False


class ApiTokenMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not request.path.startswith(PREFIX):
            return self.get_response(request)
        if _token_in_query(request):
            return error_response(
                400,
                "token_in_url",
                _(
                    "A token must never be put in an address: send it in the Authorization "
                    "header. Revoke this token now, it may be in logs or a browser history."
                ),
            )
        header = request.META.get("HTTP_AUTHORIZATION", "")
        if not header:
            if request.path.rstrip("/") in SESSION_PAGES:
                return self.get_response(request)
            return self._refused("token_required", _("Send a token: Authorization: Bearer …"))
        scheme, _space, presented = header.partition(" ")
        token = services.authenticate(presented.strip()) if scheme.lower() == "bearer" else None
        if token is None:
            return self._refused("token_invalid", _("This token is unknown, expired or revoked."))
        user = token.user
        if user.language:
            translation.activate(user.language)
        wait = services.count_call(token)
        if wait:
            return error_response(
                429,
                "rate_limited",
                _("Too many calls with this token. Wait and try again."),
                headers={"Retry-After": str(wait)},
            )
        user.is_verified = lambda: True  # type: ignore[attr-defined]  # set by django-otp
        request.user = user
        request.api_token = token  # type: ignore[attr-defined]  # read by tropa.api.auth
        request._dont_enforce_csrf_checks = True  # type: ignore[attr-defined]  # see above
        return self.get_response(request)

    @staticmethod
    def _refused(code: str, message: str) -> HttpResponse:
        return error_response(401, code, message, headers={"WWW-Authenticate": "Bearer"})
