"""Testimony pages. Each view: access helper → one service → template."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from tropa.accounts.permissions import AuthenticatedHttpRequest, Cap, can, staff_view
from tropa.core.views import run_action

from . import access, services
from .errors import TestimonyError
from .models import Event
from .vocabulary import (
    ARTICLES,
    ActKind,
    ConsentHow,
    ConsentStatus,
    HowKnown,
    Involvement,
    Oblast,
    RecipientKind,
    RecordingMethod,
    Reliability,
    VictimKind,
)


def _date(value: str | None) -> date:
    try:
        return date.fromisoformat(value or "")
    except ValueError:
        raise TestimonyError(_("Give a date (YYYY-MM-DD).")) from None


def _interview(request: AuthenticatedHttpRequest) -> dict[str, Any]:
    data: dict[str, Any] = {name: request.POST.get(name, "") for name in services.FIELDS}
    data["evidence"] = request.POST.getlist("evidence")
    return data


def _choices() -> dict[str, Any]:
    return {
        "methods": RecordingMethod.choices,
        "recipients": RecipientKind.choices,
        "statuses": ConsentStatus.choices,
        "hows": ConsentHow.choices,
        "act_kinds": ActKind.choices,
        "victim_kinds": VictimKind.choices,
        "involvements": Involvement.choices,
        "how_known": HowKnown.choices,
        "grades": Reliability.choices,
        "oblasts": Oblast.choices,
        "articles": ARTICLES,
    }


@staff_view
def new(request: AuthenticatedHttpRequest, code: str) -> HttpResponse:
    case = access.access_case(request.user, code, cap=Cap.WRITE_TESTIMONY)
    if request.method == "POST":
        try:
            testimony = services.record_interview(
                actor=request.user, case=case, data=_interview(request)
            )
        except TestimonyError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, _("Interview recorded (version 1)."))
            return redirect(testimony)
    context = {"case": case, "data": _interview(request), "language_next": case.get_absolute_url()}
    return render(request, "testimony/interview.html", {**context, **_choices()})


@staff_view
def edit(request: AuthenticatedHttpRequest, code: str) -> HttpResponse:
    testimony = access.access_testimony(request.user, code, cap=Cap.WRITE_TESTIMONY)
    if request.method == "POST":
        ok = run_action(
            request,
            lambda: services.save_interview(
                actor=request.user, testimony=testimony, data=_interview(request)
            ),
            _("Saved as a new version."),
        )
        if ok:
            return redirect(testimony)
    data = _interview(request) if request.method == "POST" else services.current(testimony)
    context = {"case": testimony.case, "testimony": testimony, "data": data}
    return render(request, "testimony/interview.html", {**context, **_choices()})


@staff_view
def detail(request: AuthenticatedHttpRequest, code: str) -> HttpResponse:
    testimony = access.access_testimony(request.user, code)
    data = services.read_testimony(actor=request.user, testimony=testimony)
    witness = services.witness_of(testimony.case)
    events = [
        (e, services.event_data(e))
        for e in Event.objects.filter(organization=testimony.organization_id, testimony=testimony)
    ]
    from .flags import flag_of

    context = {
        "testimony": testimony,
        "case": testimony.case,
        "data": data,
        "versions": testimony.versions.select_related("saved_by"),
        "consent": services.consent_history(witness),
        "consent_now": services.consent_now(witness),
        "flag": flag_of(witness),
        "events": events,
        "exports": [(x, services.recipient_of(x)) for x in testimony.exports.all()],
        "may_write": can(request.user, Cap.WRITE_TESTIMONY),
        "may_flag": can(request.user, Cap.FLAG_IMPLICATED),
    }
    return render(request, "testimony/detail.html", {**context, **_choices()})


@staff_view
def diff(request: AuthenticatedHttpRequest, code: str) -> HttpResponse:
    testimony = access.access_testimony(request.user, code)
    new_number = int(request.GET.get("new") or testimony.versions_count)
    old_number = int(request.GET.get("old") or max(new_number - 1, 1))
    try:
        changes = services.diff_versions(testimony, old_number, new_number)
    except TestimonyError as exc:
        messages.error(request, str(exc))
        return redirect(testimony)
    context = {"testimony": testimony, "old": old_number, "new": new_number, "changes": changes}
    return render(request, "testimony/diff.html", context)


@staff_view
@require_POST
def consent(request: AuthenticatedHttpRequest, code: str) -> HttpResponse:
    testimony = access.access_testimony(request.user, code, cap=Cap.WRITE_TESTIMONY)
    run_action(
        request,
        lambda: services.record_consent(
            actor=request.user,
            case=testimony.case,
            kind=request.POST.get("kind", ""),
            status=request.POST.get("status", ""),
            on=_date(request.POST.get("on")),
            how=request.POST.get("how", ""),
        ),
        _("Consent recorded."),
    )
    return redirect(testimony)


@staff_view
@require_POST
def flag(request: AuthenticatedHttpRequest, code: str) -> HttpResponse:
    testimony = access.access_testimony(request.user, code, cap=Cap.FLAG_IMPLICATED)
    if request.POST.get("rights_on"):
        run_action(
            request,
            lambda: services.record_rights_explained(
                actor=request.user,
                case=testimony.case,
                on=_date(request.POST.get("rights_on")),
                how=request.POST.get("rights_how", ""),
            ),
            _("Recorded that his rights were explained."),
        )
    else:
        run_action(
            request,
            lambda: services.set_implicated(actor=request.user, case=testimony.case),
            _("The witness is flagged: only lawyers and verifiers see this testimony now."),
        )
    return redirect(testimony)


@staff_view
@require_POST
def event_new(request: AuthenticatedHttpRequest, code: str) -> HttpResponse:
    testimony = access.access_testimony(request.user, code, cap=Cap.WRITE_TESTIMONY)
    fields = ("when", "settlement", "oblast", "summary")
    data: dict[str, Any] = {name: request.POST.get(name, "") for name in fields}
    try:
        if request.POST.get("lat") or request.POST.get("lon"):
            data["lat"] = float(request.POST.get("lat", "").replace(",", "."))
            data["lon"] = float(request.POST.get("lon", "").replace(",", "."))
        event = services.add_event(actor=request.user, testimony=testimony, data=data)
    except (TestimonyError, ValueError) as exc:
        messages.error(
            request,
            str(exc)
            if isinstance(exc, TestimonyError)
            else _("Give both coordinates, as decimal degrees."),
        )
        return redirect(testimony)
    messages.success(request, _("Event added."))
    return redirect(event)
