"""An advocate reaches only their own pages and their cases' outreach; an advocate whose
grants have all expired or been revoked is signed out at the next request."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import Resolver404, resolve, reverse

from tropa.accounts.models import Role, User
from tropa.audit.actions import Action
from tropa.audit.services import log_action
from tropa.cases.access import deny

from .services.advocates import active_grants

# What an advocate may open: everything else answers 404, whatever the role's capabilities.
# The outreach views check again that the request's case is one of the advocate's.
ADVOCATE_PAGES = frozenset(
    {
        "sharing:advocate_home",
        "sharing:advocate_case",
        "outreach:compose",
        "outreach:letter_preview_pdf",
        "outreach:request_new",
        "outreach:request",
        "outreach:request_answer",
        "outreach:request_pdf",
        "outreach:request_text",
        "outreach:followed_up",
        "outreach:attachment",
        "outreach:attachment_add",
        "accounts:logout",
        "accounts:settings",
        "accounts:time_zone",
        "accounts:display_name",
        "switch_language",
        "healthz",
    }
)


class AdvocateMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if (
            isinstance(user, User)
            and getattr(user, "is_verified", bool)()
            and user.role == Role.ADVOCATE
        ):
            refused = self._check(request, user)
            if refused is not None:
                return refused
        return self.get_response(request)

    def _check(self, request: HttpRequest, user: User) -> HttpResponse | None:
        if not active_grants(user).exists():
            log_action(user, Action.ADVOCATE_SIGNED_OUT, user, organization=user.organization)
            logout(request)
            return HttpResponseRedirect(reverse("accounts:login"))
        try:
            name = resolve(request.path_info).view_name
        except Resolver404:
            return None  # a 404 anyway
        if name == "cases:dashboard":
            return HttpResponseRedirect(reverse("sharing:advocate_home"))
        if name not in ADVOCATE_PAGES and not request.path.startswith("/static/"):
            raise deny(user, "page", name)
        return None
