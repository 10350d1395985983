"""The one ``NinjaAPI`` of ``/api/v1/``: authentication, scopes, and errors as JSON.

An app adds endpoints with a ``ninja.Router`` in a module of its own and one line in
``ROUTERS`` below. Each endpoint: ``need(request, Scope.X)`` first (403 without it), then the
app's access helper (another organization's object: the same 404 as an unknown code), then
the app's service (its ``ServiceError`` becomes a 400 with the same message the browser shows).
"""

from __future__ import annotations

import importlib
import json
from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.forms import BaseForm
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.openapi.docs import Swagger
from ninja.security import HttpBearer

from tropa.accounts.models import User
from tropa.audit.actions import Action
from tropa.audit.services import log_action
from tropa.core.errors import ServiceError

from .errors import ApiError, error_response
from .models import ApiToken
from .scopes import Scope

# (path prefix, module holding ``router``): one line per app.
ROUTERS = [
    ("cases", "tropa.api.endpoints.cases"),
    ("alerts", "tropa.api.endpoints.alerts"),
    ("tasks", "tropa.api.endpoints.tasks"),
    ("outreach", "tropa.api.endpoints.outreach"),
    ("screening", "tropa.api.endpoints.screening"),
    ("intake", "tropa.api.endpoints.intake"),
]


class TokenAuth(HttpBearer):
    """Documents the bearer token; ``ApiTokenMiddleware`` has already checked it."""

    def __call__(self, request: HttpRequest) -> Any:
        return getattr(request, "api_token", None)

    def authenticate(self, request: HttpRequest, token: str) -> Any:  # pragma: no cover
        return getattr(request, "api_token", None)


DESCRIPTION = """Tropa's API for scripts and the tools an organization already runs.

A personal token (Settings → API tokens) acts as its user, with the user's role, within its
scopes. Send it as `Authorization: Bearer tropa_…`; never in an address. Errors are
`{"code", "message", "fields"?}`, the message in the user's language. No identity is served.
"""


class LocalSwagger(Swagger):
    """The API page with Swagger UI from Tropa's own static files. ninja takes the CDN's
    unless "ninja" is an installed app, which it is not (``NINJA_DIR`` in settings)."""

    def render_page(self, request: HttpRequest, api: Any, **kwargs: Any) -> HttpResponse:
        self.settings["url"] = self.get_openapi_url(api, kwargs)
        context = {
            "swagger_settings": json.dumps(self.settings, indent=1),
            "api": api,
            "add_csrf": any(getattr(a, "csrf", False) for a in api.auth or ()),
        }
        return render(request, self.template, context)


class TropaAPI(NinjaAPI):
    def get_operation_id(self, operation: Any) -> str:
        """The route's own name (``case_list``), as in ``reverse("api_v1:case_list")``."""
        return str(operation.url_name or operation.view_func.__name__)


api = TropaAPI(
    title="Tropa API",
    version="1",
    description=DESCRIPTION,
    urls_namespace="api_v1",
    docs=LocalSwagger(),
    docs_url="/docs",
    openapi_url="/openapi.json",
    auth=TokenAuth(),
)


def user_of(request: HttpRequest) -> User:
    user = request.user
    if not isinstance(user, User):  # pragma: no cover (the middleware refuses first)
        raise ApiError(401, "token_required", _("Send a token: Authorization: Bearer …"))
    return user


def need(request: HttpRequest, scope: Scope) -> User:
    """The token's user, if the token carries ``scope``; else an audited 403."""
    token: ApiToken | None = getattr(request, "api_token", None)
    user = user_of(request)
    if token is None or scope.value not in token.scopes:
        log_action(user, Action.ACCESS_FORBIDDEN, capability=f"scope:{scope.value}")
        raise ApiError(403, "scope_missing", _("This token lacks the scope %s.") % scope.value)
    return user


def valid(form: BaseForm) -> dict[str, Any]:
    """The form's cleaned data (the same form and messages as the browser), or a 400."""
    if not form.is_valid():
        sent = [str(v) for v in form.data.values() if len(str(v)) >= 2]
        fields = {
            name: [_safe_message(error, sent) for error in errors]
            for name, errors in form.errors.as_data().items()
        }
        raise ApiError(400, "invalid", _("Some fields are not valid."), fields)
    return dict(form.cleaned_data)


def _safe_message(error: DjangoValidationError, sent: list[str]) -> str:
    """The form's message, unless it quotes what was sent (a choice error does): an error
    never carries a submitted value back."""
    message = " ".join(str(m) for m in error.messages)
    if error.code == "invalid_choice" or any(value in message for value in sent):
        return _("Select a valid choice. That choice is not one of the available choices.")
    return message


def _field_name(location: Any) -> str:
    names = [str(part) for part in location if part not in ("body", "payload", "query", "path")]
    return ".".join(names) or "body"


def _handle(request: HttpRequest, exc: Exception | type[Exception]) -> HttpResponse:
    if isinstance(exc, ApiError):
        return error_response(exc.status, exc.code, exc.message, exc.fields)
    if isinstance(exc, Http404):
        return error_response(404, "not_found", _("Nothing was found at this address."))
    if isinstance(exc, PermissionDenied):
        return error_response(403, "forbidden", _("Your role may not do this."))
    if isinstance(exc, ServiceError):
        return error_response(400, "refused", str(exc))
    if isinstance(exc, ValidationError):
        fields: dict[str, list[str]] = {}
        for error in exc.errors:
            message = (
                _("This field is required.")
                if error.get("type") == "missing"
                else _("Enter a valid value.")
            )
            fields.setdefault(_field_name(error.get("loc", ())), []).append(message)
        return error_response(400, "invalid", _("Some fields are not valid."), fields)
    if isinstance(exc, AuthenticationError):
        return error_response(401, "token_required", _("Send a token: Authorization: Bearer …"))
    if isinstance(exc, HttpError):
        return error_response(exc.status_code, "error", _("This request cannot be answered."))
    raise exc


for _exception in (
    ApiError,
    Http404,
    PermissionDenied,
    ServiceError,
    ValidationError,
    AuthenticationError,
    HttpError,
):
    api.add_exception_handler(_exception, _handle)

for _prefix, _module in ROUTERS:
    api.add_router(f"/{_prefix}", importlib.import_module(_module).router)
