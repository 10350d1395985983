"""Event, act, classification, corroboration, unit, export and search pages."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from tropa.accounts.permissions import AuthenticatedHttpRequest, Cap, can, staff_view
from tropa.core.access import forbid
from tropa.core.views import run_action

from . import access, services
from .errors import TestimonyError
from .models import Act
from .views import _choices


def _act_rows(request: AuthenticatedHttpRequest) -> dict[str, Any]:
    post = request.POST
    victims = [
        {
            "kind": post.get("victim_kind", ""),
            "count": post.get("victim_count", "") or None,
            "description": post.get("victim_description", ""),
        }
    ]
    perpetrators = [
        {
            "unit": post.get(f"unit_{i}", ""),
            "who": post.get(f"who_{i}", ""),
            "involvement": post.get(f"involvement_{i}", ""),
        }
        for i in (1, 2)
        if post.get(f"unit_{i}") or post.get(f"who_{i}")
    ]
    return {
        "kind": post.get("kind", ""),
        "description": post.get("description", ""),
        "how_known": post.get("how_known", ""),
        "reliability": post.get("reliability", ""),
        "victims": victims,
        "perpetrators": perpetrators,
    }


@staff_view
def event(request: AuthenticatedHttpRequest, code: str) -> HttpResponse:
    found = access.access_event(request.user, code)
    units = {
        str(u.code): services.unit_label(d) for u, d in services.units_of(found.organization_id)
    }
    acts = [(a, services.act_data(a)) for a in found.acts.all()]
    # A pair shows only where the other witness's testimony is visible too: a flagged
    # witness's event is not even named to those who may not see his testimony.
    pairs = [
        (p, services.basis_of(p), other)
        for p in services.pairs_of_event(found)
        if access.may_see_case_testimony(
            request.user, (other := p.event_b if p.event_a_id == found.pk else p.event_a).case
        )
    ]
    context = {
        "event": found,
        "data": services.event_data(found),
        "acts": acts,
        "units": units,
        "pairs": pairs,
        "corroborated": services.corroboration_count(found),
        "may_write": can(request.user, Cap.WRITE_TESTIMONY),
        "may_classify": can(request.user, Cap.CLASSIFY_TESTIMONY),
    }
    return render(request, "testimony/event.html", {**context, **_choices()})


@staff_view
@require_POST
def act_new(request: AuthenticatedHttpRequest, code: str) -> HttpResponse:
    found = access.access_event(request.user, code, cap=Cap.WRITE_TESTIMONY)
    run_action(
        request,
        lambda: services.add_act(actor=request.user, event=found, data=_act_rows(request)),
        _("Act added."),
    )
    return redirect(found)


@staff_view
@require_POST
def claimed(request: AuthenticatedHttpRequest, code: str) -> HttpResponse:
    act: Act = access.access_act(request.user, code, cap=Cap.WRITE_TESTIMONY)
    run_action(
        request,
        lambda: services.set_claimed(
            actor=request.user, act=act, words=request.POST.get("words", "")
        ),
        _("The witness's own words are saved."),
    )
    return redirect(act.event)


@staff_view
@require_POST
def potential(request: AuthenticatedHttpRequest, code: str) -> HttpResponse:
    act: Act = access.access_act(request.user, code, cap=Cap.CLASSIFY_TESTIMONY)
    try:
        elements = [int(v) for v in request.POST.getlist("elements")]
    except ValueError:
        elements = [-1]
    run_action(
        request,
        lambda: services.set_potential(
            actor=request.user,
            act=act,
            article=request.POST.get("article", ""),
            elements=elements,
            note=request.POST.get("note", ""),
        ),
        _("Classification saved."),
    )
    return redirect(act.event)


@staff_view
@require_POST
def corroboration_decide(request: AuthenticatedHttpRequest, code: str) -> HttpResponse:
    pair = access.access_corroboration(request.user, code)
    confirm = request.POST.get("decision") == "confirm"
    run_action(
        request,
        lambda: services.decide_corroboration(
            actor=request.user, pair=pair, confirm=confirm, reason=request.POST.get("reason", "")
        ),
        _("Confirmed: shown on both cases.") if confirm else _("Dismissed."),
    )
    return redirect(pair.event_a)


@staff_view
def units(request: AuthenticatedHttpRequest) -> HttpResponse:
    if not can(request.user, Cap.VIEW_TESTIMONY) or request.user.organization is None:
        raise Http404
    organization = request.user.organization
    if request.method == "POST":
        if not can(request.user, Cap.WRITE_TESTIMONY):
            forbid(request.user, Cap.WRITE_TESTIMONY)
        names = request.POST.get("names", "").splitlines()
        run_action(
            request,
            lambda: services.save_unit(
                actor=request.user,
                organization=organization,
                names=names,
                number=request.POST.get("number", ""),
            ),
            _("Unit saved."),
        )
        return redirect("testimony:units")
    rows = sorted((services.unit_label(d), u) for u, d in services.units_of(organization))
    return render(request, "testimony/units.html", {"rows": rows})


@staff_view
@require_POST
def export_new(request: AuthenticatedHttpRequest, code: str) -> HttpResponse:
    testimony = access.access_testimony(request.user, code)
    try:
        export = services.request_export(
            actor=request.user,
            testimony=testimony,
            kind=request.POST.get("kind", ""),
            language=request.POST.get("language", ""),
        )
    except TestimonyError as exc:
        messages.error(request, str(exc))
        return redirect(testimony)
    messages.success(request, _("Export requested: a second person must approve it."))
    return redirect(export)


@staff_view
def export(request: AuthenticatedHttpRequest, code: str) -> HttpResponse:
    found = access.access_export(request.user, code)
    context = {
        "export": found,
        "kind": services.recipient_of(found),
        "may_decide": found.requested_by_id != request.user.pk
        and can(request.user, Cap.APPROVE_EXPORT),
        "may_download": found.requested_by_id == request.user.pk,
        **_choices(),
    }
    return render(request, "testimony/export.html", context)


@staff_view
@require_POST
def export_decide(request: AuthenticatedHttpRequest, code: str) -> HttpResponse:
    found = access.access_export(request.user, code)
    approve = request.POST.get("decision") == "approve"
    run_action(
        request,
        lambda: services.decide_export(actor=request.user, export=found, approve=approve),
        _("Approved: the bundle is ready for the requester.") if approve else _("Refused."),
    )
    return redirect(found)


@staff_view
@require_POST
def export_download(request: AuthenticatedHttpRequest, code: str) -> HttpResponse:
    found = access.access_export(request.user, code)
    try:
        data = services.download_export(actor=request.user, export=found)
    except TestimonyError as exc:
        messages.error(request, str(exc))
        return redirect(found)
    response = HttpResponse(data, content_type="application/x-tar")
    response["Content-Disposition"] = f'attachment; filename="testimony-{found.code}.tar"'
    return response


def _query(request: AuthenticatedHttpRequest) -> services.Query:
    get = request.GET

    def day(name: str) -> date | None:
        try:
            return date.fromisoformat(get.get(name, ""))
        except ValueError:
            return None

    return services.Query(
        text=get.get("q", ""),
        unit=get.get("unit", ""),
        place=get.get("place", ""),
        oblast=get.get("oblast", ""),
        kind=get.get("kind", ""),
        article=get.get("article", ""),
        start=day("start"),
        end=day("end"),
    )


@staff_view
def search(request: AuthenticatedHttpRequest) -> HttpResponse:
    if not can(request.user, Cap.VIEW_TESTIMONY) or request.user.organization is None:
        raise Http404
    query = _query(request)
    results = services.search(actor=request.user, query=query) if query.named() else None
    units = sorted(
        (services.unit_label(d), str(u.code))
        for u, d in services.units_of(request.user.organization)
    )
    context = {"query": query, "results": results, "unit_choices": units, **_choices()}
    return render(request, "testimony/search.html", context)
