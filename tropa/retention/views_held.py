"""Dual control of bulk reads: asking, running once approved, an emergency search."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods, require_POST

from tropa.accounts.permissions import AuthenticatedHttpRequest, Cap, can, staff_view
from tropa.cases import listing, services
from tropa.cases.access import visible_cases
from tropa.core.access import forbid
from tropa.core.errors import ServiceError
from tropa.core.views import run_action

from . import holds
from .access import access_held, access_own_held
from .models import HeldAction

EXPORTS = {"outreach.requests": {"csv": "outreach:export_csv", "xlsx": "outreach:export_xlsx"}}


def export_label(what: str) -> str:
    return {"outreach.requests": _("Outreach requests")}.get(what, what)


def _payload(data: dict[str, str], what: str) -> dict[str, str]:
    if what == holds.SEARCH:
        return {"who": data.get("who", "")}
    return {"fmt": data.get("fmt", ""), "q": data.get("q", "")}


@sensitive_post_parameters("who")
@require_http_methods(["GET", "POST"])
@staff_view
def held_new(request: AuthenticatedHttpRequest) -> HttpResponse:
    user = request.user
    source = request.POST if request.method == "POST" else request.GET
    what = source.get("what", "")
    if what != holds.SEARCH and source.get("fmt") not in EXPORTS.get(what, {}):
        forbid(user, Cap.VIEW_CASES, None)
    if what == holds.SEARCH and not can(user, Cap.VIEW_IDENTITY):
        forbid(user, Cap.VIEW_IDENTITY, None)
    if request.method == "POST":
        payload, reason = _payload(request.POST.dict(), what), request.POST.get("reason", "")
        if request.POST.get("break_glass") and what == holds.SEARCH:
            try:
                held = holds.break_glass(actor=user, payload=payload, reason=reason)
            except ServiceError as exc:
                messages.error(request, str(exc))
            else:
                return _search(request, held, payload)
        elif run_action(
            request,
            lambda: holds.ask(actor=user, what=what, payload=payload, reason=reason),
            holds_message(what),
        ):
            return redirect("retention:held_mine")
    # What was typed is never sent back: a search's form comes back empty.
    payload = {} if what == holds.SEARCH else _payload(source.dict(), what)
    context = {
        "what": what,
        "payload": payload,
        "search": holds.SEARCH,
        "label": export_label(what),
    }
    return render(request, "retention/held_new.html", context)


def holds_message(what: str) -> str:
    return _("Your request waits for a coordinator's approval.")


@staff_view
def held_mine(request: AuthenticatedHttpRequest) -> HttpResponse:
    rows = [(h, holds.runnable(h)) for h in holds.mine(request.user)]
    return render(request, "retention/held_mine.html", {"rows": rows})


@require_POST
@staff_view
def held_run(request: AuthenticatedHttpRequest, code: str) -> HttpResponse:
    held = access_own_held(request.user, code)
    payload = holds.payload_of(held) if holds.runnable(held) else None
    if not payload:
        messages.error(request, _not_runnable())
        return redirect("retention:held_mine")
    if held.what == holds.SEARCH:
        return _search(request, held, payload)
    url = reverse(EXPORTS[held.what][payload["fmt"]])
    return redirect(f"{url}?{payload['q']}&approval={held.code}")


def _not_runnable() -> str:
    return _("This request is not approved, was used already or its time has run out.")


def _search(
    request: AuthenticatedHttpRequest, held: HeldAction, payload: dict[str, str]
) -> HttpResponse:
    user = request.user
    assert user.organization is not None
    found = None
    try:
        people = services.find_by_identity(
            actor=user, organization=user.organization, text=payload["who"], approval=str(held.code)
        )
    except services.RevealLimitReached as refused:
        messages.error(request, str(refused))
    else:
        cases = visible_cases(user).filter(person__in=people)
        found = list(cases.select_related("person", "assignee").order_by(*listing.ORDER))
    context = {"found": found, "today": timezone.localdate()}
    return render(request, "retention/held_found.html", context)


@require_POST
@staff_view
def held_decide(request: AuthenticatedHttpRequest, code: str) -> HttpResponse:
    held = access_held(request.user, code)
    approve = request.POST.get("decision") == "approve"
    run_action(
        request,
        lambda: holds.decide(actor=request.user, held=held, approve=approve),
        _("Approved.") if approve else _("Refused."),
    )
    return redirect("retention:requests")


@require_POST
@staff_view
def held_reviewed(request: AuthenticatedHttpRequest, code: str) -> HttpResponse:
    held = access_held(request.user, code)
    run_action(
        request,
        lambda: holds.mark_reviewed(actor=request.user, held=held),
        _("Marked as reviewed."),
    )
    return redirect("retention:requests")
